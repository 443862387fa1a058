"""The 批示 form on a phone and an office screen: the handling units are checkboxes in
the official order with a filter box, the submitting unit is ticked and named, the
leader's own level is preselected, and a second unit found by typing its name is ticked
and notified."""

import pytest

from publications.models import Instruction, InstructionLevel, Publication, PublicationKind, Schedule
from tests.factories import UnitFactory
from tests.publications.helpers import adopted, signed_issue

from .helpers import login as _login

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 390])
def test_leader_filters_and_ticks_handling_units_with_their_level_preselected(
    live_server, page, transactional_db, writer, unit_approver, editor, issue_approver, leader, city, department,
    screenshot_dir, width,
):  # fmt: skip
    page.set_viewport_size({"width": width, "height": 900})
    InstructionLevel.objects.get_or_create(name="省政府领导", defaults={"order": 2})
    own, _ = InstructionLevel.objects.get_or_create(name="市政府领导", defaults={"order": 4})
    own.leaders.add(leader)
    for n in range(12):  # a long list, as a city's is
        UnitFactory(name=f"昆明市第{n + 1}局", parent=city, sort_order=10 + n)
    farm = UnitFactory(name="昆明市农业农村局", parent=city, sort_order=99)
    daily = Publication.objects.create(
        office=city, name="每日要情", kind=PublicationKind.DAILY, schedule=Schedule.WORKING_DAY, points_full=5
    )
    adoption = adopted(writer, unit_approver, editor, daily, title="昆明市重大项目建设提速增效")
    issue = signed_issue(editor, issue_approver, daily, [adoption])
    base = live_server.url

    _login(page, base, leader.username)
    page.goto(f"{base}/instructions/new/?issue={issue.pk}&item={adoption.item.pk}")
    assert page.input_value("#id_level") == "市政府领导"
    assert page.locator("#units-chosen").inner_text() == f"已选：{department.name}"
    assert page.is_checked(f"#id_units_{department.pk}")
    # Nothing runs off the side of a phone.
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")

    page.fill("#units-filter", "农业")
    page.wait_for_function("() => document.querySelectorAll('#units-list .form-check:not([hidden])').length === 2")
    # The ticked unit stays in view while filtering; the others are hidden.
    assert page.locator(f"#id_units_{department.pk}").is_visible()
    assert not page.get_by_label("昆明市第1局").is_visible()
    page.get_by_label("昆明市农业农村局").check()
    assert page.locator("#units-chosen").inner_text() == f"已选：{department.name}{farm.name}"
    page.screenshot(path=str(screenshot_dir / f"instruction_form_{width}.png"), full_page=True)
    page.keyboard.press("Tab")
    page.fill("#id_text", "请两单位共同研究，按期反馈。")
    with page.expect_navigation():
        page.click("#instruction-form button[type=submit]")
    assert "批示已保存" in page.content()
    instruction = Instruction.objects.get()
    assert instruction.level == "市政府领导"
    assert set(instruction.handlers.values_list("pk", flat=True)) == {department.pk, farm.pk}
