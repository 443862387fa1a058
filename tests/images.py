"""Real pictures for the tests that upload or print them (Pillow comes with pdfplumber,
a dev requirement): the upload checks and python-docx read the real headers."""

import io

from PIL import Image


def png(width: int = 4, height: int = 3, colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="PNG")
    return out.getvalue()
