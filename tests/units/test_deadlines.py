"""One deadline mechanism (units.deadlines): every scheduled reminder and penalty of
commissions, instructions, emergencies and monthly progress claims its key once, so a
check run twice — a second delivery, a catch-up — sends nothing a second time."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction
from django.db.models import Count
from django.utils import timezone

from publications.instructions import actions as instructions
from publications.instructions.tasks import check_feedback_deadlines
from publications.models import InstructionLevel, Publication, PublicationKind, Schedule
from scoring.models import LedgerEntry, PenaltyRule, Scheme, SchemeUnit
from submissions.commissions import actions as commissions
from submissions.emergencies import actions as emergencies
from submissions.emergencies.actions import CaseData
from submissions.models import EmergencyGrade, EmergencyRule
from submissions.tasks import check_monthly_progress, remind_commissions
from tests.factories import UnitFactory, UserFactory
from tests.publications.helpers import adopted, signed_issue
from tests.submissions.helpers import act, data, draft
from tests.waiting import wait_for
from units import deadlines
from units.deadlines import Key
from units.models import Notification, Reminder, Role


@pytest.fixture
def farm(city):
    unit = UnitFactory(name="昆明市农业农村局", short_name="市农业农村局", parent=city, sort_order=2)
    UserFactory(username="farm_writer", unit=unit, roles=[Role.STAFF])
    UserFactory(username="farm_approver", unit=unit, roles=[Role.UNIT_APPROVER])
    return unit


@pytest.fixture
def scheme(city, department, farm):
    s = Scheme.objects.create(office=city, year=timezone.localdate().year, name="考核")
    for unit in (department, farm):
        SchemeUnit.objects.create(scheme=s, unit=unit, quota=Decimal("20"))
    for kind, points in [("commission", 2), ("commission_late", 1), ("missed", 10), ("feedback", 3)]:
        PenaltyRule.objects.create(scheme=s, kind=kind, points=points)
    return s


def sent() -> dict:
    """What the checks have sent so far: notifications by verb, and the ledger's rows."""
    by_verb = dict(Notification.objects.values_list("verb").annotate(n=Count("pk")).values_list("verb", "n"))
    ledger = sorted(LedgerEntry.objects.values_list("unit_id", "rule", "source_ref", "points"))
    return {"notifications": by_verb, "ledger": ledger}


def twice(check):
    """Run `check` twice; the two results and what was sent after each."""
    first = check()
    after_first = sent()
    second = check()
    assert sent() == after_first, "the second run sent something again"
    return first, second, after_first


def _answer_late(commission, unit_prefix, at):
    from units.models import User

    writer = User.objects.get(username=f"{unit_prefix}_writer")
    approver = User.objects.get(username=f"{unit_prefix}_approver")
    item = draft(writer, title="项目推进情况")
    commissions.link_to_commission(item=item, commission=commission, user=writer)
    act(item, writer, "send_for_signoff")
    from unittest import mock

    with mock.patch("django.utils.timezone.now", return_value=at):
        act(item, approver, "sign_off")


# --- Each feature, each check run twice --------------------------------------------------


def test_commission_reminders_and_penalties_are_sent_once_however_often_the_check_runs(
    editor, writer, unit_approver, department, farm, scheme
):
    deadline = timezone.now() + dt.timedelta(hours=2)
    commission = commissions.issue_commission(
        user=editor, topic="重点项目推进情况", requirements="", deadline=deadline, units=[department, farm]
    )

    first, second, after = twice(lambda: remind_commissions(now=(deadline - dt.timedelta(hours=1)).isoformat()))
    assert (first["reminded"], second["reminded"]) == (2, 0)
    assert after["notifications"]["commission_due"] == 4  # writer and approver of each unit

    overdue = (deadline + dt.timedelta(hours=1)).isoformat()
    first, second, after = twice(lambda: remind_commissions(now=overdue))
    assert (first["penalized"], second["penalized"]) == (2, 0)
    refs = {f"commission:{commission.pk}:unit:{u.pk}" for u in (department, farm)}
    assert {(ref, rule) for _, rule, ref, _ in after["ledger"]} == {(r, "penalty:commission") for r in refs}

    # The farm's answer arrives late: its 约稿未报 becomes 约稿逾期报送, once.
    _answer_late(commission, "farm", deadline + dt.timedelta(hours=2))
    later = (deadline + dt.timedelta(hours=3)).isoformat()
    first, second, after = twice(lambda: remind_commissions(now=later))
    assert (first["penalized"], second["penalized"]) == (1, 0)
    farm_rows = [row for row in after["ledger"] if row[0] == farm.pk]
    assert sorted(rule for _, rule, _, _ in farm_rows) == [
        "penalty:commission", "penalty:commission_late", "reversal:penalty:commission",
    ]  # fmt: skip
    assert sum(points for *_, points in farm_rows) == Decimal("-1")
    assert Reminder.objects.filter(key__startswith=f"commission:{commission.pk}:").count() == 5  # 2 + 2 + 1


