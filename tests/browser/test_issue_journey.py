"""Adopt two items, compose an issue, reorder, sign off; a leader of a listed unit reads
it and downloads the Word file; a user of an unlisted unit cannot."""

import docx
import pytest

from publications.models import Issue, Publication, PublicationKind, Recipient, RecipientKind
from tests.factories import UserFactory
from tests.submissions.helpers import submitted
from units.models import Role

from .helpers import login as _login

pytestmark = pytest.mark.browser


def test_adopt_compose_reorder_sign_read_and_refuse(
    live_server, page, transactional_db, writer, colleague, unit_approver, editor, issue_approver, city, department,
    other_city, screenshot_dir,
):  # fmt: skip
    publication = Publication.objects.create(
        office=city, name="政务信息", kind=PublicationKind.GENERAL, allows_briefs=True, points_full=5, points_brief=3
    )
    Recipient.objects.create(publication=publication, unit=department, kind=RecipientKind.FA)
    reader = UserFactory(username="dept_leader", unit=department, roles=[Role.LEADER])
    stranger = UserFactory(username="stranger", unit=other_city, roles=[Role.LEADER])
    first = submitted(writer, unit_approver, title="甲：重大项目建设提速")
    second = submitted(colleague, unit_approver, title="乙：春耕生产有序推进")
    base = live_server.url

    _login(page, base, editor.username)
    for item in (first, second):
        page.goto(f"{base}/items/{item.pk}/")
        page.select_option("#id_publication", label="政务信息")
        page.click("#adopt-form button[type=submit]")
        assert "已采用到《政务信息》" in page.content()
    page.goto(f"{base}/publications/{publication.pk}/")
    page.click("#new-issue button[type=submit]")
    items = page.locator("#issue-items h2")
    assert items.all_inner_texts() == ["甲：重大项目建设提速", "乙：春耕生产有序推进"]
    page.locator("#issue-items li").nth(1).get_by_role("button", name="上移").click()
    assert page.locator("#issue-items h2").all_inner_texts() == ["乙：春耕生产有序推进", "甲：重大项目建设提速"]
    issue = Issue.objects.get()

    _login(page, base, issue_approver.username)
    page.goto(f"{base}/issues/pending/")
    page.click(f"a[href='/issues/{issue.pk}/']")
    page.fill("#id_copies", "80")
    page.click("#sign-form button[type=submit]")
    with page.expect_navigation():  # signing asks first (static/js/confirm.js)
        page.click("#gi-confirm-ok")
    assert "已签发" in page.content()
    assert "（总第1期）" in page.locator("#issue-number").inner_text()

    _login(page, base, reader.username)
    page.goto(f"{base}/bulletins/")
    page.click(f"#bulletins a[href='/issues/{issue.pk}/']")
    assert page.locator(".gi-masthead").inner_text().startswith("政务信息")
    page.screenshot(path=str(screenshot_dir / "issue_reader.png"), full_page=True)
    with page.expect_download() as download_info:
        page.click("#docx-link")
    download = download_info.value
    assert download.suggested_filename.endswith(".docx")
    text = "\n".join(p.text for p in docx.Document(str(download.path())).paragraphs)
    assert "政务信息" in text and text.index("乙：春耕生产有序推进") < text.rindex("甲：重大项目建设提速")

    _login(page, base, stranger.username)
    response = page.goto(f"{base}/issues/{issue.pk}/")
    assert response.status == 404
    response = page.request.get(f"{base}/issues/{issue.pk}/docx/")
    assert response.status == 404
