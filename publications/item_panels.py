"""Panels this app adds to the item page (submissions.panels) beyond adoptions and the
item's own instructions: results upstairs that flow back to the original item."""

from .models import Instruction


def upper_instructions_panel(request, item) -> dict | None:
    """Instructions written upstairs on the copies this item was forwarded as: the
    department whose item was instructed at the province sees it on its own item."""
    from submissions import actions as item_actions

    chain = item_actions.forward_chain(item)
    if not chain:
        return None
    instructions = list(
        Instruction.objects.filter(item__in=chain).select_related("office", "issue__publication").order_by("date", "pk")
    )
    if not instructions:
        return None
    return {
        "template": "publications/_upper_instructions_panel.html",
        "instructions": instructions,
    }
