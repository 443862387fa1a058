"""The emergency panel on the item page (registered in SubmissionsConfig.ready())."""

from ..models import EmergencyCase, Item, ReportKind
from .access import can_read_case
from .queries import report_label, timer


def item_panel(request, item: Item) -> dict | None:
    """On an emergency report's page: its case, grade and written deadline."""
    if not item.emergency_case_id:
        return None
    case = EmergencyCase.objects.get(pk=item.emergency_case_id)
    first_pending = item.report_kind == ReportKind.FIRST and item.first_submitted_at is None
    return {
        "template": "submissions/emergencies/_item_panel.html",
        "case": case,
        "label": report_label(item.report_kind, item.report_seq),
        "timer": timer(case.written_deadline) if first_pending else None,
        "written_at": item.first_submitted_at if item.report_kind == ReportKind.FIRST else None,
        "can_see_case": can_read_case(request.user, case),
    }
