"""Commissions (约稿): issuing, the target units' inbox and answers, the editor's view of
who answered on time, late or not at all, reminders and penalties."""

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from scoring.models import LedgerEntry, PenaltyRule, Scheme, SchemeUnit
from scoring.queries import unit_total
from submissions.commissions import actions as commissions
from submissions.commissions import queries as commission_queries
from submissions.commissions.panels import commission_panel
from submissions.models import Commission, CommissionTarget, Item, State
from submissions.tasks import remind_commissions
from submissions.workflow import TransitionError
from tests.factories import UnitFactory, UserFactory
from units.models import Notification, Reminder, Role

from .helpers import act, category, draft

TOPIC = "今冬明春重点项目推进情况"


@pytest.fixture
def farm(city):
    """A second department of the city, with its own writer and approver."""
    unit = UnitFactory(name="昆明市农业农村局", short_name="市农业农村局", parent=city, sort_order=2)
    UserFactory(username="farm_writer", unit=unit, roles=[Role.STAFF])
    UserFactory(username="farm_approver", unit=unit, roles=[Role.UNIT_APPROVER])
    return unit


@pytest.fixture
def water(city):
    unit = UnitFactory(name="昆明市水务局", short_name="市水务局", parent=city, sort_order=3)
    UserFactory(username="water_writer", unit=unit, roles=[Role.STAFF])
    UserFactory(username="water_approver", unit=unit, roles=[Role.UNIT_APPROVER])
    return unit


def person(username: str):
    from units.models import User

    return User.objects.get(username=username)


def issue(editor, units, *, deadline=None, now=None, topic=TOPIC) -> Commission:
    deadline = deadline or timezone.now() + dt.timedelta(days=3)
    return commissions.issue_commission(
        user=editor, topic=topic, requirements="突出进度和数据，800字以内。", deadline=deadline, units=units, now=now
    )


def answer(commission, writer, approver, *, at=None, title="项目推进情况") -> Item:
    """A unit answers: a linked draft, sent for sign-off and signed off (at `at`)."""
    item = draft(writer, title=title)
    commissions.link_to_commission(item=item, commission=commission, user=writer)
    act(item, writer, "send_for_signoff")
    if at is None:
        act(item, approver, "sign_off")
    else:
        with mock.patch("django.utils.timezone.now", return_value=at):
            act(item, approver, "sign_off")
    item.refresh_from_db()
    return item


def local_input(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


# --- Issuing ------------------------------------------------------------------------


def test_editor_issues_commission_and_target_writers_are_notified(
    client, editor, writer, unit_approver, department, farm, django_capture_on_commit_callbacks
):
    client.force_login(editor)
    page = client.get(reverse("commission_create")).content.decode()
    assert department.name in page and farm.name in page
    deadline = timezone.now() + dt.timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("commission_create"),
            {"topic": TOPIC, "requirements": "突出数据", "deadline": local_input(deadline), "targets": [department.pk]},
        )
    commission = Commission.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("commission_detail", args=[commission.pk])
    assert commission.office_id == editor.unit_id and commission.created_by == editor
    assert list(commission.target_links.values_list("unit_id", flat=True)) == [department.pk]
    assert Notification.objects.filter(recipient=writer, verb="commission", title__contains=TOPIC).count() == 1
    assert not Notification.objects.filter(recipient__unit=farm).exists()