def test_instruction_reminders_and_penalties_are_sent_once_however_often_the_check_runs(
    leader, writer, unit_approver, editor, issue_approver, city, department, province, scheme
):
    bulletin = Publication.objects.create(
        office=city, name="政务信息", kind=PublicationKind.GENERAL, schedule=Schedule.REGULAR, points_full=5
    )
    adoption = adopted(writer, unit_approver, editor, bulletin)
    issue = signed_issue(editor, issue_approver, bulletin, [adoption])
    today = timezone.localdate()
    level = InstructionLevel.objects.get_or_create(name="省政府领导", defaults={"order": 0})[0].name
    instruction = instructions.make_instruction(
        item=adoption.item, issue=issue, user=leader, leader_name="", level=level, text="请认真总结经验做法。",
        date=today, deadline=today + dt.timedelta(days=1), units=[department],
    )  # fmt: skip

    first, second, after = twice(lambda: check_feedback_deadlines(today.isoformat()))
    assert (first["reminded"], second["reminded"]) == (1, 0)
    assert after["notifications"]["instruction_reminder"] == 2  # writer and unit approver

    overdue = (today + dt.timedelta(days=2)).isoformat()
    first, second, after = twice(lambda: check_feedback_deadlines(overdue))
    assert (first["penalized"], second["penalized"]) == (1, 0)
    assert after["notifications"]["instruction_overdue"] == 2
    penalties = [row for row in after["ledger"] if row[1] == "penalty:feedback"]
    assert penalties == [(department.pk, "penalty:feedback", f"instruction:{instruction.pk}:unit:{department.pk}",
                          Decimal("-3"))]  # fmt: skip
    assert instruction.handler_links.get().penalized_at is not None  # the page's record


def test_missed_emergency_reports_are_penalised_once_however_often_the_check_runs(writer, department, scheme):
    EmergencyRule.objects.get_or_create(grade=EmergencyGrade.MAJOR, defaults={"written_minutes": 60})
    occurred = timezone.now() - dt.timedelta(minutes=10)
    item = emergencies.start_case(
        author=writer,
        data=data(title="某地发生森林火灾"),
        case=CaseData(grade=EmergencyGrade.MAJOR, occurred_at=occurred),
    )
    case = item.emergency_case
    late_run = (case.written_deadline + dt.timedelta(hours=1)).isoformat()

    first, second, after = twice(lambda: remind_commissions(now=late_run))
    assert (first["penalized"], second["penalized"]) == (1, 0)
    assert after["ledger"] == [(department.pk, "penalty:missed", f"emergency:{case.pk}:missed", Decimal("-10"))]
    assert after["notifications"]["penalty"] >= 1


def test_monthly_progress_reminders_and_late_list_are_sent_once_however_often_the_check_runs(
    editor, writer, unit_approver, city, department, farm
):
    def at(day: int) -> str:
        return timezone.make_aware(dt.datetime(2026, 10, day, 9, 15)).isoformat()

    # Units under an office that owe September's progress: the department, the farm and
    # the city itself (under the province); each reminded once, each office told once.
    owing = {department, farm, city}
    first, second, after = twice(lambda: check_monthly_progress(now=at(5)))
    assert (first["reminded"], second["reminded"]) == (len(owing), 0)
    keys = set(Reminder.objects.filter(key__startswith="progress:2026-09:unit:").values_list("key", flat=True))
    assert keys == {f"progress:2026-09:unit:{u.pk}" for u in owing}
    assert after["notifications"]["progress_due"] == 4  # the department's and the farm's writer and approver

    first, second, after = twice(lambda: check_monthly_progress(now=at(12)))
    assert (first["listed"], second["listed"]) == (2, 0)  # the city's late list and the province's
    assert after["notifications"]["progress_late"] == 1  # only the city has an editor here


# --- The mechanism -----------------------------------------------------------------------


def test_a_key_is_claimed_once_and_a_failed_act_leaves_it_free(db):
    assert deadlines.claim("test:a") and not deadlines.claim("test:a")
    with pytest.raises(RuntimeError), transaction.atomic():
        deadlines.once("test:b", lambda: (_ for _ in ()).throw(RuntimeError("mail server down")))
    assert not Reminder.objects.filter(key="test:b").exists()
    assert deadlines.once("test:b", lambda: None)
    assert not deadlines.once("test:b", lambda: pytest.fail("acted twice"))


def test_key_formats_the_same_in_python_and_in_sql(editor, department, farm):
    key = Key("commission:{commission_id}:unit:{unit_id}:remind")
    commission = commissions.issue_commission(
        user=editor,
        topic="约稿",
        requirements="",
        deadline=timezone.now() + dt.timedelta(days=1),
        units=[department, farm],
    )
    targets = commission.target_links.order_by("unit_id")
    first = targets.first()
    assert key(first) == f"commission:{commission.pk}:unit:{first.unit_id}:remind"
    deadlines.claim(key(first))
    assert list(targets.filter(~key.claimed())) == list(targets.exclude(pk=first.pk))
    assert deadlines.unclaimed(list(targets), key=key) == list(targets.exclude(pk=first.pk))
    with pytest.raises(ValueError):
        Key("x:{unit.pk}")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks between connections")
@pytest.mark.django_db(transaction=True)
def test_of_two_runs_claiming_one_key_at_once_one_acts():
    acted, results, errors = [], [], []
    barrier = threading.Barrier(2)

    def other_claim_is_waiting() -> bool:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            return cursor.fetchone()[0] >= 1

    def act():
        acted.append(threading.get_ident())
        if len(acted) == 1:  # the winner holds its claim until the other run is blocked on it
            wait_for(other_claim_is_waiting, timeout=20, what="the second claim waits for the first")

    def run():
        try:
            barrier.wait()
            results.append(deadlines.once("test:race", act))
        except Exception as exc:  # collected and re-raised below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert sorted(results) == [False, True] and len(acted) == 1
    assert Reminder.objects.filter(key="test:race").count() == 1
