"""Access follows a person's roles as they are now, for a signed-in session and for an API
token alike: what was allowed under yesterday's roles is not allowed under today's.

The matrix (test_access_matrix.py) fixes each persona's roles for the whole run; these are
the cases it cannot see: a role gained or lost between two requests."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import UserFactory
from tests.submissions.helpers import submitted
from units.actions import set_roles
from units.models import Role

SECRET = "某工业园区企业欠薪引发聚集"


@pytest.fixture
def sensitive(writer, unit_approver, leader):
    return submitted(writer, unit_approver, title=SECRET, confidentiality="sensitive", named_readers=[leader])


def _token_client(username: str) -> APIClient:
    api = APIClient()
    response = api.post("/api/v1/auth/token/", {"username": username, "password": "pw-for-tests"}, format="json")
    assert response.status_code == 200, response.content
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return api


@pytest.fixture
def colleague_leader(city):
    person = UserFactory(username="leader_b", unit=city, roles=[Role.LEADER])
    person.set_password("pw-for-tests")
    person.save()
    return person


def test_gaining_a_role_that_needs_a_second_factor_stops_the_old_token_and_session(client, colleague_leader, sensitive):
    api = _token_client("leader_b")
    client.force_login(colleague_leader)
    url = f"/api/v1/items/{sensitive.pk}/"
    assert api.get(url).status_code == 404  # a leader not named on the item
    assert client.get(reverse("item_detail", args=[sensitive.pk])).status_code == 404

    set_roles(user=colleague_leader, roles=[Role.LEADER, Role.EDITOR])  # now an editor of the office
    answer = api.get(url)
    assert answer.status_code == 401 and SECRET not in answer.content.decode()
    page = client.get(reverse("item_detail", args=[sensitive.pk]))
    # The session is sent to the second factor before it may use the new role.
    assert page.status_code == 302 and page["Location"].startswith("/2fa/")
    assert SECRET not in page.content.decode()


def test_losing_a_role_ends_what_it_allowed(client, colleague_leader, sensitive, city):
    set_roles(user=colleague_leader, roles=[Role.LEADER, Role.EDITOR])
    sensitive.named_readers.add(colleague_leader)
    client.force_login(colleague_leader)
    set_roles(user=colleague_leader, roles=[])  # left the information section
    colleague_leader.refresh_from_db()
    assert client.get(reverse("desk")).status_code in (403, 404)
    assert client.get(reverse("item_detail", args=[sensitive.pk])).status_code == 404
    api = APIClient()
    refused = api.post("/api/v1/auth/token/", {"username": "leader_b", "password": "pw-for-tests"}, format="json")
    if refused.status_code == 200:  # a person without roles may still hold a token …
        api.credentials(HTTP_AUTHORIZATION=f"Token {refused.json()['token']}")
        assert api.get(f"/api/v1/items/{sensitive.pk}/").status_code == 404  # … that opens nothing
