"""Timeliness rules punish by the facts alone: lateness is decided by the first
submission; an emergency with no first report by its deadline is 漏报 once; a commission
answer's penalty depends on the deadline and the answer's arrival, not on when the hourly
task ran; the desk timer stops when the first report arrives."""

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from scoring.models import LedgerEntry, PenaltyRule, Scheme, SchemeUnit
from scoring.queries import scoreboard, unit_total
from submissions.commissions import actions as commissions
from submissions.commissions import queries as commission_queries
from submissions.emergencies import actions as emergencies
from submissions.emergencies.actions import CaseData
from submissions.models import EmergencyCase, Item
from submissions.tasks import remind_commissions
from tests.factories import UnitFactory, UserFactory
from units.models import Role, User

from .helpers import act, category, data, draft


def _post_act(client, item, action, comment=""):
    item.refresh_from_db()
    return client.post(reverse("item_act", args=[item.pk, action]), {"version": item.version, "comment": comment})


def _at(moment):
    return mock.patch("django.utils.timezone.now", return_value=moment)


@pytest.fixture
def farm(city):
    unit = UnitFactory(name="昆明市农业农村局", short_name="市农业农村局", parent=city, sort_order=2)
    UserFactory(username="farm_writer", unit=unit, roles=[Role.STAFF])
    UserFactory(username="farm_approver", unit=unit, roles=[Role.UNIT_APPROVER])
    return unit


@pytest.fixture
def scheme(city, department, farm):
    s = Scheme.objects.create(office=city, year=timezone.localdate().year, name="考核")
    SchemeUnit.objects.create(scheme=s, unit=department, quota=Decimal("20"))
    SchemeUnit.objects.create(scheme=s, unit=farm, quota=Decimal("20"))
    PenaltyRule.objects.create(scheme=s, kind="late", points=1)
    PenaltyRule.objects.create(scheme=s, kind="missed", points=10, vetoes_award=True)
    PenaltyRule.objects.create(scheme=s, kind="emergency_late", points=5)
    PenaltyRule.objects.create(scheme=s, kind="commission", points=2)
    PenaltyRule.objects.create(scheme=s, kind="commission_late", points=1)
    return s


# --- Lateness is decided by the first submission ------------------------------------------


def test_resubmission_after_a_return_keeps_an_on_time_item_on_time(
    client, writer, unit_approver, editor, scheme, department
):
    start = timezone.now()
    item = draft(writer, title="某县发生山洪灾害", category=category("major"), event_date=timezone.localdate(start))
    client.force_login(writer)
    _post_act(client, item, "send_for_signoff")
    client.force_login(unit_approver)
    _post_act(client, item, "sign_off")
    item.refresh_from_db()
    first, deadline = item.first_submitted_at, item.deadline
    assert not item.is_late
    client.force_login(editor)
    _post_act(client, item, "return", "请补充受灾人数")

    with _at(start + dt.timedelta(days=4)):  # revised and signed off again, days after the deadline
        client.force_login(writer)
        _post_act(client, item, "send_for_signoff")
        client.force_login(unit_approver)
        _post_act(client, item, "sign_off")
    item.refresh_from_db()
    assert item.signed_off_at > first
    assert (item.first_submitted_at, item.deadline, item.is_late) == (first, deadline, False)
    assert not LedgerEntry.objects.filter(rule="penalty:late").exists()
    client.force_login(editor)
    assert "迟报" not in client.get(reverse("item_detail", args=[item.pk])).content.decode().split("<main", 1)[-1]


# --- 漏报: an emergency with no first report by its deadline -----------------------------------


def _case(writer, *, minutes_ago=10, grade="major") -> Item:
    occurred = timezone.now() - dt.timedelta(minutes=minutes_ago)
    return emergencies.start_case(
        author=writer, data=data(title="某地发生森林火灾"), case=CaseData(grade=grade, occurred_at=occurred)
    )


def _run(moment) -> dict:
    return remind_commissions(now=moment.isoformat())


def test_first_report_never_signed_off_is_missed_once_with_the_veto(
    client, writer, unit_approver, editor, scheme, department
):
    item = _case(writer)  # 重大: written report due 60 minutes after it happened
    case = item.emergency_case
    assert _run(case.written_deadline - dt.timedelta(minutes=5))["penalized"] == 0  # not yet due

    late_run = case.written_deadline + dt.timedelta(hours=3)  # the runs in between were lost
    assert _run(late_run)["penalized"] == 1
    assert _run(late_run)["penalized"] == 0  # ran twice
    assert _run(late_run + dt.timedelta(hours=1))["penalized"] == 0  # and again an hour later

    entry = LedgerEntry.objects.get()
    assert (entry.unit, entry.rule, entry.points) == (department, "penalty:missed", Decimal("-10"))
    assert entry.source_ref == f"emergency:{case.pk}:missed" and "漏报" in entry.reason
    row = next(r for r in scoreboard(scheme).rows if r.unit == department)
    assert row.vetoed and row.penalties == Decimal("-10")

    with _at(late_run):
        client.force_login(editor)
        page = client.get(reverse("emergency_case", args=[case.pk])).content.decode()
        assert "漏报" in page
        assert "漏报" in client.get(reverse("emergency_list")).content.decode()


