"""Odd input never makes a 500: dates at the ends of the calendar, numbers beyond any
database integer, NUL characters, nested JSON, fed to the filters of the lists and to
the serializers and forms that take dates and ids.

The named cases first (each was a 500 once: issue 12, item 7), then property-based tests
with hypothesis over every filter of each endpoint. Run on PostgreSQL too: it refuses a
NUL in text and an integer past bigint where SQLite shrugs.
"""

import datetime as dt
import json

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from publications import actions as pub_actions
from publications.models import (
    Adoption,
    Instruction,
    InstructionLevel,
    Publication,
    PublicationKind,
    Recipient,
    RecipientKind,
    Schedule,
)
from scoring.models import Scheme, SchemeUnit
from submissions.forms import DATE_OUT_OF_RANGE
from submissions.models import EmergencyGrade, EmergencyRule
from tests.submissions.helpers import submitted

# Bounded so the whole file runs in well under a minute; each endpoint gets its own budget.
ODD = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)

# --- Strategies -----------------------------------------------------------------------------

EDGE_DATES = [
    "9999-12-31", "0001-01-01", "0001-01-02", "1899-12-31", "2100-12-31", "2101-01-01", "2026-02-30",
    "2026-13-01", "0000-01-01", "10000-01-01", "-2026-01-01", "2026-1-1", "２０２６-０１-０１", "",
]  # fmt: skip
EDGE_NUMBERS = [
    "0", "-1", "1", "abc", "²", "١٢", "１２", "1e3", "1.5", " 1 ", "NaN", "Infinity", "0x10",
    "99999999999999999999", str(2**63), str(2**63 - 1), str(2**31), str(10**30), "-" + str(10**30),
]  # fmt: skip
NUL_TEXT = ["\x00", "a\x00b", "农业\x00", "\x00" * 30]

odd_dates = st.one_of(
    st.sampled_from(EDGE_DATES),
    st.dates().map(dt.date.isoformat),  # years 1 to 9999
    st.datetimes().map(lambda d: d.isoformat()),
)
odd_numbers = st.one_of(st.sampled_from(EDGE_NUMBERS), st.integers(min_value=-(10**30), max_value=10**30).map(str))
odd_text = st.one_of(st.sampled_from(NUL_TEXT), st.text(max_size=60))
odd_scalar = st.one_of(odd_dates, odd_numbers, odd_text)
# A query parameter given once, or several times (?unit=1&unit=abc).
odd_param = st.one_of(odd_scalar, st.lists(odd_scalar, min_size=2, max_size=3))

json_scalar = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False), odd_scalar,
)  # fmt: skip
nested = st.recursive(
    json_scalar, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)  # fmt: skip
odd_json_value = st.one_of(odd_scalar, nested)

ITEM_FILTERS = ["q", "state", "unit", "category", "topic", "date_from", "date_to", "late", "confidentiality", "view",
                "page"]  # fmt: skip
API_LIST = ITEM_FILTERS + ["page_size", "scope"]


def params_of(names: list[str]):
    """A few of `names`, each with an odd value."""
    return st.dictionaries(st.sampled_from(names), odd_param, min_size=1, max_size=4)


def body_of(fields: dict, names: list[str]):
    """A valid body with a few of `names` replaced by odd (also nested) values."""
    return st.dictionaries(st.sampled_from(names), odd_json_value, min_size=1, max_size=3).map(
        lambda odd: {**fields, **odd}
    )


# --- Helpers --------------------------------------------------------------------------------


def api_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def survives(send) -> int:
    """The status of one request, in a savepoint: on PostgreSQL a failed statement would
    otherwise spoil the test's transaction for every example after it."""
    with transaction.atomic():
        response = send()
        status = response.status_code
        transaction.set_rollback(True)  # each example starts from the same data
    assert status < 500, response.content[:2000]
    return status


def message_of(response) -> str:
    return json.dumps(response.json(), ensure_ascii=False)


# --- Data -----------------------------------------------------------------------------------


@pytest.fixture
def item_in_review(writer, unit_approver):
    return submitted(writer, unit_approver, title="编辑台上的信息")


