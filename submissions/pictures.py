"""随文刊发: the pictures of an item the office's editor chose to print after its body in
the bulletin. Kept beside actions.py (which holds the writer's attachment acts) as the
editor's one act on attachments."""

from django.db import transaction

from units.models import User

from . import access
from .actions import TransitionError, _attachment_note, _event
from .models import Attachment

PRINTABLE_KIND = "image"  # submissions.uploads: PNG, JPEG and GIF that passed the checks


@transaction.atomic
def mark_for_print(*, attachment: Attachment, user: User, for_print: bool) -> Attachment:
    """Mark (or unmark) an image attachment to be printed with the item (随文刊发).

    Only the receiving office's editors, while the item is at the office, and only images
    that passed the upload checks; an event row says who did it (the attachment's own
    change goes into the audit record as every attachment save does). Marking twice is a
    no-op, not a second event."""
    item = attachment.item
    if not access.can_mark_for_print(user, item):
        raise TransitionError("信息刊发后不能再更改随文刊发的图片；只有收到该信息的编辑部门的编辑可以设置。")
    if attachment.kind != PRINTABLE_KIND:
        raise TransitionError("只有图片附件可以随文刊发。")
    if attachment.for_print == for_print:
        return attachment
    attachment.for_print = for_print
    attachment.save(update_fields=["for_print"])
    act = "print_picture" if for_print else "unprint_picture"
    _event(item, user, act, item.state, item.state, _attachment_note(item, attachment.original_name))
    return attachment
