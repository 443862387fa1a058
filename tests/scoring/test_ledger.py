from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from publications import actions as pub_actions
from scoring import actions
from scoring.models import LedgerEntry, PublicationRule, Source
from scoring.queries import scoreboard, unit_total
from tests.submissions.helpers import submitted


def _adopt(item, editor, publication, form="full", body=""):
    return pub_actions.adopt(item=item, user=editor, publication=publication, form=form, body=body)


def test_special_report_plus_provincial_leader_instruction(writer, unit_approver, editor, pubs, scheme, department):
    item = submitted(writer, unit_approver)
    _adopt(item, editor, pubs["special"])
    actions.credit_instruction(
        item=item, level="省政府领导", ref="instruction:1", day=timezone.localdate(), user=editor
    )
    assert unit_total(scheme, department) == D("15")  # 信息专报 10 + 省领导批示 5


def test_brief_in_general_circulation_earns_three(writer, unit_approver, editor, pubs, scheme, department):
    _adopt(submitted(writer, unit_approver), editor, pubs["general"], form="brief", body="简讯正文。")
    assert unit_total(scheme, department) == D("3")


def test_report_up_adopted_by_state_council_office_earns_five_plus_fifteen(
    writer, unit_approver, editor, pubs, scheme, department
):
    adoption = _adopt(submitted(writer, unit_approver), editor, pubs["up"])
    pub_actions.record_external_adoption(
        adoption=adoption, user=editor, level="国办", day=timezone.localdate(), evidence="国办《每日要情》第88期"
    )
    assert unit_total(scheme, department) == D("20")
    assert LedgerEntry.objects.get(source=Source.HIGHER).points == D("15")


def test_instruction_bonus_once_per_level(writer, unit_approver, editor, pubs, scheme, department):
    item = submitted(writer, unit_approver)
    _adopt(item, editor, pubs["special"])
    today = timezone.localdate()
    for ref in ("instruction:1", "instruction:2"):
        actions.credit_instruction(item=item, level="省政府领导", ref=ref, day=today, user=editor)
    actions.credit_instruction(item=item, level="省政府办公厅", ref="instruction:3", day=today, user=editor)
    assert unit_total(scheme, department) == D("18")  # 10 + 5 once + 3


def test_points_add_up_across_publications_unless_the_scheme_says_no(
    writer, unit_approver, editor, pubs, scheme, department
):
    item = submitted(writer, unit_approver)
    _adopt(item, editor, pubs["general"])
    _adopt(item, editor, pubs["special"])
    assert unit_total(scheme, department) == D("15")

    scheme.add_up = False
    scheme.save()
    other = submitted(writer, unit_approver, title="另一条信息")
    _adopt(other, editor, pubs["general"])
    _adopt(other, editor, pubs["special"])
    assert unit_total(scheme, department) == D("25")  # 15 + max(5, 10)


def test_withdrawal_writes_a_reversing_entry(writer, unit_approver, editor, pubs, scheme, department):
    adoption = _adopt(submitted(writer, unit_approver), editor, pubs["special"])
    pub_actions.withdraw_adoption(adoption=adoption, user=editor, reason="数据有误")
    assert unit_total(scheme, department) == D("0")
    original = LedgerEntry.objects.get(source=Source.ADOPTION)
    reversal = LedgerEntry.objects.get(source=Source.REVERSAL)
    assert reversal.reverses == original and reversal.points == -original.points and "数据有误" in reversal.reason


def test_adoption_and_points_are_one_transaction(writer, unit_approver, editor, pubs, scheme):
    item = submitted(writer, unit_approver)
    with pytest.raises(RuntimeError), transaction.atomic():
        _adopt(item, editor, pubs["special"])
        raise RuntimeError("crash after adopting")
    assert not LedgerEntry.objects.exists()


def test_ledger_rows_cannot_be_edited_or_deleted(writer, unit_approver, editor, pubs, scheme):
    _adopt(submitted(writer, unit_approver), editor, pubs["special"])
    entry = LedgerEntry.objects.get()
    entry.points = D("99")
    with pytest.raises(PermissionDenied):
        entry.save()
    with pytest.raises(PermissionDenied):
        entry.delete()
    with pytest.raises(PermissionDenied):
        LedgerEntry.objects.filter(pk=entry.pk).update(points=99)
    with pytest.raises(PermissionDenied):
        LedgerEntry.objects.all().delete()
    # Even raw SQL is refused by the database.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE scoring_ledgerentry SET points = 99 WHERE id = %s", [entry.pk])
    assert LedgerEntry.objects.get().points == D("10")


def test_rule_change_changes_nothing_until_recompute_writes_differences(
    writer, unit_approver, editor, pubs, scheme, department
):
    _adopt(submitted(writer, unit_approver), editor, pubs["special"])
    _adopt(submitted(writer, unit_approver, title="第二条"), editor, pubs["general"])
    rule = PublicationRule.objects.get(scheme=scheme, publication=pubs["special"], form="full")
    PublicationRule.objects.filter(pk=rule.pk).update(points=12)
    assert unit_total(scheme, department) == D("15")  # past entries unchanged
    differences = actions.recompute(scheme=scheme, user=editor)
    assert [(d.before, d.after) for d in differences] == [(D("10"), D("12"))]
    assert unit_total(scheme, department) == D("17")
    assert actions.recompute(scheme=scheme, user=editor) == []  # nothing left to do
    assert LedgerEntry.objects.filter(source=Source.RECOMPUTE).count() == 1


def test_manual_adjustment_needs_reason(writer, editor, scheme, department):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        actions.adjust(scheme=scheme, unit=department, points=D("2"), reason=" ", user=editor)
    entry = actions.adjust(scheme=scheme, unit=department, points=D("2"), reason="补记 3 月漏算", user=editor)
    assert entry.source == Source.MANUAL and entry.reason.startswith("手工调整")


def test_scoreboard_quota_completion_penalty_and_veto(
    writer, unit_approver, editor, pubs, scheme, department, second_department
):
    for i in range(2):
        _adopt(submitted(writer, unit_approver, title=f"专报{i}"), editor, pubs["special"])
    actions.record_penalty(scheme=scheme, unit=department, kind="late", reason="迟报一条", user=editor, ref="item:1")
    actions.record_penalty(scheme=scheme, unit=department, kind="late", reason="迟报一条", user=editor, ref="item:1")
    board = scoreboard(scheme)
    row = next(r for r in board.rows if r.unit == department)
    assert (row.points, row.quota, row.completion, row.penalties) == (D("19"), D("20"), D("95.0"), D("-1"))
    assert row.tier == ""  # quota not reached
    actions.adjust(scheme=scheme, unit=department, points=D("1"), reason="补记", user=editor)
    row = next(r for r in scoreboard(scheme).rows if r.unit == department)
    assert row.reached_quota and row.tier == "特等奖" and row.rank == 1
    assert [u.name for u in scoreboard(scheme).zero_submissions] == [second_department.name]
    actions.record_penalty(scheme=scheme, unit=department, kind="emergency_late", reason="突发事件迟报", user=editor)
    row = next(r for r in scoreboard(scheme).rows if r.unit == department)
    assert row.vetoed and row.tier == ""