@pytest.fixture
def bulletin(city, department, province):
    publication = Publication.objects.create(
        office=city, name="政务信息", kind=PublicationKind.GENERAL, schedule=Schedule.REGULAR,
        allows_briefs=True, points_full=5, points_brief=3,
    )  # fmt: skip
    Recipient.objects.create(publication=publication, unit=department, kind=RecipientKind.FA)
    return publication


@pytest.fixture
def draft_issue(writer, unit_approver, editor, bulletin):
    item = submitted(writer, unit_approver, title="编入本期的信息")
    adoption = pub_actions.adopt(item=item, user=editor, publication=bulletin)
    issue = pub_actions.create_issue(publication=bulletin, user=editor)
    return pub_actions.add_to_issue(issue=issue, adoptions=[adoption], user=editor)


@pytest.fixture
def published(writer, unit_approver, editor, issue_approver, bulletin):
    """An item of the department in a signed issue; a leader of the city may instruct on it."""
    item = submitted(writer, unit_approver, title="已刊发的信息")
    adoption = pub_actions.adopt(item=item, user=editor, publication=bulletin)
    issue = pub_actions.create_issue(publication=bulletin, user=editor)
    pub_actions.add_to_issue(issue=issue, adoptions=[adoption], user=editor)
    pub_actions.sign_off_issue(issue=issue, user=issue_approver)
    for order, name in enumerate(["省政府领导", "市政府领导"]):
        InstructionLevel.objects.get_or_create(name=name, defaults={"order": order})
    item.refresh_from_db()
    return item, issue


@pytest.fixture
def scheme(city, department):
    s = Scheme.objects.create(office=city, year=timezone.localdate().year, name="考核")
    SchemeUnit.objects.create(scheme=s, unit=department)
    return s


# --- The named cases ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["date_to", "date_from"])
@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01"])
def test_calendar_end_dates_on_the_desk_and_my_items_are_a_form_error(client, writer, unit_approver, editor, name,
                                                                       value):  # fmt: skip
    item = submitted(writer, unit_approver, title="按日期筛选的信息")
    for person, url in ((editor, reverse("desk")), (writer, reverse("my_items"))):
        client.force_login(person)
        response = client.get(url, {name: value})
        assert response.status_code == 200
        page = response.content.decode()
        assert DATE_OUT_OF_RANGE in page and item.title in page  # the bad bound is not used


@pytest.mark.parametrize("params", [{"date_to": "9999-12-31"}, {"date_from": "0001-01-01"}, {"q": "农业\x00"}])
def test_calendar_end_dates_and_nul_in_the_items_api_are_a_400(writer, unit_approver, editor, params):
    submitted(writer, unit_approver)
    for person in (editor, writer):
        response = api_for(person).get(reverse("api-item-list"), params)
        assert response.status_code == 400 and response.json()["code"] == "invalid", response.content
        assert set(response.json()["errors"]) == set(params)
        assert ("空字符" if "q" in params else "日期超出范围") in message_of(response)


def test_dates_inside_the_range_still_filter_the_items_api(writer, unit_approver, editor):
    item = submitted(writer, unit_approver)
    rows = api_for(editor).get(reverse("api-item-list"), {"date_from": "1900-01-01", "date_to": "2100-12-31"})
    assert [r["id"] for r in rows.json()["results"]] == [item.pk]
    past = api_for(editor).get(reverse("api-item-list"), {"date_to": "1900-01-01"})
    assert past.json()["results"] == []


def test_filter_query_never_overflows_whatever_the_caller_passes(writer, unit_approver):
    """Defence behind the forms: a caller handing the query the calendar's ends gets an
    unbounded side, not an OverflowError."""
    from submissions import access, queries

    item = submitted(writer, unit_approver)
    qs = access.unit_items(writer)
    cases = {(dt.date.min, dt.date.max): [item], (dt.date.max, dt.date.max): [], (dt.date.min, dt.date.min): []}
    for (lo, hi), expected in cases.items():
        assert list(queries.my_items(qs, queries.ItemFilters(date_from=lo, date_to=hi))) == expected, (lo, hi)


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_instruction_with_a_calendar_end_date_is_a_400_before_anything_is_looked_up(writer, leader, outsider, day):
    url = reverse("api-item-instructions", args=[999999])  # no such item
    body = {"level": "市政府领导", "text": "请抓好落实。", "date": day, "units": [1]}
    for person in (writer, leader, outsider):
        response = api_for(person).post(url, body, format="json")
        assert response.status_code == 400 and "日期超出范围" in message_of(response), response.content
        with_deadline = api_for(person).post(url, {**body, "deadline": day}, format="json")
        assert with_deadline.status_code == 400 and "date" in with_deadline.json()["errors"]