def test_all_units_shortcut_targets_every_child_unit(client, editor, department, farm, water):
    client.force_login(editor)
    deadline = local_input(timezone.now() + dt.timedelta(days=2))
    client.post(reverse("commission_create"), {"topic": TOPIC, "deadline": deadline, "all_targets": "on"})
    targets = set(Commission.objects.get().target_links.values_list("unit_id", flat=True))
    assert targets == {department.pk, farm.pk, water.pk}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"targets": []}, "请至少选择一个约稿对象单位"),
        ({"deadline": "past"}, "截止时间必须晚于当前时间。"),
        ({"deadline": "明天下午"}, "请输入有效的截止时间"),
        ({"topic": ""}, "请填写约稿主题。"),
        ({"targets": "outside"}, "不是本单位的下级单位"),
        ({"deadline": "9999-12-31T23:59"}, "截止时间超出范围"),
        ({"deadline": "9999-12-31T20:00:00+00:00"}, "截止时间超出范围"),
    ],
)
def test_bad_commission_input_is_refused_with_chinese_message_and_kept(
    client, editor, department, other_writer, change, message
):
    client.force_login(editor)
    data = {
        "topic": TOPIC,
        "requirements": "保留的写作要求",
        "deadline": local_input(timezone.now() + dt.timedelta(days=2)),
        "targets": [department.pk],
        **change,
    }
    if data["deadline"] == "past":
        data["deadline"] = local_input(timezone.now() - dt.timedelta(hours=2))
    if data["targets"] == "outside":
        data["targets"] = [department.pk, other_writer.unit_id]
    response = client.post(reverse("commission_create"), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert "保留的写作要求" in page  # the input is kept
    assert not Commission.objects.exists()


@pytest.mark.parametrize("deadline", ["9999-12-31T20:00:00Z", "0001-01-01T00:00:00+08:00", "2101-01-01T08:00:00+08:00"])
def test_api_refuses_a_deadline_beyond_the_years_of_every_date(editor, department, deadline):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(editor)
    body = {"topic": TOPIC, "deadline": deadline, "targets": [department.pk]}
    response = api.post(reverse("api-commission-list"), body, format="json")
    assert response.status_code == 400  # was a 500: the year-9999 value overflowed in local time
    assert "截止时间超出范围" in str(response.json())
    assert not Commission.objects.exists()


def test_issue_action_checks_targets_deadline_and_role(editor, writer, department, other_writer, city):
    future = timezone.now() + dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="下级单位"):
        issue(editor, [department, other_writer.unit])
    with pytest.raises(ValidationError, match="下级单位"):
        issue(editor, [city])  # the office itself is no target
    with pytest.raises(ValidationError, match="至少选择"):
        issue(editor, [])
    with pytest.raises(ValidationError, match="截止时间"):
        issue(editor, [department], deadline=timezone.now() - dt.timedelta(minutes=1))
    with pytest.raises(TransitionError):
        issue(writer, [department], deadline=future)
    assert not Commission.objects.exists()


def test_staff_and_leaders_cannot_issue(client, writer, leader, department):
    for someone in (writer, leader):
        client.force_login(someone)
        assert client.get(reverse("commission_create")).status_code == 403
        deadline = local_input(timezone.now() + dt.timedelta(days=2))
        response = client.post(reverse("commission_create"), {"topic": TOPIC, "deadline": deadline,
                                                              "targets": [department.pk]})  # fmt: skip
        assert response.status_code == 403
        assert client.get(reverse("commission_list")).status_code == 403
    assert not Commission.objects.exists()


def test_other_office_editor_cannot_view_or_issue_for_this_office(client, editor, other_editor, department):
    commission = issue(editor, [department])
    client.force_login(other_editor)
    assert client.get(reverse("commission_detail", args=[commission.pk])).status_code == 404
    assert TOPIC not in client.get(reverse("commission_list")).content.decode()
    deadline = local_input(timezone.now() + dt.timedelta(days=2))
    response = client.post(reverse("commission_create"), {"topic": "越权约稿", "deadline": deadline,
                                                          "targets": [department.pk]})  # fmt: skip
    assert response.status_code == 200 and "不是本单位的下级单位" in response.content.decode()
    assert not Commission.objects.filter(topic="越权约稿").exists()


# --- Inbox and answers ----------------------------------------------------------------


