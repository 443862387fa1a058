"""Session timeouts: idle (SESSION_IDLE_TIMEOUT) and absolute (SESSION_COOKIE_AGE, counted
from the password login). The session's own clock stamps are moved back to stand for the
time that passed."""

import time

from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from govinfo.middleware.sessions import LOGIN_AT, SEEN_AT
from tests.factories import PASSWORD


def _age(client, *, login_ago: float | None = None, seen_ago: float | None = None) -> None:
    session = client.session
    now = time.time()
    if login_ago is not None:
        session[LOGIN_AT] = int(now - login_ago)
    if seen_ago is not None:
        session[SEEN_AT] = int(now - seen_ago)
    session.save()


def test_defaults_are_thirty_minutes_idle_and_a_working_day_in_all(settings):
    assert settings.SESSION_IDLE_TIMEOUT == 30 * 60
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    # Saving on every request would push Django's own expiry forward without end.
    assert not getattr(settings, "SESSION_SAVE_EVERY_REQUEST", False)


def test_password_login_stamps_the_login_time(client, writer):
    before = int(time.time())
    client.post(reverse("login"), {"username": writer.username, "password": PASSWORD})
    assert before <= client.session[LOGIN_AT] <= int(time.time())
    assert client.session[SEEN_AT] == client.session[LOGIN_AT]


def test_idle_session_ends_with_a_chinese_message(client, writer, settings):
    client.force_login(writer)
    assert client.get(reverse("home")).status_code == 200
    _age(client, seen_ago=settings.SESSION_IDLE_TIMEOUT + 5)
    response = client.get(reverse("my_items"))
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={reverse('my_items')}"
    assert SESSION_KEY not in client.session
    page = client.get(response.url).content.decode()
    assert "登录已超时，请重新登录" in page and "登录政务信息报送系统" in page


def test_activity_keeps_the_session_but_not_past_the_absolute_limit(client, writer, settings):
    client.force_login(writer)
    _age(client, login_ago=3600, seen_ago=settings.SESSION_IDLE_TIMEOUT - 60)
    login_at = client.session[LOGIN_AT]
    assert client.get(reverse("home")).status_code == 200
    # The idle clock restarted; the login time did not move.
    assert time.time() - client.session[SEEN_AT] < 5
    assert client.session[LOGIN_AT] == login_at

    # Busy all day: a request every few minutes, and still out after SESSION_COOKIE_AGE.
    _age(client, login_ago=settings.SESSION_COOKIE_AGE + 5, seen_ago=60)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert SESSION_KEY not in client.session


def test_timeout_also_ends_the_second_factor(client, editor, settings):
    client.force_login(editor)  # password and code
    assert client.get(reverse("desk")).status_code == 200
    _age(client, seen_ago=settings.SESSION_IDLE_TIMEOUT + 5)
    assert client.get(reverse("desk")).url.startswith(reverse("login"))
    client.post(reverse("login"), {"username": editor.username, "password": PASSWORD})
    response = client.get(reverse("desk"))
    assert response.status_code == 302 and response.url.startswith(reverse("two_factor_verify"))


def test_htmx_request_after_timeout_loads_the_login_page(client, writer, settings):
    client.force_login(writer)
    _age(client, seen_ago=settings.SESSION_IDLE_TIMEOUT + 5)
    response = client.post(
        reverse("item_check"),
        {"title": "x"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/items/new/",
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == f"{reverse('login')}?next=/items/new/"


def test_session_api_request_after_timeout_gets_401_json(client, writer, settings):
    client.force_login(writer)
    _age(client, seen_ago=settings.SESSION_IDLE_TIMEOUT + 5)
    response = client.get(reverse("api-me"))
    assert response.status_code == 401
    assert response.json() == {"code": "session_expired", "message": "登录已超时，请重新登录。"}


def test_bearer_tokens_do_not_time_out_with_sessions(writer, settings):
    token = Token.objects.create(user=writer)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token.key}")
    # Negative limits: any session, however fresh, is past both, without waiting a second.
    settings.SESSION_IDLE_TIMEOUT = -1
    settings.SESSION_COOKIE_AGE = -1
    for _ in range(2):
        assert api.get(reverse("api-me")).status_code == 200
