"""Who may read which part of the audit record."""

from django.db.models import QuerySet

from . import scope
from .models import AuditEntry


def sees_everything(user) -> bool:
    """Superusers and the administrators of the root unit (the province office)."""
    if not scope.can_read(user):
        return False
    return bool(user.is_superuser or (user.unit is not None and user.unit.parent_id is None))


def visible_entries(user) -> QuerySet[AuditEntry]:
    """The entries an administrator may read: all for the province's auditor (and
    superusers); for a city's auditor, what people of their subtree did and what was done
    to objects of their subtree; for the system and security administrators, only what the
    other administrators (三员) of their scope did. Others read nothing."""
    if not scope.can_read(user):
        return AuditEntry.objects.none()
    if sees_everything(user):
        qs = AuditEntry.objects.all()
    else:
        qs = AuditEntry.objects.visible_to(scope.administered_units(user))
    actors = scope.watched_actors(user)
    if actors is not None:  # a system or security administrator: the other administrators' acts
        qs = qs.filter(actor__in=actors)
    return qs
