"""audit sits below units: units imports audit to record its changes, so audit never
imports units; units hands audit its scope in UnitsConfig.ready() instead."""

import re
from pathlib import Path

import audit
from audit import scope

AUDIT = Path(audit.__file__).resolve().parent
IMPORTS_UNITS = re.compile(r"^\s*(from\s+units(\.|\s)|import\s+units\b)", re.M)


def test_audit_never_imports_units():
    offenders = [
        str(path.relative_to(AUDIT.parent))
        for path in sorted(AUDIT.rglob("*.py"))
        if IMPORTS_UNITS.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_pattern_sees_both_spellings():
    assert IMPORTS_UNITS.search("from units.access import administered_units\n")
    assert IMPORTS_UNITS.search("    import units\n")
    assert not IMPORTS_UNITS.search('"units.Unit",\nfrom .models import AuditEntry\n')


def test_units_hands_audit_its_scope(city_admin, writer, city, department, province):
    assert scope.can_read(city_admin)
    assert not scope.can_read(writer)
    assert set(scope.administered_units(city_admin)) == {city, department}
    assert set(scope.subtree(city)) == {city, department}
    assert province not in set(scope.subtree(city))
