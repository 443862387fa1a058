"""Commissions (约稿) over the API: issuing, the office's and the inbox's lists and
details, answering with a draft."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from submissions.commissions import actions as commissions
from submissions.models import Commission, Item, State
from tests.factories import UnitFactory, UserFactory
from tests.submissions.helpers import BODY, act, category
from tests.submissions.helpers import data as item_data
from units.models import Notification, Role

LIST = reverse("api-commission-list")
TOPIC = "今冬明春重点项目推进情况"


def api_for(user=None) -> APIClient:
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    return api


@pytest.fixture
def farm(city):
    unit = UnitFactory(name="昆明市农业农村局", short_name="市农业农村局", parent=city, sort_order=2)
    UserFactory(username="farm_writer", unit=unit, roles=[Role.STAFF])
    return unit


def issue(editor, units, *, days=3) -> Commission:
    return commissions.issue_commission(
        user=editor, topic=TOPIC, requirements="突出数据", deadline=timezone.now() + dt.timedelta(days=days),
        units=units,
    )  # fmt: skip


def new_commission(**overrides) -> dict:
    values = {
        "topic": TOPIC,
        "requirements": "突出数据",
        "deadline": (timezone.now() + dt.timedelta(days=2)).isoformat(),
    }
    values.update(overrides)
    return values


def test_editor_issues_a_commission_and_the_targets_are_notified(editor, writer, department, farm):
    response = api_for(editor).post(LIST, new_commission(targets=[department.pk]), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["box"] == "office" and data["topic"] == TOPIC and data["targets_count"] == 1
    assert [t["unit"]["id"] for t in data["targets"]] == [department.pk] and data["targets"][0]["status"] == "pending"
    assert Notification.objects.filter(recipient=writer, verb="commission").count() == 1
    everyone = api_for(editor).post(LIST, new_commission(all_targets=True), format="json").json()
    assert {t["unit"]["id"] for t in everyone["targets"]} == {department.pk, farm.pk}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"targets": []}, "targets"),
        ({"deadline": "2020-01-01T08:00:00+08:00"}, "deadline"),
        ({"deadline": "明天下午"}, "deadline"),
        ({"topic": ""}, "topic"),
        ({"targets": "outside"}, "targets"),
        ({"targets": ["abc"]}, "targets"),
    ],
)
def test_bad_commission_input_is_400(editor, department, other_writer, change, field):
    if change.get("targets") == "outside":
        change = {"targets": [other_writer.unit_id]}
    response = api_for(editor).post(LIST, new_commission(**change), format="json")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid" and field in response.json()["errors"]
    assert not Commission.objects.exists()


def test_only_editors_issue_commissions(writer, leader, department):
    for person in (writer, leader):
        response = api_for(person).post(LIST, new_commission(targets=[department.pk]), format="json")
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert api_for().post(LIST, new_commission(targets=[department.pk]), format="json").status_code == 401
    assert not Commission.objects.exists()


def test_office_list_counts_answers_and_inbox_lists_the_units_commissions(
    editor, writer, unit_approver, department, farm, other_editor, other_writer
):
    commission = issue(editor, [department, farm])
    item = commissions.answer_commission(author=writer, commission=commission, data=item_data())
    act(item, writer, "send_for_signoff")
    act(item, unit_approver, "sign_off")

    office = api_for(editor).get(LIST).json()
    assert office["count"] == 1
    row = office["results"][0]
    assert (row["box"], row["targets_count"], row["on_time"], row["unanswered"]) == ("office", 2, 1, 1)
    assert row["status"] is None and row["is_open"] is True

    inbox = api_for(writer).get(LIST).json()["results"]
    assert [(r["id"], r["box"], r["status"]) for r in inbox] == [(commission.pk, "inbox", "on_time")]
    assert inbox[0]["answered_at"] and inbox[0]["targets_count"] is None
    assert api_for(writer).get(LIST, {"status": "closed"}).json()["count"] == 0
    assert api_for(writer).get(LIST, {"q": "今冬"}).json()["count"] == 1

    for person in (other_editor, other_writer):
        assert api_for(person).get(LIST).json()["count"] == 0
    bad = api_for(editor).get(LIST, {"box": "all"})
    assert bad.status_code == 400 and "box" in bad.json()["errors"]
    assert api_for(editor).get(LIST, {"status": "nonsense"}).json()["count"] == 1  # a bad filter is ignored
    assert api_for().get(LIST).status_code == 401


def test_detail_for_the_office_and_for_the_inbox(editor, writer, unit_approver, department, farm):
    commission = issue(editor, [department, farm])
    item = commissions.answer_commission(author=writer, commission=commission, data=item_data(title="项目推进情况"))
    url = reverse("api-commission-detail", args=[commission.pk])
    office = api_for(editor).get(url).json()
    assert [(t["unit"]["id"], t["status"], t["items"]) for t in office["targets"]] == [
        (department.pk, "pending", []),  # a draft has not reached the office
        (farm.pk, "pending", []),
    ]
    assert office["answers"] is None
    inbox = api_for(unit_approver).get(url).json()
    assert inbox["box"] == "inbox" and inbox["targets"] is None and inbox["status"] == "pending"
    assert [(a["id"], a["title"], a["state"]) for a in inbox["answers"]] == [(item.pk, "项目推进情况", State.DRAFT)]


def test_detail_refuses_outsiders(editor, department, other_editor, other_writer, outsider):
    commission = issue(editor, [department])
    for person in (other_editor, other_writer, outsider):
        response = api_for(person).get(reverse("api-commission-detail", args=[commission.pk]))
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert api_for(editor).get("/api/v1/commissions/abc/").status_code == 404


def answer_payload(**overrides) -> dict:
    values = {"title": "市发展改革委重点项目推进情况", "body": BODY, "category": category().pk}
    values.update(overrides)
    return values


def test_writer_answers_a_commission_with_a_draft(editor, writer, department):
    commission = issue(editor, [department])
    url = reverse("api-commission-answer", args=[commission.pk])
    response = api_for(writer).post(url, answer_payload(), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["commission"] == commission.pk and response.json()["state"] == State.DRAFT
    item = Item.objects.get(pk=response.json()["id"])
    assert item.commission_id == commission.pk and item.author == writer


def test_answer_refusals_and_bad_input(editor, writer, unit_approver, department, farm, other_writer):
    commission = issue(editor, [farm])  # the writer's unit is not asked
    url = reverse("api-commission-answer", args=[commission.pk])
    assert api_for(writer).post(url, answer_payload(), format="json").status_code == 404
    assert api_for(other_writer).post(url, answer_payload(), format="json").status_code == 404
    asked = issue(editor, [department])
    answer_url = reverse("api-commission-answer", args=[asked.pk])
    assert api_for(unit_approver).post(answer_url, answer_payload(), format="json").status_code == 404  # not staff
    bad = api_for(writer).post(answer_url, answer_payload(title=""), format="json")
    assert bad.status_code == 400 and "title" in bad.json()["errors"]
    assert api_for().post(answer_url, answer_payload(), format="json").status_code == 401
    assert not Item.objects.exists()


def test_page_and_api_list_the_same_commissions_in_the_same_order(client, editor, writer, department):
    # One query function per listing (commissions.queries) serves both; this pins it.
    soon, later = issue(editor, [department], days=1), issue(editor, [department], days=5)
    later.topic = "另一约稿主题"
    later.save(update_fields=["topic"])
    office = [c["id"] for c in api_for(editor).get(LIST, {"box": "office"}).json()["results"]]
    client.force_login(editor)
    page = client.get(reverse("commission_list"))
    assert office == [c.pk for c in page.context["rows"]] == [later.pk, soon.pk]
    inbox = [c["id"] for c in api_for(writer).get(LIST, {"box": "inbox", "status": "open"}).json()["results"]]
    client.force_login(writer)
    page = client.get(reverse("commission_inbox"))
    assert inbox == [c.pk for c in page.context["page"].object_list] == [soon.pk, later.pk]
    assert all(c.status == "pending" for c in page.context["page"].object_list)
