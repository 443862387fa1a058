"""The 采用情况通报 for a chosen period: a month, a quarter or the year to date, decided in
China time, with penalties, 迟报 and vetoes, one draft per period."""

import datetime as dt
import zoneinfo

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from publications import actions as pub_actions
from publications.models import Issue, Publication, PublicationKind
from scoring import actions as scoring_actions
from scoring.models import Scheme
from submissions.models import Item
from tests.factories import UserFactory
from tests.submissions.helpers import submitted
from units.models import Role

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def clock(monkeypatch):
    """Set the time the app sees: timezone.now and the model fields that default to it."""
    real_now = timezone.now
    current = {"now": real_now()}

    def fake_now():
        return current["now"]

    monkeypatch.setattr(timezone, "now", fake_now)
    for model in apps.get_models():
        for f in model._meta.get_fields():
            if getattr(f, "default", None) is real_now:
                monkeypatch.setattr(f, "default", fake_now)
                # Field caches its default callable on first use.
                monkeypatch.setattr(f, "_get_default", fake_now, raising=False)

    def set_to(when: dt.datetime) -> None:
        current["now"] = when.astimezone(dt.UTC)

    return set_to


@pytest.fixture
def year_2026(scheme):
    # The fixture's scheme is for the year the tests run in; these tests live in 2026.
    Scheme.objects.filter(pk=scheme.pk).update(year=2026)
    scheme.refresh_from_db()
    return scheme


@pytest.fixture
def statistics(city):
    return Publication.objects.create(office=city, name="采用情况通报", kind=PublicationKind.STATISTICS)


