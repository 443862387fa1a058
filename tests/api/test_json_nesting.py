"""Deeply nested JSON is refused with a 400 and a Chinese message on every endpoint,
instead of a RecursionError (a 500 and a traceback in the log per request)."""

import json
import logging

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from govinfo.api.parsers import MAX_DEPTH

DEEP = "[" * 5000 + "]" * 5000


def _post(api, url, body: str):
    return api.post(url, data=body, content_type="application/json")


@pytest.mark.parametrize("body", [DEEP, '{"username": ' + DEEP + "}", "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)])
def test_deep_json_to_the_token_endpoint_is_a_400(db, body, caplog):
    with caplog.at_level(logging.ERROR):
        response = _post(APIClient(), reverse("api-token"), body)
    assert response.status_code == 400
    assert response.json() == {
        "code": "parse_error",
        "message": f"请求内容的 JSON 嵌套层数过多（最多 {MAX_DEPTH} 层）。",
    }
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_deep_json_is_refused_by_every_endpoint_that_reads_json(writer):
    api = APIClient()
    api.force_authenticate(writer)
    for url in (reverse("api-item-list"), reverse("api-token")):
        response = _post(api, url, DEEP)
        assert response.status_code == 400 and response.json()["code"] == "parse_error", url


def test_ordinary_nesting_and_malformed_json(writer):
    from tests.factories import PASSWORD

    api = APIClient()
    nested = json.dumps({"username": writer.username, "password": PASSWORD, "otp_code": ""})
    assert _post(api, reverse("api-token"), nested).status_code == 200
    broken = _post(api, reverse("api-token"), '{"username": ')
    assert broken.status_code == 400 and broken.json()["message"].startswith("请求内容不是有效的 JSON")


@hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], derandomize=True
)
@given(depth=st.integers(min_value=0, max_value=3000), opener=st.sampled_from(["[", '{"a":']))
def test_any_nesting_is_an_answer_never_a_server_error(writer, depth, opener):
    closer = "]" if opener == "[" else "}"
    body = opener * depth + "1" + closer * depth
    api = APIClient()
    api.force_authenticate(writer)
    response = _post(api, reverse("api-item-list"), body)
    assert response.status_code == 400
    expected = "parse_error" if depth > MAX_DEPTH else "invalid"
    assert response.json()["code"] == expected
