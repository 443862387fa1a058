"""The commission panel on the item page (registered in SubmissionsConfig.ready())."""

from django.utils import timezone

from ..models import Commission, Item
from .queries import STATUS_LABELS, answer_status


def commission_panel(request, item: Item) -> dict | None:
    """The commission an item answers, and whether the answer was on time."""
    if not item.commission_id:
        return None
    commission = Commission.objects.select_related("office").filter(pk=item.commission_id).first()
    if commission is None:
        return None
    status = ""
    if item.first_submitted_at:
        status = STATUS_LABELS[answer_status(item.first_submitted_at, commission.deadline, timezone.now())]
    return {"template": "submissions/commissions/_item_panel.html", "commission": commission, "status_label": status}