def _shanghai(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


def _adopt(writer, approver, editor, publication, **kw):
    return pub_actions.adopt(item=submitted(writer, approver, **kw), user=editor, publication=publication)


def _compile(client, scheme, period):
    return client.post(reverse("scheme_statistics", args=[scheme.pk]), {"period": period}, follow=True)


def test_november_bulletin_on_3_december_has_penalties_late_reports_and_vetoes(
    client, clock, editor, writer, unit_approver, pubs, year_2026, statistics, department, second_department
):
    scheme = year_2026
    clock(_shanghai(2026, 10, 20, 10))
    _adopt(writer, unit_approver, editor, pubs["special"], title="十月的信息")
    clock(_shanghai(2026, 11, 5, 10))
    _adopt(writer, unit_approver, editor, pubs["special"], title="十一月的信息")
    late = submitted(writer, unit_approver, title="十一月迟报的信息")
    Item.objects.filter(pk=late.pk).update(is_late=True)  # lateness itself is decided at sign-off
    scoring_actions.record_penalty(scheme=scheme, unit=department, kind="late", reason="迟报：十一月迟报的信息",
                                   user=None, ref=f"late:{late.pk}")  # fmt: skip
    scoring_actions.record_penalty(scheme=scheme, unit=second_department, kind="emergency_late",
                                   reason="突发事件首报迟报", user=None, ref="emergency:1")  # fmt: skip
    clock(_shanghai(2026, 12, 2, 10))
    _adopt(writer, unit_approver, editor, pubs["general"], title="十二月的信息")

    clock(_shanghai(2026, 12, 3, 9))
    client.force_login(editor)
    page = client.get(reverse("scheme_board", args=[scheme.pk])).content.decode()
    form = page.split('id="statistics-form"')[1].split("</form>")[0]
    assert '<option value="m11" selected>2026年11月</option>' in form
    assert 'value="q4"' in form and 'value="ytd"' in form and 'value="m12"' in form

    response = _compile(client, scheme, "m11")
    issue = Issue.objects.get(publication=statistics)
    assert response.redirect_chain[-1][0] == reverse("issue_detail", args=[issue.pk])
    assert issue.note_title == "2026年11月政务信息采用情况通报"
    body = issue.note_body
    dept_line = next(line for line in body.splitlines() if line.startswith(("1. 昆明市发展", "2. 昆明市发展")))
    # November only: one adoption (not October's, not December's), two items, one of them late.
    assert "报送2条，迟报1条，采用1条" in dept_line and "扣分1.0" in dept_line
    assert "本期积分9.0" in dept_line and "累计积分19.0" in dept_line  # 10 in October, 10 − 1 in November
    assert "迟报单位：昆明市发展和改革委员会（1条）" in body
    assert "迟报：十一月迟报的信息" in body and "突发事件首报迟报" in body
    assert "一票否决单位（不参加本年度评奖）：昆明市农业农村局" in body


def test_compiling_a_period_again_updates_its_one_draft(
    client, clock, editor, writer, unit_approver, pubs, year_2026, statistics
):
    scheme = year_2026
    clock(_shanghai(2026, 11, 5, 10))
    _adopt(writer, unit_approver, editor, pubs["special"])
    clock(_shanghai(2026, 12, 3, 9))
    client.force_login(editor)
    _compile(client, scheme, "m11")
    clock(_shanghai(2026, 11, 20, 10))
    _adopt(writer, unit_approver, editor, pubs["general"], title="另一条信息")
    clock(_shanghai(2026, 12, 3, 10))
    response = _compile(client, scheme, "m11")
    issue = Issue.objects.get(publication=statistics)
    assert "采用2条" in issue.note_body and "未另建新稿" in response.content.decode()

    _compile(client, scheme, "q4")
    _compile(client, scheme, "ytd")
    titles = sorted(Issue.objects.filter(publication=statistics).values_list("note_title", flat=True))
    assert titles == ["2026年11月政务信息采用情况通报", "2026年1—12月政务信息采用情况通报",
                      "2026年第四季度政务信息采用情况通报"]  # fmt: skip


def test_signed_bulletin_is_not_rewritten(client, clock, editor, issue_approver, year_2026, statistics):
    clock(_shanghai(2026, 12, 3, 9))
    client.force_login(editor)
    _compile(client, year_2026, "m11")
    issue = Issue.objects.get(publication=statistics)
    pub_actions.sign_off_issue(issue=issue, user=issue_approver)
    page = _compile(client, year_2026, "m11").content.decode()
    assert "已签发" in page and "不能重新生成" in page
    assert Issue.objects.filter(publication=statistics).count() == 1


def test_month_is_decided_in_china_time(client, clock, editor, year_2026, statistics):
    # 30 November 17:30 UTC is already 1 December in 昆明: November is last month.
    clock(dt.datetime(2026, 11, 30, 17, 30, tzinfo=dt.UTC))
    client.force_login(editor)
    page = client.get(reverse("scheme_board", args=[year_2026.pk])).content.decode()
    assert '<option value="m11" selected>' in page and 'value="m12"' in page
    _compile(client, year_2026, "m12")
    assert Issue.objects.get(publication=statistics).note_title == "2026年12月政务信息采用情况通报"
    assert "2026年12月01日至2026年12月31日" in Issue.objects.get(publication=statistics).note_body


def test_period_that_has_not_begun_is_refused(client, clock, editor, year_2026, statistics):
    clock(_shanghai(2026, 10, 15, 9))
    client.force_login(editor)
    for period in ("m11", "m13", "q5", "x", ""):
        page = _compile(client, year_2026, period).content.decode()
        assert "请选择已开始的统计期间" in page
    assert not Issue.objects.filter(publication=statistics).exists()


def test_only_the_publications_editors_compile_the_bulletin(
    client, clock, leader, city, year_2026, statistics, other_editor
):
    clock(_shanghai(2026, 12, 3, 9))
    client.force_login(leader)
    page = client.get(reverse("scheme_board", args=[year_2026.pk])).content.decode()
    assert 'id="statistics-form"' not in page
    page = _compile(client, year_2026, "m11").content.decode()
    assert "只有本刊物主办单位的编辑" in page
    signer = UserFactory(username="city_signer2", unit=city, roles=[Role.ISSUE_APPROVER])
    client.force_login(signer)
    _compile(client, year_2026, "m11")
    client.force_login(other_editor)
    assert client.post(reverse("scheme_statistics", args=[year_2026.pk]), {"period": "m11"}).status_code == 404
    assert not Issue.objects.exists()
