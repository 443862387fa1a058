"""The whole first round of an item in real Chromium: import, live writing check,
unit sign-off, return with a comment, revision, resubmission and the editor's diff."""

import io

import docx
import pytest

from submissions.models import Item, State

from .helpers import login as _login

pytestmark = pytest.mark.browser


def _docx() -> bytes:
    document = docx.Document()
    document.add_heading("我市重大项目建设提速增效", level=1)
    document.add_paragraph("1—10月，全市省级重大项目完成投资486.3亿元，同比增长12.4%，完成年度计划的87.2%。")
    document.add_paragraph(
        "一是强化要素保障，协调解决用地、资金等问题63个。二是优化审批服务，审批用时压缩至28个工作日。"
    )
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def _hints(page):
    return page.locator("#hints")


def test_import_check_signoff_return_revise_and_diff(
    live_server, page, transactional_db, writer, unit_approver, editor, screenshot_dir
):
    base = live_server.url
    _login(page, base, writer.username)
    page.goto(f"{base}/items/new/")
    page.set_input_files("#import-form input[type=file]", files=[
        {"name": "稿件.docx", "mimeType": "application/octet-stream", "buffer": _docx()}
    ])  # fmt: skip
    page.click("#import-form button[type=submit]")
    assert page.input_value("#id_title") == "我市重大项目建设提速增效"
    assert "486.3亿元" in page.input_value("#id_body")
    assert _hints(page).locator("[data-code=first_person]").count() >= 1

    # Fix the first-person wording; the live check (htmx) clears the warning.
    page.fill("#id_title", "昆明市重大项目建设提速增效")
    page.locator("#id_title").press("End")
    # A locator, not wait_for_function: that evaluates a string, which the CSP forbids.
    page.locator("#hints [data-code=first_person]").wait_for(state="detached", timeout=10000)
    page.select_option("#id_category", label="交流工作 › 工作进展")
    page.click("#item-form button[type=submit]")
    assert page.locator("#item-title").inner_text() == "昆明市重大项目建设提速增效"
    page.click("form[data-action=send_for_signoff] button")
    with page.expect_navigation():  # it asks first (static/js/confirm.js)
        page.click("#gi-confirm-ok")
    assert "待审签" in page.content()
    item = Item.objects.get()

    _login(page, base, unit_approver.username)
    page.goto(f"{base}/signoff/")
    page.click("text=昆明市重大项目建设提速增效")
    page.click("form[data-action=sign_off] button")
    with page.expect_navigation():  # it asks first (static/js/confirm.js)
        page.click("#gi-confirm-ok")
    assert "已审签并报送" in page.content()

    _login(page, base, editor.username)
    page.goto(f"{base}/desk/")
    page.click("#item-table >> text=昆明市重大项目建设提速增效")
    page.fill("form[data-action=return] textarea", "请补充与去年同期的对比")
    page.click("form[data-action=return] button")
    item.refresh_from_db()
    assert item.state == State.RETURNED

    _login(page, base, writer.username)
    page.goto(f"{base}/items/{item.pk}/")
    assert "请补充与去年同期的对比" in page.content()
    page.click(f"a[href='/items/{item.pk}/edit/']")
    page.fill("#id_body", page.input_value("#id_body") + "\n比去年同期多完成投资53.1亿元。")
    page.click("#item-form button[type=submit]")
    page.click("form[data-action=send_for_signoff] button")
    with page.expect_navigation():  # it asks first (static/js/confirm.js)
        page.click("#gi-confirm-ok")
    _login(page, base, unit_approver.username)
    page.goto(f"{base}/items/{item.pk}/")
    page.click("form[data-action=sign_off] button")
    with page.expect_navigation():  # it asks first (static/js/confirm.js)
        page.click("#gi-confirm-ok")

    _login(page, base, editor.username)
    page.goto(f"{base}/items/{item.pk}/")
    page.click("text=查看修改对比")
    diff = page.locator("#diff")
    assert "53.1亿元" in diff.locator("ins").all_inner_texts()[-1]
    page.screenshot(path=str(screenshot_dir / "item_diff.png"), full_page=True)
    item.refresh_from_db()
    assert item.state == State.SUBMITTED and item.versions.count() == 2
