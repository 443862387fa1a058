"""What an issue prints, from the database to the Word file and the page: the 报/送/发
lines in the units' official order with free-text recipients among them, a 综合's sources
in the order of its body, and the page showing the same document as the file."""

import io

import docx as python_docx
import pytest
from django.urls import reverse

from publications import actions
from publications.copies import distribution
from publications.models import Recipient, RecipientKind
from tests.factories import UnitFactory, UserFactory
from tests.submissions.helpers import submitted
from units.models import Role, UnitKind

from .helpers import adopted, signed_issue


def _footer(data: bytes) -> list[str]:
    table = python_docx.Document(io.BytesIO(data)).tables[-1]
    return [p.text for row in table.rows for p in row.cells[0].paragraphs]


def test_recipient_lines_follow_the_official_order_not_the_path_text(bulletin, city, province):
    Recipient.objects.filter(publication=bulletin).delete()
    # ten units make "/…/10/" sort before "/…/9/" as text; the official order is sort_order
    made = [
        UnitFactory(name=f"第{i}县人民政府办公室", short_name=f"第{i}县", parent=city, sort_order=i)
        for i in range(1, 12)
    ]
    for unit in reversed(made):
        Recipient.objects.create(publication=bulletin, unit=unit, kind=RecipientKind.FA)
    assert distribution(bulletin)[RecipientKind.FA] == [f"第{i}县" for i in range(1, 12)]


def test_official_order_of_a_parent_comes_before_its_children(bulletin, city, other_city, province):
    Recipient.objects.filter(publication=bulletin).delete()
    city.sort_order, other_city.sort_order = 2, 1
    city.save(), other_city.save()
    under_city = UnitFactory(name="昆明市某局", short_name="昆明市某局", parent=city, sort_order=0)
    for unit in (under_city, city, other_city):
        Recipient.objects.create(publication=bulletin, unit=unit, kind=RecipientKind.SONG)
    assert distribution(bulletin)[RecipientKind.SONG] == ["曲靖市", "昆明市", "昆明市某局"]


def test_free_text_recipients_are_printed_by_their_order_and_read_nothing(
    client, writer, unit_approver, editor, issue_approver, bulletin, province
):
    Recipient.objects.create(publication=bulletin, name="省委、省政府领导", kind=RecipientKind.BAO, sort_order=0)
    Recipient.objects.filter(publication=bulletin, unit=province).update(sort_order=2)
    Recipient.objects.create(publication=bulletin, name="国务院办公厅", kind=RecipientKind.BAO, sort_order=1)
    issue = signed_issue(editor, issue_approver, bulletin, [adopted(writer, unit_approver, editor, bulletin)])
    client.force_login(editor)
    data = client.get(reverse("issue_docx", args=[issue.pk])).getvalue()
    assert _footer(data)[0] == "报：省委、省政府领导，国务院办公厅，省政府办公厅。"
    page = client.get(reverse("issue_detail", args=[issue.pk])).content.decode()
    assert "报：省委、省政府领导，国务院办公厅，省政府办公厅。" in page
    # a name is printed only: nobody gains the issue by it (no unit of theirs is listed)
    stranger = UserFactory(username="stranger", unit=UnitFactory(name="国务院办公厅", parent=None), roles=[Role.LEADER])
    client.force_login(stranger)
    assert client.get(reverse("issue_detail", args=[issue.pk])).status_code == 404
    assert client.get(reverse("issue_docx", args=[issue.pk])).status_code == 404


def test_a_recipient_is_a_unit_or_a_name_not_both(bulletin, province):
    from django.core.exceptions import ValidationError

    for fields in ({"unit": province, "name": "省委"}, {}):
        with pytest.raises(ValidationError, match="二者选一"):
            Recipient(publication=bulletin, kind=RecipientKind.BAO, **fields).full_clean()


def test_a_composite_lists_its_sources_in_the_order_of_its_body(
    client, writer, unit_approver, editor, issue_approver, bulletin, city
):
    second_dept = UnitFactory(name="昆明市农业农村局", short_name="市农业农村局", kind=UnitKind.DEPARTMENT, parent=city)
    second_writer = UserFactory(username="w2", unit=second_dept, roles=[Role.STAFF])
    second_approver = UserFactory(username="a2", unit=second_dept, roles=[Role.UNIT_APPROVER])
    first = submitted(writer, unit_approver, title="发改：项目")
    later = submitted(second_writer, second_approver, title="农业：春耕")
    # the editor names the later-submitted item first: the body speaks of it first
    composite = actions.adopt_composite(
        items=[later, first], user=editor, publication=bulletin, title="全市春耕和项目建设", body="春耕……项目……"
    )
    issue = signed_issue(editor, issue_approver, bulletin, [composite])
    client.force_login(editor)
    paragraphs = [
        p.text
        for p in python_docx.Document(
            io.BytesIO(client.get(reverse("issue_docx", args=[issue.pk])).getvalue())
        ).paragraphs
    ]
    assert "（市农业农村局、市发展改革委）" in paragraphs
    assert "（市农业农村局、市发展改革委）" in client.get(reverse("issue_detail", args=[issue.pk])).content.decode()


