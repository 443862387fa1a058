"""Reads shared by the unit pages."""

from django.db.models import Count, Q, QuerySet

from .models import Unit, User


def unit_directory(units: QuerySet[Unit], *, q: str = "", kind: str = "", active: str = "") -> QuerySet[Unit]:
    """Units with their parent, class and head counts, filtered; one query per page."""
    if q:
        units = units.filter(Q(name__contains=q) | Q(short_name__contains=q))
    if kind:
        units = units.filter(kind=kind)
    if active in ("1", "0"):
        units = units.filter(is_active=active == "1")
    return units.select_related("parent", "assessment_class").annotate(
        member_count=Count("members", filter=Q(members__is_active=True), distinct=True),
        child_count=Count("children", distinct=True),
    )


def unit_members(unit: Unit) -> QuerySet[User]:
    """A unit's people with their roles, for the unit page."""
    return unit.members.order_by("username").prefetch_related("role_grants")
