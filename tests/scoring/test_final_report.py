"""The year-end 通报 (issue 19): Word and Excel, made from the stored final board only,
downloaded by whoever may read the final board."""

import datetime as dt
import io

import docx
import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from publications import actions as pub_actions
from scoring import actions, report
from scoring.models import BoardSnapshot, Scheme, SnapshotKind
from tests.submissions.helpers import submitted


def _final(scheme, user):
    actions.open_publicity(scheme=scheme, user=user)
    Scheme.objects.filter(pk=scheme.pk).update(publicity_ends_on=timezone.localdate() - dt.timedelta(days=1))
    actions.finalise(scheme=scheme, user=user)
    scheme.refresh_from_db()
    return scheme


@pytest.fixture
def final(scheme, second_department, writer, unit_approver, editor, issue_approver, pubs):
    pub_actions.adopt(item=submitted(writer, unit_approver), user=editor, publication=pubs["special"])
    pub_actions.adopt(item=submitted(writer, unit_approver), user=editor, publication=pubs["special"])
    return _final(scheme, issue_approver)


def _text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [c.text for row in table.rows for c in row.cells]
    return "\n".join(parts)


def test_assessed_unit_downloads_the_word_report_naming_tiers_quota_and_table(
    client, final, writer, department, second_department
):
    client.force_login(writer)
    response = client.get(reverse("scheme_report_docx", args=[final.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].endswith("wordprocessingml.document")
    document = docx.Document(io.BytesIO(b"".join(response.streaming_content)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert f"关于{final.year}年度" in text and "政务信息工作考核情况的通报" in text
    assert f"特等奖（1个）：{department.name}。" in text
    assert f"共1个：{department.name}。" in text  # 20 points of a quota of 20
    assert "本年度无一票否决单位。" in text
    # A document of its own, not an issue of a publication: no 期号, nothing "待签发".
    assert "待签发" not in text and "签发时编号" not in text
    # The attachment table: every unit, in rank order, before the 版记.
    grid = next(t for t in document.tables if t.rows[0].cells[0].text == "排名")
    rows = [[c.text for c in r.cells] for r in grid.rows[1:]]
    assert rows[0][:6] == ["1", department.name, "部门", "20.0", "20.0", "100.0"]
    assert rows[1][1] == second_department.name and rows[1][6] == "否"


def test_report_comes_from_the_stored_board_not_the_rules(client, final, city_admin, department):
    snapshot = BoardSnapshot.objects.get(scheme=final, kind=SnapshotKind.FINAL)
    final.publication_rules.update(points=99)
    client.force_login(city_admin)
    response = client.get(reverse("scheme_report_xlsx", args=[final.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][:5] == ["排名", "单位", "考核类别", "基数", "积分"]
    assert values[1][1] == department.name and values[1][4] == snapshot.rows[0]["points"] == "20.0"


def test_vetoed_unit_is_named_with_why(final, department):
    rows = [dict(r) for r in BoardSnapshot.objects.get(scheme=final, kind=SnapshotKind.FINAL).rows]
    rows[0].update(vetoed=True, tier="", veto_reasons=["突发事件迟报：某地暴雨"])
    info = report.ReportInfo(office="昆明市人民政府办公室", scheme="考核", year=2026, publication="采用情况通报",
                             date=dt.date(2027, 1, 20))  # fmt: skip
    text = _text(report.build_docx(info, rows))
    assert f"{department.name}：突发事件迟报：某地暴雨，不参加本年度评奖。" in text
    assert "本年度无获奖单位。" in text


def test_a_cell_that_looks_like_a_formula_stays_text(final):
    rows = [dict(r) for r in BoardSnapshot.objects.get(scheme=final, kind=SnapshotKind.FINAL).rows]
    rows[0]["full_name"] = '=HYPERLINK("http://x")'
    info = report.ReportInfo(office="办", scheme="考核", year=2026, publication="通报", date=dt.date(2027, 1, 2))
    sheet = openpyxl.load_workbook(io.BytesIO(report.build_xlsx(info, rows))).active
    assert not str(sheet["B2"].value).startswith("=")


def test_report_is_refused_before_the_year_is_final_and_to_outsiders(client, scheme, issue_approver, outsider, final):
    client.force_login(outsider)
    assert client.get(reverse("scheme_report_docx", args=[final.pk])).status_code == 404
    client.force_login(issue_approver)
    actions.unlock(scheme=final, user=_admin(final), reason="更正")
    assert client.get(reverse("scheme_report_docx", args=[final.pk])).status_code == 404


def test_final_page_links_the_report(client, final, writer):
    client.force_login(writer)
    page = client.get(reverse("scheme_closing", args=[final.pk])).content.decode()
    assert reverse("scheme_report_docx", args=[final.pk]) in page
    assert reverse("scheme_report_xlsx", args=[final.pk]) in page


def _admin(scheme):
    from tests.factories import UserFactory
    from units.models import Role

    return UserFactory(username="admin-unlock", unit=scheme.office, roles=[Role.SYSTEM_ADMIN])


@pytest.fixture
def statistics(city):
    from publications.models import Publication, PublicationKind

    return Publication.objects.create(office=city, name="采用情况通报", kind=PublicationKind.STATISTICS)


def test_editor_issues_the_report_in_the_statistics_publication_once(client, final, editor, statistics, department):
    from publications.models import Issue

    client.force_login(editor)
    url = reverse("scheme_report_issue", args=[final.pk])
    response = client.post(url)
    issue = Issue.objects.get(publication=statistics)
    assert response.status_code == 302 and response["Location"] == reverse("issue_detail", args=[issue.pk])
    assert issue.note_title == f"关于{final.year}年度{final.office.name}政务信息工作考核情况的通报"
    assert f"特等奖（1个）：{department.name}。" in issue.note_body
    assert f"1. {department.name}：积分20.0，完成基数100.0%，特等奖。" in issue.note_body
    client.post(url)  # again: the same draft brought up to date
    assert Issue.objects.filter(publication=statistics).count() == 1


def test_assessed_unit_cannot_issue_the_report(client, final, writer, statistics):
    from publications.models import Issue

    client.force_login(writer)
    assert client.post(reverse("scheme_report_issue", args=[final.pk])).status_code == 404
    assert not Issue.objects.filter(publication=statistics).exists()
