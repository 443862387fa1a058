"""The issue as PDF: LibreOffice renders the Word file (headless `soffice --convert-to pdf`).

Also the one step that can see page breaks: GB/T 9704-2012 puts the 版记 at the foot of
the last page, and that page is even whenever the document has more than one (7.4, 7.5:
a blank page before the 版记 page leaves both unnumbered). The Word builder cannot know
where pages break, so `fit_footer` renders the file and, when the 版记 lands on an odd page
after the first, builds it again with the 版记 on the next page, or after a blank page
when it stood alone on the odd one.
"""

from __future__ import annotations

import dataclasses
import io
import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

import pikepdf

from .docx import DocIssue, build_issue_docx

__all__ = ["ConversionError", "available", "fit_footer", "page_count", "to_pdf"]

TIMEOUT = 180  # seconds: a 300-item issue takes LibreOffice well under a minute

# One LibreOffice profile per process, made once (a first start with a fresh profile
# costs seconds) and never shared: two soffice processes on one profile wait for or
# fail on each other.
_profile_lock = threading.Lock()


class ConversionError(Exception):
    """LibreOffice is missing, failed or took too long."""


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def available() -> bool:
    """Whether this machine can make PDFs (LibreOffice is installed)."""
    return soffice() is not None


def _profile() -> Path:
    return Path(tempfile.gettempdir()) / f"govinfo-libreoffice-{os.getuid()}-{os.getpid()}"


def to_pdf(docx: bytes, *, timeout: int = TIMEOUT) -> bytes:
    """The PDF LibreOffice makes of a .docx."""
    binary = soffice()
    if binary is None:
        raise ConversionError("本机未安装 LibreOffice，无法生成 PDF。")
    with _profile_lock, tempfile.TemporaryDirectory(prefix="govinfo-pdf-") as tmp:
        source = Path(tmp) / "issue.docx"
        source.write_bytes(docx)
        command = [
            binary,
            f"-env:UserInstallation={_profile().as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            tmp,
            str(source),
        ]
        try:
            result = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise ConversionError(f"LibreOffice 超过 {timeout} 秒未完成转换。") from exc
        target = Path(tmp) / "issue.pdf"
        if result.returncode != 0 or not target.exists():
            detail = (result.stderr or result.stdout).decode(errors="replace")[-300:]
            raise ConversionError(f"LibreOffice 转换失败：{detail}")
        return target.read_bytes()


def page_count(pdf: bytes) -> int:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        return len(document.pages)


def fit_footer(document: DocIssue) -> tuple[str, bytes, bytes]:
    """(footer_page, .docx, .pdf) with the 版记 on the last page, and that page even when
    there are several: "same" if it already is; else "next" (the 版记 alone on the
    following page, which is even when the last item ended on the odd one); else "blank"
    (the 版记 stood alone on an odd page: a blank page comes before it, both unnumbered)."""
    for where in ("same", "next", "blank"):
        docx = build_issue_docx(dataclasses.replace(document, footer_page=where))
        pdf = to_pdf(docx)
        pages = page_count(pdf)
        if pages == 1 or pages % 2 == 0 or where == "blank":
            return where, docx, pdf
    raise AssertionError("unreachable")