def test_the_page_prints_what_the_file_prints(client, writer, unit_approver, editor, issue_approver, bulletin):
    full = adopted(writer, unit_approver, editor, bulletin, title="第一条：项目建设提速")
    brief_a = actions.adopt(
        item=submitted(writer, unit_approver, title="简讯甲"), user=editor, publication=bulletin, form="brief"
    )
    brief_b = actions.adopt(
        item=submitted(writer, unit_approver, title="简讯乙"), user=editor, publication=bulletin, form="brief"
    )
    issue = actions.create_issue(publication=bulletin, user=editor)
    actions.add_to_issue(issue=issue, adoptions=[full, brief_a, brief_b], user=editor)
    issue = actions.sign_off_issue(issue=issue, user=issue_approver, copies=80, extra_recipients="省委政研室")
    client.force_login(editor)
    page = client.get(reverse("issue_detail", args=[issue.pk])).content.decode()
    data = client.get(reverse("issue_docx", args=[issue.pk])).getvalue()
    paragraphs = [p.text for p in python_docx.Document(io.BytesIO(data)).paragraphs]
    assert "内部资料　注意保存" in paragraphs and "内部资料　注意保存" in page  # not just 内部
    assert f"签发人：{issue_approver}" in paragraphs[2] and f"签发人：{issue_approver}" in page
    date = f"{issue.signed_date.year}年{issue.signed_date.month}月{issue.signed_date.day}日印发"
    assert _footer(data)[-2].endswith(date) and date in page
    assert (
        "抄送：省委政研室。" in _footer(data)
        and "抄送：省委政研室。" in page
        and "增送" not in page.split('id="issue-footer"')[1]
    )
    # briefs under one 简讯 heading, in the file and on the page
    assert paragraphs.count("简讯") == 1 and page.count("gi-brief-heading") == 1
    assert page.index("简讯甲") < page.index("简讯乙")


def test_a_draft_says_it_is_not_numbered_yet_in_the_file_and_its_name(client, writer, unit_approver, editor, bulletin):
    issue = actions.create_issue(publication=bulletin, user=editor)
    actions.add_to_issue(issue=issue, adoptions=[adopted(writer, unit_approver, editor, bulletin)], user=editor)
    client.force_login(editor)
    response = client.get(reverse("issue_docx", args=[issue.pk]))
    assert "%EF%BC%88%E5%BE%85%E7%AD%BE%E5%8F%91%EF%BC%89.docx" in response["Content-Disposition"]  # （待签发）
    paragraphs = [p.text for p in python_docx.Document(io.BytesIO(response.getvalue())).paragraphs]
    assert "\t（待签发，签发时编号）" in paragraphs and not any("第0期" in p for p in paragraphs)
    assert "（待签发，签发时编号）" in client.get(reverse("issue_detail", args=[issue.pk])).content.decode()


def test_administrator_adds_a_free_text_recipient_in_admin(client, city_admin, bulletin):
    from tests.audit.helpers import admin_form

    url = reverse("admin:publications_publication_change", args=[bulletin.pk])
    client.force_login(city_admin)
    data = admin_form(client.get(url).content.decode(), "publication_form")
    index = int(data["recipients-TOTAL_FORMS"][0]) - 1
    data.update({f"recipients-{index}-kind": ["bao"], f"recipients-{index}-name": ["省委、省政府领导"]})
    data[f"recipients-{index}-sort_order"] = ["0"]
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert distribution(bulletin)[RecipientKind.BAO][0] == "省委、省政府领导"


def test_the_demo_province_reports_to_its_leaders_and_to_the_state_council(db, capsys):
    from django.core.management import call_command

    from publications.models import Publication

    call_command("loaddemo")
    call_command("loaddemo")  # twice: nothing doubles
    special = Publication.objects.get(name="信息专报", office__parent=None)
    assert distribution(special)[RecipientKind.BAO] == ["省委、省人大常委会、省政府、省政协领导", "国务院办公厅"]
    yaoqing = Publication.objects.get(name="云南要情")
    assert distribution(yaoqing)[RecipientKind.BAO] == ["国务院办公厅"]


def test_a_table_in_an_item_shows_as_a_table_on_the_page_and_in_the_file(
    client, writer, unit_approver, editor, issue_approver, bulletin
):
    body = "全省跨境电商发展较快。\n| 指标 | 1—10月 |\n| 交易额 | 217.0 |"
    item = adopted(writer, unit_approver, editor, bulletin, body=body)
    issue = signed_issue(editor, issue_approver, bulletin, [item])
    client.force_login(editor)
    page = client.get(reverse("issue_detail", args=[issue.pk])).content.decode()
    assert "<th>指标</th><th>1—10月</th>" in page and "<td>交易额</td><td>217.0</td>" in page
    assert "| 指标" not in page
    document = python_docx.Document(io.BytesIO(client.get(reverse("issue_docx", args=[issue.pk])).getvalue()))
    assert [c.text for c in document.tables[0].rows[1].cells] == ["交易额", "217.0"]
