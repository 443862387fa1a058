"""One way to answer with a file, for the pages and the API alike."""

import io

from django.http import FileResponse

# Content the browser must never run: uploaded files are shown in a sandbox.
SANDBOX = "default-src 'none'; sandbox"


def file_response(
    content, *, filename: str, content_type: str, as_attachment: bool = True, sandbox: bool = False
) -> FileResponse:
    """A download of `content` (bytes or an open binary file) named `filename`.

    FileResponse writes the RFC 6266 Content-Disposition (filename* for Chinese names).
    `nosniff` keeps the browser to the type we detected; `sandbox` is for files that
    came from users (attachments), which might be HTML or SVG in disguise."""
    if isinstance(content, bytes | bytearray):
        content = io.BytesIO(content)
    response = FileResponse(content, as_attachment=as_attachment, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    if sandbox:
        response["Content-Security-Policy"] = SANDBOX
    return response
