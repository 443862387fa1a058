"""Results upstairs flow back: when a forwarded (转报) copy of an item is adopted or
instructed at an upper level, the units it came up from hear of it. The forwarding act
itself is submissions.actions.create_forwarded (page: views.forward); the results are
read by queries.upper_results."""

from django.urls import reverse

from submissions.models import Item
from units.models import Role
from units.notify import notify, people_with_roles

from .queries import originals

FLOW_BACK_ROLES = (Role.STAFF, Role.UNIT_APPROVER, Role.LEADER)


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
