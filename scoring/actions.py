"""Writing the points ledger. Every function appends rows and never edits one.

Adoptions and withdrawals reach this module through the hooks in publications.signals
and run inside the transaction of the act itself; instructions, higher-level adoptions
and penalties call the credit functions below from their own actions.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from publications.models import Adoption, AdoptionForm
from submissions.models import Item
from units.models import Unit, User

from .models import (
    ZERO,
    CompositeRule,
    HigherAdoptionRule,
    InstructionRule,
    LedgerEntry,
    PenaltyRule,
    PublicationRule,
    Scheme,
    Source,
)
from .rules import shares

ADOPTION_SOURCES = (Source.ADOPTION, Source.REVERSAL, Source.RECOMPUTE)


def schemes_for(office_id: int, day: dt.date):
    return Scheme.objects.filter(office_id=office_id, year=day.year, is_active=True)


def _assessed(scheme: Scheme) -> set[int]:
    return set(scheme.scheme_units.values_list("unit_id", flat=True))


def adoption_points(scheme: Scheme, adoption: Adoption) -> dict[int, tuple[Item, Decimal]]:
    """What an adoption is worth to each assessed unit under the scheme's current rules."""
    rule = PublicationRule.objects.filter(
        scheme=scheme, publication_id=adoption.publication_id, form=adoption.form
    ).first()
    if rule is None:
        return {}
    assessed = _assessed(scheme)
    items = [i for i in adoption.sources.select_related("unit") if i.unit_id in assessed]
    split = adoption.form == AdoptionForm.COMPOSITE and scheme.composite_rule == CompositeRule.SPLIT
    by_unit = shares(rule.points, [i.unit_id for i in items], split=split)
    first_item = {}
    for item in items:
        first_item.setdefault(item.unit_id, item)
    return {unit_id: (first_item[unit_id], points) for unit_id, points in by_unit.items()}


def _adoption_balance(scheme: Scheme, unit_id: int, item: Item) -> Decimal:
    return (
        LedgerEntry.objects.filter(scheme=scheme, unit_id=unit_id, item=item, source__in=ADOPTION_SOURCES).aggregate(
            s=Sum("points")
        )["s"]
        or ZERO
    )


def _entry(**fields) -> LedgerEntry:
    return LedgerEntry.objects.create(**fields)


def credit_adoption(adoption: Adoption, user: User | None) -> list[LedgerEntry]:
    """Credit the submitting unit(s) for an adoption, in every scheme of the office."""
    day = timezone.localdate(adoption.adopted_at)
    written = []
    for scheme in schemes_for(adoption.publication.office_id, day):
        for unit_id, (item, points) in adoption_points(scheme, adoption).items():
            if not scheme.add_up:
                # Only the best adoption of an item counts: credit the rise, if any.
                current = _adoption_balance(scheme, unit_id, item)
                points = max(points, current) - current
                if points <= 0:
                    continue
            written.append(
                _entry(
                    scheme=scheme,
                    unit_id=unit_id,
                    date=day,
                    source=Source.ADOPTION,
                    adoption=adoption,
                    item=item,
                    rule=f"publication:{adoption.publication_id}:{adoption.form}",
                    points=points,
                    reason=f"《{adoption.publication.name}》采用（{adoption.get_form_display()}）",
                    created_by=user,
                )  # fmt: skip
            )
    return written + _credit_upper_adoption(adoption, day, user)


def _credit_upper_adoption(adoption: Adoption, day: dt.date, user: User | None) -> list[LedgerEntry]:
    """An item this office forwarded was adopted above: the lower office's scheme may
    credit the original unit, by its UpperAdoptionRule for that upper publication."""
    from .models import UpperAdoptionRule

    written = []
    for forwarded in adoption.sources.filter(forwarded_from__isnull=False).select_related("forwarded_from"):
        original = forwarded.forwarded_from
        for scheme in schemes_for(original.office_id, day):
            rule = UpperAdoptionRule.objects.filter(scheme=scheme, upper_publication=adoption.publication).first()
            if rule is None or original.unit_id not in _assessed(scheme):
                continue
            written.append(
                _entry(
                    scheme=scheme,
                    unit_id=original.unit_id,
                    date=day,
                    source=Source.HIGHER,
                    adoption=adoption,
                    item=original,
                    rule=f"upper:{adoption.publication_id}",
                    points=rule.points,
                    reason=f"转报被{adoption.publication.office.display_name}《{adoption.publication.name}》采用",
                    created_by=user,
                )
            )
    return written


