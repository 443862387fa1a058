"""The audit record only grows: neither the ORM nor SQL may change or remove a row."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction

from audit.models import AuditEntry


@pytest.fixture
def entry(city):
    city.short_name = "春城"
    city.save()
    return AuditEntry.objects.get(model="units.unit", action="update")


def test_orm_refuses_to_change_or_delete_an_entry(entry):
    with pytest.raises(PermissionDenied):
        AuditEntry.objects.filter(pk=entry.pk).update(actor_name="某人")
    entry.actor_name = "某人"
    with pytest.raises(PermissionDenied):
        entry.save()
    with pytest.raises(PermissionDenied):
        entry.delete()
    with pytest.raises(PermissionDenied):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).actor_name == "系统"


def test_database_refuses_to_change_an_entry_even_in_raw_sql(entry):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET actor_name = %s WHERE id = %s", ["某人", entry.pk])
    if connection.vendor == "postgresql":
        # SQLite keeps DELETE possible: its test runs empty tables with DELETE (as for the ledger).
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).actor_name == "系统"


def test_removing_a_person_keeps_their_entries(client, province):
    from tests.factories import UserFactory

    person = UserFactory(username="leaver", unit=province)
    person.full_name = "离职人员"
    person.save()
    count = AuditEntry.objects.filter(model="units.user", object_id=str(person.pk)).count()
    pk = person.pk
    person.delete()
    rows = AuditEntry.objects.filter(model="units.user", object_id=str(pk))
    assert rows.count() == count + 1 and rows.filter(action="delete").exists()
