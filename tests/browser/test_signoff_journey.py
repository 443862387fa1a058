"""送签 → the signer is notified → confirm and sign, at an office screen and a phone.

The editor sends the composed issue; the signer finds the notice, the count on the home
page and the issue under 待签发; signing asks first, and the dialog works by keyboard:
Esc cancels (nothing is signed), Enter on the focused 确认签发 signs."""

import pytest

from publications import actions
from publications.models import Issue, IssueState, Publication, PublicationKind, Recipient, RecipientKind

from .helpers import login as _login

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 390])
def test_send_notify_and_confirm_sign_by_keyboard(
    live_server, page, transactional_db, writer, unit_approver, editor, issue_approver, city, department,
    screenshot_dir, width,
):  # fmt: skip
    from tests.publications.helpers import adopted

    page.set_viewport_size({"width": width, "height": 900})
    publication = Publication.objects.create(office=city, name="政务信息", kind=PublicationKind.GENERAL, points_full=5)
    Recipient.objects.create(publication=publication, unit=department, kind=RecipientKind.FA)
    issue = actions.create_issue(publication=publication, user=editor)
    adoption = adopted(writer, unit_approver, editor, publication, title="昆明市重大项目建设提速增效")
    actions.add_to_issue(issue=issue, adoptions=[adoption], user=editor)
    base = live_server.url

    _login(page, base, editor.username)
    page.goto(f"{base}/issues/{issue.pk}/")
    with page.expect_navigation():
        page.click("#send-form button[type=submit]")
    assert "已送签，签发人已收到通知" in page.content()
    assert page.locator("#issue-state").inner_text() == "已送签，待签发"
    assert page.locator("#add-form").count() == 0  # no composing while it waits

    _login(page, base, issue_approver.username)
    assert page.locator("[data-count=issue_signoff_queue]").inner_text() == "1"
    page.goto(f"{base}/notifications/")
    with page.expect_navigation():
        page.get_by_role("link", name=f"送签：《政务信息》草稿 #{issue.pk}（1 条），请签发").click()
    assert page.url.endswith(f"/issues/{issue.pk}/")
    page.goto(f"{base}/issues/pending/")
    with page.expect_navigation():
        page.locator(f"#sent-issues [data-issue='{issue.pk}'] a").click()

    # The dialog opens with the focus on 确认签发; Esc closes it and nothing is signed.
    sign = page.locator("#sign-form button[type=submit]")
    sign.focus()
    page.keyboard.press("Enter")
    dialog = page.locator("#gi-confirm")
    dialog.wait_for(state="visible")
    assert "不能撤销" in page.locator("#gi-confirm-text").inner_text()
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'gi-confirm-ok'")
    page.screenshot(path=str(screenshot_dir / f"signoff_confirm_{width}.png"), full_page=True)
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    page.wait_for_function("() => document.activeElement && document.activeElement.closest('#sign-form')")
    assert Issue.objects.get(pk=issue.pk).state == IssueState.DRAFT

    page.keyboard.press("Enter")  # the focus is back on 签发
    dialog.wait_for(state="visible")
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'gi-confirm-ok'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "已签发" in page.content()
    issue.refresh_from_db()
    assert issue.state == IssueState.SIGNED and issue.signed_by == issue_approver
    page.goto(f"{base}/")
    assert page.locator("[data-count=issue_signoff_queue]").count() == 0
