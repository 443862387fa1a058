"""Reads for the directory export: the units and people an administrator manages."""

from collections import defaultdict

from django.db.models import F, QuerySet

from ..models import RoleGrant, Unit, User


def export_rows(units: QuerySet[Unit]) -> tuple[list[dict], list[dict]]:
    """Rows for exports.directory_xlsx of `units` and their people, in three queries.

    A unit whose parent is outside `units` (the administrator's own unit) is exported
    with its parent's code, so that the file imports back into the same place."""
    unit_rows = list(
        units.order_by("order_key").values(
            "id",
            "code",
            "name",
            "short_name",
            "parent_id",
            "kind",
            "sort_order",
            "is_active",
            class_name=F("assessment_class__name"),
            parent_code=F("parent__code"),
        )  # fmt: skip
    )
    people = list(
        User.objects.filter(unit__in=units, is_superuser=False)
        .order_by("unit__order_key", "username")
        .values("id", "username", "full_name", "unit_id", "phone", "email", "is_active")
    )
    roles = defaultdict(list)
    for user_id, role in RoleGrant.objects.filter(user__unit__in=units, unit_id=F("user__unit_id")).values_list(
        "user_id", "role"
    ):
        roles[user_id].append(role)
    for p in people:
        p["roles"] = roles[p["id"]]
    return unit_rows, people
