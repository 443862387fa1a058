"""The writer's form in real Chromium (issue 14, "Writing an item"): autosave across a
closed tab, an expired session and a dropped connection; the title's count; checks that
follow any input and stand above 保存 on a phone; a Word import that asks first."""

import io

import docx
import pytest
from django.conf import settings

from submissions.models import Item
from tests.submissions.helpers import category

from .helpers import login

pytestmark = pytest.mark.browser

TITLE = "昆明市重大项目建设提速增效"
BODY = "1—10月，全市省级重大项目完成投资486.3亿元，同比增长12.4%，完成年度计划的87.2%。"


def _saved_locally(page):
    # The status line says so once the copy is in localStorage (a debounced write).
    page.locator("#autosave-status", has_text="已自动保存在本机").wait_for(timeout=10000)


def _type_draft(page, base):
    page.goto(f"{base}/items/new/")
    page.fill("#id_title", TITLE)
    page.fill("#id_body", BODY)
    page.fill("#id_writers", "张三")
    _saved_locally(page)


def _restored(page):
    page.locator("#autosave-restore", has_text="已恢复本机").wait_for(timeout=10000)
    return page.input_value("#id_title"), page.input_value("#id_body"), page.input_value("#id_writers")


def test_a_closed_tab_loses_nothing(live_server, page, transactional_db, writer):
    category()
    base = live_server.url
    login(page, base, writer.username)
    _type_draft(page, base)
    context = page.context
    page.close()
    again = context.new_page()
    again.goto(f"{base}/items/new/")
    assert _restored(again) == (TITLE, BODY, "张三")
    again.close()


def test_an_expired_session_loses_nothing_and_a_saved_draft_is_not_offered_again(
    live_server, page, transactional_db, writer
):
    category()
    base = live_server.url
    login(page, base, writer.username)
    _type_draft(page, base)
    page.select_option("#id_category", label="交流工作 › 工作措施")
    _saved_locally(page)
    # The session expires while the writer is typing (the CSRF cookie stays, as it does).
    kept = [c for c in page.context.cookies() if c["name"] != settings.SESSION_COOKIE_NAME]
    page.context.clear_cookies()
    page.context.add_cookies(kept)
    page.click("#item-form button[type=submit]")
    page.wait_for_url("**/login/**")
    assert not Item.objects.exists()

    login(page, base, writer.username)
    page.goto(f"{base}/items/new/")
    assert _restored(page) == (TITLE, BODY, "张三")
    assert page.locator("#id_category option:checked").inner_text() == "交流工作 › 工作措施"
    page.click("#item-form button[type=submit]")
    page.locator("#item-title").wait_for()
    assert Item.objects.get().plain_title == TITLE

    page.goto(f"{base}/items/new/")
    assert page.input_value("#id_title") == ""
    assert page.locator("#autosave-restore").is_hidden()


def test_a_dropped_connection_loses_nothing(live_server, page, transactional_db, writer):
    category()
    base = live_server.url
    login(page, base, writer.username)
    _type_draft(page, base)
    page.context.set_offline(True)
    page.click("#item-form button[type=submit]")  # the post never reaches the server
    page.context.set_offline(False)
    page.goto(f"{base}/items/new/")
    assert _restored(page) == (TITLE, BODY, "张三")
    assert not Item.objects.exists()


def test_the_title_counts_against_the_hint_and_the_limit(live_server, page, transactional_db, writer):
    category()
    base = live_server.url
    login(page, base, writer.username)
    page.goto(f"{base}/items/new/")
    page.fill("#id_title", "昆明市1—10月重大项目完成投资486.3亿元")  # 23 characters
    assert page.inner_text("#title-count").startswith("23/30字")
    long_title = "昆明市" + "重大项目建设提速增效" * 20  # 203 characters, pasted whole
    page.fill("#id_title", long_title)
    assert page.input_value("#id_title") == long_title  # no maxlength cuts it
    assert "超过上限200字" in page.inner_text("#title-count")
    page.fill("#id_body", BODY)
    page.select_option("#id_category", label="交流工作 › 工作措施")
    page.click("#item-form button[type=submit]")
    errors = page.inner_text("#form-errors")
    assert "标题不能超过200字（现为203字）" in errors and "确保" not in page.content()
    assert page.input_value("#id_title") == long_title


def test_checks_follow_any_input_and_stand_above_save_on_a_phone(browser, live_server, transactional_db, writer):
    category()
    base = live_server.url
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    refused = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    login(page, base, writer.username)
    page.goto(f"{base}/items/new/")
    # fill() sets the value in one input event, as a paste or the browser's autofill does:
    # no key is pressed, and the checks must still refresh.
    page.fill("#id_title", "昆明市重大项目完成投资486.3亿元")
    page.fill("#id_body", "经市政府常务会议研究，" + BODY)
    page.locator("#hints [data-code=preamble]", has_text="经……研究").wait_for(timeout=10000)
    hints = page.locator(".gi-hints-card").bounding_box()
    save = page.locator("#item-form button[type=submit]").bounding_box()
    assert hints["y"] + hints["height"] <= save["y"]
    context.close()
    assert not refused


def _word() -> bytes:
    document = docx.Document()
    document.add_heading("昆明市春耕生产有序推进", level=1)
    document.add_paragraph("截至3月底，全市完成春播面积120万亩。")
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def test_import_asks_before_replacing_typed_text(live_server, page, transactional_db, writer):
    category()
    base = live_server.url
    login(page, base, writer.username)
    _type_draft(page, base)
    page.set_input_files("#import-form input[type=file]", files=[
        {"name": "稿件.docx", "mimeType": "application/octet-stream", "buffer": _word()}
    ])  # fmt: skip
    page.click("#import-form button[type=submit]")
    page.locator("#import-question").wait_for()
    assert (page.input_value("#id_title"), page.input_value("#id_writers")) == (TITLE, "张三")
    page.click("[data-import-choice=replace]")
    page.locator("#import-question").wait_for(state="detached")
    assert page.input_value("#id_title") == "昆明市春耕生产有序推进"
    assert page.input_value("#id_body") == "截至3月底，全市完成春播面积120万亩。"
    assert page.input_value("#id_writers") == "张三"

    page.set_input_files("#import-form input[type=file]", files=[
        {"name": "稿件.docx", "mimeType": "application/octet-stream", "buffer": b"%PDF-1.7\n%%EOF\n"}
    ])  # fmt: skip
    page.click("#import-form button[type=submit]")
    assert "该文件的内容不是 Word 文档" in page.inner_text("#import-form")
    assert page.input_value("#id_title") == "昆明市春耕生产有序推进"


def test_signing_out_forgets_the_drafts_kept_in_this_browser(live_server, page, transactional_db, writer):
    # On a shared office computer the next person to sign in must not be offered them.
    category()
    base = live_server.url
    login(page, base, writer.username)
    _type_draft(page, base)
    kept = page.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith('govinfo.autosave:')).length")
    assert kept == 1
    page.click("form[data-logout] button[type=submit]")
    page.wait_for_url("**/login/**")
    left = page.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith('govinfo.autosave:')).length")
    assert left == 0
