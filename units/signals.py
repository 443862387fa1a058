"""API tokens end when what they were issued under changes.

A token (rest_framework.authtoken) stands for a login. It is revoked — deleted — when its
owner signs out, changes password, has the second factor reset or set up, gains or loses
a role, moves to another unit (roles are scoped to it) or is deactivated. The hooks are
signals so that every path counts: the pages, the admin, the API and management commands.
"""

from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

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
