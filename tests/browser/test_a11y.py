"""axe-core on every page of the tour at an office and a phone width: no serious or
critical violation. Each page is also saved as a screenshot under var/screenshots/."""

import pytest

from .helpers import axe_violations, describe_violations
from .tour import WIDTHS, seed, walk

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("size", WIDTHS, ids=list(WIDTHS))
def test_pages_have_no_serious_accessibility_violation(
    live_server, page, transactional_db, writer, unit_approver, editor, issue_approver, leader, city, department,
    screenshot_dir, size,
):  # fmt: skip
    stops = seed(
        writer=writer, unit_approver=unit_approver, editor=editor, issue_approver=issue_approver,
        leader=leader, city=city, department=department,
    )  # fmt: skip
    width, height = WIDTHS[size]
    page.set_viewport_size({"width": width, "height": height})
    found = {}
    for stop in walk(page, live_server.url, stops):
        page.screenshot(path=str(screenshot_dir / f"{stop.name}-{width}.png"), full_page=True)
        violations = axe_violations(page)
        if violations:
            found[f"{stop.name} ({stop.path})"] = violations
    assert not found, f"axe-core at {width} px:\n" + describe_violations(found)
