"""Throttling counts per real client — the address the login lockout uses
(govinfo/clientip.py) — never per a header the client writes itself; and one address
guessing passwords for many user names is stopped like one guessing for one name."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import PASSWORD, UserFactory
from units.models import Role

TOKEN = "/api/v1/auth/token/"


# Throttle counters live in the cache: on Redis in CI, as in production (tests/conftest.py
# gives each test a key prefix of its own).
pytestmark = pytest.mark.redis_cache


@pytest.fixture
def redis_cache():
    from django.core.cache import cache

    return cache


def _token_rate(settings) -> int:
    return int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["token"].split("/")[0])


def test_throttle_counts_are_kept_in_the_cache(redis_cache, settings):
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    from tests.conftest import redis_cache_required

    if redis_cache_required():
        # CI runs this on Redis, as production does: never on a silent fallback.
        assert isinstance(caches["default"], RedisCache), type(caches["default"])
    APIClient().post(TOKEN, {}, format="json")
    if isinstance(caches["default"], RedisCache):
        prefix = settings.CACHES["default"]["KEY_PREFIX"]
        keys = [k.decode() for k in redis_cache._cache.get_client().scan_iter(f"{prefix}:*")]
    else:  # without REDIS_URL (a developer's make test) the counts are in local memory
        keys = list(redis_cache._cache)
    assert any(":throttle_token_" in k for k in keys), keys


def test_rotating_x_forwarded_for_does_not_escape_the_token_throttle(redis_cache, settings):
    api = APIClient()
    for n in range(_token_rate(settings)):
        # Invalid bodies: counted by the throttle, never reaching the password check.
        response = api.post(TOKEN, {}, format="json", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
        assert response.status_code == 400
    refused = api.post(TOKEN, {}, format="json", HTTP_X_FORWARDED_FOR="203.0.113.77")
    assert refused.status_code == 429
    assert refused.json() == {"code": "throttled", "message": "请求过于频繁，请稍后再试。"}


def test_behind_the_proxy_each_real_client_has_its_own_count(redis_cache, settings):
    settings.BEHIND_PROXY = True
    api = APIClient()
    for _ in range(_token_rate(settings)):
        api.post(TOKEN, {}, format="json", HTTP_X_REAL_IP="10.8.0.1")
    assert api.post(TOKEN, {}, format="json", HTTP_X_REAL_IP="10.8.0.1").status_code == 429
    # Another desk behind the same nginx is not held up by the first.
    assert api.post(TOKEN, {}, format="json", HTTP_X_REAL_IP="10.8.0.2").status_code == 400


def test_locked_out_api_call_answers_with_the_api_error_not_the_login_page(writer, settings):
    api = APIClient()
    wrong = {"username": writer.username, "password": "wrong-password"}
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert api.post(TOKEN, wrong, format="json").json()["code"] == "invalid_credentials"
    for credentials in (wrong, {"username": writer.username, "password": PASSWORD}):
        response = api.post(TOKEN, credentials, format="json")
        assert response.status_code == 429
        assert response["Content-Type"] == "application/json"
        assert response.json()["code"] == "locked_out"
        assert "登录失败次数过多" in response.json()["message"] and "15 分钟" in response.json()["message"]


def _obtain_from(address: str, username: str, password: str = PASSWORD):
    credentials = {"username": username, "password": password}
    return APIClient().post(TOKEN, credentials, format="json", HTTP_X_REAL_IP=address)


def _spray(settings, *, via: str, address: str, count: int) -> None:
    """One address, one wrong guess for each of `count` user names (most do not exist)."""
    settings.BEHIND_PROXY = True
    api = APIClient()
    for n in range(count):
        credentials = {"username": f"person{n}", "password": "Spring-2026"}
        if via == "api":
            api.post(TOKEN, credentials, format="json", HTTP_X_REAL_IP=address)
        else:
            api.post(reverse("login"), credentials, HTTP_X_REAL_IP=address)


@pytest.mark.parametrize("via", ["api", "page"])
def test_password_spraying_from_one_address_is_locked_out(writer, settings, via):
    settings.AXES_ADDRESS_FAILURE_LIMIT = 8
    _spray(settings, via=via, address="10.9.9.9", count=settings.AXES_ADDRESS_FAILURE_LIMIT)
    api = APIClient()
    # Every name is now refused from that address, even with the right password...
    by_api = _obtain_from("10.9.9.9", writer.username)
    assert by_api.status_code == 429 and by_api.json()["code"] == "locked_out"
    page = api.post(reverse("login"), {"username": writer.username, "password": PASSWORD}, HTTP_X_REAL_IP="10.9.9.9")
    assert page.status_code == 429 and "登录失败次数过多" in page.content.decode()
    assert "_auth_user_id" not in api.session
    # ...while another address is not affected.
    elsewhere = _obtain_from("10.7.7.7", writer.username)
    assert elsewhere.status_code == 200


def test_an_office_behind_one_address_survives_a_few_typos(settings, department):
    """The per-address limit is well above the per-name one: five colleagues who each
    mistype once do not lock their shared address."""
    settings.BEHIND_PROXY = True
    people = [UserFactory(username=f"clerk{n}", unit=department, roles=[Role.STAFF]) for n in range(5)]
    api = APIClient()
    for person in people:
        api.post(TOKEN, {"username": person.username, "password": "typo"}, format="json", HTTP_X_REAL_IP="10.5.5.5")
    assert settings.AXES_ADDRESS_FAILURE_LIMIT > settings.AXES_FAILURE_LIMIT
    ok = _obtain_from("10.5.5.5", people[0].username)
    assert ok.status_code == 200


def test_a_sprayer_cannot_reset_the_address_count_with_an_own_account(writer, settings):
    settings.AXES_ADDRESS_FAILURE_LIMIT = 8
    _spray(settings, via="api", address="10.6.6.6", count=settings.AXES_ADDRESS_FAILURE_LIMIT - 1)
    own = _obtain_from("10.6.6.6", writer.username)
    assert own.status_code == 200  # the sprayer's own login succeeds...
    assert AccessAttempt.objects.filter(ip_address="10.6.6.6").count() == settings.AXES_ADDRESS_FAILURE_LIMIT - 1
    _spray(settings, via="api", address="10.6.6.6", count=1)
    # ...but the guesses before it still count.
    again = _obtain_from("10.6.6.6", writer.username)
    assert again.status_code == 429 and again.json()["code"] == "locked_out"