def test_target_unit_sees_commission_and_answers_through_the_form(client, editor, writer, unit_approver, department):
    commission = issue(editor, [department])
    client.force_login(writer)
    inbox = client.get(reverse("commission_inbox")).content.decode()
    assert TOPIC in inbox and "突出进度和数据" in inbox
    assert reverse("commission_answer", args=[commission.pk]) in inbox and "撰写回复" in inbox

    form_page = client.get(reverse("commission_answer", args=[commission.pk])).content.decode()
    assert TOPIC in form_page and 'name="title"' in form_page
    response = client.post(
        reverse("commission_answer", args=[commission.pk]),
        {"title": "市发展改革委重点项目推进有力", "body": "1—10月完成投资486亿元。", "category": category().pk,
         "form": "full", "confidentiality": "internal"},
    )  # fmt: skip
    item = Item.objects.get()
    assert response.status_code == 302 and response.url == reverse("item_detail", args=[item.pk])
    assert item.commission == commission and item.state == State.DRAFT
    assert item.events.filter(comment__contains=TOPIC).exists()

    # A draft is not an answer yet; signed off it is, on time.
    assert commission_queries.commission_targets(commission)[0].status == commission_queries.PENDING
    act(item, writer, "send_for_signoff")
    act(item, unit_approver, "sign_off")
    client.force_login(unit_approver)
    inbox = client.get(reverse("commission_inbox")).content.decode()
    assert "按时报送" in inbox and "撰写回复" not in inbox  # approvers see it but do not write


