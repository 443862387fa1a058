"""Changes to units and people: one function per act."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

import audit

from .models import Role, RoleGrant, Unit, User
from .signals import revoke_api_tokens


@transaction.atomic
def set_roles(*, user: User, roles: Iterable[str]) -> User:
    """Make `user` hold exactly `roles` in their own unit.

    Roles are scoped to the person's unit, so a person without a unit holds none.
    """
    wanted = set(roles)
    unknown = wanted - set(Role.values)
    if unknown:
        raise ValidationError(f"未知角色：{', '.join(sorted(unknown))}")
    if wanted and user.unit_id is None:
        raise ValidationError("该用户没有所属单位，不能授予角色。")
    RoleGrant.objects.filter(user=user).exclude(unit_id=user.unit_id, role__in=wanted).delete()
    have = set(RoleGrant.objects.filter(user=user, unit_id=user.unit_id).values_list("role", flat=True))
    created = RoleGrant.objects.bulk_create(
        [RoleGrant(user=user, unit_id=user.unit_id, role=r) for r in sorted(wanted - have)]
    )
    for grant in created:  # bulk_create sends no signal: record each grant (removals are)
        audit.record(
            action="create",
            obj=grant,
            changes={"user": [None, user.pk], "unit": [None, grant.unit_id], "role": [None, grant.role]},
        )
    if created:  # removals revoke through post_delete (units/signals.py)
        revoke_api_tokens(user.pk)
    user._role_cache = None
    return user


@transaction.atomic
def ensure_person(
    *, unit: Unit, username: str, full_name: str, roles: Iterable[str], password: str
) -> tuple[User, bool]:
    """Create a person with a password and roles, or leave an existing one as it is.

    Returns (user, created). An existing person's password is never reset here, so that
    re-running the demo loader does not undo a password someone changed.
    """
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user, False
    user = User(username=username, full_name=full_name, unit=unit)
    user.set_password(password)
    user.save()
    set_roles(user=user, roles=roles)
    return user, True


def _hand_over(*, person: User, unit: Unit, colleague: User | None, actor: User | None, reason: str) -> dict:
    from . import handover
    from .notify import notify

    work = handover.open_work(person, unit)
    handover.check_colleague(person=person, unit=unit, colleague=colleague, needed=any(w.moves for w in work))
    if colleague is None or not work:
        return {}
    done = handover.hand_over_all(person, unit, colleague, actor)
    lines = [f"{w.label}：" + "；".join(w.entries) for w in work]
    notify(
        recipients=[colleague],
        verb="handover",
        title=f"{person.full_name or person.username}{reason}，其工作已交给您"[:200],
        body="\n".join(lines),
    )
    return done


@transaction.atomic
def move_person(
    *, person: User, unit: Unit, colleague: User | None, actor: User | None, roles: Iterable[str] = ()
) -> User:
    """Move `person` to `unit`. Their open work in the old unit (drafts, items awaiting
    sign-off or revision) goes to `colleague`, a person of the old unit, who is told of
    the unit's commissions and instructions still to answer; their role grants in the
    old unit end and they hold `roles` in the new one. What they did stays theirs
    (items, events, points keep pointing at them); API tokens end with the move."""
    from . import handover

    person = User.objects.select_for_update().get(pk=person.pk)
    handover.check_move(person, unit)  # the same words as the routes' previews
    old = person.unit
    _hand_over(person=person, unit=old, colleague=colleague, actor=actor, reason=f"已调往{unit.name}")
    person.unit = unit
    person.save(update_fields=["unit"])  # signals: the audit record, tokens end
    set_roles(user=person, roles=roles)  # grants of the old unit are deleted (audited)
    return person


@transaction.atomic
def deactivate_person(*, person: User, colleague: User | None, actor: User | None) -> User:
    """Disable `person` (they left): they can no longer sign in, their open work goes to
    `colleague` as with a move, and nothing they did is deleted or reassigned. Their role
    grants stay on record with the disabled account (a disabled person holds no power:
    every check needs an active account)."""
    person = User.objects.select_for_update().get(pk=person.pk)
    if actor is not None and actor.pk == person.pk:
        raise ValidationError("不能停用自己的账号。")
    if not person.is_active:
        raise ValidationError("该人员已停用。")
    if person.unit_id is not None:
        _hand_over(person=person, unit=person.unit, colleague=colleague, actor=actor, reason="已离岗")
    person.is_active = False
    person.save(update_fields=["is_active"])  # signals: the audit record, tokens end
    return person
