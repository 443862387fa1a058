"""Forwarding upward (转报/上报): the page side. The act itself is
submissions.actions.create_forwarded; results at the upper level flow back to the
original item through `upper_results`."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from submissions import access as item_access
from submissions import actions as item_actions
from submissions.models import Item
from submissions.workflow import TransitionError
from units.models import Role
from units.notify import notify, people_with_roles

from .models import Adoption

FLOW_BACK_ROLES = (Role.STAFF, Role.UNIT_APPROVER, Role.LEADER)


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


def originals(item: Item) -> list[Item]:
    """The items `item` was forwarded from, nearest first (city copy → department item)."""
    found = []
    current = item.forwarded_from
    while current is not None and len(found) < 6:
        found.append(current)
        current = current.forwarded_from
    return found


def _tell_original_units(item: Item, *, verb: str, title: str, body: str) -> None:
    """Results upstairs reach every unit the item came up from: its writer, staff,
    approvers and leaders, with a link to their own item."""
    for original in originals(item):
        name = "（敏感信息）" if original.is_sensitive else original.plain_title
        notify(
            recipients=[original.author, *people_with_roles(original.unit, FLOW_BACK_ROLES)],
            verb=verb,
            title=title.format(title=name),
            body=body,
            url=reverse("item_detail", args=[original.pk]),
        )


def on_adoption_made(sender, adoption, user, **kwargs) -> None:
    """A forwarded copy adopted upstairs: the original unit hears of it (the copy's own
    unit, the forwarding office, is told by actions.adopt)."""
    publication = adoption.publication
    for item in adoption.sources.filter(forwarded_from__isnull=False):
        _tell_original_units(
            item, verb="adopted", title="转报信息被上级采用：{title}",
            body=f"{publication.office.display_name}《{publication.name}》以{adoption.get_form_display()}采用。",
        )  # fmt: skip


def notify_flow_back_instruction(instruction) -> None:
    """An instruction on a forwarded copy: the units it came up from hear of it."""
    _tell_original_units(
        instruction.item, verb="instruction", title="转报信息获上级批示：{title}",
        body=f"{instruction.office.display_name}收到{instruction.leader_name}（{instruction.level}）批示：{instruction.text}",
    )  # fmt: skip


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
