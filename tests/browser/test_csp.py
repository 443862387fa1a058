"""The pages that run JavaScript work under the Content-Security-Policy in real Chromium:
the scoreboard's Plotly charts, the commission form's script, an htmx partial, the API
docs and the admin. The page fixture fails a test on any CSP violation ("Refused to …");
each test also checks that the script did its work, since a blocked script is silent."""

import pytest
from django.utils import timezone

from scoring.models import Scheme, SchemeUnit

from .helpers import login as _login

pytestmark = pytest.mark.browser


def _violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations")


def test_policy_is_enforced_and_violations_are_seen(live_server, page, transactional_db, writer):
    """The control: an injected inline script is refused, and the fixture would notice."""
    _login(page, live_server.url, writer.username)
    page.evaluate(
        """() => { const s = document.createElement("script"); s.textContent = "window.__injected = 1";
                   document.body.appendChild(s); }"""
    )
    assert page.evaluate("window.__injected") is None
    assert any("script-src" in v for v in _violations(page))
    assert any("inline script" in m and "Content Security Policy" in m for m in page.csp_refusals)
    page.csp_refusals.clear()  # seen on purpose


def test_scoreboard_charts_commission_form_and_admin_work_under_the_policy(
    live_server, page, transactional_db, editor, city, department, city_security_admin
):
    base = live_server.url
    scheme = Scheme.objects.create(office=city, year=timezone.localdate().year, name="考核")
    SchemeUnit.objects.create(scheme=scheme, unit=department)
    _login(page, base, editor.username)

    # Plotly draws both charts (no eval needed for bar and scatter traces).
    page.goto(f"{base}/scoring/{scheme.pk}/")
    page.locator("body[data-charts-ready='1']").wait_for(state="attached", timeout=15000)
    assert page.locator("#chart-points .main-svg").count() >= 1
    assert page.locator("#chart-trend .main-svg").count() >= 1
    assert page.locator("#chart-points .bars .point").count() == 1

    # The commission form's script, now a static file: "全部下级单位" ticks every unit.
    page.goto(f"{base}/commissions/new/")
    boxes = page.locator("input[name=targets]")
    assert boxes.count() >= 1
    assert page.get_attribute("#id_all_targets", "data-wired") == "1"
    page.check("#id_all_targets")
    assert all(boxes.nth(i).is_checked() for i in range(boxes.count()))
    boxes.first.uncheck()
    assert not page.is_checked("#id_all_targets")

    # Bootstrap's own script: the dropdown menu opens.
    page.click("a.dropdown-toggle:has-text('采编')")
    assert page.locator(".dropdown-menu.show").is_visible()

    # The API docs: Swagger UI starts from a script file, not an inline one.
    page.goto(f"{base}/api/v1/docs/")
    page.locator(".swagger-ui .info .title").wait_for(timeout=15000)
    assert "govinfo API" in page.locator(".swagger-ui .info .title").inner_text()
    assert page.locator(".opblock").count() > 10

    _login(page, base, city_security_admin.username)
    page.goto(f"{base}/admin/units/account/")  # a list with actions (账号安全)
    page.check("#action-toggle")  # admin's actions.js ticks every row
    assert page.locator("input.action-select:checked").count() >= 2
    assert _violations(page) == []


def test_htmx_partial_swaps_under_the_policy(live_server, page, transactional_db, writer):
    base = live_server.url
    _login(page, base, writer.username)
    page.goto(f"{base}/items/new/")
    assert page.evaluate("htmx.config.includeIndicatorStyles") is False
    assert page.evaluate("htmx.config.allowEval") is False
    # htmx injected no <style> element of its own.
    assert page.locator("head style").count() == 0
    with page.expect_response(lambda r: r.url.endswith("/items/check/")) as checked:
        page.fill("#id_title", "我市重大项目建设提速增效")
        page.locator("#id_title").press("End")
    assert checked.value.status == 200
    page.locator("#hints [data-code=first_person]").wait_for(timeout=10000)
    assert _violations(page) == []
