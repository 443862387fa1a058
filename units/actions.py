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
