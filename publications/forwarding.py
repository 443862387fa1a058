"""Forwarding upward (转报/上报): the page side. The act itself is
submissions.actions.create_forwarded; results at the upper level flow back to the
original item through `upper_results`."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from submissions import access as item_access
from submissions import actions as item_actions
from submissions.models import Item
from submissions.workflow import TransitionError

from .models import Adoption


def upper_results(item: Item) -> list[Adoption]:
    """Adoptions of the item's forwarded copies at upper levels (flow back)."""
    chain = item_actions.forward_chain(item)
    if not chain:
        return []
    return list(
        Adoption.objects.filter(sources__in=chain, withdrawn_at=None)
        .select_related("publication__office", "issue")
        .prefetch_related("external_adoptions")
        .order_by("adopted_at")
    )


@require_POST
def forward(request, pk: int):
    item = item_access.get_item_for_editor(request.user, pk)
    try:
        copy = item_actions.create_forwarded(original=item, user=request.user, note=request.POST.get("note", "")[:200])
    except (ValidationError, TransitionError) as exc:
        messages.error(request, "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
    else:
        messages.success(request, f"已转报{copy.office.name}。")
    return redirect("item_detail", item.pk)
