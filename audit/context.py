"""Who is acting right now: the request (set by the middleware) or the system.

Kept in a context variable, so the signal receivers and `audit.record()` find the
person without every action passing a request around. The request itself is stored,
not its user: reading `request.user` costs a query, paid only when something is
actually recorded (and DRF's token authentication has set the user by then).
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Context:
    request: object | None = None  # the HttpRequest, or None for the system (Celery, commands)
    request_id: str = field(default="")
    suspended: bool = False


SYSTEM = Context()
_current: ContextVar[Context] = ContextVar("audit_context", default=SYSTEM)


def current() -> Context:
    """The audit context of the running request or task."""
    return _current.get()


def enter(ctx: Context):
    """Make `ctx` current; returns the token for `leave`."""
    return _current.set(ctx)


def leave(token) -> None:
    """Restore the context `enter` replaced; a token of another context is ignored."""
    with contextlib.suppress(ValueError, RuntimeError):  # a token from another context
        _current.reset(token)


@contextlib.contextmanager
def for_request(request) -> Iterator[Context]:
    """Act as the request's user inside the block, under its request id (X-Request-ID
    or a new one), so every entry of one request can be found together."""
    request_id = (request.META.get("HTTP_X_REQUEST_ID") or "")[:64] or uuid.uuid4().hex
    ctx = Context(request=request, request_id=request_id, suspended=current().suspended)
    token = enter(ctx)
    try:
        yield ctx
    finally:
        leave(token)


@contextlib.contextmanager
def as_system() -> Iterator[Context]:
    """Run as the system (actor shown as “系统”), e.g. inside a Celery task."""
    token = enter(SYSTEM)
    try:
        yield SYSTEM
    finally:
        leave(token)


@contextlib.contextmanager
def suspended() -> Iterator[None]:
    """Record nothing inside the block: for bulk loads (demo data, benchmarks) only."""
    ctx = current()
    token = enter(Context(request=ctx.request, request_id=ctx.request_id, suspended=True))
    try:
        yield
    finally:
        leave(token)


def is_suspended() -> bool:
    """True inside `suspended()`: nothing is recorded."""
    return current().suspended


def actor():
    """The signed-in person of the current request, or None for the system."""
    request = current().request
    if request is None:
        return None
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user


def client_ip(request) -> str | None:
    """The client's address as axes reads it (its proxy settings), else the socket peer."""
    if request is None:
        return None
    try:
        from axes.helpers import get_client_ip_address

        ip = get_client_ip_address(request)
    except Exception:  # axes unavailable or unconfigured: fall back to the socket peer
        ip = request.META.get("REMOTE_ADDR")
    return ip or None
