"""Who may read which part of the audit record."""

from django.db.models import QuerySet

from . import scope
from .models import AuditEntry


def sees_everything(user) -> bool:
    """Superusers and administrators of the root unit (the province office)."""
    if not scope.can_read(user):
        return False
    return bool(user.is_superuser or (user.unit is not None and user.unit.parent_id is None))


def visible_entries(user) -> QuerySet[AuditEntry]:
    """The entries an administrator may read: all for the province (and superusers);
    for a city's administrator, what people of their subtree did and what was done to
    objects of their subtree. Others read nothing."""
    if not scope.can_read(user):
        return AuditEntry.objects.none()
    if sees_everything(user):
        return AuditEntry.objects.all()
    return AuditEntry.objects.visible_to(scope.administered_units(user))
