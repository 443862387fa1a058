"""The issue's Word file and PDF as downloads, for the page and the API alike."""

from django.http import FileResponse, Http404

from common.downloads import file_response
from submissions.downloads import attachment_response
from units.models import User
from units.reads import record_read

from . import docx, pdf
from .copies import issue_copy, issue_document, printed_pictures
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


def issue_picture_response(issue: Issue, user: User, attachment_id: int) -> FileResponse:
    """A picture printed in `issue` (随文刊发), for a reader of the issue (the caller got it
    through access.get_issue_for_user): only if it belongs to an item of the copy this
    reader gets, so never a withheld 敏感 item's; else 404. The issue's readers include
    leaders who may not open the item itself, so the item's attachment URL will not do."""
    copy = issue_copy(issue, user)
    for adoption in copy.adoptions:
        for picture in printed_pictures(adoption):
            if picture.pk == attachment_id:
                return attachment_response(picture)
    raise Http404("没有找到该图片")
