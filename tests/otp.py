"""What a person's authenticator app does, for tests: hold the secret and show the code.

`code_for(device)` computes the code the server accepts next the way an app would
(django_otp.oath, from the device's key and the clock), stepping past codes already used,
since each code is accepted once.
"""

from django_otp.oath import TOTP, hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

from units.twofactor.access import confirmed_device
from units.twofactor.actions import DEVICE_NAME

from .waiting import wait_for


def device_for(user) -> TOTPDevice:
    """The person's confirmed authenticator, created as a finished setup would leave it."""
    device = confirmed_device(user)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True)
    return device


def code_for(device: TOTPDevice) -> str:
    """The code for the earliest time step the server will still accept: the current
    step, or the next one if the current code was used already (the server allows one
    step of clock difference either way). Never the previous step: a test that crosses
    a step boundary between computing and typing would fail by chance."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)

    def acceptable_code() -> str | None:
        now = totp.t()
        t = max(now, device.last_t + 1)
        if t <= now + device.tolerance:
            return f"{hotp(device.bin_key, t, digits=device.digits):0{device.digits}d}"
        return None

    # When both steps within the server's reach were used, no code is acceptable until
    # the server's clock (time.time(), read by django_otp) reaches the next step: a code
    # is accepted once, so here the passing of real time is the thing waited for.
    return wait_for(acceptable_code, timeout=2 * device.step + 1, interval=0.2, what="a TOTP step not used yet")


def code_from_secret(secret: str, at: float | None = None) -> str:
    """The current code for a base32 secret as the setup page prints it (spaces allowed)."""
    import base64

    key = base64.b32decode(secret.replace(" ", "").upper() + "=" * (-len(secret.replace(" ", "")) % 8))
    totp = TOTP(key)
    if at is not None:
        totp.time = at
    return f"{totp.token():06d}"


def pass_second_factor(page, username: str) -> None:
    """In a browser that has just submitted the password: type the code the person's
    authenticator shows, if the site asks for one. On the setup page (no authenticator
    yet) that is the code for the secret the page prints, as a person would type it in."""
    from units.models import User

    page.wait_for_load_state()
    if "/2fa/verify/" in page.url:
        code = code_for(device_for(User.objects.get(username=username)))
    elif "/2fa/setup/" in page.url:
        code = code_from_secret(page.inner_text("#otp-secret"))
    else:
        return
    page.fill("input[name=code]", code)
    with page.expect_navigation():
        page.click("#otp-form button[type=submit]")
