import pytest
from django.urls import reverse

from tests.factories import PASSWORD
from tests.otp import code_for, device_for


@pytest.mark.parametrize("name", ["home", "unit_directory", "password_change"])
def test_anonymous_users_are_sent_to_login(client, db, name):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert f"next={url}" in response.url


def test_login_page_speaks_chinese(client, db):
    response = client.get(reverse("login"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "登录政务信息报送系统" in body and "用户名" in body and "密码" in body
    assert 'lang="zh-Hans"' in body


def test_login_with_right_password_and_code_reaches_home(client, editor):
    device = device_for(editor)
    response = client.post(reverse("login"), {"username": "editor", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == f"{reverse('two_factor_verify')}?next=/"
    response = client.post(response.redirect_chain[-1][0], {"code": code_for(device), "next": "/"}, follow=True)
    body = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "您好" in body and "编辑台" in body


def test_wrong_password_shows_chinese_error_and_keeps_username(client, editor):
    response = client.post(reverse("login"), {"username": "editor", "password": "wrong"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "用户名或密码不正确" in body
    assert 'value="editor"' in body


def test_repeated_failures_lock_the_account(client, editor, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "editor", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "editor", "password": PASSWORD})
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logout_requires_post_and_ends_the_session(client, editor):
    client.force_login(editor)
    assert client.get(reverse("logout")).status_code == 405
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_password_change_rejects_bad_input_then_works(client, editor):
    client.force_login(editor)
    bad = client.post(
        reverse("password_change"),
        {"old_password": "nope", "new_password1": "123", "new_password2": "456"},
    )
    assert bad.status_code == 200
    assert "旧密码不正确" in bad.content.decode() or "你的旧密码不正确" in bad.content.decode()
    ok = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Brand-new-2026", "new_password2": "Brand-new-2026"},
    )
    assert ok.status_code == 302
    editor.refresh_from_db()
    assert editor.check_password("Brand-new-2026")


def test_session_cookie_is_http_only_and_short_lived(settings):
    assert settings.SESSION_COOKIE_HTTPONLY
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600
