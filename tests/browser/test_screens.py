"""Office screens and phones, measured in Chromium: the navigation bar stays on one line
at 1280 and 1366 px for every role and folds behind the toggler below 1200 px; the desk's
filters are labelled and fold away on a phone; the scoreboard on a phone keeps unit names
on one line and scrolls the number columns under a sticky unit column."""

import pytest
from django.utils import timezone

from scoring.models import Scheme, SchemeUnit
from tests.factories import UnitFactory, UserFactory
from tests.waiting import wait_for
from units.models import Role, UnitKind

from .helpers import login

pytestmark = pytest.mark.browser

# Which text nodes of an element are laid out on more than one line (a label broken
# mid-word, 首/页), ignoring what is not displayed (closed dropdown menus).
BROKEN_TEXT = """(root) => {
  const broken = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim()) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const rects = [...range.getClientRects()].filter((r) => r.width > 0);
    if (new Set(rects.map((r) => Math.round(r.top))).size > 1) broken.push(node.textContent.trim());
  }
  return broken;
}"""

# The boxes of the bar's parts: the brand, each entry of the menu, each account control.
NAV_PARTS = """(bar) => [
  bar.querySelector('.navbar-brand'),
  ...bar.querySelectorAll('.navbar-nav > .nav-item'),
  ...bar.querySelectorAll('#nav-account > *'),
].map((e) => {
  const r = e.getBoundingClientRect();
  return {text: e.innerText.trim(), top: r.top, bottom: r.bottom};
})"""


@pytest.fixture
def everyone(department):
    """Every role at once, with a long name: the most a bar ever has to hold."""
    # Of the three administrators (三员分立) a person holds one at most: the longest label.
    roles = [r for r in Role if r not in (Role.SECURITY_ADMIN, Role.AUDITOR)]
    return UserFactory(username="everyone", full_name="欧阳诸葛明月", unit=department, roles=roles)


@pytest.fixture
def personas(writer, unit_approver, editor, issue_approver, leader, city_admin, province_admin, outsider, everyone):
    everyone.is_superuser = True
    everyone.save(update_fields=["is_superuser"])
    return [writer, unit_approver, editor, issue_approver, leader, city_admin, province_admin, outsider, everyone]


@pytest.mark.parametrize("width", [1280, 1366])
def test_navigation_bar_is_one_line_for_every_role(live_server, page, transactional_db, personas, width):
    page.set_viewport_size({"width": width, "height": 800})
    for person in personas:
        login(page, live_server.url, person.username)
        bar = page.locator(".gi-navbar .container")
        assert page.locator(".gi-navbar .navbar-toggler").is_hidden(), f"{person.username}: folded at {width} px"
        parts = bar.evaluate(NAV_PARTS)
        # One line: every part overlaps every other vertically.
        lowest_top, highest_bottom = max(p["top"] for p in parts), min(p["bottom"] for p in parts)
        assert lowest_top < highest_bottom, f"{person.username} at {width} px wraps: {parts}"
        assert bar.evaluate(BROKEN_TEXT) == [], f"{person.username} at {width} px"
        # The bar holds what it holds for the role, not less: the account menu and logout.
        assert page.locator("#nav-account").get_by_role("button", name="退出").is_visible()


@pytest.mark.parametrize("width", [390, 1199])
def test_navigation_folds_behind_the_toggler_below_1200(live_server, page, transactional_db, everyone, width):
    page.set_viewport_size({"width": width, "height": 800})
    login(page, live_server.url, everyone.username)
    menu = page.locator("#nav")
    assert menu.is_hidden()
    bar = page.locator(".gi-navbar .container")
    assert bar.evaluate(BROKEN_TEXT) == []
    page.get_by_role("button", name="展开菜单").click()
    menu.get_by_role("link", name="首页").wait_for(state="visible")
    page.locator("#nav:not(.collapsing)").wait_for()  # the opening animation has ended
    # Stacked, one entry a line, none broken mid-word; every entry reachable.
    entries = page.locator("#nav .navbar-nav > .nav-item")
    tops = [entries.nth(i).bounding_box()["y"] for i in range(entries.count())]
    assert tops == sorted(tops) and len(set(tops)) == len(tops)
    assert bar.evaluate(BROKEN_TEXT) == []
    menu.get_by_role("button", name="管理").click()
    assert menu.get_by_role("link", name="单位目录").is_visible()


def test_desk_filters_are_labelled_and_fold_away_on_a_phone(live_server, page, transactional_db, editor):
    login(page, live_server.url, editor.username)
    page.goto(f"{live_server.url}/desk/")
    toggle = page.get_by_role("button", name="筛选条件")
    assert toggle.is_hidden()  # an office screen shows the filters themselves
    for label in ("搜索", "状态", "报送单位", "类型", "标签", "起始日期", "截止日期", "迟报", "密级"):
        assert page.locator("#filters").get_by_label(label, exact=True).is_visible(), label
        assert page.locator("#filters label", has_text=label).first.is_visible()

    page.set_viewport_size({"width": 390, "height": 844})
    form = page.locator("#filters")
    assert form.is_hidden() and toggle.is_visible()
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    page.locator("#filters.show").wait_for()
    assert toggle.get_attribute("aria-expanded") == "true"
    form.get_by_label("状态", exact=True).select_option(label="已报送")
    with page.expect_navigation():
        form.get_by_role("button", name="筛选").click()
    assert "state=submitted" in page.url
    # After filtering the list comes first again; the filters wait behind the button.
    assert form.is_hidden() and toggle.is_visible()


def test_scoreboard_on_a_phone_keeps_names_on_one_line_and_scrolls_the_numbers(
    live_server, page, transactional_db, leader, city
):
    scheme = Scheme.objects.create(office=city, year=timezone.localdate().year, name="昆明市政务信息考核")
    names = ["市发展改革委", "市工业和信息化局", "市农业农村局", "市文化和旅游局", "市住房和城乡建设局"]
    for name in names:
        unit = UnitFactory(name=f"昆明市{name[1:]}", short_name=name, kind=UnitKind.DEPARTMENT, parent=city)
        SchemeUnit.objects.create(scheme=scheme, unit=unit)
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server.url, leader.username)
    page.goto(f"{live_server.url}/scoring/{scheme.pk}/")
    board = page.locator("#board")
    scroller = board.locator("xpath=..")
    assert scroller.evaluate("(e) => e.scrollWidth > e.clientWidth"), "the number columns should scroll"
    units = board.locator("tbody td.gi-board-unit")
    assert sorted(units.all_inner_texts()) == sorted(names)
    assert board.locator("tbody").evaluate(BROKEN_TEXT) == []  # unit names on one line

    def x(locator):
        return locator.bounding_box()["x"]

    first_unit = units.first
    headers = board.locator("thead th")
    points = headers.filter(has_text="积分").first
    unit_x, points_x = x(first_unit), x(points)
    box = scroller.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 20)
    page.mouse.wheel(300, 0)
    # The wheel scrolls smoothly, over a few frames: wait for the offset, not for a time.
    wait_for(lambda: scroller.evaluate("(e) => e.scrollLeft") > 0, timeout=5, what="the board to scroll sideways")
    assert x(points) < points_x  # the numbers moved left …
    assert abs(x(first_unit) - unit_x) < 1  # … under the unit names, which stayed
    # The unit column covers what scrolls beneath it: the topmost element at its place is
    # still the unit's cell.
    cell = first_unit.bounding_box()
    on_top = page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y).closest('td')?.className || ''",
        [cell["x"] + cell["width"] - 4, cell["y"] + cell["height"] / 2],
    )
    assert "gi-board-unit" in on_top
