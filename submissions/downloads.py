"""The download of an item's attachment, one response for the page and the API."""

from django.http import FileResponse, Http404

from common.downloads import file_response
from units.reads import record_read

from . import filesealing
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
    if filesealing.key_id_of(handle.read(filesealing.HEADER_BYTES)) is None:
        handle.seek(0)  # an ordinary item's file streams from disk as it was uploaded
        content = handle
    else:  # a 敏感 item's file is opened here, after the caller's access check, never before
        handle.seek(0)
        with handle:
            content = filesealing.open_bytes(handle.read())
    record_read("download_attachment", attachment)  # pages and API both come through here
    return file_response(
        content,
        filename=download_name(attachment.original_name, attachment.content_type),
        content_type=attachment.content_type,
        as_attachment=attachment.kind != "image",
        sandbox=True,
    )
