"""Emergencies (突发事件): 首报 → 续报 … → 终报 as one case, timed by grade, late reports
penalised once and vetoing the award; the editor's desk puts open emergencies first."""

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from scoring.models import LedgerEntry, PenaltyRule, Scheme, SchemeUnit
from scoring.queries import scoreboard
from submissions import hooks
from submissions.emergencies import actions as emergencies
from submissions.emergencies.actions import CaseData
from submissions.emergencies.queries import Timer, chinese_number, report_label, timer
from submissions.models import EmergencyCase, Item, ReportKind, State
from submissions.signals import penalty_due
from tests.factories import UserFactory
from units.models import Notification, Role

from .helpers import BODY, act, data, submitted

LOCAL = "%Y-%m-%dT%H:%M"


def _local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime(LOCAL)


def start(writer, *, grade="major", occurred_at=None, phoned_at=None, **overrides) -> Item:
    occurred_at = occurred_at or timezone.now() - dt.timedelta(minutes=10)
    case = CaseData(grade=grade, occurred_at=occurred_at, phoned_at=phoned_at)
    return emergencies.start_case(author=writer, data=data(**overrides), case=case)


def sign_off(item, writer, approver) -> Item:
    act(item, writer, "send_for_signoff")
    act(item, approver, "sign_off")
    item.refresh_from_db()
    return item


def add(case, writer, kind=ReportKind.FOLLOW_UP, title="续报：伤员救治情况") -> Item:
    return emergencies.add_report(case=case, author=writer, data=data(title=title), kind=kind)


def _post_act(client, item, action):
    item.refresh_from_db()
    return client.post(reverse("item_act", args=[item.pk, action]), {"version": item.version})


def _report_form(**overrides) -> dict:
    values = {"title": "某县发生山体滑坡", "body": BODY, "form": "full", "confidentiality": "internal"}
    values.update(overrides)
    return values


@pytest.fixture
def scheme(city, department):
    s = Scheme.objects.create(office=city, year=timezone.localdate().year, name="考核")
    SchemeUnit.objects.create(scheme=s, unit=department, quota=Decimal("20"))
    PenaltyRule.objects.create(scheme=s, kind="emergency_late", points=5, vetoes_award=True)
    return s


# --- The whole journey over HTTP --------------------------------------------------------


