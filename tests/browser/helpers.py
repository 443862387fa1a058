from pathlib import Path

from tests.factories import PASSWORD
from tests.otp import pass_second_factor


def login(page, base, username):
    """Sign in through the login form as a person does: the password, then (for those who
    need it) the code of their authenticator; ends on the home page."""
    page.context.clear_cookies()
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    pass_second_factor(page, username)
    page.wait_for_url(f"{base}/")


# axe-core comes from npm (tests/browser/package.json) and is only ever injected here, by
# the test: the app never serves it.
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = ("serious", "critical")


def axe_violations(page) -> list[dict]:
    """axe-core's serious and critical findings on the page as it stands. The script is
    evaluated through the DevTools protocol rather than added as a <script> tag, which the
    Content-Security-Policy (no inline script) would refuse."""
    if not AXE.exists():
        raise AssertionError(f"{AXE} is missing: run `npm ci --prefix tests/browser` (make test does)")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v["impact"] in BLOCKING_IMPACTS]


def describe_violations(found: dict[str, list[dict]]) -> str:
    """One line per rule and page, with the offending elements, for the failure message."""
    lines = []
    for where, violations in found.items():
        for v in violations:
            targets = "; ".join(" ".join(n["target"]) for n in v["nodes"][:8])
            lines.append(f"{where}: [{v['impact']}] {v['id']} — {v['help']} — {targets}")
    return "\n".join(lines)
