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
from submissions import uploads
from submissions.models import Item
from submissions.workflow import TransitionError
from units.models import Unit, User

from .models import (
    ZERO,
    Appeal,
    AppealAttachment,
    AppealStatus,
    BoardSnapshot,
    CompositeRule,
    HigherAdoptionRule,
    InstructionRule,
    LedgerEntry,
    PenaltyRule,
    PublicationRule,
    Scheme,
    SnapshotKind,
    Source,
    Stage,
    StageChange,
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


class YearLocked(TransitionError):
    """A ledger row for a scheme-year that has been made final; the message says so."""


def locked_message(scheme: Scheme) -> str:
    return (
        f"《{scheme.name}》{scheme.year}年度考核结果已定稿，该年度积分已锁定，不能再记入或更正；"
        "确需更正的，请系统管理员登记理由解锁后办理。"
    )


def refuse_if_locked(scheme: Scheme) -> None:
    """Raise YearLocked if the scheme-year is final (read fresh: the instance may be old)."""
    if Scheme.objects.filter(pk=scheme.pk, stage=Stage.FINAL).exists():
        raise YearLocked(locked_message(scheme))


def write_entry(**fields) -> LedgerEntry:
    """The one way a ledger row is written. A finalised year refuses it here with a
    Chinese message; the database trigger of migration 0006 refuses any other path."""
    refuse_if_locked(fields["scheme"])
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
                write_entry(
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
                write_entry(
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
            write_entry(
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
        write_entry(
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
            write_entry(
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
                write_entry(
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
    entry = write_entry(
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
    return write_entry(
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
def recompute(*, scheme: Scheme, user: User | None) -> list[Difference]:
    """Apply the scheme's current rules to its adoptions explicitly: write the
    differences as new rows and report them. Past rows stay as they are.
    A final year refuses (YearLocked): use recompute_report, which writes nothing."""
    refuse_if_locked(scheme)
    differences = rule_differences(scheme)
    for d in differences:
        write_entry(
            scheme=scheme, unit=d.unit, date=timezone.localdate(), source=Source.RECOMPUTE, item=d.item,
            rule="recompute", points=d.delta, reason=f"方案重算：{d.before} → {d.after}", created_by=user,
        )  # fmt: skip
    return differences


@dataclass
class BoardDifference:
    """A unit whose stored final points differ from what the current rules would give."""

    unit_id: int
    unit: str
    stored: Decimal
    recomputed: Decimal

    @property
    def delta(self) -> Decimal:
        return self.recomputed - self.stored


def recompute_report(scheme: Scheme) -> tuple[list[Difference], list[BoardDifference]]:
    """On a final year: what recomputing would change — per item, and per unit against the
    stored final board — without writing anything (the year is locked and the board is
    the decision; a correction goes through a recorded unlock)."""
    from .queries import scoreboard

    differences = rule_differences(scheme)
    snapshot = latest_snapshot(scheme, SnapshotKind.FINAL)
    stored = {r["unit_id"]: (r["unit"], Decimal(r["points"])) for r in (snapshot.rows if snapshot else [])}
    live = {r.unit.pk: r.points for r in scoreboard(scheme).rows}
    change: dict[int, Decimal] = {}
    for d in differences:
        change[d.unit.pk] = change.get(d.unit.pk, ZERO) + d.delta
    board = []
    for unit_id, (name, points) in stored.items():
        recomputed = live.get(unit_id, ZERO) + change.get(unit_id, ZERO)
        if recomputed != points:
            board.append(BoardDifference(unit_id, name, points, recomputed))
    return differences, board


def rule_differences(scheme: Scheme) -> list[Difference]:
    """Per unit and item, the adoption points the current rules give against the ledger's."""
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


# --- The year-end assessment (issue 19): 公示, 申诉, 定稿, unlock --------------------------------

PUBLICITY_DAYS = 5  # 公示 lasts five working days unless the office says otherwise
APPEAL_DECISION_DAYS = 5  # the office answers an appeal within five working days
MAX_APPEAL_CHARS = 2000
MAX_APPEAL_FILES = 5

# The allowed moves of a scheme-year: act → (from stages, to stage).
STAGE_MOVES = {
    "open_publicity": ({Stage.RUNNING}, Stage.PUBLICITY, "开始公示"),
    "finalise": ({Stage.PUBLICITY, Stage.REOPENED}, Stage.FINAL, "定稿"),
    "unlock": ({Stage.FINAL}, Stage.REOPENED, "解锁"),
}


class ClosingError(TransitionError):
    """A year-end act not allowed now; the message is shown as it is."""


def working_days_from(start: dt.date, n: int) -> dt.date:
    """The n-th working day counting from `start` itself (China's calendar)."""
    from publications.calendar import is_working_day

    day, seen = start, 0
    while True:
        if is_working_day(day):
            seen += 1
            if seen >= n:
                return day
        day += dt.timedelta(days=1)


def _locked_scheme(scheme: Scheme) -> Scheme:
    # FOR UPDATE: the ledger trigger reads the stage FOR SHARE, so rows being written
    # while a year is closed wait and then see the outcome.
    return Scheme.objects.select_for_update().select_related("office").get(pk=scheme.pk)


def _move(scheme: Scheme, act: str, user: User, reason: str = "", **fields) -> Scheme:
    sources, target, label = STAGE_MOVES[act]
    if scheme.stage not in sources:
        raise ClosingError(f"《{scheme.name}》当前为“{scheme.get_stage_display()}”，不能{label}。")
    before = scheme.stage
    for name, value in fields.items():
        setattr(scheme, name, value)
    scheme.stage = target
    scheme.version += 1
    scheme.save(update_fields=["stage", "version", *fields])
    StageChange.objects.create(scheme=scheme, from_stage=before, to_stage=target, by=user, reason=reason[:300])
    return scheme


def board_rows(scheme: Scheme) -> list[dict]:
    """The scoreboard as plain data — ranks, points, completion, tiers, vetoes and why —
    for a snapshot that stays as it was whatever happens to the rules later."""
    from .queries import scoreboard

    veto_kinds = list(scheme.penalty_rules.filter(vetoes_award=True).values_list("kind", flat=True))
    reasons: dict[int, list[str]] = {}
    for unit_id, reason in LedgerEntry.objects.filter(
        scheme=scheme, rule__in=[f"penalty:{k}" for k in veto_kinds], reversed_by__isnull=True
    ).values_list("unit_id", "reason"):
        reasons.setdefault(unit_id, []).append(reason)

    def text(value):
        return None if value is None else str(value)

    return [
        {
            "unit_id": r.unit.pk,
            "unit": r.unit.display_name,
            "full_name": r.unit.name,
            "assessment_class": str(r.unit.assessment_class or ""),
            "rank": r.rank,
            "class_rank": r.class_rank,
            "quota": text(r.quota),
            "points": str(r.points),
            "completion": text(r.completion),
            "reached_quota": r.reached_quota,
            "penalties": str(r.penalties),
            "adoptions": r.adoptions,
            "instructions": r.instructions,
            "tier": r.tier,
            "vetoed": r.vetoed,
            "veto_reasons": reasons.get(r.unit.pk, []) if r.vetoed else [],
        }  # fmt: skip
        for r in scoreboard(scheme).rows
    ]


def _notify_assessed(scheme: Scheme, *, verb: str, title: str, body: str, url: str) -> None:
    """Tell the staff, approvers and leaders of every assessed unit (roles held there)."""
    from django.db.models import F

    from units.models import Role
    from units.models import User as Person
    from units.notify import notify

    people = Person.objects.filter(
        is_active=True, unit__in=scheme.assessed_units.all(), role_grants__unit_id=F("unit_id"),
        role_grants__role__in=[Role.STAFF, Role.UNIT_APPROVER, Role.LEADER],
    ).distinct()  # fmt: skip
    notify(recipients=people, verb=verb, title=title, body=body, url=url)


PROPOSABLE = ("open_publicity", "finalise")


@transaction.atomic
def propose(*, scheme: Scheme, user: User, act: str, note: str = "") -> StageChange:
    """An editor of the assessing office proposes `act` (开始公示 or 定稿) to its
    deciders: recorded on the scheme's year-end record (a row that moves nothing) and
    sent to the office's issue approvers and administrators, who then decide."""
    from django.urls import reverse

    from units.models import Role
    from units.notify import notify, people_with_roles

    if act not in PROPOSABLE:
        raise ClosingError("未知的提议。")
    scheme = _locked_scheme(scheme)
    sources, _, label = STAGE_MOVES[act]
    if scheme.stage not in sources:
        raise ClosingError(f"《{scheme.name}》当前为“{scheme.get_stage_display()}”，不能提议{label}。")
    reason = f"提议{label}" + (f"：{note.strip()}" if note.strip() else "")
    change = StageChange.objects.create(
        scheme=scheme, from_stage=scheme.stage, to_stage=scheme.stage, by=user, reason=reason[:300]
    )
    notify(
        recipients=people_with_roles(scheme.office, [Role.ISSUE_APPROVER, Role.SYSTEM_ADMIN]),
        verb="assessment_proposal", title=f"{scheme.year}年度考核：{user.full_name or user.username}{reason}",
        body=f"《{scheme.name}》请审定。", url=reverse("scheme_closing", args=[scheme.pk]),
    )  # fmt: skip
    return change


@transaction.atomic
def open_publicity(*, scheme: Scheme, user: User, days: int = PUBLICITY_DAYS) -> BoardSnapshot:
    """Open the 公示: keep a snapshot of the scoreboard as it stands now, show it to every
    assessed unit until the `days`-th working day from today, and tell them."""
    from django.urls import reverse

    if not 1 <= days <= 30:
        raise ValidationError("公示期应为 1 至 30 个工作日。")
    scheme = _locked_scheme(scheme)
    ends = working_days_from(timezone.localdate(), days)
    _move(scheme, "open_publicity", user, reason=f"公示{days}个工作日，至{ends:%Y-%m-%d}", publicity_ends_on=ends)
    snapshot = BoardSnapshot.objects.create(
        scheme=scheme, kind=SnapshotKind.PUBLICITY, rows=board_rows(scheme), created_by=user
    )
    _notify_assessed(
        scheme, verb="assessment_publicity", title=f"{scheme.year}年度考核结果公示",
        body=f"《{scheme.name}》考核结果公示至{ends:%Y年%-m月%-d日}；对本单位积分有异议的，请单位审签人在公示期内提出申诉。",
        url=reverse("scheme_closing", args=[scheme.pk]),
    )  # fmt: skip
    return snapshot


def _appeal_subject(
    scheme: Scheme, unit: Unit, entry_id: int | None, adoption_id: int | None
) -> tuple[LedgerEntry | None, Adoption | None]:
    entry = adoption = None
    if entry_id:
        entry = LedgerEntry.objects.filter(pk=entry_id, scheme=scheme, unit=unit).first()
        if entry is None:
            raise ValidationError("所申诉的台账记录不在本单位本年度的台账中。")
    elif adoption_id:
        adoption = (
            Adoption.objects.filter(
                pk=adoption_id,
                publication__office_id=scheme.office_id,
                adopted_at__year=scheme.year,
                withdrawn_at=None,
                sources__unit=unit,
            )  # fmt: skip
            .select_related("publication")
            .first()
        )
        if adoption is None:
            raise ValidationError("所申诉的采用不是本单位本年度在考核单位刊物上的采用。")
    return entry, adoption


def check_appeal_files(files) -> list[uploads.UploadKind]:
    """What each upload really is (the item attachments' checks); the first refused
    file's name and why, as a Chinese sentence."""
    if len(files) > MAX_APPEAL_FILES:
        raise uploads.UploadRejected(f"最多上传 {MAX_APPEAL_FILES} 个附件。", code="too_many")
    kinds = []
    for f in files:
        try:
            kinds.append(uploads.sniff(f, name=f.name))
        except uploads.UploadRejected as exc:
            raise uploads.UploadRejected(f"{f.name}：{exc.message}", code=exc.code) from exc
    return kinds


def file_appeal(
    *, scheme: Scheme, user: User, reason: str, entry_id: int | None = None, adoption_id: int | None = None,
    files=(),
) -> Appeal:  # fmt: skip
    """A unit's approver appeals, during the 公示, against a ledger row of their unit or
    for a missing one (an adoption that earned nothing, or described in the reason).

    Files are checked by their content and removed again if the database part fails."""
    import uuid

    from . import access

    if not access.can_appeal(user, scheme):
        raise ClosingError("只有被考核单位的审签人可以为本单位申诉。")
    today = timezone.localdate()
    scheme = Scheme.objects.get(pk=scheme.pk)
    if scheme.stage != Stage.PUBLICITY:
        raise ClosingError(f"《{scheme.name}》当前为“{scheme.get_stage_display()}”，不在公示期，不能申诉。")
    if scheme.publicity_ends_on and today > scheme.publicity_ends_on:
        raise ClosingError(f"公示已于{scheme.publicity_ends_on:%Y年%-m月%-d日}结束，不能再申诉。")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("请填写申诉理由。")
    if len(reason) > MAX_APPEAL_CHARS:
        raise ValidationError(f"申诉理由不能超过 {MAX_APPEAL_CHARS} 字。")
    unit = user.unit
    entry, adoption = _appeal_subject(scheme, unit, entry_id, adoption_id)
    pending = Appeal.objects.filter(scheme=scheme, unit=unit, status=AppealStatus.PENDING)
    if (entry and pending.filter(entry=entry).exists()) or (adoption and pending.filter(adoption=adoption).exists()):
        raise ClosingError("本单位对该记录的申诉尚在处理中，不能重复申诉。")
    kinds = check_appeal_files(files)
    stored = []
    for f, kind in zip(files, kinds, strict=True):
        attachment = AppealAttachment(original_name=f.name[:200], content_type=kind.content_type, size=f.size)
        attachment.file.save(f"{uuid.uuid4().hex}{kind.extension}", f, save=False)
        stored.append(attachment)
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(
                scheme=scheme, unit=unit, entry=entry, adoption=adoption, reason=reason, filed_by=user,
                decide_by=working_days_from(today + dt.timedelta(days=1), APPEAL_DECISION_DAYS),
            )  # fmt: skip
            for attachment in stored:
                attachment.appeal = appeal
            AppealAttachment.objects.bulk_create(stored)
            _notify_office_of_appeal(appeal)
    except BaseException:
        for attachment in stored:
            attachment.file.storage.delete(attachment.file.name)
        raise
    return appeal


def _notify_office_of_appeal(appeal: Appeal) -> None:
    from django.urls import reverse

    from units.models import Role
    from units.notify import notify, people_with_roles

    notify(
        recipients=people_with_roles(appeal.scheme.office, [Role.EDITOR, Role.ISSUE_APPROVER, Role.SYSTEM_ADMIN]),
        verb="assessment_appeal", title=f"考核申诉：{appeal.unit.display_name}",
        body=f"《{appeal.scheme.name}》收到申诉，请于{appeal.decide_by:%Y年%-m月%-d日}前处理。",
        url=reverse("scheme_closing", args=[appeal.scheme_id]),
    )  # fmt: skip


def suggested_points(appeal: Appeal) -> Decimal | None:
    """What accepting would most likely write: the disputed row undone, or the points
    the adoption is worth under the scheme's rules."""
    if appeal.entry_id:
        return -appeal.entry.points
    if appeal.adoption_id:
        found = adoption_points(appeal.scheme, appeal.adoption).get(appeal.unit_id)
        return found[1] if found else None
    return None


@transaction.atomic
def decide_appeal(*, appeal: Appeal, user: User, accept: bool, decision: str, points: Decimal | None = None) -> Appeal:
    """Accept an appeal — writing the correcting ledger row, with the appeal as its
    reason — or refuse it with a reason; the unit is told either way."""
    from django.urls import reverse

    from units.models import Role
    from units.notify import notify, people_with_roles

    from . import access

    appeal = Appeal.objects.select_for_update(of=("self",)).select_related("scheme", "unit", "entry").get(pk=appeal.pk)
    scheme = appeal.scheme
    if not access.is_closing_decider(user, scheme):
        raise ClosingError("只有考核单位的签发人或管理员可以处理申诉。")
    if appeal.status != AppealStatus.PENDING:
        raise ClosingError(f"该申诉已于{timezone.localtime(appeal.decided_at):%Y-%m-%d %H:%M}处理，不能重复处理。")
    decision = (decision or "").strip()
    if not decision:
        raise ValidationError("请填写处理意见（采纳或不予采纳的理由）。")
    if accept:
        if points is None or points == 0:
            raise ValidationError("采纳申诉须填写更正分值（不能为 0）。")
        item = appeal.entry.item if appeal.entry_id else None
        if appeal.adoption_id:
            item = appeal.adoption.sources.filter(unit_id=appeal.unit_id).first()
        # Dated in the scheme's year even when decided in January, so the year's months add up.
        day = min(timezone.localdate(), dt.date(scheme.year, 12, 31))
        appeal.correction = write_entry(
            scheme=scheme, unit=appeal.unit, date=day, source=Source.APPEAL, adoption=appeal.adoption, item=item,
            source_ref=f"appeal:{appeal.pk}", rule="appeal", points=points,
            reason=f"申诉更正（申诉第{appeal.pk}号）：{decision}"[:300], created_by=user,
        )  # fmt: skip
    appeal.status = AppealStatus.ACCEPTED if accept else AppealStatus.REFUSED
    appeal.decision = decision[:500]
    appeal.decided_by = user
    appeal.decided_at = timezone.now()
    appeal.save(update_fields=["status", "decision", "decided_by", "decided_at", "correction"])
    outcome = f"已采纳，更正 {points:+} 分" if accept else "不予采纳"
    notify(
        recipients=people_with_roles(appeal.unit, [Role.STAFF, Role.UNIT_APPROVER, Role.LEADER]),
        verb="assessment_appeal_decided", title=f"考核申诉处理结果：{outcome}",
        body=f"《{scheme.name}》：{decision}", url=reverse("scheme_closing", args=[scheme.pk]),
    )  # fmt: skip
    return appeal


@transaction.atomic
def finalise(*, scheme: Scheme, user: User) -> BoardSnapshot:
    """Make the year's results final once the 公示 is over and every appeal is decided:
    store the board as it stands and lock the year against any new ledger row."""
    from django.urls import reverse

    scheme = _locked_scheme(scheme)
    if scheme.stage == Stage.PUBLICITY and scheme.publicity_ends_on >= timezone.localdate():
        raise ClosingError(f"公示期至{scheme.publicity_ends_on:%Y年%-m月%-d日}，公示结束后才能定稿。")
    pending = scheme.appeals.filter(status=AppealStatus.PENDING).count()
    if pending:
        raise ClosingError(f"还有 {pending} 件申诉未处理，全部处理后才能定稿。")
    if scheme.stage not in STAGE_MOVES["finalise"][0]:
        raise ClosingError(f"《{scheme.name}》当前为“{scheme.get_stage_display()}”，不能定稿。")
    # The board first: once the stage is final no row may be written, and none is needed.
    snapshot = BoardSnapshot.objects.create(
        scheme=scheme, kind=SnapshotKind.FINAL, rows=board_rows(scheme), created_by=user
    )
    _move(scheme, "finalise", user, reason="考核结果定稿，年度积分锁定")
    _notify_assessed(
        scheme, verb="assessment_final", title=f"{scheme.year}年度考核结果已定稿",
        body=f"《{scheme.name}》考核结果已定稿。", url=reverse("scheme_closing", args=[scheme.pk]),
    )  # fmt: skip
    return snapshot


@transaction.atomic
def unlock(*, scheme: Scheme, user: User, reason: str) -> Scheme:
    """The system administrator reopens a finalised year, with a reason that is kept;
    the stored final board stays until the year is made final again."""
    from . import access

    if not access.can_unlock(user, scheme):
        raise ClosingError("只有系统管理员可以解锁已定稿的年度。")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("解锁必须填写理由。")
    scheme = _locked_scheme(scheme)
    return _move(scheme, "unlock", user, reason=f"解锁：{reason}")


def latest_snapshot(scheme: Scheme, kind: str) -> BoardSnapshot | None:
    return BoardSnapshot.objects.filter(scheme=scheme, kind=kind).order_by("-created_at", "-pk").first()


# --- Moving to a new year ------------------------------------------------------------------------

# The rule tables copied with a scheme: every field but the key and the scheme itself.
_RULE_MODELS = ("scheme_units", "quotas", "publication_rules", "instruction_rules", "higher_rules",
                "penalty_rules", "award_tiers", "upper_rules")  # fmt: skip


@transaction.atomic
def copy_scheme(*, scheme: Scheme, year: int, user: User | None = None) -> Scheme:
    """A copy of `scheme` for `year` — settings, assessed units, quotas, rules and tiers,
    never ledger rows, snapshots or appeals — in the running stage, for editing; the old
    scheme is only read. Refused if the office already has a scheme for that year."""
    if not 2000 <= year <= 2100:
        raise ValidationError("年度应在 2000 至 2100 之间。")
    if Scheme.objects.filter(office_id=scheme.office_id, year=year).exists():
        raise ClosingError(f"{scheme.office.name}已有{year}年度的考核方案，未复制。")
    name = scheme.name.replace(str(scheme.year), str(year)) if str(scheme.year) in scheme.name else scheme.name
    if name == scheme.name:
        name = f"{scheme.name}（{year}年度）"
    copy = Scheme.objects.create(
        office_id=scheme.office_id, year=year, name=name[:100], add_up=scheme.add_up,
        composite_rule=scheme.composite_rule, instruction_once_per_level=scheme.instruction_once_per_level,
        public_to_assessed=scheme.public_to_assessed, is_active=scheme.is_active,
    )  # fmt: skip
    for related in _RULE_MODELS:
        rows = list(getattr(scheme, related).all())
        model = getattr(Scheme, related).rel.related_model
        for row in rows:
            row.pk = None
            row.id = None
            row.scheme = copy
        model.objects.bulk_create(rows)
    if user is not None:
        import audit

        audit.record(action="copy_scheme", obj=copy, actor=user, changes={"from_scheme": [None, scheme.pk]})
    return copy