def test_first_report_follow_ups_and_final_report_make_one_case(
    client, writer, unit_approver, editor, city, department, django_capture_on_commit_callbacks
):
    editor.email = "editor@example.gov.cn"
    editor.save()
    occurred = timezone.now() - dt.timedelta(minutes=20)
    client.force_login(writer)
    assert client.get(reverse("emergency_create")).status_code == 200
    response = client.post(
        reverse("emergency_create"),
        _report_form(grade="major", occurred_at=_local(occurred), phoned_at=_local(occurred + dt.timedelta(minutes=5))),
    )
    first = Item.objects.get(title="某县发生山体滑坡")
    assert response.status_code == 302 and response.url == reverse("item_detail", args=[first.pk])
    case = first.emergency_case
    assert (first.report_kind, first.category.code, first.state) == (ReportKind.FIRST, "emergency", State.DRAFT)
    assert (case.unit, case.office, case.grade) == (department, city, "major")
    assert case.written_deadline == case.occurred_at + dt.timedelta(minutes=60)  # 重大: 60 minutes
    assert case.phoned_at == case.occurred_at + dt.timedelta(minutes=5)

    _post_act(client, first, "send_for_signoff")
    client.force_login(unit_approver)
    with django_capture_on_commit_callbacks(execute=True):
        _post_act(client, first, "sign_off")
    first.refresh_from_db()
    case.refresh_from_db()
    assert first.state == State.SUBMITTED
    assert not first.is_late and not case.is_late
    alert = Notification.objects.get(recipient=editor, verb="emergency_submitted")
    assert "重大突发事件·首报" in alert.title and alert.url == reverse("item_detail", args=[first.pk])
    assert any(m.to == ["editor@example.gov.cn"] and "首报" in m.subject for m in mail.outbox)

    client.force_login(writer)
    assert client.get(reverse("emergency_followup", args=[case.pk])).status_code == 200
    for title in ("续报：伤员已全部送医", "续报：道路恢复通行"):
        client.post(reverse("emergency_followup", args=[case.pk]), _report_form(title=title, kind="follow_up"))
    one, two = Item.objects.filter(emergency_case=case, report_kind=ReportKind.FOLLOW_UP).order_by("report_seq")
    assert (one.report_seq, two.report_seq) == (1, 2) and one.title == "续报：伤员已全部送医"
    sign_off(one, writer, unit_approver)
    client.post(reverse("emergency_followup", args=[case.pk]), _report_form(title="终报：处置完毕", kind="final"))
    final = Item.objects.get(emergency_case=case, report_kind=ReportKind.FINAL)
    page = client.get(reverse("emergency_case", args=[case.pk])).content.decode()
    assert "处置中" in page
    table = page[page.index('id="reports"') :]
    assert table.index("首报") < table.index("续报一") < table.index("续报二") < table.index("终报")

    _post_act(client, final, "send_for_signoff")
    client.force_login(unit_approver)
    with django_capture_on_commit_callbacks(execute=True):
        _post_act(client, final, "sign_off")
    case.refresh_from_db()
    final.refresh_from_db()
    assert case.closed_at == final.signed_off_at
    assert Notification.objects.filter(recipient=editor, verb="emergency_submitted").count() == 3

    client.force_login(writer)
    form = _report_form(title="又一条续报", kind="follow_up")
    response = client.post(reverse("emergency_followup", args=[case.pk]), form)
    assert response.status_code == 302
    assert not Item.objects.filter(title="又一条续报").exists()
    page = client.get(reverse("emergency_case", args=[case.pk])).content.decode()
    assert "已结案" in page and "添加续报" not in page

    client.force_login(editor)
    page = client.get(reverse("emergency_case", args=[case.pk])).content.decode()
    assert "续报一" in page and "终报" in page
    assert "续报二" not in page  # the second follow-up never left the unit


def test_item_page_links_the_report_to_its_case(client, writer):
    item = start(writer)
    client.force_login(writer)
    page = client.get(reverse("item_detail", args=[item.pk])).content.decode()
    assert 'id="emergency-panel"' in page and reverse("emergency_case", args=[item.emergency_case_id]) in page
    assert "剩余50分钟" in page


# --- Who may do what --------------------------------------------------------------------


def test_outsiders_cannot_see_the_case_or_add_reports(
    client, writer, unit_approver, editor, other_writer, other_editor, outsider
):
    first = sign_off(start(writer), writer, unit_approver)
    case = first.emergency_case
    for person in (other_writer, other_editor, outsider):
        client.force_login(person)
        assert client.get(reverse("emergency_case", args=[case.pk])).status_code == 404
        assert client.get(reverse("emergency_followup", args=[case.pk])).status_code == 404
        response = client.post(reverse("emergency_followup", args=[case.pk]), _report_form(kind="follow_up"))
        assert response.status_code == 404
        assert f'data-case="{case.pk}"' not in client.get(reverse("emergency_list")).content.decode()
    assert Item.objects.filter(emergency_case=case).count() == 1


def test_only_the_units_staff_add_reports(client, writer, unit_approver, editor):
    case = sign_off(start(writer), writer, unit_approver).emergency_case
    for person in (unit_approver, editor):
        client.force_login(person)
        assert client.get(reverse("emergency_case", args=[case.pk])).status_code == 200
        response = client.post(reverse("emergency_followup", args=[case.pk]), _report_form(kind="follow_up"))
        assert response.status_code == 403
    assert Item.objects.filter(emergency_case=case).count() == 1


def test_only_staff_report_emergencies_and_only_role_holders_see_the_list(client, editor, city):
    client.force_login(editor)
    assert client.get(reverse("emergency_create")).status_code == 403
    nobody = UserFactory(username="nobody", unit=city, roles=[])
    client.force_login(nobody)
    assert client.get(reverse("emergency_list")).status_code == 403


