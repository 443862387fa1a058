"""The points panel on the item page (registered with submissions.panels in
ScoringConfig.ready()): what each adoption, instruction and upstairs adoption of this
item earned its unit, read from the ledger, and only the rows this person may see."""

from decimal import Decimal

from . import access
from .models import LedgerEntry


def item_points(user, item) -> list[LedgerEntry]:
    """The ledger rows drawn on `item` (reversals and penalties too: they change what it
    earned), limited to the ledgers scoring.access lets `user` read, oldest first."""
    entries = (
        LedgerEntry.objects.filter(item=item)
        .select_related("scheme__office", "unit", "adoption__publication", "reverses")
        .order_by("date", "pk")
    )
    allowed: dict[tuple[int, int], bool] = {}
    visible = []
    for entry in entries:
        key = (entry.scheme_id, entry.unit_id)
        if key not in allowed:
            allowed[key] = access.can_view_ledger(user, entry.scheme, entry.unit)
        if allowed[key]:
            visible.append(entry)
    return visible


def points_panel(request, item) -> dict | None:
    """Nothing to show (no row, or none this person may read): no panel at all."""
    entries = item_points(request.user, item)
    if not entries:
        return None
    return {
        "template": "scoring/_item_points_panel.html",
        "entries": entries,
        "total": sum((e.points for e in entries), Decimal("0")),
    }