def test_first_report_arriving_after_a_missed_run_turns_missed_into_late(writer, unit_approver, scheme, department):
    item = _case(writer, minutes_ago=120)  # due an hour ago
    assert _run(timezone.now())["penalized"] == 1
    act(item, writer, "send_for_signoff")
    act(item, unit_approver, "sign_off")
    assert _run(timezone.now())["penalized"] == 0

    # The same as a late report the task never saw missing: one late penalty, no veto.
    assert unit_total(scheme, department) == Decimal("-5")
    open_rules = LedgerEntry.objects.filter(reversed_by__isnull=True, source="penalty").values_list("rule", flat=True)
    assert list(open_rules) == ["penalty:emergency_late"]
    row = next(r for r in scoreboard(scheme).rows if r.unit == department)
    assert not row.vetoed and row.penalties == Decimal("-5")


def test_first_report_on_time_or_late_before_the_run_is_never_missed(writer, unit_approver, scheme, department):
    on_time = _case(writer, minutes_ago=10)
    act(on_time, writer, "send_for_signoff")
    act(on_time, unit_approver, "sign_off")
    late = _case(writer, minutes_ago=200)
    act(late, writer, "send_for_signoff")
    act(late, unit_approver, "sign_off")
    assert _run(timezone.now() + dt.timedelta(days=1))["penalized"] == 0
    assert list(LedgerEntry.objects.values_list("rule", flat=True)) == ["penalty:emergency_late"]
    assert EmergencyCase.objects.filter(is_late=True).count() == 1


# --- Commission answers: the facts, not the task's timing ------------------------------------


def _person(username) -> User:
    return User.objects.get(username=username)


def _answer(commission, writer, approver, moment) -> Item:
    item = draft(writer, title="项目推进情况")
    commissions.link_to_commission(item=item, commission=commission, user=writer)
    act(item, writer, "send_for_signoff")
    with _at(moment):
        act(item, approver, "sign_off")
    return item


def test_late_answer_costs_the_same_whether_the_task_ran_before_or_after_it(
    editor, writer, unit_approver, scheme, department, farm
):
    now = timezone.now()
    deadline = now + dt.timedelta(hours=2)
    commission = commissions.issue_commission(
        user=editor, topic="重点项目推进情况", requirements="", deadline=deadline, units=[department, farm], now=now
    )
    # 市发展改革委 answers late before any run; 市农业农村局 after a run found it unanswered.
    _answer(commission, writer, unit_approver, deadline + dt.timedelta(minutes=30))
    assert _run(deadline + dt.timedelta(minutes=40))["penalized"] == 2
    _answer(commission, _person("farm_writer"), _person("farm_approver"), deadline + dt.timedelta(minutes=50))
    assert _run(deadline + dt.timedelta(hours=1, minutes=40))["penalized"] == 1
    assert _run(deadline + dt.timedelta(hours=2, minutes=40))["penalized"] == 0  # nothing more, however often

    assert unit_total(scheme, department) == unit_total(scheme, farm) == Decimal("-1")
    for unit in (department, farm):
        open_rows = LedgerEntry.objects.filter(unit=unit, source="penalty", reversed_by__isnull=True)
        assert [(r.rule, r.source_ref) for r in open_rows] == [
            ("penalty:commission_late", f"commission:{commission.pk}:unit:{unit.pk}:late")
        ]
        assert "约稿逾期报送" in open_rows[0].reason
    rows = {r.unit: r for r in commission_queries.commission_targets(commission)}
    assert rows[department].status_label == rows[farm].status_label == "逾期报送"
    assert rows[farm].penalized_at is None  # the page no longer says "已记约稿未报"


def test_on_time_answer_is_never_penalised_and_missing_stays_missing(
    editor, writer, unit_approver, scheme, department, farm
):
    now = timezone.now()
    deadline = now + dt.timedelta(hours=2)
    commission = commissions.issue_commission(
        user=editor, topic="重点项目推进情况", requirements="", deadline=deadline, units=[department, farm], now=now
    )
    _answer(commission, writer, unit_approver, deadline - dt.timedelta(minutes=1))
    for hours in (1, 2, 30):
        _run(deadline + dt.timedelta(hours=hours))
    assert unit_total(scheme, department) == Decimal("0")
    assert unit_total(scheme, farm) == Decimal("-2")
    assert LedgerEntry.objects.get().rule == "penalty:commission"


# --- The desk timer stops at the first report ----------------------------------------------


def test_desk_timer_stops_when_the_first_report_arrives(client, writer, unit_approver, editor, scheme):
    item = _case(writer, minutes_ago=10)  # due in 50 minutes
    act(item, writer, "send_for_signoff")
    act(item, unit_approver, "sign_off")
    client.force_login(editor)
    with _at(timezone.now() + dt.timedelta(hours=3)):  # hours later, still on the desk
        page = client.get(reverse("desk")).content.decode()
    row = page[page.index(f'data-emergency="{item.emergency_case_id}"') :]
    row = row[: row.index("</tr>")]
    assert "首报用时10分钟" in row and "按时" in row and "报送时剩余50分钟" in row
    assert "已超时" not in row and "data-deadline" not in row  # timer.js does not count it on

    page = client.get(reverse("emergency_case", args=[item.emergency_case_id])).content.decode()
    assert "首报用时10分钟" in page