def test_instruction_keeps_a_given_deadline_and_computes_only_a_missing_one(leader, published, department):
    item, issue = published
    url = reverse("api-item-instructions", args=[item.pk])
    today = timezone.localdate()
    body = {"issue": issue.pk, "level": "市政府领导", "text": "请抓好落实。", "units": [department.pk]}
    given_deadline = (today + dt.timedelta(days=30)).isoformat()
    response = api_for(leader).post(url, {**body, "deadline": given_deadline}, format="json")
    assert response.status_code == 201 and response.json()["deadline"] == given_deadline
    response = api_for(leader).post(url, {**body, "date": today.isoformat()}, format="json")
    assert response.json()["deadline"] == (today + dt.timedelta(days=7)).isoformat()
    far = api_for(leader).post(url, {**body, "deadline": "9999-12-31"}, format="json")
    assert far.status_code == 400 and "deadline" in far.json()["errors"]
    assert Instruction.objects.count() == 2


def test_instruction_page_refuses_a_calendar_end_deadline_in_its_form(client, leader, published, department):
    item, issue = published
    client.force_login(leader)
    url = f"{reverse('instruction_create')}?item={item.pk}&issue={issue.pk}"
    today = timezone.localdate().isoformat()
    data = {"level": "市政府领导", "text": "请抓好落实。", "date": today, "deadline": "9999-12-31",
            "units": [department.pk]}  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 200 and DATE_OUT_OF_RANGE in response.content.decode()
    assert not Instruction.objects.exists()


@pytest.mark.parametrize("value", ["abc", "²", "-1", "0", "99999999999999999999", ""])
def test_removing_a_bad_adoption_id_from_an_issue_is_the_pages_error(client, editor, draft_issue, value):
    client.force_login(editor)
    response = client.post(reverse("issue_remove", args=[draft_issue.pk]), {"adoption": value}, follow=True)
    assert response.status_code == 200 and "请选择要移出本期的信息" in response.content.decode()
    assert Adoption.objects.filter(issue=draft_issue).count() == 1


@pytest.mark.parametrize("value", ["abc", "-1", "99999999999999999999", [1, 2], {"id": 1}, None])
def test_removing_a_bad_adoption_id_over_the_api_is_a_400(editor, draft_issue, value):
    response = api_for(editor).post(reverse("api-issue-remove", args=[draft_issue.pk]), {"adoption": value},
                                    format="json")  # fmt: skip
    assert response.status_code == 400 and "adoption" in response.json()["errors"], response.content
    assert Adoption.objects.filter(issue=draft_issue).count() == 1


@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01"])
def test_item_event_date_at_the_calendar_ends_is_refused_by_the_writers_form(client, writer, value):
    client.force_login(writer)
    from tests.submissions.helpers import BODY, category

    data = {"title": "日期很远的信息", "body": BODY, "category": category().pk, "form": "full", "event_date": value,
            "confidentiality": "internal"}  # fmt: skip
    response = client.post(reverse("item_create"), data)
    assert response.status_code == 200 and DATE_OUT_OF_RANGE in response.content.decode()
    api = api_for(writer).post(reverse("api-item-list"), data, format="json")
    assert api.status_code == 400 and "event_date" in api.json()["errors"]


def test_check_with_a_non_ascii_digit_item_id_is_not_a_500(client, writer):
    client.force_login(writer)
    response = client.post(reverse("item_check"), {"title": "标题", "body": "正文", "item_id": "²"})
    assert response.status_code == 200


@ODD
@given(params=params_of(["a", "b"]))
def test_diff_version_numbers(client, writer, editor, item_in_review, params):
    from submissions import actions as item_actions

    if item_in_review.versions.count() < 2:
        item_in_review.refresh_from_db()
        item_actions.edit_as_editor(
            item=item_in_review, user=editor, title="编辑修改后的标题", body=item_in_review.plain_body,
            expected_version=item_in_review.version, note="核对",
        )  # fmt: skip
    client.force_login(writer)
    assert survives(lambda: client.get(reverse("item_diff", args=[item_in_review.pk]), params)) == 200