def reverse_adoption(adoption: Adoption, user: User | None, reason: str) -> list[LedgerEntry]:
    """Withdrawn adoption: a reversing row for each of its rows not yet reversed."""
    written = []
    today = timezone.localdate()
    open_rows = LedgerEntry.objects.filter(adoption=adoption, reversed_by__isnull=True).exclude(source=Source.REVERSAL)
    for row in open_rows.select_related("scheme"):
        written.append(
            _entry(
                scheme=row.scheme,
                unit_id=row.unit_id,
                date=today,
                source=Source.REVERSAL,
                adoption=adoption,
                item=row.item,
                rule=row.rule,
                points=-row.points,
                reverses=row,
                reason=f"撤销采用冲正：{reason}",
                created_by=user,
            )  # fmt: skip
        )
        if not row.scheme.add_up and row.item_id:
            written += _settle_best(row.scheme, row.unit_id, row.item, user)
    return written


def _settle_best(scheme: Scheme, unit_id: int, item: Item, user: User | None) -> list[LedgerEntry]:
    """Non-add-up schemes: bring an item's balance to its best remaining adoption."""
    best = ZERO
    best_adoption = None
    for adoption in Adoption.objects.filter(sources=item, withdrawn_at=None, publication__office_id=scheme.office_id):
        points = adoption_points(scheme, adoption).get(unit_id, (None, ZERO))[1]
        if points > best:
            best, best_adoption = points, adoption
    diff = best - _adoption_balance(scheme, unit_id, item)
    if diff == 0:
        return []
    return [
        _entry(
            scheme=scheme,
            unit_id=unit_id,
            date=timezone.localdate(),
            source=Source.RECOMPUTE,
            adoption=best_adoption,
            item=item,
            rule="best-adoption",
            points=diff,
            reason="不累计计分：按最高采用重新结算",
            created_by=user,
        )  # fmt: skip
    ]


def credit_instruction(
    *, item: Item, level: str, ref: str, day: dt.date, user: User | None, office_id: int | None = None
) -> list[LedgerEntry]:
    """The bonus of an instruction's level, to the submitting unit, once per level per
    item unless the scheme says otherwise. `ref` identifies the instruction."""
    written = []
    office_id = office_id or item.office_id
    for scheme in schemes_for(office_id, day):
        rule = InstructionRule.objects.filter(scheme=scheme, level=level).first()
        if rule is None or item.unit_id not in _assessed(scheme):
            continue
        key = f"instruction:{level}"
        if scheme.instruction_once_per_level:
            already = LedgerEntry.objects.filter(scheme=scheme, item=item, rule=key).aggregate(s=Sum("points"))["s"]
            if already and already > 0:
                continue
        written.append(
            _entry(
                scheme=scheme,
                unit_id=item.unit_id,
                date=day,
                source=Source.INSTRUCTION,
                item=item,
                source_ref=ref,
                rule=key,
                points=rule.points,
                reason=f"{level}批示",
                created_by=user,
            )  # fmt: skip
        )
    return written


def credit_higher_adoption(
    *, adoption: Adoption, level: str, ref: str, day: dt.date, user: User | None
) -> list[LedgerEntry]:
    """A higher office (e.g. 国办) adopted what this office carried in `adoption`."""
    written = []
    for scheme in schemes_for(adoption.publication.office_id, day):
        rule = HigherAdoptionRule.objects.filter(scheme=scheme, publication=adoption.publication, level=level).first()
        if rule is None:
            continue
        for unit_id, item in _assessed_sources(scheme, adoption).items():
            written.append(
                _entry(
                    scheme=scheme,
                    unit_id=unit_id,
                    date=day,
                    source=Source.HIGHER,
                    adoption=adoption,
                    item=item,
                    source_ref=ref,
                    rule=f"higher:{adoption.publication_id}:{level}",
                    points=rule.points,
                    reason=f"{level}采用（《{adoption.publication.name}》）",
                    created_by=user,
                )  # fmt: skip
            )
    return written


def _assessed_sources(scheme: Scheme, adoption: Adoption) -> dict[int, Item]:
    """The first source item of each assessed unit that contributed to an adoption."""
    assessed = _assessed(scheme)
    found: dict[int, Item] = {}
    for item in adoption.sources.all():
        if item.unit_id in assessed:
            found.setdefault(item.unit_id, item)
    return found


