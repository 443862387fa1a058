"""迟报 costs what the scheme says and shows in the statistics: an item marked late at its
first sign-off is penalised once by the scheme's "late" rule; the scoreboard, its Excel
export and the unit's ledger page count the unit's late items."""

import datetime as dt
import io
from decimal import Decimal
from unittest import mock

import openpyxl
from django.urls import reverse
from django.utils import timezone

from scoring.models import LedgerEntry, Source
from scoring.queries import scoreboard, unit_total
from submissions.emergencies import actions as emergencies
from submissions.emergencies.actions import CaseData
from tests.submissions.helpers import act, category, data, draft


def _post_act(client, item, action, comment=""):
    item.refresh_from_db()
    return client.post(reverse("item_act", args=[item.pk, action]), {"version": item.version, "comment": comment})


def _late_item(client, writer, approver, *, days_late=3, title="某县发生森林火情"):
    """A 重大事项 item (due the day after the event) signed off over HTTP `days_late` days after it."""
    event = timezone.localdate() - dt.timedelta(days=days_late + 1)
    item = draft(writer, title=title, category=category("major"), event_date=event)
    client.force_login(writer)
    _post_act(client, item, "send_for_signoff")
    client.force_login(approver)
    _post_act(client, item, "sign_off")
    item.refresh_from_db()
    return item


def test_three_late_items_cost_three_late_penalties_once_each(
    client, writer, unit_approver, editor, scheme, department
):
    items = [_late_item(client, writer, unit_approver, title=f"迟报信息{i}") for i in range(3)]
    assert all(i.is_late for i in items)
    on_time = draft(writer, title="按时信息", category=category("major"), event_date=timezone.localdate())
    act(on_time, writer, "send_for_signoff")
    act(on_time, unit_approver, "sign_off")

    # A returned late item signed off again is the same fault: no second penalty.
    act(items[0], editor, "return", "请补充数据")
    act(items[0], writer, "send_for_signoff")
    act(items[0], unit_approver, "sign_off")

    rows = LedgerEntry.objects.filter(scheme=scheme, unit=department, rule="penalty:late")
    assert rows.count() == 3
    assert {r.item_id for r in rows} == {i.pk for i in items}
    assert {r.source_ref for r in rows} == {f"late:item:{i.pk}" for i in items}
    assert all(r.source == Source.PENALTY and r.points == Decimal("-1") for r in rows)
    assert all(r.reason.startswith("迟报：报送时限") and "迟报信息" not in r.reason for r in rows)  # no titles
    row = next(r for r in scoreboard(scheme).rows if r.unit == department)
    assert row.penalties == Decimal("-3") and row.late == 3 and row.submissions == 4
    assert unit_total(scheme, department) == Decimal("-3")


def test_unit_outside_the_scheme_or_without_a_late_rule_is_not_penalised(
    client, writer, unit_approver, scheme, department
):
    scheme.penalty_rules.filter(kind="late").delete()
    item = _late_item(client, writer, unit_approver)
    assert item.is_late
    assert not LedgerEntry.objects.exists()
    assert next(r for r in scoreboard(scheme).rows if r.unit == department).late == 1  # still counted


def test_late_emergency_first_report_is_penalised_as_emergency_late_only(writer, unit_approver, scheme, department):
    occurred = timezone.now() - dt.timedelta(hours=5)
    case = CaseData(grade="major", occurred_at=occurred)
    item = emergencies.start_case(author=writer, data=data(title="某地发生交通事故"), case=case)
    act(item, writer, "send_for_signoff")
    act(item, unit_approver, "sign_off")
    rules = list(LedgerEntry.objects.filter(unit=department).values_list("rule", flat=True))
    assert rules == ["penalty:emergency_late"]


def test_board_export_and_ledger_page_show_late_counts(
    client, leader, city_admin, writer, unit_approver, scheme, department
):
    for i in range(2):
        _late_item(client, writer, unit_approver, title=f"迟报信息{i}")

    client.force_login(leader)
    page = client.get(reverse("scheme_board", args=[scheme.pk])).content.decode()
    head = page[page.index('id="board"') :]
    assert '<th class="text-end">迟报</th>' in head
    row = head[head.index(department.display_name) :]
    row = row[: row.index("</tr>")]
    assert '<td class="text-end text-danger">2</td>' in row

    response = client.get(reverse("scheme_board_export", args=[scheme.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    column = header.index("迟报条数")
    line = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[1] == department.name)
    assert line[column] == 2 and line[header.index("扣分")] == -2

    client.force_login(city_admin)
    page = client.get(reverse("unit_ledger", args=[scheme.pk, department.pk])).content.decode()
    counts = page[page.index('id="ledger-late"') :]
    counts = counts[: counts.index("</p>")]
    assert "报送 2 条" in counts and "迟报" in counts and ">2</span> 条" in counts


def test_lateness_follows_the_clock_at_first_sign_off(client, writer, unit_approver, editor, scheme, department):
    """Moving the clock: on time the day after the event, late two days after; the
    resubmission days later keeps the first decision."""
    event = timezone.localdate()
    item = draft(writer, title="按时报送的重大事项", category=category("major"), event_date=event)
    act(item, writer, "send_for_signoff")
    with mock.patch("django.utils.timezone.now", return_value=timezone.now() + dt.timedelta(days=1)):
        act(item, unit_approver, "sign_off")
    act(item, editor, "return", "请补充数据")
    act(item, writer, "send_for_signoff")
    with mock.patch("django.utils.timezone.now", return_value=timezone.now() + dt.timedelta(days=5)):
        act(item, unit_approver, "sign_off")
    item.refresh_from_db()
    assert not item.is_late
    assert not LedgerEntry.objects.filter(rule="penalty:late").exists()
