"""Role changes under 三员分立: a system administrator proposes, a security administrator
approves or refuses, and only an approved change touches a person's rights.

Every path that gives or takes roles for a person — the admin's user form, the directory
import, the people API — calls `propose_roles`. The first administrators of an
installation (`manage.py bootstrap_admins`), the demo loader and a superuser in
development have nobody to approve them: they pass `approved_by_setup=True` or act as a
superuser, and the change applies at once (still an audit row each).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

import audit

from . import access
from .models import ADMIN_DUTIES, ONE_ADMIN_DUTY, Role, RoleChange, RoleGrant, Unit, User
from .notify import notify

LABELS = dict(Role.choices)


def check_roles(roles: Iterable[str]) -> set[str]:
    """The roles as a set, refused in words when unknown or two of the three (三员)."""
    wanted = set(roles)
    unknown = wanted - set(Role.values)
    if unknown:
        raise ValidationError(f"未知角色：{', '.join(sorted(unknown))}")
    if len(wanted & set(ADMIN_DUTIES)) > 1:
        raise ValidationError(ONE_ADMIN_DUTY)
    return wanted


def _security_admins_for(unit: Unit) -> list[User]:
    """The security administrators who may decide about a person of `unit`: those of the
    unit and of every unit above it."""
    ids = [unit.pk, *unit.ancestor_ids]
    return list(
        User.objects.filter(
            is_active=True, role_grants__role=Role.SECURITY_ADMIN, role_grants__unit_id__in=ids
        ).distinct()
    )


def needs_no_approval(by: User | None) -> bool:
    """The system itself (a command, the nightly directory sync: the directory is the
    authority, `by` is None) and a superuser (development only: refused in production)
    change roles at once; a person's proposal waits for a security administrator."""
    return by is None or by.is_superuser


@transaction.atomic
def propose_roles(
    *, user: User, roles: Iterable[str], by: User | None, approved_by_setup: bool = False
) -> list[RoleChange]:
    """Ask that `user` hold exactly `roles` in their own unit.

    Returns the proposals now pending (one per role to grant or revoke); proposing the
    same again adds nothing. Grants of the system, a superuser or the set-up apply at once.
    """
    from .actions import set_roles

    wanted = check_roles(roles)
    if wanted and user.unit_id is None:
        raise ValidationError("该用户没有所属单位，不能授予角色。")
    if needs_no_approval(by) or approved_by_setup:
        set_roles(user=user, roles=wanted)
        return []
    if not access.can_manage_unit(by, user.unit):
        raise ValidationError("只有该人员所在单位（或上级单位）的系统管理员可以提出角色变更。")
    have = set(RoleGrant.objects.filter(user=user, unit_id=user.unit_id).values_list("role", flat=True))
    # A proposal that the wish no longer contains is withdrawn (the administrator changed
    # their mind before the approval). The wish is the whole set of roles, checked above
    # for two of the three, so the pending grants left can never add up to two either.
    stale = RoleChange.objects.filter(user=user, state=RoleChange.State.PENDING).exclude(
        kind=RoleChange.Kind.GRANT, role__in=wanted - have
    )
    stale = stale.exclude(kind=RoleChange.Kind.REVOKE, role__in=have - wanted)
    stale.update(state=RoleChange.State.WITHDRAWN, decided_at=timezone.now(), reason="提出人已改变申请")
    changes = [(RoleChange.Kind.GRANT, r) for r in sorted(wanted - have)]
    changes += [(RoleChange.Kind.REVOKE, r) for r in sorted(have - wanted)]
    created = []
    for kind, role in changes:
        change, made = RoleChange.objects.get_or_create(
            user=user, unit_id=user.unit_id, role=role, kind=kind, state=RoleChange.State.PENDING,
            defaults={"proposed_by": by},
        )  # fmt: skip
        if made:
            created.append(change)
            audit.record(
                action="role_proposed", obj=user, actor=by,
                changes={"role": [None, LABELS[role]], "kind": [None, change.get_kind_display()]},
            )  # fmt: skip
    if created:
        names = "、".join(f"{c.get_kind_display()}{LABELS[c.role]}" for c in created)
        recipients = [p for p in _security_admins_for(user.unit) if p.pk != by.pk]
        transaction.on_commit(
            lambda: notify(
                recipients=recipients, verb="role_change", title=f"待审批的角色变更：{user}",
                body=f"{by} 提出为 {user}（{user.unit}）{names}，请审批。",
                url=reverse("admin:units_rolechange_changelist") + "?state__exact=pending",
            )
        )  # fmt: skip
    return list(RoleChange.objects.filter(user=user, state=RoleChange.State.PENDING))


@transaction.atomic
def decide(*, change: RoleChange, by: User, approve: bool, reason: str = "") -> RoleChange:
    """Approve (the grant or revocation takes effect now) or refuse a pending change."""
    change = RoleChange.objects.select_for_update().select_related("user", "unit").get(pk=change.pk)
    if change.state != RoleChange.State.PENDING:
        raise ValidationError("该角色变更已处理，不能重复审批。")
    if not access.can_decide_role_change(by, change):
        if change.proposed_by_id == by.pk or change.user_id == by.pk:
            raise ValidationError("不能审批本人提出的或涉及本人的角色变更。")
        raise ValidationError("只有该人员所在单位（或上级单位）的安全管理员可以审批角色变更。")
    person = change.user
    change.decided_by, change.decided_at, change.reason = by, timezone.now(), reason[:200]
    if approve and (person.unit_id != change.unit_id or not person.is_active):
        # Roles belong to the unit: a person who moved or left since the proposal does
        # not get the old unit's role.
        change.state, change.reason = RoleChange.State.WITHDRAWN, "人员已调离或停用，申请失效"
        change.save()
        return change
    if approve:
        if change.kind == RoleChange.Kind.GRANT:
            try:
                with transaction.atomic():
                    # The save is audited like every RoleGrant save (audit/registry.py).
                    RoleGrant.objects.create(user=person, unit_id=change.unit_id, role=change.role)
            except IntegrityError:
                if not RoleGrant.objects.filter(user=person, unit_id=change.unit_id, role=change.role).exists():
                    raise ValidationError(ONE_ADMIN_DUTY) from None
        else:
            for grant in RoleGrant.objects.filter(user=person, unit_id=change.unit_id, role=change.role):
                grant.delete()  # audited and the tokens revoked through post_delete (units/signals.py)
        person._role_cache = None
    change.state = RoleChange.State.APPROVED if approve else RoleChange.State.REFUSED
    change.save()
    audit.record(
        action="role_approved" if approve else "role_refused", obj=person, actor=by,
        changes={"role": [None, LABELS[change.role]], "kind": [None, change.get_kind_display()],
                 "proposed_by": [None, str(change.proposed_by or "")], "reason": [None, reason]},
    )  # fmt: skip
    if change.proposed_by_id and change.proposed_by_id != by.pk:
        verdict = "已批准" if approve else f"未批准{('：' + reason) if reason else ''}"
        transaction.on_commit(
            lambda: notify(
                recipients=[change.proposed_by], verb="role_change",
                title=f"角色变更{verdict[:3]}：{person}",
                body=f"{change.get_kind_display()}{LABELS[change.role]}（{person}）{verdict}。",
            )
        )  # fmt: skip
    return change


def pending_for(user) -> list[RoleChange]:
    """The proposals this security administrator may decide, oldest first."""
    qs = RoleChange.objects.filter(state=RoleChange.State.PENDING).select_related("user", "unit", "proposed_by")
    return [c for c in qs.order_by("proposed_at", "pk") if access.can_decide_role_change(user, c)]
