"""The database drops: the user gets a clear Chinese 503 page that keeps what they typed.

The database is made really unreachable (the connection closed and its settings pointed
at a file in a missing folder on SQLite, or at a closed port on PostgreSQL), so the
errors are the driver's own, not mocks. bench/faults/db_drop.py does the same through
gunicorn and a TCP proxy that drops PostgreSQL connections.
"""

import html
import re
from contextlib import contextmanager

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.urls import include, path, reverse

from submissions.models import Item

from .submissions.helpers import BODY, category


def _unreachable_settings() -> dict:
    if connection.vendor == "sqlite":
        return {"NAME": "/nonexistent-govinfo-dir/db.sqlite3"}
    return {"HOST": "127.0.0.1", "PORT": "1"}


def _cut() -> dict:
    """Close the connection and point it nowhere; returns what to restore."""
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(_unreachable_settings())
    return saved


def _restore(saved: dict) -> None:
    connection.close()
    connection.settings_dict.clear()
    connection.settings_dict.update(saved)


@contextmanager
def database_down():
    saved = _cut()
    try:
        yield
    finally:
        _restore(saved)


_cut_in_view: list[dict] = []


def breaks_in_the_view(request):
    """Test-only view: the user is loaded, then the database goes away mid-view."""
    assert request.user.is_authenticated
    _cut_in_view.append(_cut())
    Item.objects.count()  # raises OperationalError: the database cannot be reached
    return HttpResponse("unreachable")


def fails_otherwise(request):
    raise ValueError("a bug, not the database")


urlpatterns = [
    path("_test/breaks/", breaks_in_the_view),
    path("_test/fails/", fails_otherwise),
    path("", include("govinfo.urls")),
]


def _kept_form(page: str) -> tuple[str, dict[str, list[str]]]:
    """The action and fields of the 503 page's form, as a browser would post them."""
    action = html.unescape(re.search(r'<form method="post" action="([^"]*)"', page).group(1))
    fields: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)" value="([^"]*)"', page):
        fields.setdefault(html.unescape(name), []).append(html.unescape(value))
    for name, value in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S):
        fields.setdefault(html.unescape(name), []).append(html.unescape(value))
    return action, fields


@pytest.mark.django_db(transaction=True)
def test_submission_during_database_outage_gets_503_page_that_keeps_the_text(writer):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(writer)
    form_page = client.get(reverse("item_create"))
    assert form_page.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form_page.content.decode()).group(1)
    typed = {
        "csrfmiddlewaretoken": token,
        "title": "断线时写的标题<b>不丢</b>",
        "body": BODY,
        "category": str(category().pk),
        "form": "full",
        "confidentiality": "internal",
        "event_date": "2026-11-20",
        "writers": "张三",
        "phone": "0871-12345678",
    }
    with database_down():
        response = client.post(reverse("item_create"), typed)
    page = response.content.decode()
    assert response.status_code == 503 and response["Retry-After"]
    assert "数据库暂时无法连接" in page and "尚未保存" in page and "重新提交" in page
    # The typed text is shown (escaped), the old token is not sent back.
    assert "断线时写的标题&lt;b&gt;不丢&lt;/b&gt;" in page and "<b>不丢</b>" not in page
    assert "一是强化要素保障" in page and "0871-12345678" in page
    assert token not in page
    assert not Item.objects.exists()

    action, fields = _kept_form(page)
    assert action == reverse("item_create")
    for name in ("title", "body", "category", "form", "confidentiality", "event_date", "writers", "phone"):
        assert fields[name] == [typed[name]], name
    assert fields["csrfmiddlewaretoken"][0] != token

    # The database is back: resubmitting the page's form (with its fresh token) saves once.
    resubmitted = client.post(action, {k: v[0] for k, v in fields.items()})
    item = Item.objects.get()
    assert resubmitted.status_code == 302 and resubmitted.url == reverse("item_detail", args=[item.pk])
    assert item.plain_title == typed["title"] and item.plain_body == BODY and item.phone == "0871-12345678"


@pytest.mark.django_db(transaction=True)
@pytest.mark.urls("tests.test_dberrors")
def test_error_raised_inside_a_view_is_answered_by_the_middleware(writer):
    client = Client()  # re-raises any exception that escapes: none must
    client.force_login(writer)
    try:
        response = client.post("/_test/breaks/", {"comment": "退回意见：请补充数据", "reason": ["甲", "乙"]})
    finally:
        while _cut_in_view:
            _restore(_cut_in_view.pop())
    page = response.content.decode()
    assert response.status_code == 503
    assert "退回意见：请补充数据" in page and 'name="reason" value="甲"' in page and 'name="reason" value="乙"' in page
    assert Item.objects.count() == 0  # and the connection works again


@pytest.mark.django_db(transaction=True)
def test_page_view_during_outage_asks_to_reload_without_a_form(editor):
    client = Client(raise_request_exception=False)
    client.force_login(editor)
    with database_down():
        response = client.get(reverse("desk"))
    page = response.content.decode()
    assert response.status_code == 503
    assert "系统暂时无法连接数据库" in page and "请稍后刷新本页面" in page and "<form" not in page


@pytest.mark.django_db(transaction=True)
def test_api_during_outage_answers_json_503(writer):
    client = Client(raise_request_exception=False)
    client.force_login(writer)
    with database_down():
        response = client.get("/api/v1/items/")
    assert response.status_code == 503
    assert response.json()["code"] == "database_unavailable" and "数据库" in response.json()["message"]


@pytest.mark.django_db
@pytest.mark.urls("tests.test_dberrors")
def test_other_errors_stay_500(writer):
    client = Client(raise_request_exception=False)
    client.force_login(writer)
    response = client.post("/_test/fails/", {"title": "x"})
    assert response.status_code == 500 and "数据库" not in response.content.decode()
