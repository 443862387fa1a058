"""An unexpected error shows a Chinese page, not Django's bare "Server Error (500)"."""

import pytest
from django.test import Client
from django.urls import path

from govinfo.urls import urlpatterns as project_urls


def broken(request):
    raise RuntimeError("boom")


urlpatterns = [path("test-broken/", broken), *project_urls]


@pytest.mark.urls("tests.test_server_error")
def test_unexpected_error_shows_chinese_page(writer, settings):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.force_login(writer)
    response = client.get("/test-broken/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "系统出错，本次操作未能完成" in body
    assert "boom" not in body  # nothing of the error leaks to the page
