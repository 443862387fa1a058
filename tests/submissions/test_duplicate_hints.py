"""The duplicate check names only what the caller may open (issue 12, item 8).

A near-duplicate the caller may read shows with its unit and title; one they may not
read, at the office their text goes to, is one line without title, unit or link; one
elsewhere is not mentioned. 敏感 items never appear to someone who may not read them.
"""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from submissions import actions
from submissions.models import Confidentiality
from submissions.queries import SIMILAR_AT_OFFICE
from tests.factories import UnitFactory, UserFactory
from units.models import Role

from .helpers import BODY, act, data, submitted

OTHER_UNITS_TITLE = "市发展改革委重大项目建设提速增效"
OWN_UNITS_TITLE = "市农业农村局重大项目建设提速增效"
SENSITIVE_TITLE = "某重大项目资金缺口情况"
TYPED = {"title": "我局重大项目建设提速增效", "body": BODY}


@pytest.fixture
def sibling_department(city):
    return UnitFactory(name="昆明市农业农村局", short_name="市农业农村局", parent=city)


@pytest.fixture
def sibling_writer(sibling_department):
    """A writer of a department beside the writer's: same office, other unit."""
    return UserFactory(username="sibling_writer", unit=sibling_department, roles=[Role.STAFF])


@pytest.fixture
def sibling_approver(sibling_department):
    return UserFactory(username="sibling_approver", unit=sibling_department, roles=[Role.UNIT_APPROVER])


@pytest.fixture
def other_units_item(writer, unit_approver):
    """In review at the city office: the sibling department's writer may not open it."""
    return submitted(writer, unit_approver, title=OTHER_UNITS_TITLE)


def page_check(client, user, **extra) -> str:
    client.force_login(user)
    response = client.post(reverse("item_check"), {**TYPED, **extra})
    assert response.status_code == 200
    return response.content.decode()


def api_check(user, **extra) -> dict:
    api = APIClient()
    api.force_authenticate(user)
    response = api.post(reverse("api-item-check"), {**TYPED, **extra}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def test_sibling_writer_sees_that_the_office_has_a_similar_item_but_not_its_title(
    client, other_units_item, sibling_writer, writer
):
    page = page_check(client, sibling_writer)
    assert OTHER_UNITS_TITLE not in page and writer.unit.display_name not in page
    assert SIMILAR_AT_OFFICE in page and reverse("item_detail", args=[other_units_item.pk]) not in page
    body = api_check(sibling_writer)
    assert body["duplicates"] == [] and body["similar_notice"] == SIMILAR_AT_OFFICE
    assert OTHER_UNITS_TITLE not in str(body)


def test_sibling_writer_still_sees_their_own_units_item_with_its_title(
    client, other_units_item, sibling_writer, sibling_approver, writer
):
    own = submitted(sibling_writer, sibling_approver, title=OWN_UNITS_TITLE)
    page = page_check(client, sibling_writer)
    assert OWN_UNITS_TITLE in page and reverse("item_detail", args=[own.pk]) in page
    assert OTHER_UNITS_TITLE not in page and SIMILAR_AT_OFFICE in page
    body = api_check(sibling_writer)
    assert [(d["id"], d["title"]) for d in body["duplicates"]] == [(own.pk, OWN_UNITS_TITLE)]
    assert body["duplicates"][0]["unit"] == own.unit.display_name
    assert body["similar_notice"] == SIMILAR_AT_OFFICE


def test_writer_of_the_same_unit_sees_the_title_and_no_generic_line(client, other_units_item, colleague):
    page = page_check(client, colleague)
    assert OTHER_UNITS_TITLE in page and SIMILAR_AT_OFFICE not in page
    body = api_check(colleague)
    assert [d["title"] for d in body["duplicates"]] == [OTHER_UNITS_TITLE] and body["similar_notice"] == ""


def test_writer_under_another_office_is_told_nothing(client, other_units_item, other_writer):
    """The item is at the city office; the other city's writer's text goes elsewhere."""
    page = page_check(client, other_writer)
    assert OTHER_UNITS_TITLE not in page and SIMILAR_AT_OFFICE not in page
    body = api_check(other_writer)
    assert body["duplicates"] == [] and body["similar_notice"] == ""


def test_office_editor_sees_titles_on_the_item_page(client, other_units_item, sibling_writer, sibling_approver, editor):
    own = submitted(sibling_writer, sibling_approver, title=OWN_UNITS_TITLE)
    client.force_login(editor)
    page = client.get(reverse("item_detail", args=[own.pk])).content.decode()
    assert OTHER_UNITS_TITLE in page and SIMILAR_AT_OFFICE not in page


def test_item_page_of_the_sibling_writer_hides_the_other_units_title(
    client, other_units_item, sibling_writer, sibling_approver
):
    own = submitted(sibling_writer, sibling_approver, title=OWN_UNITS_TITLE)
    client.force_login(sibling_writer)
    page = client.get(reverse("item_detail", args=[own.pk])).content.decode()
    assert OTHER_UNITS_TITLE not in page and SIMILAR_AT_OFFICE in page


@pytest.fixture
def named_leader(city):
    return UserFactory(username="named_leader", unit=city, roles=[Role.LEADER])


def test_sensitive_near_duplicate_never_shows_its_title_to_a_colleague_who_cannot_read_it(
    client, writer, unit_approver, colleague, named_leader, editor
):
    # Submitted as 内部 (so fingerprinted), returned, then marked 敏感 by its writer: the
    # old fingerprints are still there until it is submitted again.
    item = submitted(writer, unit_approver, title=SENSITIVE_TITLE)
    act(item, editor, "return", comment="请补充数据")
    item.refresh_from_db()
    actions.update_draft(
        item=item, user=writer, expected_version=item.version,
        data=data(title=SENSITIVE_TITLE, confidentiality=Confidentiality.SENSITIVE, named_readers=[named_leader]),
    )  # fmt: skip
    # And one that was 敏感 from the start.
    submitted(writer, unit_approver, title=SENSITIVE_TITLE + "（续）", confidentiality=Confidentiality.SENSITIVE,
              named_readers=[named_leader])  # fmt: skip
    page = page_check(client, colleague)
    assert SENSITIVE_TITLE not in page
    body = api_check(colleague)
    assert SENSITIVE_TITLE not in str(body) and body["duplicates"] == []
