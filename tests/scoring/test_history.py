"""Across years (issue 19): the board, a unit's page and the API show the last five years
side by side — the stored final board where the year is final, else the live board
marked 未定稿 — with a number of queries that does not grow with units, and only years
the reader may see."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from scoring import actions
from scoring.models import LedgerEntry, Scheme, SchemeUnit, Source
from tests.factories import UnitFactory


def _entry(scheme, unit, points):
    LedgerEntry.objects.create(scheme=scheme, unit=unit, date=dt.date(scheme.year, 6, 1), source=Source.MANUAL,
                               points=Decimal(points), reason="手工调整：测试")  # fmt: skip


def _final(scheme, user):
    actions.open_publicity(scheme=scheme, user=user)
    Scheme.objects.filter(pk=scheme.pk).update(publicity_ends_on=dt.date.today() - dt.timedelta(days=1))
    actions.finalise(scheme=scheme, user=user)


@pytest.fixture
def years(scheme, department, issue_approver):
    """Six earlier schemes of the office; the three before this year are final."""
    past = {}
    for back in range(1, 7):
        s = actions.copy_scheme(scheme=scheme, year=scheme.year - back)
        _entry(s, department, str(10 * back))
        if back <= 3:
            _final(s, issue_approver)
        past[s.year] = s
    return past


def test_board_shows_five_years_from_stored_final_boards(client, scheme, years, department, leader):
    stored = years[scheme.year - 1]
    stored.publication_rules.update(points=99)  # nothing recomputes a final year
    _entry(scheme, department, "7")
    client.force_login(leader)
    page = client.get(reverse("scheme_board", args=[scheme.pk])).content.decode()
    table = page[page.index('id="history"') :]
    for y in range(scheme.year - 4, scheme.year + 1):
        assert f"{y}年" in table
    assert f"{scheme.year - 5}年" not in table
    assert "10.0分" in table and "7.0分" in table and "第1名" in table
    # The two years not final (this one and four years back) are marked.
    assert table.count("未定稿") == 2


def test_unit_page_shows_its_own_history(client, scheme, years, department, writer):
    client.force_login(writer)
    page = client.get(reverse("unit_ledger", args=[scheme.pk, department.pk])).content.decode()
    assert 'id="history"' in page and "30.0分" in page and "40.0分" in page


def test_history_queries_do_not_grow_with_units(client, scheme, years, city, leader):
    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            client.get(reverse("scheme_board", args=[scheme.pk]))
        return len(ctx.captured_queries)

    client.force_login(leader)
    before = count()
    for i in range(6):
        unit = UnitFactory(name=f"新增单位{i}", parent=city)
        for s in Scheme.objects.filter(office=scheme.office):
            SchemeUnit.objects.create(scheme=s, unit=unit)
            if s.stage != "final":  # a final year is locked
                _entry(s, unit, "1")
    assert count() == before


def test_private_running_year_is_not_shown_to_assessed_units(client, scheme, years, department, writer):
    running = years[scheme.year - 4]
    Scheme.objects.filter(pk=running.pk).update(public_to_assessed=False)
    client.force_login(writer)
    page = client.get(reverse("unit_ledger", args=[scheme.pk, department.pk])).content.decode()
    table = page[page.index('id="history"') :]
    assert f"{scheme.year - 4}年" not in table and f"{scheme.year - 3}年" in table


def test_api_gives_past_final_boards(scheme, years, department, writer, outsider):
    api = APIClient()
    api.force_authenticate(writer)
    data = api.get(reverse("api-scheme-history", args=[scheme.pk])).json()
    assert [y["year"] for y in data] == list(range(scheme.year - 4, scheme.year + 1))
    last = next(y for y in data if y["year"] == scheme.year - 1)
    assert last["final"] is True and last["rows"][0]["unit_id"] == department.pk and last["rows"][0]["points"] == "10.0"
    api.force_authenticate(outsider)
    assert api.get(reverse("api-scheme-history", args=[scheme.pk])).status_code == 404


def test_standings_give_the_scoreboards_numbers(scheme, years, department, second_department, city, dept_class):
    """The history's cells of the years not final come from queries.standings(), all the
    years in one go; they must be the scoreboard's: points, completion, ranks, tier, veto."""
    from scoring import queries
    from scoring.models import AwardTier, QuotaRule

    third = UnitFactory(name="昆明市统计局", parent=city, assessment_class=dept_class)
    live = [s for s in Scheme.objects.filter(office=scheme.office).exclude(stage="final")]
    for s in live:
        for unit in (second_department, third):
            SchemeUnit.objects.get_or_create(scheme=s, unit=unit)
        if not QuotaRule.objects.filter(scheme=s).exists():
            QuotaRule.objects.create(scheme=s, assessment_class=dept_class, quota=Decimal("20"))
        if not AwardTier.objects.filter(scheme=s).exists():
            AwardTier.objects.create(scheme=s, name="特等奖", count=1, order=0)
    SchemeUnit.objects.filter(scheme=scheme, unit=third).update(quota=Decimal("5"))
    _entry(scheme, department, "25")
    _entry(scheme, second_department, "35")  # first even after its penalty, but vetoed: no award
    _entry(scheme, third, "25")  # ties with the department, a quota of its own
    day = dt.date(scheme.year, 7, 1)
    late = {"date": day, "source": Source.PENALTY, "rule": "penalty:emergency_late", "points": Decimal("-5")}
    LedgerEntry.objects.create(scheme=scheme, unit=second_department, reason="突发事件迟报", **late)
    reversed_ = LedgerEntry.objects.create(scheme=scheme, unit=third, reason="突发事件迟报", **late)
    LedgerEntry.objects.create(
        scheme=scheme, unit=third, date=day, source=Source.REVERSAL, reverses=reversed_,
        rule="reversal:penalty:emergency_late", points=Decimal("5"), reason="改判冲正：测试",
    )  # fmt: skip

    def numbers(rows):
        return [(r.unit.pk, r.points, r.completion, r.rank, r.class_rank, r.tier, r.vetoed) for r in rows]

    got = queries.standings(live)
    assert set(got) == {s.pk for s in live} and len(live) == 4
    for s in live:
        assert numbers(got[s.pk]) == numbers(queries.scoreboard(s).rows)
    this = {r.unit.pk: r for r in got[scheme.pk]}
    assert this[second_department.pk].vetoed and not this[third.pk].vetoed
    assert this[second_department.pk].rank == 1 and this[second_department.pk].tier == ""
    assert this[department.pk].rank == this[third.pk].rank == 2  # a tie shares the award
    assert this[department.pk].tier == this[third.pk].tier == "特等奖"


def test_standings_queries_do_not_grow_with_years(scheme, years, django_assert_num_queries):
    from scoring import queries

    live = list(Scheme.objects.filter(office=scheme.office).exclude(stage="final").order_by("-year"))
    with django_assert_num_queries(6):
        queries.standings(live[:1])
    with django_assert_num_queries(6):
        queries.standings(live)