@transaction.atomic
def record_penalty(
    *, scheme: Scheme, unit: Unit, kind: str, reason: str, user: User | None, ref: str = "", item: Item | None = None
) -> LedgerEntry | None:
    """A penalty of the scheme's rule for `kind`, as a negative row; none if no rule."""
    rule = PenaltyRule.objects.filter(scheme=scheme, kind=kind).first()
    if rule is None:
        return None
    if ref and LedgerEntry.objects.filter(scheme=scheme, unit=unit, source_ref=ref, rule=f"penalty:{kind}").exists():
        return None  # the same fault is penalised once (tasks may run twice)
    entry = _entry(
        scheme=scheme, unit=unit, date=timezone.localdate(), source=Source.PENALTY, item=item, source_ref=ref,
        rule=f"penalty:{kind}", points=-rule.points, reason=reason or rule.get_kind_display(), created_by=user,
    )  # fmt: skip
    _notify_penalty(entry, rule)
    return entry


def _notify_penalty(entry: LedgerEntry, rule: PenaltyRule) -> None:
    """A unit is told of each penalty and why, so it can put it right or appeal it."""
    from django.urls import reverse

    from units.models import Role
    from units.notify import notify, people_with_roles

    veto = "，并按考核方案一票否决评奖" if rule.vetoes_award else ""
    notify(
        recipients=people_with_roles(entry.unit, [Role.STAFF, Role.UNIT_APPROVER, Role.LEADER]),
        verb="penalty",
        title=f"扣分通知：{rule.get_kind_display()} 扣{rule.points}分",
        body=f"《{entry.scheme.name}》：{entry.reason}{veto}。",
        url=reverse("unit_ledger", args=[entry.scheme_id, entry.unit_id]),
    )


@transaction.atomic
def adjust(*, scheme: Scheme, unit: Unit, points: Decimal, reason: str, user: User) -> LedgerEntry:
    """A manual adjustment: needs a reason and is shown as such."""
    if not reason.strip():
        raise ValidationError("手工调整必须填写理由。")
    if points == 0:
        raise ValidationError("调整分值不能为 0。")
    if not scheme.scheme_units.filter(unit=unit).exists():
        raise ValidationError("该单位不在本方案的考核范围内。")
    return _entry(
        scheme=scheme, unit=unit, date=timezone.localdate(), source=Source.MANUAL, rule="manual", points=points,
        reason=f"手工调整：{reason.strip()}", created_by=user,
    )  # fmt: skip


@dataclass
class Difference:
    unit: Unit
    item: Item
    before: Decimal
    after: Decimal

    @property
    def delta(self) -> Decimal:
        return self.after - self.before


@transaction.atomic
def recompute(*, scheme: Scheme, user: User) -> list[Difference]:
    """Apply the scheme's current rules to its adoptions explicitly: write the
    differences as new rows and report them. Past rows stay as they are."""
    expected: dict[tuple[int, int], Decimal] = {}
    items: dict[int, Item] = {}
    adoptions = Adoption.objects.filter(
        publication__office_id=scheme.office_id, adopted_at__year=scheme.year, withdrawn_at=None
    ).prefetch_related("sources__unit")
    for adoption in adoptions:
        for unit_id, (item, points) in adoption_points(scheme, adoption).items():
            key = (unit_id, item.pk)
            items[item.pk] = item
            expected[key] = expected.get(key, ZERO) + points if scheme.add_up else max(expected.get(key, ZERO), points)
    current = {
        (row["unit_id"], row["item_id"]): row["s"]
        for row in LedgerEntry.objects.filter(scheme=scheme, source__in=ADOPTION_SOURCES, item__isnull=False)
        .values("unit_id", "item_id")
        .annotate(s=Sum("points"))
    }
    differences = []
    units = {u.pk: u for u in Unit.objects.filter(pk__in={k[0] for k in expected} | {k[0] for k in current})}
    for key in sorted(set(expected) | set(current)):
        after, before = expected.get(key, ZERO), current.get(key) or ZERO
        if after == before:
            continue
        item = items.get(key[1]) or Item.objects.get(pk=key[1])
        _entry(
            scheme=scheme, unit_id=key[0], date=timezone.localdate(), source=Source.RECOMPUTE, item=item,
            rule="recompute", points=after - before, reason=f"方案重算：{before} → {after}", created_by=user,
        )  # fmt: skip
        differences.append(Difference(units[key[0]], item, before, after))
    return differences


def vetoed_units(scheme: Scheme) -> set[int]:
    kinds = list(scheme.penalty_rules.filter(vetoes_award=True).values_list("kind", flat=True))
    if not kinds:
        return set()
    rules = [f"penalty:{k}" for k in kinds]
    return set(
        LedgerEntry.objects.filter(scheme=scheme, rule__in=rules)
        .filter(Q(reversed_by__isnull=True))
        .values_list("unit_id", flat=True)
    )
