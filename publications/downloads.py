"""The issue's Word file as a download, for the page and the API alike."""

from django.http import FileResponse

from common.downloads import file_response
from units.models import User

from . import docx
from .copies import issue_copy, issue_document
from .models import Issue

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def issue_docx_response(issue: Issue, user: User) -> FileResponse:
    """The Word file of `issue` as `user` may read it (the caller got the issue through
    access.get_issue_for_user). The file made at sign-off holds every item: it goes only
    to readers from whom nothing is withheld; anyone else gets one built for their copy."""
    copy = issue_copy(issue, user)
    document = issue_document(issue, copy)
    filename = docx.issue_filename(document)
    if issue.is_signed and issue.docx and not copy.withheld:
        try:
            handle = issue.docx.open("rb")
        except FileNotFoundError:
            handle = None  # the stored file is gone: build it again rather than fail
        if handle is not None:
            return file_response(handle, filename=filename, content_type=DOCX)
    return file_response(docx.build_issue_docx(document), filename=filename, content_type=DOCX)
