"""Talking to the site as a browser does: log in (with the two-factor code when the
site asks for one), read CSRF tokens, ids and versions out of pages.

Used by the locustfile (its HttpSession is a requests.Session) and by the fault scripts
(plain requests.Session), so it imports neither Django nor locust.
"""

import base64
import hashlib
import hmac
import html
import inspect
import re
import struct
import time

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SECRET_ON_PAGE = re.compile(r"((?:[A-Z2-7]{4} ){3,}[A-Z2-7]{1,4})")


class LoginFailed(RuntimeError):
    pass


def totp(secret: bytes, *, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    """RFC 6238 code, as django-otp's TOTPDevice and every authenticator app compute it."""
    counter = int((time.time() if at is None else at) // step)
    mac = hmac.new(secret, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def secret_from_base32(text: str) -> bytes:
    clean = text.replace(" ", "").upper()
    return base64.b32decode(clean + "=" * (-len(clean) % 8))


def _named(client) -> bool:
    try:
        return "name" in inspect.signature(client.request).parameters
    except (TypeError, ValueError):
        return False


def request(client, method: str, url: str, *, name: str | None = None, **kwargs):
    """client.request, with locust's `name` (the row in the statistics) when it has one."""
    if name and _named(client):
        kwargs["name"] = name
    return client.request(method, url, **kwargs)


def csrf_token(page: str) -> str:
    match = CSRF.search(page)
    if not match:
        raise LoginFailed("no CSRF token on the page")
    return match.group(1)


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def login(client, base: str, username: str, password: str, *, secret: bytes | None = None) -> bytes | None:
    """Sign in; returns the authenticator secret in use (learnt on the setup page when
    the site asks to set one up), to pass back next time. Raises LoginFailed."""
    page = request(client, "GET", f"{base}/login/", name="login")
    data = {"csrfmiddlewaretoken": csrf_token(page.text), "username": username, "password": password}
    response = request(client, "POST", f"{base}/login/", name="login", data=data, headers={"Referer": f"{base}/login/"})
    where = path_of(response.url)
    if where.startswith("/login/"):
        raise LoginFailed(f"{username}: password login refused ({response.status_code})")
    if where.startswith("/2fa/setup/"):
        found = SECRET_ON_PAGE.search(response.text)
        if not found:
            raise LoginFailed(f"{username}: two-factor setup page without a secret")
        secret = secret_from_base32(found.group(1))
        response = _send_code(client, base, response, secret, "/2fa/setup/")
    elif where.startswith("/2fa/verify/"):
        if secret is None:
            raise LoginFailed(f"{username}: the site asks for a two-factor code and no secret is known")
        response = _send_code(client, base, response, secret, "/2fa/verify/")
    if path_of(response.url).startswith(("/login/", "/2fa/")):
        raise LoginFailed(f"{username}: still at {path_of(response.url)} after login")
    return secret


def _send_code(client, base: str, response, secret: bytes, path: str):
    for attempt in range(2):
        data = {"csrfmiddlewaretoken": csrf_token(response.text), "code": totp(secret)}
        next_url = re.search(r'name="next" value="([^"]*)"', response.text)
        if next_url:
            data["next"] = html.unescape(next_url.group(1))
        response = request(client, "POST", f"{base}{path}", name="login 2fa", data=data,
                           headers={"Referer": f"{base}{path}"})  # fmt: skip
        if not path_of(response.url).startswith("/2fa/"):
            return response
        if attempt == 0:
            # A code is good once: another session of this person may have used it. Wait for the next.
            time.sleep(30 - time.time() % 30 + 0.5)
    return response


def ids(page: str, pattern: str) -> list[int]:
    """Distinct ints captured by `pattern` (one group), in page order."""
    seen: dict[int, None] = {}
    for match in re.finditer(pattern, page):
        seen.setdefault(int(match.group(1)), None)
    return list(seen)


def field_value(page: str, name: str) -> str | None:
    match = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', page) or re.search(
        rf'value="([^"]*)"[^>]*name="{re.escape(name)}"', page
    )
    return html.unescape(match.group(1)) if match else None


def select_options(page: str, name: str) -> list[str]:
    """Non-empty option values of the <select name=...>."""
    match = re.search(rf'<select[^>]*name="{re.escape(name)}"[^>]*>(.*?)</select>', page, re.S)
    if not match:
        return []
    return [v for v in re.findall(r'<option value="([^"]*)"', match.group(1)) if v]


def messages(page: str) -> list[str]:
    """The texts of Django messages (Bootstrap alerts) on a page."""
    found = re.findall(r'<div class="alert[^"]*"[^>]*>(.*?)</div>', page, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html.unescape(m))).strip() for m in found]
