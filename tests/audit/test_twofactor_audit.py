"""Setting up and resetting an authenticator changes who can sign in: both are audited."""

from django.urls import reverse

from audit.models import AuditEntry
from tests.otp import device_for


def test_security_admin_reset_of_a_lost_authenticator_is_recorded(client, city_security_admin, editor):
    device_for(editor)
    client.force_login(city_security_admin)
    client.post(
        reverse("admin:units_account_changelist"), {"action": "reset_two_factor", "_selected_action": [editor.pk]}
    )
    entry = AuditEntry.objects.get(action="two_factor_reset", object_id=str(editor.pk))
    assert entry.actor_id == city_security_admin.pk
    assert entry.changes == {"two_factor": [True, False]}


def test_reset_without_a_device_records_nothing(editor):
    from units.twofactor.actions import reset_two_factor

    assert reset_two_factor(user=editor) == 0
    assert not AuditEntry.objects.filter(action="two_factor_reset").exists()
