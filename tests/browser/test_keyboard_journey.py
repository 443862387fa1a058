"""A writer logs in, writes, saves and sends an item for sign-off with the keyboard alone:
after the address is typed, only Tab, Enter, arrow keys and typing — no click, no fill.
The test finds each control by tabbing to it, so a control the keyboard cannot reach
fails it."""

import pytest

from submissions.models import Item, State
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

TITLE = "昆明市重大项目建设提速增效"
BODY = "1—10月，全市省级重大项目完成投资486.3亿元，同比增长12.4%，完成年度计划的87.2%。"
CATEGORY = "交流工作 › 工作进展"

FOCUSED_MATCHES = "(selector) => !!document.activeElement && document.activeElement.matches(selector)"
FOCUSED_DESCRIPTION = """() => {
  const e = document.activeElement;
  return e ? `${e.tagName.toLowerCase()}#${e.id} ${(e.innerText || e.name || '').trim().slice(0, 30)}` : 'nothing';
}"""


def tab_to(page, selector: str, *, limit: int = 60) -> None:
    """Press Tab until the focused element matches `selector`; fail if it never does."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED_MATCHES, selector):
            return
        seen.append(page.evaluate(FOCUSED_DESCRIPTION))
    raise AssertionError(f"{selector} not reached in {limit} Tabs; focus went through: {seen}")


def press_and_wait_for_page(page, key: str = "Enter") -> None:
    with page.expect_navigation():
        page.keyboard.press(key)


def test_writer_logs_in_writes_saves_and_submits_with_the_keyboard_alone(
    live_server, page, transactional_db, writer, unit_approver
):
    base = live_server.url
    page.goto(f"{base}/login/")
    tab_to(page, "input[name=username]")
    page.keyboard.type(writer.username)
    tab_to(page, "input[name=password]")
    page.keyboard.type(PASSWORD)
    press_and_wait_for_page(page)
    assert page.url == f"{base}/"

    # The first Tab offers the skip link; past it, the page's own links come first.
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED_MATCHES, "a[href='#main']")
    page.keyboard.press("Enter")
    tab_to(page, "main a[href='/items/new/']", limit=10)
    press_and_wait_for_page(page)
    assert page.url == f"{base}/items/new/"

    tab_to(page, "#id_title")
    page.keyboard.type(TITLE)
    tab_to(page, "#id_body", limit=5)
    page.keyboard.type(BODY)
    tab_to(page, "#id_category", limit=5)
    # A closed select steps through its options with the arrow keys.
    for _ in range(40):
        if page.locator("#id_category option:checked").inner_text() == CATEGORY:
            break
        page.keyboard.press("ArrowDown")
    assert page.locator("#id_category option:checked").inner_text() == CATEGORY
    tab_to(page, "#item-form button[type=submit]")
    press_and_wait_for_page(page)
    item = Item.objects.get()
    assert page.url == f"{base}/items/{item.pk}/"
    assert (item.title, item.body, item.state) == (TITLE, BODY, State.DRAFT)

    tab_to(page, "form[data-action=send_for_signoff] button[type=submit]")
    page.keyboard.press("Enter")
    # Submitting asks first; the dialog takes the focus to its confirm button.
    page.locator("#gi-confirm").wait_for(state="visible")
    page.locator("#gi-confirm-ok:focus").wait_for()
    press_and_wait_for_page(page)
    page.locator("main").get_by_text("待审签").first.wait_for()
    item.refresh_from_db()
    assert item.state == State.PENDING_SIGNOFF
