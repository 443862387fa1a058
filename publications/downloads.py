"""The issue's Word file and PDF as downloads, for the page and the API alike."""

from django.http import FileResponse

from common.downloads import file_response
from units.models import User
from units.reads import record_read

from . import docx, pdf
from .copies import issue_copy, issue_document
from .models import Issue

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"


class PdfUnavailable(Exception):
    """No PDF can be had here (LibreOffice is not installed, or it failed): say so and offer
    the .docx."""


def issue_docx_response(issue: Issue, user: User) -> FileResponse:
    """The Word file of `issue` as `user` may read it (the caller got the issue through
    access.get_issue_for_user). The file made at sign-off holds every item: it goes only
    to readers from whom nothing is withheld; anyone else gets one built for their copy."""
    copy = issue_copy(issue, user)
    document = issue_document(issue, copy)
    filename = docx.issue_filename(document)
    record_read("download_issue", issue, format="docx", withheld=copy.withheld or None)
    if issue.is_signed and issue.docx and not copy.withheld:
        try:
            handle = issue.docx.open("rb")
        except FileNotFoundError:
            handle = None  # the stored file is gone: build it again rather than fail
        if handle is not None:
            return file_response(handle, filename=filename, content_type=DOCX)
    return file_response(docx.build_issue_docx(document), filename=filename, content_type=DOCX)


def issue_pdf_response(issue: Issue, user: User) -> FileResponse:
    """The PDF of `issue` as `user` may read it, under the same rule as the Word file (the
    caller got the issue through access.get_issue_for_user): the PDF made after sign-off
    holds every item and goes only to readers from whom nothing is withheld; anyone else,
    and anyone asking before the task has made it, gets one made now from their copy.
    Raises PdfUnavailable where LibreOffice cannot make one."""
    copy = issue_copy(issue, user)
    document = issue_document(issue, copy)
    filename = docx.issue_filename(document).removesuffix(".docx") + ".pdf"
    record_read("download_issue", issue, format="pdf", withheld=copy.withheld or None)
    if issue.is_signed and issue.pdf and not copy.withheld:
        try:
            return file_response(issue.pdf.open("rb"), filename=filename, content_type=PDF)
        except FileNotFoundError:
            pass  # the stored file is gone: make it again below (the catch-up task stores one)
    if not pdf.available():
        raise PdfUnavailable("本机未安装 LibreOffice，暂不能生成 PDF，请下载 Word 文件。")
    try:
        _, _, data = pdf.fit_footer(document)
    except pdf.ConversionError as exc:
        raise PdfUnavailable(f"PDF 生成失败（{exc}），请下载 Word 文件。") from exc
    return file_response(data, filename=filename, content_type=PDF)
