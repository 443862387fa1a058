"""Receivers of the lower apps' hooks; they run inside the sender's transaction."""

from django.utils import timezone

from . import actions


def on_adoption_made(sender, adoption, user, **kwargs) -> None:
    actions.credit_adoption(adoption, user)


def on_adoption_withdrawn(sender, adoption, user, reason, **kwargs) -> None:
    actions.reverse_adoption(adoption, user, reason)


def on_external_adoption(sender, external, user, **kwargs) -> None:
    actions.credit_higher_adoption(
        adoption=external.adoption, level=external.level, ref=f"external:{external.pk}", day=external.date, user=user
    )


def on_instruction_made(sender, instruction, user, **kwargs) -> None:
    ref = f"instruction:{instruction.pk}"
    actions.credit_instruction(
        item=instruction.item, level=instruction.level, ref=ref, day=instruction.date, user=user,
        office_id=instruction.office_id,
    )  # fmt: skip
    # Flow back: an instruction on a forwarded copy may earn the original unit points in
    # the lower office's scheme, by that scheme's rule for the level.
    original = instruction.item.forwarded_from
    while original is not None:
        actions.credit_instruction(item=original, level=instruction.level, ref=ref, day=instruction.date, user=user)
        original = original.forwarded_from


def on_penalty_due(sender, office, unit, kind, reason, ref, item=None, user=None, **kwargs) -> None:
    for scheme in actions.schemes_for(office.pk, timezone.localdate()):
        if scheme.scheme_units.filter(unit=unit).exists():
            actions.record_penalty(scheme=scheme, unit=unit, kind=kind, reason=reason, user=user, ref=ref, item=item)
