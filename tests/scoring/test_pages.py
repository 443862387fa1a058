import io
from decimal import Decimal as D

import openpyxl
from django.urls import reverse

from publications import actions as pub_actions
from publications.models import Issue, Publication, PublicationKind
from scoring.models import LedgerEntry, Source
from tests.factories import UnitFactory
from tests.submissions.helpers import submitted


def _adopt(writer, approver, editor, publication, **kw):
    return pub_actions.adopt(item=submitted(writer, approver, **kw), user=editor, publication=publication)


def test_office_leader_sees_scoreboard_with_chart_data(client, leader, writer, unit_approver, editor, pubs, scheme):
    _adopt(writer, unit_approver, editor, pubs["special"])
    client.force_login(leader)
    page = client.get(reverse("scheme_board", args=[scheme.pk])).content.decode()
    assert "市发展改革委" in page and "10.0" in page and "50.0%" in page
    assert 'id="chart-data"' in page and "vendor/plotly/plotly.min.js" in page
    assert "http" not in page.split('id="chart-data"')[1][:20]  # data, not a remote script


def test_assessed_unit_sees_board_only_when_public(client, writer, scheme, department, second_department):
    client.force_login(writer)
    assert client.get(reverse("scheme_board", args=[scheme.pk])).status_code == 200
    other_ledger = reverse("unit_ledger", args=[scheme.pk, second_department.pk])
    assert client.get(other_ledger).status_code == 200
    scheme.public_to_assessed = False
    scheme.save()
    assert client.get(reverse("scheme_board", args=[scheme.pk])).status_code == 404
    assert client.get(other_ledger).status_code == 404
    assert client.get(reverse("unit_ledger", args=[scheme.pk, department.pk])).status_code == 200  # its own


def test_outsiders_are_refused(client, outsider, other_writer, scheme, department):
    for person in (outsider, other_writer):
        client.force_login(person)
        assert client.get(reverse("scheme_board", args=[scheme.pk])).status_code == 404
        assert client.get(reverse("unit_ledger", args=[scheme.pk, department.pk])).status_code == 404
        assert client.get(reverse("scheme_board_export", args=[scheme.pk])).status_code == 404
        assert client.post(reverse("scheme_recompute", args=[scheme.pk])).status_code == 404


def test_export_opens_in_excel_and_is_formula_safe(client, leader, scheme, department, city):
    evil = UnitFactory(name='=HYPERLINK("http://x","点我")', parent=city)
    scheme.scheme_units.create(unit=evil)
    client.force_login(leader)
    response = client.get(reverse("scheme_board_export", args=[scheme.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    names = [sheet.cell(row=r, column=2).value for r in range(2, sheet.max_row + 1)]
    assert department.name in names
    assert '\'=HYPERLINK("http://x","点我")' in names
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_admin_adjusts_with_reason_and_bad_input_is_kept(client, city_admin, writer, scheme, department):
    url = reverse("unit_ledger", args=[scheme.pk, department.pk])
    client.force_login(city_admin)
    page = client.post(url, {"points": "abc", "reason": "补记"}).content.decode()
    assert "请输入数字" in page and 'value="补记"' in page
    page = client.post(url, {"points": "2", "reason": ""}).content.decode()
    assert "手工调整必须填写理由" in page
    client.post(url, {"points": "2.5", "reason": "补记 3 月漏算"})
    entry = LedgerEntry.objects.get(source=Source.MANUAL)
    assert entry.points == D("2.5") and entry.created_by == city_admin
    page = client.get(url).content.decode()
    assert "手工调整：补记 3 月漏算" in page
    client.force_login(writer)
    assert client.post(url, {"points": "50", "reason": "自己加分"}).status_code == 404
    assert LedgerEntry.objects.filter(source=Source.MANUAL).count() == 1


def test_recompute_page_reports_differences(client, city_admin, writer, unit_approver, editor, pubs, scheme):
    from scoring.models import PublicationRule

    _adopt(writer, unit_approver, editor, pubs["general"])
    PublicationRule.objects.filter(scheme=scheme, publication=pubs["general"], form="full").update(points=6)
    client.force_login(city_admin)
    page = client.post(reverse("scheme_recompute", args=[scheme.pk])).content.decode()
    assert 'id="differences"' in page and "5.0" in page and "6.0" in page


def test_statistics_bulletin_compiles_as_a_draft_issue(
    client, leader, writer, unit_approver, editor, pubs, scheme, city
):
    Publication.objects.create(office=city, name="采用情况通报", kind=PublicationKind.STATISTICS)
    _adopt(writer, unit_approver, editor, pubs["special"])
    client.force_login(editor)  # composing an issue is the editor's work (test_statistics_period.py)
    response = client.post(reverse("scheme_statistics", args=[scheme.pk]), {"period": "ytd"})
    issue = Issue.objects.get()
    assert response.url == reverse("issue_detail", args=[issue.pk])
    assert (
        "采用情况通报" in issue.note_title
        and "昆明市发展和改革委员会" in issue.note_body
        and "累计积分10.0" in issue.note_body
    )


def test_scoreboard_query_count_is_flat(client, leader, scheme, city, django_assert_max_num_queries):
    for i in range(3):
        scheme.scheme_units.create(unit=UnitFactory(name=f"单位{i}", parent=city))
    client.force_login(leader)
    with django_assert_max_num_queries(25) as few:
        client.get(reverse("scheme_board", args=[scheme.pk]))
    for i in range(30):
        unit = UnitFactory(name=f"更多单位{i}", parent=city)
        scheme.scheme_units.create(unit=unit)
        LedgerEntry.objects.create(scheme=scheme, unit=unit, date=scheme_date(scheme), source=Source.MANUAL,
                                   points=D(i), reason="测试")  # fmt: skip
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("scheme_board", args=[scheme.pk]))


def scheme_date(scheme):
    import datetime as dt

    return dt.date(scheme.year, 3, 1)


def test_unit_member_without_roles_elsewhere_cannot_manage(client, writer, scheme):
    client.force_login(writer)
    page = client.get(reverse("scheme_board", args=[scheme.pk])).content.decode()
    assert "按现行规则重算" not in page


def test_editor_records_state_council_adoption_with_evidence(
    client, writer, unit_approver, editor, other_editor, pubs, scheme, department
):
    from scoring.queries import unit_total

    adoption = _adopt(writer, unit_approver, editor, pubs["up"])
    url = reverse("external_adoption", args=[adoption.pk])
    client.force_login(other_editor)
    assert client.post(url, {"level": "国办", "date": "2026-11-20", "evidence": "x"}).status_code == 404
    client.force_login(editor)
    page = client.get(client.post(url, {"level": "国办", "date": "2026-11-20", "evidence": ""}).url).content.decode()
    assert "请填写上级采用的依据" in page
    client.post(url, {"level": "国办", "date": "2026-11-20", "evidence": "国办《每日要情》第88期"})
    assert unit_total(scheme, department) == D("20")
    page = client.get(reverse("item_detail", args=[adoption.item_id])).content.decode()
    assert "国办采用" in page and "第88期" in page
