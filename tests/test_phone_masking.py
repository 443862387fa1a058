"""Phone numbers (GB/T 22239 8.1.4.6): in full only to the person, their unit's approver
and the editors of the office their unit reports to; masked (138****1234) for everyone
else, on the item page and in the API."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import UserFactory
from tests.submissions.helpers import submitted
from units.access import mask_phone, phone_for
from units.models import Role

pytestmark = pytest.mark.django_db

PHONE = "13812341234"
MASKED = "138****1234"


def test_mask_keeps_three_and_four_digits():
    assert mask_phone(PHONE) == MASKED
    assert mask_phone("0871-63612345") == "087******2345"
    assert mask_phone("12345") == "***45"
    assert mask_phone("") == ""


@pytest.fixture
def item(writer, unit_approver, leader):
    return submitted(writer, unit_approver, title="市发展改革委推进重大项目建设", phone=PHONE)


def _page(client, user, item) -> str:
    client.force_login(user)
    response = client.get(reverse("item_detail", args=[item.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _api(user, item) -> str:
    api = APIClient()
    api.force_authenticate(user)
    response = api.get(f"/api/v1/items/{item.pk}/")
    assert response.status_code == 200
    return response.json()["phone"]


def test_the_writer_their_approver_and_the_offices_editor_see_the_full_number(client, item, writer, unit_approver,
                                                                              editor):  # fmt: skip
    for person in (writer, unit_approver, editor):
        page = _page(client, person, item)
        assert PHONE in page and MASKED not in page, person.username
        assert _api(person, item) == PHONE


def test_a_colleague_a_leader_and_a_higher_editor_see_it_masked(client, item, colleague, leader, department, province):
    province_editor = UserFactory(username="prov_editor", unit=province, roles=[Role.EDITOR])
    for person in (colleague, leader, province_editor):
        assert phone_for(person, item) == MASKED
    # A colleague of the writer's unit may open the item, and sees the masked number there.
    page = _page(client, colleague, item)
    assert MASKED in page and PHONE not in page
    assert _api(colleague, item) == MASKED


def test_a_persons_own_number(writer, unit_approver, editor, outsider):
    writer.phone = PHONE
    assert phone_for(writer, writer) == PHONE
    assert phone_for(unit_approver, writer) == PHONE
    assert phone_for(editor, writer) == PHONE
    assert phone_for(outsider, writer) == MASKED
