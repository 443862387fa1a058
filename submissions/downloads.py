"""The download of an item's attachment, one response for the page and the API."""

from django.http import FileResponse, Http404

from common.downloads import file_response
from units.reads import record_read

from .models import Attachment
from .uploads import download_name


def attachment_response(attachment: Attachment) -> FileResponse:
    """The attachment's file, for someone the caller has already let read its item.

    Files live outside the web root and come only through here. They came from users, so
    they are sandboxed and never sniffed; images open in the browser, everything else is
    a download, under the uploaded name with the extension of what the file really is."""
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("附件文件不存在") from None
    record_read("download_attachment", attachment)  # pages and API both come through here
    return file_response(
        handle,
        filename=download_name(attachment.original_name, attachment.content_type),
        content_type=attachment.content_type,
        as_attachment=attachment.kind != "image",
        sandbox=True,
    )
