"""Two-factor login with a time-based code (TOTP, django-otp).

Editors, issue approvers, administrators and superusers must confirm a password login
with the 6-digit code of an authenticator app; anyone else may opt in, after which the
code is required for them too. django-otp's OTPMiddleware marks a session as verified
(`request.user.is_verified()`); govinfo/twofactor.py keeps unverified sessions on the
two-factor pages.
"""

import base64
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

import audit

from .models import Role, User
from .signals import revoke_api_tokens

ROLES_NEEDING_TWO_FACTOR = frozenset({Role.EDITOR, Role.ISSUE_APPROVER, Role.ADMIN})
DEVICE_NAME = "身份验证器"


def role_requires_two_factor(user) -> bool:
    """True when the person's roles oblige them to use a second factor."""
    if not (user.is_authenticated and user.is_active):
        return False
    return bool(user.is_superuser or (user.unit_id and ROLES_NEEDING_TWO_FACTOR & user.role_set))


def confirmed_device(user) -> TOTPDevice | None:
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


def pending_device(user: User) -> TOTPDevice:
    """The not yet confirmed device the setup page shows, the same one on every visit
    until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """The secret as an authenticator app asks for it when typed in: base32, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// address as an SVG QR code, drawn without Pillow."""
    import io

    import qrcode
    import qrcode.image.svg

    out = io.BytesIO()
    qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2).save(out)
    return out.getvalue().decode()


def qr_code_data_uri(device: TOTPDevice) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(qr_code_svg(device).encode()).decode()


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    message: str = ""
    throttled: bool = False


WRONG_CODE = "验证码不正确。请输入身份验证器当前显示的 6 位数字；每个验证码只能使用一次。"


def check_code(device: TOTPDevice, code: str) -> CheckResult:
    """Verify `code` against `device`, with django-otp's back-off after wrong codes
    (1, 2, 4, 8 … seconds). The row is locked so two tries at once count as two."""
    code = (code or "").strip().replace(" ", "")
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        allowed, info = device.verify_is_allowed()
        if not allowed:
            return CheckResult(False, throttled_message(info), throttled=True)
        if not (code.isdigit() and len(code) == device.digits):
            device.throttle_increment(commit=True)
            return CheckResult(False, WRONG_CODE)
        if device.verify_token(code):
            return CheckResult(True)
    return CheckResult(False, WRONG_CODE)


def throttled_message(info: dict | None) -> str:
    locked_until = (info or {}).get("locked_until")
    if locked_until is None:
        return "验证码错误次数过多，请稍后再试。"
    seconds = max(1, int((locked_until - timezone.now()).total_seconds()) + 1)
    return f"验证码错误次数过多，请 {seconds} 秒后再试。"


def mark_verified(request, device: TOTPDevice) -> None:
    """The session has passed the second factor with `device`. The session gets a new
    key, as at any rise in privilege."""
    request.session.cycle_key()
    otp_login(request, device)


@transaction.atomic
def confirm_device(*, request, device: TOTPDevice, code: str) -> CheckResult:
    """Confirm a device being set up with its first code; the session is then verified.
    Other devices of the person are removed: one authenticator per person."""
    result = check_code(device, code)
    if result.ok:
        TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
        device.refresh_from_db()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        mark_verified(request, device)
        # Tokens obtained without a code no longer stand for a full login of this person.
        revoke_api_tokens(device.user_id)
        audit.record(action="two_factor_enabled", obj=device.user, changes={"two_factor": [False, True]})
    return result


@transaction.atomic
def reset_two_factor(*, user: User) -> int:
    """Remove a person's authenticator (lost phone): their next login sets up a new one
    if their role requires it. Sessions verified with the old device lose that mark."""
    count, _ = TOTPDevice.objects.filter(user=user).delete()
    if count:
        audit.record(action="two_factor_reset", obj=user, changes={"two_factor": [True, False]})
    return count
