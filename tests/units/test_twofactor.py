"""Two-factor login through HTTP, as a person does it: the password, then the code of an
authenticator app computed from the secret the setup page shows. These tests sign in
through the login form, never with force_login (which completes the second factor)."""

import re
import time

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD, UserFactory
from tests.otp import code_for, code_from_secret, device_for
from units.models import Role
from units.twofactor.access import role_requires_two_factor
from units.twofactor.actions import reset_two_factor


def password_login(client, user, next_url: str = "/"):
    """The login form with the right password; returns the final response."""
    return client.post(
        f"{reverse('login')}?next={next_url}",
        {"username": user.username, "password": PASSWORD, "next": next_url},
        follow=True,
    )


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_roles_that_require_a_second_factor(writer, unit_approver, editor, issue_approver, leader, city_admin):
    required = {u.username for u in (writer, unit_approver, editor, issue_approver, leader, city_admin)
                if role_requires_two_factor(u)}  # fmt: skip
    assert required == {editor.username, issue_approver.username, city_admin.username}
    superuser = UserFactory(username="root", is_superuser=True, unit=None)
    assert role_requires_two_factor(superuser)


def test_editor_with_password_only_is_sent_to_setup_and_cannot_open_the_desk(client, editor):
    response = password_login(client, editor, "/desk/")
    assert response.redirect_chain[-1][0] == f"{reverse('two_factor_setup')}?next=/desk/"
    body = response.content.decode()
    assert "设置两步验证" in body and "您的角色" in body
    desk = client.get(reverse("desk"))
    assert desk.status_code == 302 and desk.url.startswith(reverse("two_factor_setup"))
    # Nor any other page, the admin site included.
    for url in (reverse("home"), reverse("my_bulletins"), "/admin/", reverse("password_change")):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/2fa/"), url


def test_setup_shows_qr_and_secret_and_a_code_from_that_secret_confirms_it(client, editor):
    password_login(client, editor, "/desk/")
    page = client.get(f"{reverse('two_factor_setup')}?next=/desk/").content.decode()
    assert 'src="data:image/svg+xml;base64,' in page
    secret = re.search(r'id="otp-secret">([A-Z2-7 ]+)<', page).group(1)
    assert len(secret.replace(" ", "")) == 32  # 20 random bytes in base32
    # The same secret on every visit until it is confirmed.
    again = client.get(reverse("two_factor_setup")).content.decode()
    assert secret in again and TOTPDevice.objects.filter(user=editor).count() == 1

    bad = client.post(reverse("two_factor_setup"), {"code": wrong(code_from_secret(secret)), "next": "/desk/"})
    assert bad.status_code == 200 and "验证码不正确" in bad.content.decode()
    assert not TOTPDevice.objects.get(user=editor).confirmed
    TOTPDevice.objects.get(user=editor).throttle_reset()

    response = client.post(
        reverse("two_factor_setup"), {"code": code_from_secret(secret), "next": "/desk/"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/desk/" and response.status_code == 200
    assert "两步验证已启用" in response.content.decode()
    assert TOTPDevice.objects.get(user=editor).confirmed


def test_wrong_code_is_refused_then_throttled_and_the_right_code_lets_the_editor_in(client, editor):
    device = device_for(editor)
    response = password_login(client, editor, "/desk/")
    assert response.redirect_chain[-1][0] == f"{reverse('two_factor_verify')}?next=/desk/"
    assert "两步验证" in response.content.decode()
    assert client.get(reverse("desk")).url.startswith(reverse("two_factor_verify"))

    right = code_for(device)
    bad = client.post(reverse("two_factor_verify"), {"code": wrong(right), "next": "/desk/"})
    assert bad.status_code == 200 and "验证码不正确" in bad.content.decode()
    # django-otp's back-off: straight after a wrong code even the right one waits.
    throttled = client.post(reverse("two_factor_verify"), {"code": right, "next": "/desk/"})
    assert re.search(r"验证码错误次数过多，请 \d+ 秒后再试", throttled.content.decode())
    assert client.get(reverse("desk")).status_code == 302
    not_digits = client.post(reverse("two_factor_verify"), {"code": "abc", "next": "/desk/"})
    assert not_digits.status_code == 200 and "sessionid" in client.cookies

    device.refresh_from_db()
    device.throttle_reset()
    response = client.post(reverse("two_factor_verify"), {"code": code_for(device), "next": "/desk/"})
    assert response.status_code == 302 and response.url == "/desk/"
    assert client.get(reverse("desk")).status_code == 200
    # A code is good once: replaying it does not verify a second session.
    other = type(client)()
    password_login(other, editor)
    replay = other.post(reverse("two_factor_verify"), {"code": right, "next": "/"})
    assert replay.status_code == 200 and other.get(reverse("desk")).status_code == 302


def test_verifying_gives_the_session_a_new_key(client, editor):
    device = device_for(editor)
    password_login(client, editor)
    before = client.cookies["sessionid"].value
    client.post(reverse("two_factor_verify"), {"code": code_for(device), "next": "/"})
    assert client.cookies["sessionid"].value != before


def test_next_must_stay_on_this_site(client, editor):
    device = device_for(editor)
    password_login(client, editor)
    response = client.post(reverse("two_factor_verify"), {"code": code_for(device), "next": "https://evil.example/"})
    assert response.status_code == 302 and response.url == "/"


def test_staff_without_two_factor_goes_straight_in(client, writer):
    response = password_login(client, writer, reverse("my_items"))
    assert response.redirect_chain[-1][0] == reverse("my_items") and response.status_code == 200
    page = client.get(reverse("two_factor")).content.decode()
    assert "未启用" in page and "两步验证" in page


def test_staff_who_opted_in_must_verify_and_may_opt_out(client, writer):
    password_login(client, writer)
    page = client.get(reverse("two_factor_setup")).content.decode()
    assert "您的角色" not in page
    secret = re.search(r'id="otp-secret">([A-Z2-7 ]+)<', page).group(1)
    client.post(reverse("two_factor_setup"), {"code": code_from_secret(secret), "next": reverse("two_factor")})
    assert "已启用" in client.get(reverse("two_factor")).content.decode()
    client.post(reverse("logout"))

    response = password_login(client, writer, reverse("my_items"))
    assert response.redirect_chain[-1][0] == f"{reverse('two_factor_verify')}?next={reverse('my_items')}"
    assert client.get(reverse("my_items")).status_code == 302
    device = TOTPDevice.objects.get(user=writer)
    response = client.post(reverse("two_factor_verify"), {"code": code_for(device), "next": reverse("my_items")})
    assert response.url == reverse("my_items") and client.get(reverse("my_items")).status_code == 200

    # Switching it off takes a current code.
    bad = client.post(reverse("two_factor"), {"code": wrong(code_for(device))})
    assert "验证码不正确" in bad.content.decode() and TOTPDevice.objects.filter(user=writer).exists()
    device.refresh_from_db()
    device.throttle_reset()
    response = client.post(reverse("two_factor"), {"code": code_for(device)}, follow=True)
    assert "两步验证已关闭" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=writer).exists()


def test_an_editor_cannot_switch_two_factor_off(client, editor):
    client.force_login(editor)
    page = client.get(reverse("two_factor")).content.decode()
    assert "已启用" in page and "不能关闭" in page
    response = client.post(reverse("two_factor"), {"code": code_for(device_for(editor))}, follow=True)
    assert "不能关闭" in response.content.decode()
    assert TOTPDevice.objects.filter(user=editor, confirmed=True).exists()


def test_admin_site_requires_the_second_factor(client, city_admin):
    device = device_for(city_admin)
    password_login(client, city_admin)
    response = client.get("/admin/")
    assert response.status_code == 302 and response.url == f"{reverse('two_factor_verify')}?next=/admin/"
    client.post(reverse("two_factor_verify"), {"code": code_for(device), "next": "/admin/"})
    assert client.get("/admin/").status_code == 200


def test_security_admin_resets_a_lost_device_but_not_outside_their_units(
    client, city_admin, city_security_admin, outsider, editor
):
    device_for(editor)
    changelist = reverse("admin:units_account_changelist")
    action = {"action": "reset_two_factor", "_selected_action": [editor.pk]}
    client.force_login(UserFactory(unit=outsider.unit, roles=[Role.SECURITY_ADMIN]))  # another city's
    client.post(changelist, action)
    assert TOTPDevice.objects.filter(user=editor).exists()
    client.force_login(city_admin)  # the system administrator: not theirs (三员分立)
    assert client.post(changelist, action).status_code == 403
    client.post(reverse("admin:units_user_changelist"), action)
    assert TOTPDevice.objects.filter(user=editor).exists()

    client.force_login(city_security_admin)
    response = client.post(changelist, action, follow=True)
    assert "已重置 1 人的两步验证" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=editor).exists()

    # The editor's next login sets up a new authenticator.
    other = type(client)()
    response = password_login(other, editor)
    assert response.redirect_chain[-1][0].startswith(reverse("two_factor_setup"))


