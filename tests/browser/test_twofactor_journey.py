"""An editor's first login in real Chromium: the password, then the setup page with a QR
code and the secret in text; the "phone" here is the secret typed into a TOTP computation,
as an authenticator app does. Then a second login asks for the code only."""

import time

import pytest

from tests.factories import PASSWORD
from tests.otp import code_from_secret

pytestmark = pytest.mark.browser


def _password(page, base, username, next_path="/"):
    page.goto(f"{base}/login/?next={next_path}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")


def test_editor_sets_up_totp_from_the_qr_page_and_logs_in_with_it(
    live_server, page, transactional_db, editor, screenshot_dir
):
    base = live_server.url
    _password(page, base, editor.username, "/desk/")
    assert "/2fa/setup/" in page.url
    assert page.locator("h1").inner_text() == "设置两步验证"
    # The QR code is an image the browser draws (a data: URL, allowed by img-src).
    assert page.eval_on_selector("#otp-qr", "img => img.complete && img.naturalWidth > 100")
    secret = page.inner_text("#otp-secret")
    page.screenshot(path=str(screenshot_dir / "twofactor_setup.png"), full_page=True)

    # The navigation leads nowhere else until the code is in.
    page.goto(f"{base}/desk/")
    assert "/2fa/setup/" in page.url

    page.fill("input[name=code]", f"{(int(code_from_secret(secret)) + 1) % 1_000_000:06d}")  # a wrong code
    page.click("#otp-form button[type=submit]")
    assert "验证码不正确" in page.locator("#otp-form").inner_text()
    page.wait_for_timeout(1100)  # django-otp's back-off after one wrong code is a second

    page.fill("input[name=code]", code_from_secret(secret))
    with page.expect_navigation():
        page.click("#otp-form button[type=submit]")
    assert page.url == f"{base}/desk/"
    assert "两步验证已启用" in page.content()

    page.click("button:has-text('退出')")
    page.wait_for_url("**/login/")
    _password(page, base, editor.username)
    assert "/2fa/verify/" in page.url and page.locator("h1").inner_text() == "两步验证"
    # The code of the next time step: the one just used is good only once.
    page.fill("input[name=code]", code_from_secret(secret, at=time.time() + 30))
    with page.expect_navigation():
        page.click("#otp-form button[type=submit]")
    assert page.url == f"{base}/"
    page.goto(f"{base}/2fa/")
    assert "已启用" in page.locator("#otp-status").inner_text()
