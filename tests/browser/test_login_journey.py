import pytest
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.otp import code_for

pytestmark = pytest.mark.browser


def test_demo_editor_logs_in_and_sees_chinese_home(live_server, page, settings, screenshot_dir, transactional_db):
    call_command("loaddemo")
    device = TOTPDevice.objects.get(user__username="prov_editor")
    page.goto(f"{live_server.url}/")
    assert "/login/" in page.url  # anonymous visitors land on the login page
    assert page.locator("h1").inner_text() == "登录政务信息报送系统"

    page.fill("input[name=username]", "prov_editor")
    page.fill("input[name=password]", "wrong-password")
    page.click("button[type=submit]")
    assert "用户名或密码不正确" in page.content()

    page.fill("input[name=password]", settings.DEMO_PASSWORD)
    page.click("button[type=submit]")
    # An editor's password is not enough: the demo authenticator's code comes next.
    page.wait_for_url("**/2fa/verify/**")
    assert page.locator("h1").inner_text() == "两步验证"
    page.fill("input[name=code]", f"{(int(code_for(device)) + 1) % 1_000_000:06d}")  # a wrong code
    page.click("#otp-form button[type=submit]")
    assert "验证码不正确" in page.locator("#otp-form").inner_text()
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    page.fill("input[name=code]", code_for(device))
    page.click("#otp-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert "您好" in page.locator("h1").inner_text()
    assert page.get_by_role("main").get_by_role("link", name="编辑台").is_visible()
    # Bootstrap came from the app itself: the navbar is styled, not raw HTML.
    bg = page.eval_on_selector(".gi-navbar", "e => getComputedStyle(e).backgroundColor")
    assert bg == "rgb(179, 18, 27)"
    assert page.eval_on_selector(".card", "e => getComputedStyle(e).borderRadius") != "0px"
    page.screenshot(path=str(screenshot_dir / "home_editor.png"), full_page=True)

    page.click("button:has-text('退出')")
    page.wait_for_url("**/login/")