def test_reset_ends_the_verified_state_of_open_sessions(client, editor):
    client.force_login(editor)
    assert client.get(reverse("desk")).status_code == 200
    reset_two_factor(user=editor)
    response = client.get(reverse("desk"))
    assert response.status_code == 302 and response.url.startswith(reverse("two_factor_setup"))


def test_a_new_role_requires_the_second_factor_at_once(client, writer):
    from units.actions import set_roles

    client.force_login(writer)
    assert client.get(reverse("home")).status_code == 200
    set_roles(user=writer, roles=[Role.STAFF, Role.EDITOR])
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("two_factor_setup"))


def test_htmx_request_without_the_code_is_told_to_load_the_page(client, editor):
    device_for(editor)
    password_login(client, editor)
    response = client.post(
        reverse("item_check"),
        {"title": "x"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/items/new/",
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == f"{reverse('two_factor_verify')}?next=/items/new/"


@pytest.mark.parametrize("name", ["two_factor_verify", "two_factor_setup", "two_factor"])
def test_two_factor_pages_need_a_login(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_demo_logins_that_need_it_share_the_published_authenticator(db, capsys):
    from django.core.management import call_command

    from govinfo.demo import DEMO_TOTP_SECRET

    call_command("loaddemo")
    out = capsys.readouterr().out
    assert DEMO_TOTP_SECRET in out and "manage.py totp" in out
    with_device = set(TOTPDevice.objects.filter(confirmed=True).values_list("user__username", flat=True))
    assert with_device == {
        f"{p}_{r}" for p in ("prov", "city", "dept") for r in ("editor", "signer", "admin", "secadmin", "auditor")
    }
    call_command("totp", "city_editor")
    code = capsys.readouterr().out.strip()
    assert code == code_from_secret(DEMO_TOTP_SECRET) or code == code_from_secret(DEMO_TOTP_SECRET, at=time.time() - 1)
    # Loading again neither duplicates nor replaces a device.
    keys = dict(TOTPDevice.objects.values_list("pk", "key"))
    call_command("loaddemo")
    assert dict(TOTPDevice.objects.values_list("pk", "key")) == keys


def test_totp_command_is_not_offered_in_production(db, settings, editor):
    from django.core.management import CommandError, call_command

    device_for(editor)
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="生产环境"):
        call_command("totp", editor.username)
