"""The demo province carries a forwarding rule: a 昆明 department earns points in 昆明's
scheme when the province adopts the item 昆明 forwarded."""

from django.core.management import call_command
from django.utils import timezone

from publications import actions
from publications.models import Publication
from scoring.models import Scheme, UpperAdoptionRule
from scoring.queries import unit_total
from submissions import actions as item_actions
from submissions.models import Item, State
from units.models import Unit, User


def test_demo_department_is_credited_when_the_province_adopts_its_forwarded_item(db):
    call_command("loaddemo")
    kunming = Unit.objects.get(short_name="昆明市")
    province = kunming.parent
    scheme = Scheme.objects.get(office=kunming, year=timezone.localdate().year)
    special = Publication.objects.get(office=province, name="信息专报")
    rule = UpperAdoptionRule.objects.get(scheme=scheme, upper_publication=special)
    assert rule.points == special.points_full == 10

    item = Item.objects.filter(unit__name="昆明市发展和改革委员会", state=State.SUBMITTED).first()
    city_editor, prov_editor = User.objects.get(username="city_editor"), User.objects.get(username="prov_editor")
    actions.adopt(item=item, user=city_editor, publication=Publication.objects.get(office=kunming, name="政务信息"))
    assert unit_total(scheme, item.unit) == 5
    copy = item_actions.create_forwarded(original=Item.objects.get(pk=item.pk), user=city_editor)
    actions.adopt(item=copy, user=prov_editor, publication=special)
    assert unit_total(scheme, item.unit) == 5 + 10


def test_loaddemo_adds_the_forwarding_rules_once(db):
    call_command("loaddemo")
    scheme = Scheme.objects.get(office__short_name="昆明市")
    rules = set(scheme.upper_rules.values_list("upper_publication__name", "points"))
    assert ("信息专报", 10) in rules and ("动态专报", 13) in rules
    call_command("loaddemo")
    assert set(scheme.upper_rules.values_list("upper_publication__name", "points")) == rules
    # A demo database made before the rules existed gets them on the next run.
    scheme.upper_rules.all().delete()
    call_command("loaddemo")
    assert set(scheme.upper_rules.values_list("upper_publication__name", "points")) == rules
