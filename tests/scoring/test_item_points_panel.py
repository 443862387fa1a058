"""The item page shows the points each adoption and instruction of the item earned
(issue 14), from the ledger and only the rows scoring.access lets the reader see."""

from decimal import Decimal as D

from django.urls import reverse
from django.utils import timezone

from publications import actions as pub_actions
from scoring import actions
from scoring.models import LedgerEntry, Scheme, SchemeUnit, Source
from tests.submissions.helpers import submitted


def _earned(writer, unit_approver, editor, pubs):
    item = submitted(writer, unit_approver)
    pub_actions.adopt(item=item, user=editor, publication=pubs["special"], form="full", body="")
    today = timezone.localdate()
    actions.credit_instruction(item=item, level="省政府领导", ref="instruction:1", day=today, user=editor)
    return item


def _panel(client, item) -> str:
    page = client.get(reverse("item_detail", args=[item.pk])).content.decode()
    if 'id="item-points"' not in page:
        return ""
    return page[page.index('id="item-points"') : page.index("</table>", page.index('id="item-points"'))]


def test_writer_sees_what_each_adoption_and_instruction_earned(client, writer, unit_approver, editor, pubs, scheme):
    item = _earned(writer, unit_approver, editor, pubs)
    client.force_login(writer)
    panel = _panel(client, item)
    assert 'data-source="adoption"' in panel and "《信息专报》" in panel and "+10.0" in panel
    assert 'data-source="instruction"' in panel and "+5.0" in panel
    assert 'id="item-points-total">+15.0' in panel


def test_a_withdrawn_adoption_shows_its_reversal(client, writer, unit_approver, editor, pubs, scheme):
    item = submitted(writer, unit_approver)
    adoption = pub_actions.adopt(item=item, user=editor, publication=pubs["special"], form="full", body="")
    pub_actions.withdraw_adoption(adoption=adoption, user=editor, reason="数据有误")
    client.force_login(writer)
    panel = _panel(client, item)
    assert 'data-source="reversal"' in panel and "-10.0" in panel and 'id="item-points-total">0.0' in panel


def test_rows_of_a_ledger_the_reader_may_not_see_are_left_out(
    client, writer, unit_approver, editor, pubs, scheme, province, department
):
    item = _earned(writer, unit_approver, editor, pubs)
    # The province's scheme also assesses the department (not public to assessed units):
    # the city's editor reads the city's scheme, not the province's.
    upper = Scheme.objects.create(office=province, year=scheme.year, name="省级考核")
    SchemeUnit.objects.create(scheme=upper, unit=department)
    LedgerEntry.objects.create(
        scheme=upper, unit=department, date=timezone.localdate(), source=Source.MANUAL, item=item,
        points=D("7"), reason="省级考核加分",
    )  # fmt: skip
    client.force_login(editor)
    panel = _panel(client, item)
    assert "+10.0" in panel and "省级考核加分" not in panel and 'id="item-points-total">+15.0' in panel
    client.force_login(writer)
    assert "省级考核加分" in _panel(client, item)  # the unit always reads its own ledger


def test_no_points_no_panel(client, writer, unit_approver, scheme):
    item = submitted(writer, unit_approver)
    client.force_login(writer)
    assert _panel(client, item) == ""


def test_outsider_sees_neither_the_item_nor_its_points(client, writer, unit_approver, editor, pubs, scheme, outsider):
    item = _earned(writer, unit_approver, editor, pubs)
    client.force_login(outsider)
    assert client.get(reverse("item_detail", args=[item.pk])).status_code == 404
