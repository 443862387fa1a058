"""The reference page the desk is measured against: a minimal signed-in page that
renders 50 rows from one query with no joins, inside the site's base template (so it
pays for the session, the user, the roles and the unread count like every page does)."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from submissions.models import ItemEvent

ROWS = 50


@require_GET
def reference(request):
    rows = ItemEvent.objects.order_by("-pk")[:ROWS]
    return render(request, "bench/reference.html", {"rows": rows})
