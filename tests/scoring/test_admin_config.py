"""Office administrators configure their schemes in admin: every rule table is there and
editable for a scheme of their own unit or a unit below, and for nobody else."""

from decimal import Decimal

import pytest
from django.urls import reverse

from publications.models import Publication, PublicationKind
from scoring.models import (
    AwardTier,
    PenaltyRule,
    PublicationRule,
    QuotaRule,
    Scheme,
    SchemeUnit,
    UpperAdoptionRule,
)
from tests.audit.helpers import admin_form
from tests.factories import UnitFactory
from units.models import AssessmentClass

INLINES = {
    "scheme_units": "被考核单位",
    "quotas": "考核基数",
    "publication_rules": "刊物计分规则",
    "instruction_rules": "批示加分规则",
    "higher_rules": "上级采用加分规则",
    "penalty_rules": "扣分规则",
    "award_tiers": "奖项设置",
    "upper_rules": "转报被上级采用加分规则",
}


@pytest.fixture
def province_special(province):
    return Publication.objects.create(office=province, name="省信息专报", kind=PublicationKind.SPECIAL_REPORT)


def _url(scheme) -> str:
    return reverse("admin:scoring_scheme_change", args=[scheme.pk])


def _form(client, scheme) -> dict[str, list[str]]:
    response = client.get(_url(scheme))
    assert response.status_code == 200
    return admin_form(response.content.decode(), "scheme_form")


def _add_row(data: dict, prefix: str, **fields) -> None:
    """Fill the next empty row of an inline, as the browser's 添加 link does."""
    index = int(data[f"{prefix}-TOTAL_FORMS"][0])
    for name, value in fields.items():
        data[f"{prefix}-{index}-{name}"] = [str(value)]
    data[f"{prefix}-TOTAL_FORMS"] = [str(index + 1)]


def _new_rows(data, pubs, department, county_class, province_special) -> None:
    _add_row(data, "scheme_units", unit=department.pk, quota="12.5")
    _add_row(data, "quotas", assessment_class=county_class.pk, quota="30")
    _add_row(data, "publication_rules", publication=pubs["special"].pk, form="brief", points="4")
    _add_row(data, "penalty_rules", kind="missed", points="3")
    _add_row(data, "award_tiers", name="二等奖", count=3, order=2)
    _add_row(data, "upper_rules", upper_publication=province_special.pk, points="8")


@pytest.fixture
def county_class(db):
    return AssessmentClass.objects.create(code="county", name="县区")


@pytest.mark.parametrize("who", ["city_admin", "province_admin"])
def test_administrator_sees_every_rule_table_of_a_scheme_in_their_subtree(client, request, who, scheme):
    client.force_login(request.getfixturevalue(who))
    page = client.get(_url(scheme)).content.decode()
    for prefix, title in INLINES.items():
        assert f'id="{prefix}-group"' in page, prefix
        assert title in page
    data = admin_form(page, "scheme_form")
    assert data["quotas-TOTAL_FORMS"] == ["1"] and data["award_tiers-TOTAL_FORMS"] == ["2"]


@pytest.mark.parametrize("who", ["city_admin", "province_admin"])
def test_administrator_adds_rules_of_every_kind_through_the_form(
    client, request, who, scheme, pubs, city, department, county_class, province_special
):
    client.force_login(request.getfixturevalue(who))
    SchemeUnit.objects.filter(scheme=scheme).delete()
    data = _form(client, scheme)
    _new_rows(data, pubs, department, county_class, province_special)
    response = client.post(_url(scheme), data)
    assert response.status_code == 302, response.content.decode()[:3000]

    assert SchemeUnit.objects.get(scheme=scheme, unit=department).quota == Decimal("12.5")
    assert QuotaRule.objects.get(scheme=scheme, assessment_class=county_class).quota == Decimal("30")
    assert PublicationRule.objects.get(scheme=scheme, publication=pubs["special"], form="brief").points == 4
    assert PenaltyRule.objects.get(scheme=scheme, kind="missed").points == 3
    assert AwardTier.objects.get(scheme=scheme, name="二等奖").count == 3
    assert UpperAdoptionRule.objects.get(scheme=scheme, upper_publication=province_special).points == 8


def test_administrator_changes_and_deletes_a_rule(client, city_admin, scheme):
    client.force_login(city_admin)
    data = _form(client, scheme)
    row = next(k[: -len("-kind")] for k, v in data.items() if k.startswith("penalty_rules-") and v == ["late"])
    data[f"{row}-points"] = ["2"]
    tier = next(k[: -len("-name")] for k, v in data.items() if k.startswith("award_tiers-") and v == ["一等奖"])
    data[f"{tier}-DELETE"] = ["on"]
    response = client.post(_url(scheme), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert PenaltyRule.objects.get(scheme=scheme, kind="late").points == 2
    assert list(AwardTier.objects.filter(scheme=scheme).values_list("name", flat=True)) == ["特等奖"]


def test_rule_tables_are_for_the_schemes_own_administrators_only(client, city_admin, outsider, scheme, department):
    client.force_login(city_admin)
    assert 'id="upper_rules-group"' in client.get(_url(scheme)).content.decode()
    # The sibling city's administrator: the page and its tables do not exist for them.
    client.force_login(outsider)
    response = client.get(_url(scheme))
    assert response.status_code == 302 and response.url == reverse("admin:index")
    data = {
        "scheme_units-TOTAL_FORMS": ["1"],
        "scheme_units-INITIAL_FORMS": ["0"],
        "scheme_units-0-unit": [department.pk],
    }
    response = client.post(_url(scheme), data)
    assert response.status_code == 302 and response.url == reverse("admin:index")
    assert list(SchemeUnit.objects.filter(scheme=scheme).values_list("unit", flat=True)) == [department.pk]


def test_sibling_administrator_cannot_put_rules_into_their_own_scheme_from_others(
    client, outsider, other_city, department, pubs
):
    """In their own scheme, the sibling city's administrator cannot pick another city's
    units or publications."""
    own = Scheme.objects.create(office=other_city, year=2026, name="曲靖考核")
    client.force_login(outsider)
    data = _form(client, own)
    _add_row(data, "scheme_units", unit=department.pk)
    _add_row(data, "publication_rules", publication=pubs["general"].pk, form="full", points="5")
    response = client.post(_url(own), data)
    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"]
    messages = " ".join(str(f.formset.errors) for f in errors)
    assert messages.count("选择一个有效的选项") >= 2, messages
    assert not SchemeUnit.objects.filter(scheme=own).exists()
    assert not PublicationRule.objects.filter(scheme=own).exists()


def test_city_administrator_cannot_pick_a_unit_outside_their_subtree(client, city_admin, scheme, other_city):
    client.force_login(city_admin)
    stranger = UnitFactory(name="曲靖市教育局", parent=other_city)
    data = _form(client, scheme)
    _add_row(data, "scheme_units", unit=stranger.pk)
    response = client.post(_url(scheme), data)
    assert response.status_code == 200
    assert "选择一个有效的选项" in str(response.context["inline_admin_formsets"][0].formset.errors)
    assert not SchemeUnit.objects.filter(unit=stranger).exists()


def test_forwarding_rule_must_name_a_publication_of_the_office_above(client, city_admin, scheme, pubs):
    client.force_login(city_admin)
    data = _form(client, scheme)
    _add_row(data, "upper_rules", upper_publication=pubs["special"].pk, points="8")
    response = client.post(_url(scheme), data)
    assert response.status_code == 200
    assert not UpperAdoptionRule.objects.exists()
