"""In production, the demo logins and the published demo authenticator secret are refused
(GB/T 22239 8.1.4.1: no known or default credentials), and so is the Django superuser
(8.1.4.2: 三员分立, nobody holds all rights).

`loaddemo` creates the logins with a password printed in the README and authenticators
sharing DEMO_TOTP_SECRET; should a production database have been loaded with them, or a
real person been given that secret, none of it may open the system. The names and the
secret come from govinfo/demo.py, read only when asked (it imports the higher apps).
"""

from __future__ import annotations

from django.conf import settings

DEMO_LOGIN_REFUSED = "演示账号不能在生产环境中登录。"
DEMO_SECRET_REFUSED = "该身份验证器使用的是公开的演示密钥，生产环境中不能使用，请联系管理员重置两步验证。"


def production() -> bool:
    return getattr(settings, "GOVINFO_ENV", "development") == "production"


def demo_usernames() -> frozenset[str]:
    from govinfo.demo import DEMO_UNITS, ROLE_NAMES

    return frozenset(f"{prefix}_{suffix}" for prefix, _ in DEMO_UNITS for suffix, _ in ROLE_NAMES.values())


def demo_key_hex() -> str:
    import base64

    from govinfo.demo import DEMO_TOTP_SECRET

    return base64.b32decode(DEMO_TOTP_SECRET).hex()


def refuses_login(username: str | None) -> bool:
    """True in production for a demo login's user name."""
    return production() and (username or "") in demo_usernames()


def refuses_superuser(user) -> bool:
    """True in production for a Django superuser: under 三员分立 nobody holds every right,
    so the superuser made by `createsuperuser` for the first set-up (then
    `bootstrap_admins`) signs in to neither the pages, the admin nor the API."""
    return production() and bool(getattr(user, "is_superuser", False))


def refuses_device(device) -> bool:
    """True in production for an authenticator keyed with the published demo secret."""
    return production() and (device.key or "").lower() == demo_key_hex()