# --- Property-based: the lists' filters -----------------------------------------------------


@ODD
@given(params=params_of(ITEM_FILTERS))
def test_desk_filters(client, editor, item_in_review, params):
    client.force_login(editor)
    survives(lambda: client.get(reverse("desk"), params))


@ODD
@given(params=params_of(ITEM_FILTERS))
def test_my_items_filters(client, writer, item_in_review, params):
    client.force_login(writer)
    survives(lambda: client.get(reverse("my_items"), params))


@ODD
@given(params=params_of(API_LIST))
def test_items_api_filters(writer, editor, item_in_review, params):
    for person in (editor, writer):
        survives(lambda p=person: api_for(p).get(reverse("api-item-list"), params))


@ODD
@given(params=params_of(["publication", "state", "page", "page_size"]))
def test_issues_api_filters(editor, draft_issue, params):
    survives(lambda: api_for(editor).get(reverse("api-issue-list"), params))


@ODD
@given(params=params_of(["status", "level", "q", "page", "page_size"]))
def test_instruction_api_filters(leader, writer, params):
    survives(lambda: api_for(leader).get(reverse("api-instruction-list"), params))
    survives(lambda: api_for(writer).get(reverse("api-instruction-inbox"), params))


@ODD
@given(params=params_of(["group", "page", "page_size"]))
def test_scoreboard_and_ledger_pages(client, leader, scheme, department, params):
    client.force_login(leader)
    survives(lambda: client.get(reverse("scheme_board", args=[scheme.pk]), params))
    survives(lambda: client.get(reverse("unit_ledger", args=[scheme.pk, department.pk]), params))


@ODD
@given(params=params_of(["group", "page", "page_size"]))
def test_scoreboard_and_ledger_api(leader, scheme, department, params):
    survives(lambda: api_for(leader).get(reverse("api-scheme-scoreboard", args=[scheme.pk]), params))
    survives(lambda: api_for(leader).get(reverse("api-scheme-ledger", args=[scheme.pk, department.pk]), params))


# These pages take little more than ?page= (and a q, a month): one page per example.
OFFICE_PAGES = ["issue_list", "my_bulletins", "instruction_list", "instruction_inbox", "commission_list",
                "progress_status", "emergency_list", "publication_detail", "composite"]  # fmt: skip


@ODD
@given(name=st.sampled_from(OFFICE_PAGES), params=params_of(["page", "q", "status", "month", "show", "export"]))
def test_publication_and_office_list_pages(client, editor, bulletin, name, params):
    client.force_login(editor)
    args = [bulletin.pk] if name in ("publication_detail", "composite") else []
    survives(lambda: client.get(reverse(name, args=args), params))


@ODD
@given(
    name=st.sampled_from(["api-item-detail", "api-issue-detail", "api-instruction-detail", "api-scheme-detail",
                          "api-item-instructions", "api-adoption-detail", "api-publication-detail"]),
    pk=odd_numbers,
)  # fmt: skip
def test_ids_in_the_api_path(editor, name, pk):
    survives(lambda: api_for(editor).get(reverse(name, args=["x"]).replace("/x/", f"/{pk}/")))


# --- Property-based: the serializers and forms that take dates and ids ----------------------


@ODD
@given(body=body_of({"level": "市政府领导", "text": "请抓好落实。"}, ["date", "deadline", "units", "issue"]))
def test_instruction_dates_and_ids(leader, published, department, body):
    item, issue = published
    body = {"issue": issue.pk, "units": [department.pk], **body}
    survives(lambda: api_for(leader).post(reverse("api-item-instructions", args=[item.pk]), body, format="json"))
    survives(lambda: api_for(leader).post(reverse("api-item-instructions", args=[999999]), body, format="json"))


