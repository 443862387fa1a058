"""Each signed issue gets a PDF made from its Word file by LibreOffice in a task queued
after sign-off; it downloads beside the .docx under the same access check and the same
withheld-copy rule; a periodic run catches up what a lost task left; without LibreOffice
the page says so and offers the .docx."""

import io

import pdfplumber
import pytest
from django.urls import reverse

from publications import tasks
from publications.models import Confidentiality, Issue, Publication, PublicationKind, Recipient, RecipientKind
from tests.factories import UserFactory
from units.models import Role

from .helpers import adopted, signed_issue

SECRET = "某工业园区企业欠薪引发聚集"
ORDINARY = "市发展改革委推进重大项目建设"


def _pdf_text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body.startswith(b"%PDF")
    with pdfplumber.open(io.BytesIO(body)) as document:
        return "".join((page.extract_text() or "") for page in document.pages).replace(" ", "").replace("\n", "")


@pytest.fixture
def signed(writer, unit_approver, editor, issue_approver, bulletin, django_capture_on_commit_callbacks):
    item = adopted(writer, unit_approver, editor, bulletin, title=ORDINARY)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        issue = signed_issue(editor, issue_approver, bulletin, [item])
    assert callbacks, "the PDF task is queued on commit"
    issue.refresh_from_db()
    return issue


def test_sign_off_makes_the_pdf_and_a_recipient_downloads_it(client, signed, dept_leader):
    assert signed.pdf.name.endswith(".pdf") and signed.pdf.storage.exists(signed.pdf.name)
    client.force_login(dept_leader)  # 发 the department
    page = client.get(reverse("issue_detail", args=[signed.pk])).content.decode()
    assert reverse("issue_pdf", args=[signed.pk]) in page and 'id="docx-link"' in page
    response = client.get(reverse("issue_pdf", args=[signed.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert ".pdf" in response["Content-Disposition"]
    text = _pdf_text(response)
    assert ORDINARY in text and "发：市发展改革委。" in text


def test_outsiders_get_no_pdf(client, signed, outsider, stranger_leader):
    for person in (outsider, stranger_leader):
        client.force_login(person)
        assert client.get(reverse("issue_pdf", args=[signed.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("issue_pdf", args=[signed.pk])).status_code in (302, 404)


def test_making_the_pdf_twice_keeps_one_pdf(signed):
    name, docx_name = signed.pdf.name, signed.docx.name
    assert tasks.make_issue_pdf(signed.pk) == "exists"
    signed.refresh_from_db()
    assert (signed.pdf.name, signed.docx.name) == (name, docx_name)


def test_the_catch_up_makes_pdfs_a_lost_task_left(signed):
    storage = signed.pdf.storage
    storage.delete(signed.pdf.name)
    Issue.objects.filter(pk=signed.pk).update(pdf="")
    assert tasks.make_missing_pdfs() == [signed.pk]  # eager: queued and run
    signed.refresh_from_db()
    assert signed.pdf and storage.exists(signed.pdf.name)
    assert tasks.make_missing_pdfs() == []


def test_the_file_copy_and_the_pdf_put_the_footer_in_the_same_place(signed):
    import docx as python_docx

    document = python_docx.Document(signed.docx.open("rb"))
    # the .docx was rebuilt by the PDF step with the placement it chose: one section, or
    # two when a blank page comes before the 版记
    with pdfplumber.open(signed.pdf.open("rb")) as rendered:
        pages = len(rendered.pages)
    assert pages == 1 or pages % 2 == 0
    assert len(document.sections) in (1, 2)


@pytest.fixture
def restricted_issue(writer, unit_approver, editor, issue_approver, leader, city, province, department):
    publication = Publication.objects.create(
        office=city, name="动态信息专报", kind=PublicationKind.DYNAMIC_REPORT,
        confidentiality=Confidentiality.SENSITIVE, points_full=10,
    )  # fmt: skip
    Recipient.objects.create(publication=publication, unit=province, kind=RecipientKind.BAO)
    Recipient.objects.create(publication=publication, unit=department, kind=RecipientKind.FA)
    secret = adopted(writer, unit_approver, editor, publication, title=SECRET, confidentiality="sensitive",
                     named_readers=[leader])  # fmt: skip
    ordinary = adopted(writer, unit_approver, editor, publication, title=ORDINARY)
    issue = signed_issue(editor, issue_approver, publication, [secret, ordinary])
    tasks.make_issue_pdf(issue.pk)  # as the task queued after sign-off does
    issue.refresh_from_db()
    assert issue.pdf
    return issue


def test_a_reader_who_may_not_read_a_sensitive_item_does_not_get_the_complete_pdf(
    client, restricted_issue, editor, leader, province
):
    province_staff = UserFactory(username="prov_staff", unit=province, roles=[Role.STAFF])
    client.force_login(province_staff)
    text = _pdf_text(client.get(reverse("issue_pdf", args=[restricted_issue.pk])))
    assert ORDINARY in text and SECRET not in text and "本期另有1条敏感信息" in text
    for reader in (editor, leader):  # the office's editor, the leader named on it
        client.force_login(reader)
        text = _pdf_text(client.get(reverse("issue_pdf", args=[restricted_issue.pk])))
        assert SECRET in text and ORDINARY in text


def test_without_libreoffice_the_page_says_so_and_offers_the_docx(client, signed, dept_leader, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")  # a machine where LibreOffice is not installed
    client.force_login(dept_leader)
    page = client.get(reverse("issue_detail", args=[signed.pk])).content.decode()
    assert 'id="pdf-missing"' in page and "LibreOffice" in page and 'id="docx-link"' in page
    assert tasks.make_missing_pdfs() == []
    # the stored PDF still downloads; one that would have to be made now cannot be
    assert client.get(reverse("issue_pdf", args=[signed.pk])).status_code == 200
    Issue.objects.filter(pk=signed.pk).update(pdf="")
    response = client.get(reverse("issue_pdf", args=[signed.pk]), follow=True)
    assert "本机未安装 LibreOffice" in response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("issue_detail", args=[signed.pk])
