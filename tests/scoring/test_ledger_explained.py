"""Every point explained (issue 19): a number on the board opens the ledger rows behind
it; each row names the act that wrote it, linked only where the reader may open it; a
final year's recompute reports its differences against the stored board and writes
nothing."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from publications import actions as pub_actions
from publications.instructions import actions as instruction_actions
from scoring import actions
from scoring.models import LedgerEntry, Scheme, Source
from tests.factories import UserFactory
from tests.publications.helpers import signed_issue
from tests.submissions.helpers import submitted
from units.models import Role


def _adopt(writer, approver, editor, publication, **kw):
    return pub_actions.adopt(item=submitted(writer, approver, **kw), user=editor, publication=publication)


@pytest.fixture
def ledger(scheme, writer, unit_approver, editor, issue_approver, leader, city_admin, pubs, department):
    """The department's year: an adoption in a signed issue with an instruction on it, one
    in another publication, a manual adjustment and a late penalty."""
    special = _adopt(writer, unit_approver, editor, pubs["special"], title="专报采用的信息")
    issue = signed_issue(editor, issue_approver, pubs["special"], [special])
    instruction = instruction_actions.make_instruction(
        item=special.item, issue=issue, user=leader, leader_name="某领导", level="省政府领导", text="请总结推广",
        date=timezone.localdate(), deadline=timezone.localdate() + dt.timedelta(days=5), units=[department],
    )  # fmt: skip
    _adopt(writer, unit_approver, editor, pubs["general"], title="政务信息采用的信息")
    actions.adjust(scheme=scheme, unit=department, points=Decimal("2"), reason="补记会议信息", user=city_admin)
    actions.record_penalty(scheme=scheme, unit=department, kind="late", reason="迟报：某信息", user=None, ref="late:1")
    return {"issue": issue, "instruction": instruction}


def _rows(page: str) -> list[str]:
    table = page[page.index('id="ledger"') : page.index("</table>", page.index('id="ledger"'))]
    return re.findall(r"<tr[ >].*?</tr>", table, flags=re.S)[1:]


def test_board_numbers_link_to_the_rows_behind_them(client, ledger, scheme, leader, department, pubs):
    client.force_login(leader)
    page = client.get(reverse("scheme_board", args=[scheme.pk])).content.decode()
    base = reverse("unit_ledger", args=[scheme.pk, department.pk])
    assert f'href="{base}"' in page
    assert f'href="{base}?publication={pubs["special"].pk}"' in page
    assert f'href="{base}?source=penalty"' in page and f'href="{base}?source=instruction"' in page


def test_filtered_ledger_shows_only_those_rows_and_their_sum(client, ledger, scheme, leader, department, pubs):
    client.force_login(leader)
    base = reverse("unit_ledger", args=[scheme.pk, department.pk])
    page = client.get(f"{base}?publication={pubs['special'].pk}").content.decode()
    rows = _rows(page)
    assert len(rows) == 1 and "信息专报" in rows[0]
    assert "只显示：《信息专报》，合计 <strong>10.0</strong> 分" in page
    page = client.get(f"{base}?source=penalty").content.decode()
    assert len(_rows(page)) == 1 and "-1.0" in _rows(page)[0] and "扣分（含冲正）" in page
    assert len(_rows(client.get(f"{base}?source=nonsense").content.decode())) == 5  # ignored: all rows


def test_each_row_links_to_the_act_that_wrote_it(client, ledger, scheme, leader, department):
    client.force_login(leader)
    page = client.get(reverse("unit_ledger", args=[scheme.pk, department.pk])).content.decode()
    assert f'href="{reverse("issue_detail", args=[ledger["issue"].pk])}"' in page
    assert ledger["issue"].label in page
    assert f'href="{reverse("instruction_detail", args=[ledger["instruction"].pk])}"' in page
    manual = next(r for r in _rows(page) if "补记会议信息" in r)
    assert "手工调整" in manual and "于" in manual


def test_an_assessed_peer_sees_the_acts_but_no_links_it_may_not_open(
    client, ledger, scheme, department, second_department
):
    peer = UserFactory(username="peer", unit=second_department, roles=[Role.STAFF])
    client.force_login(peer)
    page = client.get(reverse("unit_ledger", args=[scheme.pk, department.pk])).content.decode()
    assert "信息专报》采用" in page  # the act is named …
    assert reverse("instruction_detail", args=[ledger["instruction"].pk]) not in page  # … not opened
    assert reverse("issue_detail", args=[ledger["issue"].pk]) not in page  # not on its distribution
    assert "专报采用的信息" not in page


def test_appeal_correction_links_to_the_appeal(client, scheme, issue_approver, unit_approver, department, writer):
    actions.open_publicity(scheme=scheme, user=issue_approver)
    appeal = actions.file_appeal(scheme=scheme, user=unit_approver, reason="漏计会议信息")
    actions.decide_appeal(appeal=appeal, user=issue_approver, accept=True, decision="属实", points=Decimal("3"))
    client.force_login(writer)
    page = client.get(reverse("unit_ledger", args=[scheme.pk, department.pk])).content.decode()
    assert f'{reverse("scheme_closing", args=[scheme.pk])}#appeal-{appeal.pk}">申诉第{appeal.pk}号' in page


@pytest.fixture
def final(ledger, scheme, issue_approver):
    actions.open_publicity(scheme=scheme, user=issue_approver)
    Scheme.objects.filter(pk=scheme.pk).update(publicity_ends_on=timezone.localdate() - dt.timedelta(days=1))
    actions.finalise(scheme=scheme, user=issue_approver)
    scheme.refresh_from_db()
    return scheme


def test_recompute_on_a_final_year_reports_against_the_stored_board(client, final, city_admin, department):
    final.publication_rules.filter(form="full", publication__name="信息专报").update(points=12)
    before = LedgerEntry.objects.count()
    client.force_login(city_admin)
    response = client.post(reverse("scheme_recompute", args=[final.pk]))
    page = response.content.decode()
    assert response.status_code == 200 and 'id="report-only"' in page and "已定稿" in page
    # 10 + 5 + 5 (instruction) + 2 - 1 stored; the special report now worth 12.
    cells = re.compile(r"<td>[^<]+</td><td[^>]*>21\.0</td><td[^>]*>23\.0</td><td[^>]*>2\.0</td>")
    assert cells.search(page[page.index('id="board-differences"') :])
    assert LedgerEntry.objects.count() == before


def test_recompute_command_on_a_final_year_changes_nothing(final, capsys):
    final.publication_rules.filter(form="full", publication__name="信息专报").update(points=12)
    before = LedgerEntry.objects.count()
    call_command("recompute_scheme", str(final.pk))
    out = capsys.readouterr().out
    assert "已定稿：只报告差异，未作任何更改" in out and "定稿 21.0，重算 23.0，差额 +2.0" in out
    assert LedgerEntry.objects.count() == before


def test_recompute_command_on_a_running_year_writes_the_difference(scheme, ledger, capsys):
    scheme.publication_rules.filter(form="full", publication__name="信息专报").update(points=12)
    call_command("recompute_scheme", str(scheme.pk), "--dry-run")
    assert not LedgerEntry.objects.filter(source=Source.RECOMPUTE).exists()
    call_command("recompute_scheme", str(scheme.pk))
    assert LedgerEntry.objects.get(source=Source.RECOMPUTE).points == Decimal("2")
    assert "已记入台账" in capsys.readouterr().out
