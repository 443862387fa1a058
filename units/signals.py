"""API tokens end when what they were issued under changes.

A token (rest_framework.authtoken) stands for a login. It is revoked — deleted — when its
owner signs out, changes password, has the second factor reset or set up, gains or loses
a role, moves to another unit (roles are scoped to it) or is deactivated. The hooks are
signals so that every path counts: the pages, the admin, the API and management commands.
"""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

import audit

from .models import RoleGrant, User

# Fields of a person whose change ends their tokens.
TOKEN_BOUND_FIELDS = ("password", "is_active", "unit")


def revoke_api_tokens(user_id: int | None) -> None:
    """End every API token of the person (`user_id` None: nothing to do)."""
    if user_id is not None:
        Token.objects.filter(user_id=user_id).delete()


@receiver(user_logged_out, dispatch_uid="units.signals.revoke_on_logout")
def revoke_on_logout(sender, request, user, **kwargs) -> None:
    """Signing out of the web ends the tokens obtained with that login too."""
    if user is not None:
        revoke_api_tokens(user.pk)


@receiver(pre_save, sender=User, dispatch_uid="units.signals.note_token_bound_change")
def note_token_bound_change(sender, instance: User, update_fields=None, raw=False, **kwargs) -> None:
    """Before a person is saved: note whether their password, active flag or unit
    changes, which their tokens must not outlive (one query, only for those fields)."""
    if raw or instance._state.adding or instance.pk is None:
        return
    fields = [f for f in TOKEN_BOUND_FIELDS if update_fields is None or f in update_fields]
    if not fields:
        return  # e.g. last_login on every sign-in: no query
    attnames = ["unit_id" if f == "unit" else f for f in fields]
    before = User.objects.filter(pk=instance.pk).values(*attnames).first()
    if before is not None and any(before[a] != getattr(instance, a) for a in attnames):
        instance._revoke_api_tokens = True


@receiver(post_save, sender=User, dispatch_uid="units.signals.revoke_on_user_change")
def revoke_on_user_change(sender, instance: User, created=False, **kwargs) -> None:
    """After the save noted above: end the tokens."""
    if getattr(instance, "_revoke_api_tokens", False):
        instance._revoke_api_tokens = False
        revoke_api_tokens(instance.pk)


@receiver(post_save, sender=RoleGrant, dispatch_uid="units.signals.revoke_on_role_grant")
@receiver(post_delete, sender=RoleGrant, dispatch_uid="units.signals.revoke_on_role_removal")
def revoke_on_role_change(sender, instance: RoleGrant, **kwargs) -> None:
    """A role granted or removed: tokens stood for the old set of powers."""
    revoke_api_tokens(instance.user_id)


@receiver(post_delete, sender=TOTPDevice, dispatch_uid="units.signals.revoke_on_device_removal")
def revoke_on_device_removal(sender, instance: TOTPDevice, **kwargs) -> None:
    """An authenticator removed (reset): tokens obtained with its codes end."""
    revoke_api_tokens(instance.user_id)


# --- Sign-in events into the audit record (GB/T 22239 8.1.4.1 and 8.1.4.3) -----------
# Each is one row, named by the person (or, for a failed sign-in, by the name typed,
# which may be nobody's): sign-in, failed sign-in, sign-out, lockout. Password changes
# are written by units/passwords.py, second-factor events by units/twofactor/actions.py,
# session expiry by govinfo/middleware/sessions.py.


@receiver(user_logged_in, dispatch_uid="units.signals.audit_login")
def audit_login(sender, request, user, **kwargs) -> None:
    audit.record(action="login", obj=user, actor=user)


@receiver(user_logged_out, dispatch_uid="units.signals.audit_logout")
def audit_logout(sender, request, user, **kwargs) -> None:
    if user is not None and not getattr(request, "_govinfo_session_expired", False):
        audit.record(action="logout", obj=user, actor=user)


def _typed_username(credentials: dict) -> str:
    return str(credentials.get("username") or "")[:150]


@receiver(user_login_failed, dispatch_uid="units.signals.audit_login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs) -> None:
    """A wrong password or an unknown name: the row names what was typed and, when it is
    someone's user name, that person and their unit (so their administrator sees it)."""
    username = _typed_username(credentials)
    person = User.objects.filter(username=username).only("pk", "unit_id", "username", "full_name").first()
    _record_about(person, username, "login_failed")


@receiver(user_locked_out, dispatch_uid="units.signals.audit_locked_out")
def audit_locked_out(sender, request, username, ip_address, **kwargs) -> None:
    username = str(username or "")[:150]
    person = User.objects.filter(username=username).only("pk", "unit_id", "username", "full_name").first()
    _record_about(person, username, "account_locked", ip=ip_address)


def _record_about(person: User | None, username: str, action: str, **changes) -> None:
    facts = {"username": username, **{k: v for k, v in changes.items() if v}}
    if person is not None:
        audit.record(action=action, obj=person, actor=None, changes=facts)
    else:
        audit.record(action=action, model="units.user", object_id="", object_repr=username, unit=None,
                     actor=None, changes=facts)  # fmt: skip
