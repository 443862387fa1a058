"""Behind nginx every request reaches gunicorn from 127.0.0.1; login throttling must
count failures per real client (X-Real-IP, set by nginx), not lock out the whole office."""

from django.urls import reverse

from tests.factories import PASSWORD


def _login(client, password, ip):
    return client.post(reverse("login"), {"username": "writer", "password": password}, HTTP_X_REAL_IP=ip)


def test_lockout_behind_proxy_is_per_client_address(client, writer, settings):
    settings.BEHIND_PROXY = True
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "wrong", "10.1.1.1")
    refused = _login(client, PASSWORD, "10.1.1.1")
    assert refused.status_code == 429
    assert "登录失败次数过多" in refused.content.decode()

    # The same person at another desk (another address behind the same proxy) gets in.
    client.cookies.clear()
    response = _login(client, PASSWORD, "10.2.2.2")
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_without_proxy_the_header_is_not_trusted(client, writer, settings):
    settings.BEHIND_PROXY = False
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "wrong", "10.1.1.1")
    # A client cannot dodge the lockout by inventing a new X-Real-IP.
    assert _login(client, PASSWORD, "10.3.3.3").status_code == 429
