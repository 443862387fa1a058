"""What a person could read in a response, whatever its form: a page, JSON, a streamed
CSV, and inside downloads — Word and Excel files (the text of every XML part, with runs
joined), PDF (through poppler's pdftotext). The matrix looks for the 敏感 marker there."""

import io
import re
import subprocess
import tempfile
import zipfile
from html import unescape

TAG = re.compile(r"<[^>]+>")


def _body(response) -> bytes:
    if response.streaming:
        content = b"".join(response.streaming_content)
        # Put it back, so that a caller reading the response again still gets it.
        response.streaming_content = [content]
        return content
    return response.content


def _zip_text(content: bytes) -> str:
    parts = []
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.endswith((".xml", ".rels")):
                xml = archive.read(name).decode("utf-8", errors="replace")
                # Tags removed without a space: Word splits one line into several runs.
                parts.append(unescape(TAG.sub("", xml)))
    return "\n".join(parts)


def _pdf_text(content: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(content)
        f.flush()
        done = subprocess.run(["pdftotext", "-q", f.name, "-"], capture_output=True, timeout=60, check=False)
    return done.stdout.decode("utf-8", errors="replace").replace("\n", "")


def readable_text(response) -> str:
    """Everything in the response that a person could read, as text."""
    content = _body(response)
    if content.startswith(b"PK\x03\x04"):
        return _zip_text(content)
    if content.startswith(b"%PDF"):
        return _pdf_text(content)
    return content.decode("utf-8-sig", errors="replace")
