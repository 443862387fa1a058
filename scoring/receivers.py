"""Receivers of the lower apps' hooks; they run inside the sender's transaction."""

import logging

from django.utils import timezone

from . import actions
from .models import LedgerEntry, Source, Stage

logger = logging.getLogger(__name__)


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


def on_penalty_due(sender, office, unit, kind, reason, ref, item=None, user=None, replaces="", **kwargs) -> None:
    """Record the fault in each scheme of the assessing office that assesses `unit`.

    `replaces` names an earlier fault (its `ref`) that the facts have since turned into
    this one — a commission first found unanswered whose answer then arrived late: the
    earlier penalty is reversed, so the result does not depend on when a task ran.
    """
    for scheme in actions.schemes_for(office.pk, timezone.localdate()):
        if scheme.stage == Stage.FINAL:
            # A scheduled sweep must not fail on a closed year (and so block the faults it
            # records for open ones); the refusal is logged for the office to see.
            logger.warning("%s：未记入扣分（%s，%s）", actions.locked_message(scheme), unit, reason)
            continue
        if scheme.scheme_units.filter(unit=unit).exists():
            if replaces:
                _reverse_penalties(scheme=scheme, unit=unit, ref=replaces, reason=reason, user=user)
            actions.record_penalty(scheme=scheme, unit=unit, kind=kind, reason=reason, user=user, ref=ref, item=item)


def _reverse_penalties(*, scheme, unit, ref: str, reason: str, user) -> None:
    open_rows = LedgerEntry.objects.filter(
        scheme=scheme, unit=unit, source=Source.PENALTY, source_ref=ref, reversed_by__isnull=True
    )
    for row in open_rows:
        # Not "penalty:<kind>": a reversing row must not count as the fault (vetoes read that rule).
        actions.write_entry(
            scheme=scheme, unit=unit, date=timezone.localdate(), source=Source.REVERSAL, item=row.item,
            source_ref=ref, rule=f"reversal:{row.rule}", points=-row.points, reverses=row,
            reason=f"改判冲正：{reason}", created_by=user,
        )  # fmt: skip