@ODD
@given(data=st.dictionaries(st.sampled_from(["date", "deadline", "units", "level"]), odd_scalar, min_size=1))
def test_instruction_page_form(client, leader, published, department, data):
    item, issue = published
    client.force_login(leader)
    url = f"{reverse('instruction_create')}?item={item.pk}&issue={issue.pk}"
    base = {"level": "市政府领导", "text": "请抓好落实。", "date": timezone.localdate().isoformat(),
            "deadline": timezone.localdate().isoformat(), "units": [department.pk]}  # fmt: skip
    survives(lambda: client.post(url, {**base, **data}))


@ODD
@given(body=body_of({"topic": "约稿：秋粮收购", "requirements": ""}, ["deadline", "targets", "all_targets"]))
def test_commission_deadline(editor, department, body):
    body = {"deadline": (timezone.now() + dt.timedelta(days=3)).isoformat(), "targets": [department.pk], **body}
    survives(lambda: api_for(editor).post(reverse("api-commission-list"), body, format="json"))


@ODD
@given(data=st.dictionaries(st.sampled_from(["deadline", "targets"]), odd_scalar, min_size=1))
def test_commission_page_form(client, editor, department, data):
    client.force_login(editor)
    base = {"topic": "约稿：秋粮收购", "deadline": "2099-01-01T08:00", "targets": [department.pk]}
    survives(lambda: client.post(reverse("commission_create"), {**base, **data}))


@ODD
@given(data=st.dictionaries(st.sampled_from(["occurred_at", "phoned_at", "grade"]), odd_scalar, min_size=1))
def test_emergency_times(client, writer, data):
    EmergencyRule.objects.get_or_create(grade=EmergencyGrade.values[0], defaults={"written_minutes": 60})
    client.force_login(writer)
    from tests.submissions.helpers import BODY

    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    base = {"grade": EmergencyGrade.values[0], "occurred_at": now, "title": "某地发生山体滑坡", "body": BODY,
            "form": "full", "confidentiality": "internal"}  # fmt: skip
    survives(lambda: client.post(reverse("emergency_create"), {**base, **data}))


@ODD
@given(value=odd_json_value)
def test_adoption_id_removed_from_an_issue(client, editor, draft_issue, value):
    api = api_for(editor)
    survives(lambda: api.post(reverse("api-issue-remove", args=[draft_issue.pk]), {"adoption": value}, format="json"))
    client.force_login(editor)
    raw = value if isinstance(value, str) else json.dumps(value)
    survives(lambda: client.post(reverse("issue_remove", args=[draft_issue.pk]), {"adoption": raw}))


# Each: the endpoint's URL name, and the body it gets with an odd value in its id field.
COMPOSING = {
    "api-issue-add": lambda v: {"adoptions": v},
    "api-issue-reorder": lambda v: {"order": v},
    "api-issue-list": lambda v: {"publication": v, "adoptions": v},
    "api-adoption-external": lambda v: {"date": v, "evidence": "国办《每日要情》"},
    "issue_add": lambda v: {"adoptions": v},
    "issue_move": lambda v: {"adoption": v, "direction": "up"},
    "issue_create": lambda v: {"adoptions": v},
}


@ODD
@given(name=st.sampled_from(sorted(COMPOSING)), value=odd_json_value)
def test_adoption_ids_elsewhere_in_composing(client, editor, bulletin, draft_issue, name, value):
    body = COMPOSING[name](value)
    if name.startswith("api-"):
        args = {"api-issue-list": [], "api-adoption-external": [draft_issue.adoptions.first().pk]}.get(
            name, [draft_issue.pk]
        )
        survives(lambda: api_for(editor).post(reverse(name, args=args), body, format="json"))
        return
    client.force_login(editor)
    form = {k: (v if isinstance(v, str) else json.dumps(v)) for k, v in body.items()}
    args = [bulletin.pk] if name == "issue_create" else [draft_issue.pk]
    survives(lambda: client.post(reverse(name, args=args), form))


@ODD
@given(body=body_of({"title": "标题", "body": "正文"}, ["title", "body", "form", "item_id"]))
def test_writing_check(client, writer, body):
    survives(lambda: api_for(writer).post(reverse("api-item-check"), body, format="json"))
    client.force_login(writer)
    form = {k: (v if isinstance(v, str) else json.dumps(v)) for k, v in body.items()}
    survives(lambda: client.post(reverse("item_check"), form))
