"""Setting up, confirming, checking and resetting a person's authenticator."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

import audit
from units.demo_guard import DEMO_SECRET_REFUSED, refuses_device
from units.models import User
from units.signals import revoke_api_tokens

DEVICE_NAME = "身份验证器"


def pending_device(user: User) -> TOTPDevice:
    """The not yet confirmed device the setup page shows, the same one on every visit
    until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


@dataclass(frozen=True)
class CheckResult:
    """The outcome of a code: accepted, or refused with the message the page shows."""

    ok: bool
    message: str = ""
    throttled: bool = False


WRONG_CODE = "验证码不正确。请输入身份验证器当前显示的 6 位数字；每个验证码只能使用一次。"


def check_code(device: TOTPDevice, code: str) -> CheckResult:
    """Verify `code` against `device`, with django-otp's back-off after wrong codes
    (1, 2, 4, 8 … seconds). The row is locked so two tries at once count as two."""
    code = (code or "").strip().replace(" ", "")
    if refuses_device(device):
        audit.record(action="two_factor_failed", obj=device.user, changes={"device": device.pk, "demo_secret": True})
        return CheckResult(False, DEMO_SECRET_REFUSED)
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        allowed, info = device.verify_is_allowed()
        if not allowed:
            return CheckResult(False, throttled_message(info), throttled=True)
        if not (code.isdigit() and len(code) == device.digits):
            device.throttle_increment(commit=True)
            audit.record(action="two_factor_failed", obj=device.user, changes={"device": device.pk})
            return CheckResult(False, WRONG_CODE)
        if device.verify_token(code):
            return CheckResult(True)
    audit.record(action="two_factor_failed", obj=device.user, changes={"device": device.pk})
    return CheckResult(False, WRONG_CODE)


def throttled_message(info: dict | None) -> str:
    """The refusal while django-otp's back-off lasts, with the seconds still to wait."""
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
    audit.record(action="two_factor_verified", obj=device.user, changes={"device": device.pk})


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
