"""Emergencies (突发事件) over the API: the reporting unit's staff report a case with its
首报 and follow it up; the receiving office's editors follow the cases and the timer;
nobody else sees them."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from submissions.emergencies import actions as emergencies
from submissions.models import Confidentiality, EmergencyCase, Item, ReportKind, State
from tests.factories import UserFactory
from tests.submissions.helpers import BODY, act
from tests.submissions.helpers import data as item_data
from units.models import Role

LIST = reverse("api-emergency-list")
TITLE = "某县发生山体滑坡"


def api_for(user=None) -> APIClient:
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    return api


def detail(case) -> str:
    return reverse("api-emergency-detail", args=[case.pk])


def report(**overrides) -> dict:
    values = {
        "title": TITLE,
        "body": BODY,
        "grade": "major",
        "occurred_at": (timezone.now() - dt.timedelta(minutes=10)).isoformat(),
    }
    values.update(overrides)
    return values


def start(writer, *, minutes_ago=10, grade="major", **overrides) -> Item:
    case = emergencies.CaseData(grade=grade, occurred_at=timezone.now() - dt.timedelta(minutes=minutes_ago))
    return emergencies.start_case(author=writer, data=item_data(title=TITLE, **overrides), case=case)


def sign_off(item, writer, approver) -> None:
    act(item, writer, "send_for_signoff")
    act(item, approver, "sign_off")


@pytest.fixture
def colleague(department):
    """A unit approver and leader of the department (reads the case, writes no reports)."""
    return UserFactory(username="dept_leader", unit=department, roles=[Role.UNIT_APPROVER, Role.LEADER])


# --- Reporting (the unit's staff) ----------------------------------------------------------


def test_staff_reports_an_emergency_and_sees_the_timer_running(writer, department, city):
    occurred = timezone.now() - dt.timedelta(minutes=20)
    response = api_for(writer).post(LIST, report(occurred_at=occurred.isoformat()), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    case = EmergencyCase.objects.get(pk=data["id"])
    first = Item.objects.get(emergency_case=case)
    assert (case.unit, case.office, case.grade) == (department, city, "major")
    assert (first.report_kind, first.category.code, first.state) == (ReportKind.FIRST, "emergency", State.DRAFT)
    assert data["grade_label"] == "重大" and data["unit"]["id"] == department.pk and data["office"]["id"] == city.pk
    assert data["written_at"] is None and data["report_count"] == 0 and not data["is_closed"]
    timer = data["timer"]
    # 重大: written within 60 minutes of happening; 20 of them are gone.
    assert timer["running"] and not timer["overdue"] and timer["overdue_seconds"] is None
    assert 39 * 60 <= timer["remaining_seconds"] <= 40 * 60 and timer["text"] == "剩余40分钟"
    assert (
        dt.datetime.fromisoformat(timer["deadline"])
        == case.written_deadline
        == case.occurred_at + dt.timedelta(minutes=60)
    )
    assert data["can_add_report"] is True
    assert data["reports"] == [
        {
            "id": first.pk, "kind": "first", "seq": 0, "label": "首报", "state": "draft", "state_label": "草稿",
            "title": TITLE, "readable": True, "first_submitted_at": None, "is_late": False,
        }
    ]  # fmt: skip


def test_the_timer_shows_overdue_seconds_and_stops_when_the_first_report_is_in(writer, unit_approver):
    first = start(writer, minutes_ago=90)
    case = first.emergency_case
    timer = api_for(writer).get(detail(case)).json()["timer"]
    assert timer["running"] and timer["overdue"] and timer["remaining_seconds"] is None
    assert 29 * 60 <= timer["overdue_seconds"] <= 31 * 60 and timer["text"] == "已超时30分钟"

    sign_off(first, writer, unit_approver)
    data = api_for(writer).get(detail(case)).json()
    assert data["is_late"] and data["written_at"] is not None and data["report_count"] == 1
    # Stopped: it says by how much the written report was late, and counts no further.
    assert not data["timer"]["running"] and data["timer"]["overdue"] and data["timer"]["text"] is None
    assert 29 * 60 <= data["timer"]["overdue_seconds"] <= 31 * 60
    assert data["reports"][0]["is_late"] and data["reports"][0]["state"] == "submitted"


def test_bad_case_values_are_refused_in_chinese(writer):
    future = (timezone.now() + dt.timedelta(hours=1)).isoformat()
    response = api_for(writer).post(LIST, report(occurred_at=future), format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and "事件发生时间不能晚于当前时间" in response.json()["message"]
    response = api_for(writer).post(LIST, report(grade="huge"), format="json")
    assert response.status_code == 400 and "grade" in response.json()["errors"]
    secret = api_for(writer).post(LIST, report(confidentiality="secret"), format="json")
    assert secret.status_code == 400 and "机要" in secret.json()["message"]
    assert not EmergencyCase.objects.exists()


def test_only_staff_report_emergencies(editor, colleague):
    for user in (editor, colleague):
        response = api_for(user).post(LIST, report(), format="json")
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert not EmergencyCase.objects.exists()


def test_follow_ups_wait_for_the_first_report_and_end_with_the_final_report(writer, unit_approver, editor):
    first = start(writer)
    case = first.emergency_case
    url = reverse("api-emergency-reports", args=[case.pk])
    early = api_for(writer).post(url, {"title": "续报：伤员救治情况", "body": BODY}, format="json")
    assert early.status_code == 409 and "首报尚未报送" in early.json()["message"]

    sign_off(first, writer, unit_approver)
    one = api_for(writer).post(url, {"title": "续报：伤员救治情况", "body": BODY}, format="json")
    assert one.status_code == 201, one.content
    assert one.json()["category"]["code"] == "emergency" and one.json()["state"] == "draft"
    final = api_for(writer).post(url, {"title": "终报：处置完毕", "body": BODY, "kind": "final"}, format="json")
    assert final.status_code == 201
    labels = [r["label"] for r in api_for(writer).get(detail(case)).json()["reports"]]
    assert labels == ["首报", "续报一", "终报"]

    sign_off(Item.objects.get(pk=final.json()["id"]), writer, unit_approver)
    data = api_for(editor).get(detail(case)).json()
    assert data["is_closed"] and data["closed_at"] and not data["timer"]["running"]
    # The editor sees only what reached the office: not the follow-up still in draft.
    assert [r["label"] for r in data["reports"]] == ["首报", "终报"] and data["can_add_report"] is False
    closed = api_for(writer).post(url, {"title": "续报：补充", "body": BODY}, format="json")
    assert closed.status_code == 409 and "已终报结案" in closed.json()["message"]


def test_other_readers_of_the_case_may_not_add_reports(writer, unit_approver, editor, colleague):
    first = start(writer)
    sign_off(first, writer, unit_approver)
    url = reverse("api-emergency-reports", args=[first.emergency_case_id])
    for user in (editor, colleague):
        response = api_for(user).post(url, {"title": "续报：伤员救治情况", "body": BODY}, format="json")
        assert response.status_code == 404
    assert Item.objects.filter(emergency_case=first.emergency_case).count() == 1


# --- Following (the office's editors) ------------------------------------------------------


def test_editor_lists_the_cases_reported_to_the_office_with_filters(
    writer, unit_approver, editor, django_assert_max_num_queries
):
    open_case = start(writer, grade="general").emergency_case
    closed_first = start(writer, minutes_ago=30)
    sign_off(closed_first, writer, unit_approver)
    final = emergencies.add_report(
        case=closed_first.emergency_case, author=writer, data=item_data(title="终报"), kind=ReportKind.FINAL
    )
    sign_off(final, writer, unit_approver)

    response = api_for(editor).get(LIST)
    assert response.status_code == 200
    data = response.json()
    # Open cases first; paginated like every list of the API.
    assert data["count"] == 2 and [c["id"] for c in data["results"]] == [open_case.pk, closed_first.emergency_case_id]
    assert data["results"][0]["timer"]["running"] and not data["results"][1]["timer"]["running"]
    assert data["results"][1]["report_count"] == 2 and data["results"][1]["is_closed"]
    assert "reports" not in data["results"][0]  # the list names no report titles

    def ids(**query):
        return [c["id"] for c in api_for(editor).get(LIST, query).json()["results"]]

    assert ids(status="open") == [open_case.pk]
    assert ids(status="closed") == [closed_first.emergency_case_id]
    assert ids(grade="general") == [open_case.pk]
    assert ids(grade="major", status="open") == []
    for _ in range(3):
        start(writer)
    with django_assert_max_num_queries(8):  # flat however many cases
        assert api_for(editor).get(LIST).json()["count"] == 5
    page = api_for(editor).get(LIST, {"page_size": 1}).json()
    assert page["count"] == 5 and len(page["results"]) == 1 and page["next"]


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"grade": "huge"}, "grade", "grade 只能是"),
        ({"status": "pending"}, "status", "status 只能是 open、closed"),
        ({"late": "yes"}, "late", "late 只能是"),
    ],
)
def test_bad_filters_are_a_400_in_chinese(editor, query, field, message):
    response = api_for(editor).get(LIST, query)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and field in body["errors"] and message in body["message"]


def test_editor_reads_a_case_with_reports_it_may_not_read_withheld(writer, unit_approver, editor, department):
    first = start(writer)
    sign_off(first, writer, unit_approver)
    case = first.emergency_case
    follow_up = emergencies.add_report(
        case=case, author=writer, data=item_data(title="续报：伤亡情况"), kind="follow_up"
    )
    sign_off(follow_up, writer, unit_approver)
    response = api_for(editor).get(detail(case))
    assert response.status_code == 200
    data = response.json()
    assert [(r["label"], r["title"], r["readable"]) for r in data["reports"]] == [
        ("首报", TITLE, True),
        ("续报一", "续报：伤亡情况", True),
    ]
    assert data["written_at"] and data["report_count"] == 2 and data["can_add_report"] is False

    # A 敏感 follow-up names only a leader of the office: the unit's own leader may see
    # the case, but not that report's title.
    city_leader = UserFactory(username="city_leader", unit=editor.unit, roles=[Role.LEADER])
    dept_leader = UserFactory(username="dept_only_leader", unit=department, roles=[Role.LEADER])
    secret = emergencies.add_report(
        case=case, author=writer, kind="follow_up",
        data=item_data(title="续报：敏感细节", confidentiality=Confidentiality.SENSITIVE, named_readers=[city_leader]),
    )  # fmt: skip
    sign_off(secret, writer, unit_approver)
    shown = api_for(dept_leader).get(detail(case))
    assert shown.status_code == 200
    rows = {r["label"]: r for r in shown.json()["reports"]}
    assert rows["续报二"]["title"] == "（敏感信息）" and rows["续报二"]["readable"] is False
    assert "续报：敏感细节" not in shown.content.decode()
    assert api_for(editor).get(detail(case)).json()["reports"][2]["title"] == "续报：敏感细节"


# --- Nobody else ----------------------------------------------------------------------------


def test_outsider_of_another_city_sees_nothing(writer, outsider):
    case = start(writer).emergency_case
    api = api_for(outsider)
    assert api.get(LIST).json()["results"] == []
    for response in (
        api.get(detail(case)),
        api.post(reverse("api-emergency-reports", args=[case.pk]), {"title": "续报", "body": BODY}, format="json"),
    ):
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert api.get(reverse("api-emergency-detail", args=[case.pk + 1000])).status_code == 404


def test_anonymous_gets_401(writer):
    case = start(writer).emergency_case
    api = api_for()
    for response in (
        api.get(LIST),
        api.get(detail(case)),
        api.post(LIST, report(), format="json"),
        api.post(reverse("api-emergency-reports", args=[case.pk]), {}, format="json"),
    ):
        assert response.status_code == 401 and response.json()["code"] == "not_authenticated"
