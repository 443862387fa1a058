"""Who must confirm a login with a code, and whether this session already has."""

from django_otp.plugins.otp_totp.models import TOTPDevice

from units.models import ADMIN_DUTIES, Role

ROLES_NEEDING_TWO_FACTOR = frozenset({Role.EDITOR, Role.ISSUE_APPROVER, *ADMIN_DUTIES})


def role_requires_two_factor(user) -> bool:
    """True when the person's roles oblige them to use a second factor."""
    if not (user.is_authenticated and user.is_active):
        return False
    return bool(user.is_superuser or (user.unit_id and ROLES_NEEDING_TWO_FACTOR & user.role_set))


def confirmed_device(user) -> TOTPDevice | None:
    """The person's confirmed authenticator, or None (also for anonymous visitors)."""
    if not user.is_authenticated:
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def requires_two_factor(user) -> bool:
    """True when a login of this person is complete only with a code: by role, or
    because they set up an authenticator themselves."""
    return role_requires_two_factor(user) or confirmed_device(user) is not None


def is_verified(user) -> bool:
    """True when this session has passed the second factor (OTPMiddleware's mark)."""
    verified = getattr(user, "is_verified", None)
    return bool(verified and verified())
