"""A unit's ledger is open to the whole unit (and to every assessed unit while public), but
a row names its item only as far as the reader may read the item: 敏感 items as
"（敏感信息）", other units' items by number — on the page, in the Excel file and in the API."""

import io

import openpyxl
import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from publications import actions as pub_actions
from publications.models import Confidentiality, Publication, PublicationKind
from scoring import actions
from scoring.models import PublicationRule
from tests.factories import UserFactory
from tests.submissions.helpers import submitted
from units.models import Role

SECRET = "某工业园区企业欠薪引发聚集"
ORDINARY = "市发展改革委推进重大项目建设"


@pytest.fixture
def dynamic(city, scheme):
    publication = Publication.objects.create(
        office=city, name="动态信息专报", kind=PublicationKind.DYNAMIC_REPORT,
        confidentiality=Confidentiality.SENSITIVE, points_full=13,
    )  # fmt: skip
    PublicationRule.objects.create(scheme=scheme, publication=publication, form="full", points=13)
    return publication


@pytest.fixture
def ledger(writer, unit_approver, editor, leader, pubs, dynamic, scheme, department):
    """The department's ledger: an adoption of a 敏感 item, a penalty on another 敏感
    item that was never published, and an adoption of an ordinary item."""
    secret = submitted(writer, unit_approver, title=SECRET, confidentiality="sensitive", named_readers=[leader])
    pub_actions.adopt(item=secret, user=editor, publication=dynamic)
    unpublished = submitted(
        writer, unit_approver, title=f"{SECRET}（首报）", confidentiality="sensitive", named_readers=[leader]
    )
    actions.record_penalty(scheme=scheme, unit=department, kind="emergency_late", reason="突发事件首报迟报",
                           user=None, ref="test:late", item=unpublished)  # fmt: skip
    ordinary = submitted(writer, unit_approver, title=ORDINARY)
    pub_actions.adopt(item=ordinary, user=editor, publication=pubs["general"])
    return {"secret": secret, "unpublished": unpublished, "ordinary": ordinary}


def _page(client, user, scheme, unit) -> str:
    client.force_login(user)
    response = client.get(reverse("unit_ledger", args=[scheme.pk, unit.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _export(client, user, scheme, unit) -> str:
    client.force_login(user)
    response = client.get(reverse("unit_ledger_export", args=[scheme.pk, unit.pk]))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return "\n".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None)


def _api(user, scheme, unit) -> list[dict]:
    client = APIClient()
    client.force_authenticate(user)
    response = client.get(f"/api/v1/schemes/{scheme.pk}/units/{unit.pk}/ledger/")
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_colleague_of_the_unit_sees_no_sensitive_title(client, colleague, scheme, department, ledger):
    page = _page(client, colleague, scheme, department)
    assert SECRET not in page
    assert page.count("（敏感信息）") == 2
    assert ORDINARY in page  # the unit's own ordinary item: its staff read it
    exported = _export(client, colleague, scheme, department)
    assert SECRET not in exported and exported.count("（敏感信息）") == 2 and ORDINARY in exported
    labels = {row["item"]: row["item_label"] for row in _api(colleague, scheme, department)}
    assert labels[ledger["secret"].pk] == labels[ledger["unpublished"].pk] == "（敏感信息）"
    assert labels[ledger["ordinary"].pk] == ORDINARY


def test_other_assessed_unit_sees_items_by_number_only(client, scheme, department, second_department, ledger):
    neighbour = UserFactory(username="neighbour", unit=second_department, roles=[Role.STAFF, Role.LEADER])
    page = _page(client, neighbour, scheme, department)
    assert SECRET not in page and ORDINARY not in page
    assert f"第{ledger['ordinary'].pk}号信息" in page
    # No link to an item page they could not open.
    assert reverse("item_detail", args=[ledger["ordinary"].pk]) not in page
    exported = _export(client, neighbour, scheme, department)
    assert SECRET not in exported and ORDINARY not in exported
    assert all(SECRET not in r["item_label"] and ORDINARY not in r["item_label"]
               for r in _api(neighbour, scheme, department))  # fmt: skip


def test_office_leader_not_named_sees_no_sensitive_title(client, city, scheme, department, ledger):
    other_leader = UserFactory(username="leader2", unit=city, roles=[Role.LEADER])
    page = _page(client, other_leader, scheme, department)
    assert SECRET not in page and page.count("（敏感信息）") == 2
    assert SECRET not in _export(client, other_leader, scheme, department)


def test_readers_of_the_item_still_see_its_title(client, writer, editor, leader, scheme, department, ledger):
    for person in (writer, editor, leader):  # the author, the office's editor, the named leader
        page = _page(client, person, scheme, department)
        assert SECRET in page, person
        assert reverse("item_detail", args=[ledger["secret"].pk]) in page
    assert SECRET in _export(client, editor, scheme, department)


def test_recompute_differences_name_items_as_the_admin_may_read_them(
    client, city_admin, scheme, dynamic, department, ledger
):
    PublicationRule.objects.filter(scheme=scheme, publication=dynamic).update(points=12)
    client.force_login(city_admin)
    page = client.post(reverse("scheme_recompute", args=[scheme.pk])).content.decode()
    assert "（敏感信息）" in page and SECRET not in page
