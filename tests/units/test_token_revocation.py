"""The revocation hooks (units/signals.py) on every path that changes what a token was
issued under: actions, plain saves, grants made or removed directly, device removal."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token

from govinfo.api.auth import issue_token
from tests.otp import device_for
from units.actions import set_roles
from units.models import Role, RoleGrant
from units.twofactor.actions import reset_two_factor


def _has_token(user) -> bool:
    return Token.objects.filter(user=user).exists()


def test_set_roles_revokes_on_a_gained_or_lost_role_only(writer):
    issue_token(user=writer, verified=False)
    set_roles(user=writer, roles=[Role.STAFF])  # unchanged
    assert _has_token(writer)
    set_roles(user=writer, roles=[Role.STAFF, Role.LEADER])
    assert not _has_token(writer)
    issue_token(user=writer, verified=False)
    set_roles(user=writer, roles=[Role.LEADER])
    assert not _has_token(writer)


def test_a_grant_made_or_removed_directly_revokes(writer):
    issue_token(user=writer, verified=False)
    grant = RoleGrant.objects.create(user=writer, unit=writer.unit, role=Role.UNIT_APPROVER)
    assert not _has_token(writer)
    issue_token(user=writer, verified=False)
    grant.delete()
    assert not _has_token(writer)


def test_reset_two_factor_revokes(writer):
    device_for(writer)
    issue_token(user=writer, verified=True)
    reset_two_factor(user=writer)
    assert not _has_token(writer)


def test_password_deactivation_and_a_move_revoke(writer, other_city):
    for change in (
        lambda u: u.set_password("Another-pass-2026"),
        lambda u: setattr(u, "is_active", False),
        lambda u: setattr(u, "unit", other_city),
    ):
        writer.refresh_from_db()
        writer.is_active = True
        writer.save()
        issue_token(user=writer, verified=False)
        change(writer)
        writer.save()
        assert not _has_token(writer)


def test_other_saves_keep_the_token_and_cost_no_extra_query(writer):
    issue_token(user=writer, verified=False)
    writer.full_name = "改了姓名"
    writer.save()
    assert _has_token(writer)
    writer.last_login = timezone.now()
    with CaptureQueriesContext(connection) as queries:
        writer.save(update_fields=["last_login"])  # every sign-in does this
    assert len(queries) == 1 and _has_token(writer)


def test_revocation_touches_only_that_persons_tokens(writer, colleague):
    issue_token(user=writer, verified=False)
    issue_token(user=colleague, verified=False)
    set_roles(user=writer, roles=[Role.STAFF, Role.LEADER])
    assert not _has_token(writer) and _has_token(colleague)
