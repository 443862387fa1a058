from decimal import Decimal as D

from django.urls import reverse
from django.utils import timezone

from publications import actions
from publications.models import Publication, PublicationKind
from scoring.models import InstructionRule, PublicationRule, Scheme, SchemeUnit, UpperAdoptionRule
from scoring.queries import unit_total
from submissions.models import Item, ItemEvent, State
from tests.factories import UserFactory
from units.models import Role

from .helpers import adopted


def _province_side(province, city):
    prov_editor = UserFactory(username="prov_editor", unit=province, roles=[Role.EDITOR])
    special = Publication.objects.create(office=province, name="信息专报", kind=PublicationKind.SPECIAL_REPORT)
    year = timezone.localdate().year
    upper = Scheme.objects.create(office=province, year=year, name="全省考核")
    SchemeUnit.objects.create(scheme=upper, unit=city)
    PublicationRule.objects.create(scheme=upper, publication=special, form="full", points=10)
    InstructionRule.objects.create(scheme=upper, level="省政府领导", points=5)
    return prov_editor, special, upper


def _city_scheme(city, department, bulletin, special):
    lower = Scheme.objects.create(office=city, year=timezone.localdate().year, name="全市考核")
    SchemeUnit.objects.create(scheme=lower, unit=department)
    PublicationRule.objects.create(scheme=lower, publication=bulletin, form="full", points=5)
    UpperAdoptionRule.objects.create(scheme=lower, upper_publication=special, points=8)
    InstructionRule.objects.create(scheme=lower, level="省政府领导", points=6)
    return lower


def test_forwarded_item_arrives_upstairs_and_results_flow_back(
    client, writer, unit_approver, editor, bulletin, province, city, department
):
    prov_editor, special, upper = _province_side(province, city)
    lower = _city_scheme(city, department, bulletin, special)
    adoption = adopted(writer, unit_approver, editor, bulletin)
    original = adoption.item
    client.force_login(editor)
    page = client.get(reverse("item_detail", args=[original.pk])).content.decode()
    assert 'id="forward-form"' in page
    client.post(reverse("item_forward", args=[original.pk]), {"note": "建议省里采用"})
    copy = Item.objects.get(forwarded_from=original)
    assert (copy.unit, copy.office, copy.state) == (city, province, State.SUBMITTED)
    assert copy.signed_off_by == editor and copy.plain_title == original.plain_title
    assert ItemEvent.objects.filter(item=original, action="forward").exists()

    # The province adopts it: the province scheme credits the city, the city's scheme the department.
    actions.adopt(item=copy, user=prov_editor, publication=special)
    assert unit_total(upper, city) == D("10")
    assert unit_total(lower, department) == D("5") + D("8")
    client.force_login(writer)
    page = client.get(reverse("item_detail", args=[original.pk])).content.decode()
    assert "已转报" in page and "《信息专报》信息采用" in page

    # An instruction upstairs, on the province's signed issue, flows back too.
    from publications.instructions.actions import make_instruction

    prov_signer = UserFactory(username="prov_signer", unit=province, roles=[Role.ISSUE_APPROVER])
    issue = actions.create_issue(publication=special, user=prov_editor)
    actions.add_to_issue(issue=issue, adoptions=copy.adoptions.all(), user=prov_editor)
    issue = actions.sign_off_issue(issue=issue, user=prov_signer)
    today = timezone.localdate()
    make_instruction(
        item=copy, issue=issue, user=prov_editor, leader_name="王省长", level="省政府领导", text="请总结推广。",
        date=today, deadline=today, units=[city],
    )  # fmt: skip
    assert unit_total(upper, city) == D("15")
    assert unit_total(lower, department) == D("19")


def test_forwarding_refused_to_others_and_twice(
    client, writer, unit_approver, editor, bulletin, other_editor, province
):
    adoption = adopted(writer, unit_approver, editor, bulletin)
    original = adoption.item
    client.force_login(other_editor)
    assert client.post(reverse("item_forward", args=[original.pk])).status_code == 404
    client.force_login(writer)
    assert client.post(reverse("item_forward", args=[original.pk])).status_code == 404
    client.force_login(editor)
    client.post(reverse("item_forward", args=[original.pk]))
    page = client.get(client.post(reverse("item_forward", args=[original.pk])).url).content.decode()
    assert "已转报过上级" in page
    assert Item.objects.filter(forwarded_from=original).count() == 1


def test_only_adopted_items_are_forwarded(client, writer, unit_approver, editor, province):
    from tests.submissions.helpers import submitted

    item = submitted(writer, unit_approver)
    client.force_login(editor)
    page = client.get(client.post(reverse("item_forward", args=[item.pk])).url).content.decode()
    assert "只有已采用的信息可以转报上级" in page
    assert not Item.objects.filter(forwarded_from=item).exists()
