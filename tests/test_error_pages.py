"""Missing and forbidden pages answer with the project's Chinese pages and a way home,
with DEBUG on (the demo) as with it off: never Django's English technical page, which
lists every URL pattern."""

import pytest
from django.test import Client

TECHNICAL = ("URLconf", "Using the URLconf", "Page not found", "CSRF verification failed", "Django")


def _assert_chinese_page(response, status: int, heading: str) -> None:
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    text = response.content.decode()
    assert heading in text
    assert 'href="/"' in text and "返回首页" in text
    for english in TECHNICAL:
        assert english not in text, english


@pytest.mark.parametrize("debug", [True, False])
def test_unknown_address_gets_the_chinese_404_page(client, writer, settings, debug):
    settings.DEBUG = debug
    client.force_login(writer)
    _assert_chinese_page(client.get("/no-such-page/"), 404, "没有找到")


def test_unknown_address_gets_the_chinese_404_page_before_login(client, db, settings):
    settings.DEBUG = True
    _assert_chinese_page(client.get("/no/such/page/"), 404, "没有找到")


def test_missing_item_raised_by_the_view_gets_the_chinese_404_page(client, writer, settings):
    settings.DEBUG = True
    client.force_login(writer)
    _assert_chinese_page(client.get("/items/999999/"), 404, "没有找到")


def test_forbidden_page_gets_the_chinese_403_page(client, writer, settings):
    settings.DEBUG = True
    client.force_login(writer)
    _assert_chinese_page(client.get("/desk/"), 403, "无权访问")


def test_expired_form_gets_the_chinese_csrf_page(writer, settings):
    settings.DEBUG = True
    client = Client(enforce_csrf_checks=True)
    client.force_login(writer)
    _assert_chinese_page(client.post("/logout/"), 403, "页面已过期")


def test_address_without_its_slash_is_still_redirected(client, writer, settings):
    settings.DEBUG = True
    client.force_login(writer)
    response = client.get("/desk")
    assert response.status_code == 301 and response["Location"] == "/desk/"


def test_api_keeps_its_json_404(client, writer, settings):
    settings.DEBUG = True
    client.force_login(writer)
    response = client.get("/api/v1/items/999999/")
    assert response.status_code == 404 and response["Content-Type"].startswith("application/json")