def test_answer_form_keeps_input_and_refuses_secrets(client, editor, writer, department):
    commission = issue(editor, [department])
    client.force_login(writer)
    response = client.post(
        reverse("commission_answer", args=[commission.pk]),
        {"title": "保留的标题", "body": "", "category": category().pk, "form": "full", "confidentiality": "secret"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "保留的标题" in page and "请填写正文。" in page and "机要" in page
    assert not Item.objects.exists()


def test_unit_that_is_not_a_target_cannot_see_or_answer(client, editor, writer, department, farm, other_writer):
    commission = issue(editor, [farm])
    for someone in (writer, other_writer):
        client.force_login(someone)
        assert TOPIC not in client.get(reverse("commission_inbox")).content.decode()
        url = reverse("commission_answer", args=[commission.pk])
        assert client.get(url).status_code == 404
        post = client.post(url, {"title": "越权回复", "body": "正文", "category": category().pk, "form": "full",
                                 "confidentiality": "internal"})  # fmt: skip
        assert post.status_code == 404
        assert client.get(reverse("commission_detail", args=[commission.pk])).status_code == 404
    assert not Item.objects.exists()


def test_inbox_is_for_people_of_units(client, editor, leader, department):
    issue(editor, [department])
    client.force_login(editor)  # an editor holds no role in a target unit
    assert client.get(reverse("commission_inbox")).status_code == 403


def test_link_to_commission_checks_unit_office_and_state(editor, other_editor, writer, unit_approver, department, farm):
    ours = issue(editor, [department])
    not_ours = issue(editor, [farm], topic="农业约稿")
    other_office = Commission.objects.create(
        office=other_editor.unit, topic="曲靖约稿", deadline=timezone.now() + dt.timedelta(days=1),
        created_by=other_editor,
    )  # fmt: skip
    CommissionTarget.objects.create(commission=other_office, unit=department)  # even if listed by mistake
    item = draft(writer)
    with pytest.raises(ValidationError, match="约稿对象"):
        commissions.link_to_commission(item=item, commission=not_ours, user=writer)
    with pytest.raises(ValidationError, match="接收单位"):
        commissions.link_to_commission(item=item, commission=other_office, user=writer)
    with pytest.raises(TransitionError):
        commissions.link_to_commission(item=item, commission=ours, user=unit_approver)
    commissions.link_to_commission(item=item, commission=ours, user=writer)
    second = issue(editor, [department], topic="第二个约稿")
    with pytest.raises(ValidationError, match="只能回复一个约稿"):
        commissions.link_to_commission(item=item, commission=second, user=writer)
    submitted = draft(writer, title="已报送的信息")
    act(submitted, writer, "send_for_signoff")
    act(submitted, unit_approver, "sign_off")
    submitted.refresh_from_db()
    with pytest.raises(TransitionError, match="已报送"):
        commissions.link_to_commission(item=submitted, commission=second, user=writer)


# --- The editor's view ----------------------------------------------------------------


def test_editor_sees_answered_on_time_late_and_missing(client, editor, writer, unit_approver, department, farm, water):
    deadline = timezone.now() - dt.timedelta(hours=1)
    commission = issue(editor, [department, farm, water], deadline=deadline, now=deadline - dt.timedelta(days=2))
    on_time = answer(commission, writer, unit_approver, at=deadline - dt.timedelta(minutes=30), title="按时的回复")
    late = answer(commission, person("farm_writer"), person("farm_approver"), title="逾期的回复")
    assert on_time.first_submitted_at <= deadline < late.first_submitted_at
    client.force_login(editor)

    listing = client.get(reverse("commission_list")).content.decode()
    assert 'data-count="on_time">1<' in listing
    assert 'data-count="late">1<' in listing
    assert 'data-count="unanswered">1<' in listing

    page = client.get(reverse("commission_detail", args=[commission.pk])).content.decode()
    assert f'data-unit="{department.pk}" data-status="on_time"' in page
    assert f'data-unit="{farm.pk}" data-status="late"' in page
    assert f'data-unit="{water.pk}" data-status="missing"' in page
    assert 'data-count="missing">1<' in page and 'data-count="pending"' not in page
    assert reverse("item_detail", args=[on_time.pk]) in page and reverse("item_detail", args=[late.pk]) in page
    assert client.get(reverse("item_detail", args=[late.pk])).status_code == 200  # the link opens


def test_item_panel_names_the_commission_an_item_answers(editor, writer, unit_approver, department):
    commission = issue(editor, [department])
    item = answer(commission, writer, unit_approver)
    panel = commission_panel(None, item)
    assert panel["commission"] == commission and panel["status_label"] == "按时报送"
    assert commission_panel(None, draft(writer, title="普通信息")) is None


def test_editor_does_not_see_links_to_drafts(client, editor, writer, department):
    commission = issue(editor, [department])
    item = draft(writer, title="尚未报送的草稿")
    commissions.link_to_commission(item=item, commission=commission, user=writer)
    client.force_login(editor)
    page = client.get(reverse("commission_detail", args=[commission.pk])).content.decode()
    assert "尚未报送的草稿" not in page and 'data-status="pending"' in page


def test_commission_list_query_count_is_flat(client, editor, department, farm, django_assert_max_num_queries):
    for i in range(2):
        issue(editor, [department, farm], topic=f"约稿{i}")
    client.force_login(editor)
    with django_assert_max_num_queries(20) as small:
        client.get(reverse("commission_list"))
    for i in range(15):
        issue(editor, [department, farm], topic=f"更多约稿{i}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(reverse("commission_list")).content.decode()
    assert "更多约稿14" in page


def test_commission_list_filters_and_paginates(client, editor, department):
    for i in range(25):
        issue(editor, [department], topic=f"约稿{i:02d}")
    past = timezone.now() - dt.timedelta(hours=1)
    issue(editor, [department], topic="已截止的约稿", deadline=past, now=past - dt.timedelta(days=1))
    client.force_login(editor)
    first = client.get(reverse("commission_list")).content.decode()
    assert "第 1 / 2 页" in first
    assert "已截止的约稿" in client.get(reverse("commission_list"), {"status": "closed"}).content.decode()
    assert "已截止的约稿" not in client.get(reverse("commission_list"), {"status": "open"}).content.decode()
    only = client.get(reverse("commission_list"), {"q": "约稿07"}).content.decode()
    assert "约稿07" in only and "约稿08" not in only


# --- Reminders and penalties ------------------------------------------------------------


@pytest.fixture
def commission_scheme(city, department, farm):
    scheme = Scheme.objects.create(office=city, year=timezone.localdate().year, name="约稿考核")
    SchemeUnit.objects.create(scheme=scheme, unit=department)
    SchemeUnit.objects.create(scheme=scheme, unit=farm)
    PenaltyRule.objects.create(scheme=scheme, kind="commission", points=Decimal("2"))
    return scheme


def test_task_is_registered_under_its_beat_name():
    from govinfo.celery import app

    assert "submissions.remind_commissions" in app.tasks
    assert "submissions.check_monthly_progress" in app.tasks


def test_reminder_before_the_deadline_goes_out_once(
    editor, writer, unit_approver, department, farm, django_capture_on_commit_callbacks
):
    deadline = timezone.now() + dt.timedelta(days=3)
    commission = issue(editor, [department, farm], deadline=deadline)
    answer(commission, person("farm_writer"), person("farm_approver"))

    def run(at):
        with django_capture_on_commit_callbacks(execute=True):
            return remind_commissions.delay(now=at.isoformat()).get()

    assert run(deadline - dt.timedelta(hours=30)) == {"reminded": 0, "penalized": 0}  # too early
    assert run(deadline - dt.timedelta(hours=12)) == {"reminded": 1, "penalized": 0}
    assert run(deadline - dt.timedelta(hours=11)) == {"reminded": 0, "penalized": 0}  # ran again
    reminders = Notification.objects.filter(verb="commission_due")
    assert {n.recipient for n in reminders} == {writer, unit_approver}  # not the unit that answered
    assert Reminder.objects.filter(key=f"commission:{commission.pk}:unit:{department.pk}:remind").exists()
    assert CommissionTarget.objects.get(commission=commission, unit=department).reminded_at is not None


def test_unanswered_target_is_penalised_once_through_the_ledger(
    client, editor, writer, unit_approver, department, farm, commission_scheme
):
    deadline = timezone.now() + dt.timedelta(days=1)
    commission = issue(editor, [department, farm], deadline=deadline)
    answer(commission, person("farm_writer"), person("farm_approver"))
    before = remind_commissions(now=(deadline - dt.timedelta(minutes=5)).isoformat())
    assert before["penalized"] == 0

    after = (deadline + dt.timedelta(hours=1)).isoformat()
    assert remind_commissions(now=after)["penalized"] == 1
    assert remind_commissions(now=after)["penalized"] == 0  # ran twice: penalised once

    entry = LedgerEntry.objects.get()
    assert entry.unit == department and entry.points == Decimal("-2")
    assert entry.source_ref == f"commission:{commission.pk}:unit:{department.pk}"
    assert entry.reason == f"约稿未报：{TOPIC}"
    assert unit_total(commission_scheme, department) == Decimal("-2")
    assert unit_total(commission_scheme, farm) == Decimal("0")
    target = CommissionTarget.objects.get(commission=commission, unit=department)
    assert target.penalized_at is not None

    # Even if the claim and the mark were lost, the ledger's own key keeps the fault penalised once.
    Reminder.objects.filter(key=entry.source_ref).delete()
    CommissionTarget.objects.filter(pk=target.pk).update(penalized_at=None)
    remind_commissions(now=after)
    assert LedgerEntry.objects.count() == 1

    client.force_login(editor)
    page = client.get(reverse("commission_detail", args=[commission.pk])).content.decode()
    assert "已记约稿未报" in page


def test_penalty_without_a_scheme_rule_marks_the_target_but_writes_no_points(editor, department, farm):
    deadline = timezone.now() + dt.timedelta(hours=2)
    commission = issue(editor, [department], deadline=deadline)
    assert remind_commissions(now=(deadline + dt.timedelta(hours=1)).isoformat())["penalized"] == 1
    assert CommissionTarget.objects.get(commission=commission).penalized_at is not None
    assert not LedgerEntry.objects.exists()


def test_reminder_uses_real_clock_without_now(editor, writer, department):
    commission = issue(editor, [department], deadline=timezone.now() + dt.timedelta(hours=5))
    assert remind_commissions() == {"reminded": 1, "penalized": 0}
    assert Reminder.objects.filter(key__startswith=f"commission:{commission.pk}:").count() == 1


def test_admin_shows_commissions_read_only_within_the_administrators_units(
    client, editor, department, city_admin, outsider
):
    commission = issue(editor, [department])
    client.force_login(city_admin)
    assert TOPIC in client.get(reverse("admin:submissions_commission_changelist")).content.decode()
    page = client.get(reverse("admin:submissions_commission_change", args=[commission.pk])).content.decode()
    assert department.name in page  # the targets, read-only
    assert client.get(reverse("admin:submissions_commission_add")).status_code == 403
    client.force_login(outsider)  # administrator of another city
    assert TOPIC not in client.get(reverse("admin:submissions_commission_changelist")).content.decode()
    assert client.get(reverse("admin:submissions_commission_change", args=[commission.pk])).status_code != 200
