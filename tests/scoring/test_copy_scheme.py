"""Moving to a new year (issue 19): a scheme copied to the next year with its rules,
quotas and tiers but no ledger rows, by command or admin action; the old one untouched;
refused when the year exists."""

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from scoring.models import LedgerEntry, Scheme, Source


def _rules(scheme):
    return {
        "units": sorted(scheme.scheme_units.values_list("unit_id", "quota")),
        "quotas": sorted(scheme.quotas.values_list("assessment_class_id", "quota")),
        "publication": sorted(scheme.publication_rules.values_list("publication_id", "form", "points")),
        "instruction": sorted(scheme.instruction_rules.values_list("level", "points")),
        "higher": sorted(scheme.higher_rules.values_list("publication_id", "level", "points")),
        "penalty": sorted(scheme.penalty_rules.values_list("kind", "points", "vetoes_award")),
        "tiers": list(scheme.award_tiers.values_list("name", "count", "order")),
    }


def test_command_copies_rules_quotas_and_tiers_but_not_the_ledger(scheme, department, second_department, capsys):
    LedgerEntry.objects.create(scheme=scheme, unit=department, date=scheme_day(scheme), source=Source.MANUAL,
                               points=Decimal("3"), reason="手工调整：测试")  # fmt: skip
    before = _rules(scheme)
    call_command("copy_scheme", str(scheme.pk), "--year", str(scheme.year + 1))
    copy = Scheme.objects.get(office=scheme.office, year=scheme.year + 1)
    assert _rules(copy) == before and before["tiers"] and before["penalty"]
    assert not copy.entries.exists() and copy.stage == "running"
    assert _rules(Scheme.objects.get(pk=scheme.pk)) == before and scheme.entries.count() == 1
    assert f"id {copy.pk}" in capsys.readouterr().out


def test_command_refuses_a_year_that_exists(scheme):
    call_command("copy_scheme", str(scheme.pk))
    with pytest.raises(CommandError, match=f"已有{scheme.year + 1}年度的考核方案"):
        call_command("copy_scheme", str(scheme.pk), "--year", str(scheme.year + 1))
    assert Scheme.objects.filter(office=scheme.office).count() == 2


def test_admin_action_copies_to_the_next_year(client, city_admin, scheme):
    client.force_login(city_admin)
    url = reverse("admin:scoring_scheme_changelist")
    response = client.post(url, {"action": "copy_to_next_year", "_selected_action": [scheme.pk]}, follow=True)
    assert response.status_code == 200 and "已复制为" in response.content.decode()
    assert _rules(Scheme.objects.get(office=scheme.office, year=scheme.year + 1)) == _rules(scheme)


def test_admin_action_cannot_copy_another_offices_scheme(client, scheme, other_city):
    from tests.factories import UserFactory
    from units.models import Role

    client.force_login(UserFactory(username="other-admin", unit=other_city, roles=[Role.SYSTEM_ADMIN]))
    url = reverse("admin:scoring_scheme_changelist")
    client.post(url, {"action": "copy_to_next_year", "_selected_action": [scheme.pk]})
    assert not Scheme.objects.filter(year=scheme.year + 1).exists()


def scheme_day(scheme):
    import datetime as dt

    return dt.date(scheme.year, 6, 1)
