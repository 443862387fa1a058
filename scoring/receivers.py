"""Receivers of the publications app's hooks; they run inside the sender's transaction."""

from . import actions


def on_adoption_made(sender, adoption, user, **kwargs) -> None:
    actions.credit_adoption(adoption, user)


def on_adoption_withdrawn(sender, adoption, user, reason, **kwargs) -> None:
    actions.reverse_adoption(adoption, user, reason)


def on_external_adoption(sender, external, user, **kwargs) -> None:
    actions.credit_higher_adoption(
        adoption=external.adoption, level=external.level, ref=f"external:{external.pk}", day=external.date, user=user
    )