def test_editor_does_not_see_draft_reports_of_the_case(client, writer, unit_approver, editor):
    first = start(writer, title="首报草稿不外传")
    client.force_login(editor)
    page = client.get(reverse("emergency_case", args=[first.emergency_case_id])).content.decode()
    assert "首报草稿不外传" not in page and "尚未报送" in page


# --- Bad input ----------------------------------------------------------------------------


def test_grade_is_required(client, writer):
    client.force_login(writer)
    response = client.post(reverse("emergency_create"), _report_form(occurred_at=_local(timezone.now())))
    assert response.status_code == 200
    assert "请选择事件等级" in response.content.decode()
    assert not EmergencyCase.objects.exists() and not Item.objects.exists()


def test_happened_time_cannot_be_in_the_future(client, writer):
    client.force_login(writer)
    later = timezone.now() + dt.timedelta(hours=2)
    response = client.post(reverse("emergency_create"), _report_form(grade="general", occurred_at=_local(later)))
    assert "事件发生时间不能晚于当前时间" in response.content.decode()
    assert not EmergencyCase.objects.exists()


def test_phone_report_cannot_precede_the_emergency(client, writer):
    client.force_login(writer)
    occurred = timezone.now() - dt.timedelta(hours=1)
    response = client.post(
        reverse("emergency_create"),
        _report_form(grade="general", occurred_at=_local(occurred), phoned_at=_local(occurred - dt.timedelta(hours=1))),
    )
    assert "电话报告时间不能早于事件发生时间" in response.content.decode()
    assert not EmergencyCase.objects.exists()


def test_the_action_refuses_a_future_emergency_too(writer):
    with pytest.raises(Exception, match="不能晚于当前时间"):
        start(writer, occurred_at=timezone.now() + dt.timedelta(minutes=5))


def test_follow_up_waits_for_the_first_report(writer):
    first = start(writer)
    with pytest.raises(emergencies.TransitionError, match="首报尚未报送"):
        add(first.emergency_case, writer)


def test_no_report_after_the_final_report_closed_the_case(writer, unit_approver):
    case = sign_off(start(writer), writer, unit_approver).emergency_case
    sign_off(add(case, writer, ReportKind.FINAL, title="终报"), writer, unit_approver)
    case.refresh_from_db()
    assert case.closed_at is not None
    with pytest.raises(emergencies.TransitionError, match="已终报结案"):
        add(case, writer)


def test_one_final_report_per_case(writer, unit_approver):
    case = sign_off(start(writer), writer, unit_approver).emergency_case
    add(case, writer, ReportKind.FINAL, title="终报")
    with pytest.raises(emergencies.TransitionError, match="已有终报"):
        add(case, writer, ReportKind.FINAL, title="又一条终报")


# --- Deadlines and lateness ------------------------------------------------------------


def _sign_off_at(moment, item, writer, approver) -> Item:
    act(item, writer, "send_for_signoff")
    with mock.patch("django.utils.timezone.now", return_value=moment):
        act(item, approver, "sign_off")
    item.refresh_from_db()
    return item


def test_first_report_on_the_minute_is_on_time_and_a_second_later_is_late(writer, unit_approver):
    occurred = timezone.now() - dt.timedelta(hours=3)
    on_time = start(writer, grade="major", occurred_at=occurred)
    late = start(writer, grade="major", occurred_at=occurred)
    deadline = occurred + dt.timedelta(minutes=60)
    assert not _sign_off_at(deadline, on_time, writer, unit_approver).is_late
    assert _sign_off_at(deadline + dt.timedelta(seconds=1), late, writer, unit_approver).is_late
    assert list(EmergencyCase.objects.order_by("pk").values_list("is_late", flat=True)) == [False, True]


