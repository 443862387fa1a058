from .models import Role


def roles(request) -> dict:
    """Expose the signed-in person's roles to templates as `my_roles`."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"my_roles": frozenset(), "Role": Role}
    return {"my_roles": user.role_set, "Role": Role, "unread_count": _unread(user)}


def _unread(user) -> int:
    return user.notifications.filter(read_at=None).count()
