"""Project-level pages that draw on several apps."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from publications import calendar
from publications import queries as publication_queries
from submissions import access as item_access
from submissions import queries as item_queries
from submissions.models import State
from units import access
from units.models import Role


@require_GET
def home(request):
    """What each role needs next: sections for the roles the person holds, with the
    number of items waiting for them beside each link."""
    user = request.user
    counts: dict[str, int] = {}
    if user.has_role(Role.STAFF) or user.has_role(Role.UNIT_APPROVER):
        by_state = item_queries.state_counts(item_access.unit_items(user))
        counts["my_items"] = by_state.get(State.RETURNED, 0) + by_state.get(State.DRAFT, 0)
        counts["signoff_queue"] = by_state.get(State.PENDING_SIGNOFF, 0)
    if user.has_role(Role.EDITOR):
        by_state = item_queries.desk_counts(user.unit_id, item_access.desk_items(user))
        counts["desk"] = by_state.get(State.SUBMITTED, 0) + by_state.get(State.IN_REVIEW, 0)
    if user.has_role(Role.ISSUE_APPROVER):
        # Only what an editor has sent (送签): a draft still being composed is not waiting.
        counts["issue_signoff_queue"] = publication_queries.sent_count(user)
    context = {
        "unit": user.unit,
        "roles": [label for value, label in Role.choices if user.has_role(value)],
        "can_admin": access.can_use_admin(user),
        "counts": counts,
        # Those who compile the daily bulletins and those who can enter the notice.
        "calendar_warnings": calendar.warnings() if user.has_role(Role.EDITOR) or access.can_use_admin(user) else [],
        "may_edit_calendar": calendar.may_edit(user),
    }
    return render(request, "home.html", context)