def test_first_report_is_timed_by_grade_not_by_the_one_day_rule(writer, unit_approver):
    # Happened at 23:50, written report at 00:20 the next day: 30 of the 360 minutes of 一般.
    occurred = timezone.localtime(timezone.now() - dt.timedelta(days=2)).replace(hour=23, minute=50)
    item = start(writer, grade="general", occurred_at=occurred)
    item = _sign_off_at(occurred + dt.timedelta(minutes=30), item, writer, unit_approver)
    assert not item.is_late and not item.emergency_case.is_late
    assert item.deadline == timezone.localdate(occurred + dt.timedelta(minutes=360))


def test_late_first_report_marks_item_and_case_and_vetoes_the_award(client, writer, unit_approver, department, scheme):
    item = start(writer, grade="especially_major", occurred_at=timezone.now() - dt.timedelta(minutes=45))
    act(item, writer, "send_for_signoff")
    client.force_login(unit_approver)
    response = _post_act(client, item, "sign_off")
    assert "已超过报送时限，标记为迟报" in client.get(response.url).content.decode()
    item.refresh_from_db()
    case = item.emergency_case
    assert item.is_late and case.is_late
    entry = LedgerEntry.objects.get(scheme=scheme, unit=department)
    assert (entry.rule, entry.points, entry.source_ref, entry.item) == (
        "penalty:emergency_late", Decimal("-5"), f"emergency:{case.pk}", item,
    )  # fmt: skip
    row = next(r for r in scoreboard(scheme).rows if r.unit == department)
    assert row.vetoed and row.tier == ""


def test_the_hook_firing_twice_penalises_once(writer, unit_approver, department, scheme):
    sent = []

    def count(sender, **kwargs):
        sent.append(kwargs["ref"])

    penalty_due.connect(count, dispatch_uid="test.count_penalties")
    try:
        item = sign_off(start(writer, grade="major", occurred_at=timezone.now() - dt.timedelta(hours=2)),
                        writer, unit_approver)  # fmt: skip
        hooks.after_transition(item, unit_approver, "sign_off")
        emergencies.record_written_report(item=item, user=unit_approver)
    finally:
        penalty_due.disconnect(dispatch_uid="test.count_penalties")
    assert sent == [f"emergency:{item.emergency_case_id}"]
    assert LedgerEntry.objects.filter(scheme=scheme, unit=department, rule="penalty:emergency_late").count() == 1


def test_written_report_time_is_the_first_sign_off_even_after_a_return(writer, unit_approver, editor, scheme):
    occurred = timezone.now() - dt.timedelta(minutes=90)
    item = start(writer, grade="large", occurred_at=occurred)  # 较大: 120 minutes
    item = _sign_off_at(occurred + dt.timedelta(minutes=100), item, writer, unit_approver)
    act(item, editor, "return", "请补充伤亡人数")
    item = sign_off(item, writer, unit_approver)  # now, 90 minutes after: still on time by the first sign-off
    later = occurred + dt.timedelta(minutes=200)
    act(item, editor, "return", "请核实")
    item = _sign_off_at(later, item, writer, unit_approver)
    assert not item.is_late and not item.emergency_case.is_late
    assert not LedgerEntry.objects.exists()


def test_follow_ups_are_not_marked_late_by_the_day_rule(writer, unit_approver):
    case = sign_off(start(writer), writer, unit_approver).emergency_case
    follow_up = add(case, writer)
    Item.objects.filter(pk=follow_up.pk).update(event_date=timezone.localdate() - dt.timedelta(days=5))
    assert not sign_off(follow_up, writer, unit_approver).is_late


# --- Pages for editors -------------------------------------------------------------------


def test_desk_puts_open_emergencies_first_with_grade_and_timer(client, writer, unit_approver, editor):
    emergency = sign_off(start(writer, grade="especially_major", title="某地发生森林火灾"), writer, unit_approver)
    held = sign_off(start(writer, grade="general", title="已备用的突发事件"), writer, unit_approver)
    act(held, editor, "hold")
    submitted(writer, unit_approver, title="刚报送的普通信息")
    client.force_login(editor)
    for params in ({}, {"view": "waiting"}):
        page = client.get(reverse("desk"), params).content.decode()
        assert page.index("某地发生森林火灾") < page.index("刚报送的普通信息")
    page = client.get(reverse("desk")).content.decode()
    assert page.index("刚报送的普通信息") < page.index("已备用的突发事件")  # held: no longer jumps the queue
    assert f'data-emergency="{emergency.emergency_case_id}"' in page and "特别重大" in page
    assert "剩余20分钟" in page  # 30 minutes from 10 minutes ago
    assert "js/timer.js" in page


def test_desk_shows_overdue_minutes(client, writer, unit_approver, editor):
    sign_off(start(writer, grade="major", occurred_at=timezone.now() - dt.timedelta(minutes=95)), writer, unit_approver)
    client.force_login(editor)
    assert "已超时35分钟" in client.get(reverse("desk")).content.decode()


def test_desk_query_count_stays_flat_with_emergencies(
    client, writer, unit_approver, editor, django_assert_max_num_queries
):
    for i in range(2):
        sign_off(start(writer, title=f"突发{i}"), writer, unit_approver)
        submitted(writer, unit_approver, title=f"普通{i}")
    client.force_login(editor)
    with django_assert_max_num_queries(20) as small:
        client.get(reverse("desk"))
    for i in range(12):
        sign_off(start(writer, title=f"更多突发{i}"), writer, unit_approver)
        submitted(writer, unit_approver, title=f"更多普通{i}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(reverse("desk")).content.decode()
    assert "更多突发11" in page


def test_case_list_shows_open_cases_first_and_counts_late_ones(client, writer, unit_approver, editor, other_editor):
    late = sign_off(start(writer, grade="major", occurred_at=timezone.now() - dt.timedelta(hours=3)),
                    writer, unit_approver).emergency_case  # fmt: skip
    closed = sign_off(start(writer), writer, unit_approver).emergency_case
    sign_off(add(closed, writer, ReportKind.FINAL, title="终报"), writer, unit_approver)
    waiting = start(writer, grade="general").emergency_case
    client.force_login(editor)
    page = client.get(reverse("emergency_list")).content.decode()
    rows = [page.index(f'data-case="{c.pk}"') for c in (waiting, late, closed)]
    assert rows == sorted(rows)
    assert "剩余350分钟" in page  # the first report not yet in: the clock is running
    counts = page[page.index('id="late-counts"') :]
    assert '市发展改革委</td><td class="text-end">3</td><td class="text-end text-danger fw-bold">1<' in counts
    assert client.get(reverse("emergency_list"), {"late": "1"}).content.decode().count("data-case=") == 1
    client.force_login(other_editor)
    assert "data-case=" not in client.get(reverse("emergency_list")).content.decode()


def test_editors_of_the_office_are_alerted_not_others(writer, unit_approver, editor, other_editor, city):
    colleague_editor = UserFactory(username="editor2", unit=city, roles=[Role.EDITOR, Role.LEADER])
    sign_off(start(writer), writer, unit_approver)
    alerted = set(Notification.objects.filter(verb="emergency_submitted").values_list("recipient__username", flat=True))
    assert alerted == {editor.username, colleague_editor.username}


# --- Pure helpers -------------------------------------------------------------------------


def test_labels_and_timer_text():
    assert [chinese_number(n) for n in (1, 2, 10, 11, 20, 23)] == ["一", "二", "十", "十一", "二十", "二十三"]
    assert report_label(ReportKind.FOLLOW_UP, 3) == "续报三"
    assert report_label(ReportKind.FIRST) == "首报" and report_label(ReportKind.FINAL) == "终报"
    now = timezone.now()
    assert timer(now + dt.timedelta(minutes=25), now) == Timer(now + dt.timedelta(minutes=25), False, 25)
    assert timer(now - dt.timedelta(minutes=7), now).text == "已超时7分钟"
    assert timer(now + dt.timedelta(minutes=5), now).text == "剩余5分钟"
