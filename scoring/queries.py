"""Reads of the ledger: the scoreboard and a unit's ledger. A fixed number of grouped
queries, whatever the number of units or entries."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import ExtractMonth

from publications.models import Adoption, AdoptionSource, Publication
from submissions.models import Item
from units.models import Unit

from .actions import vetoed_units
from .models import ZERO, AwardTier, LedgerEntry, PenaltyRule, QuotaRule, Scheme, SchemeUnit, Source
from .rules import Standing, award_tiers, competition_ranks

# Reversing rows of penalties (scoring.receivers) carry this rule prefix.
PENALTY_REVERSAL = "reversal:penalty:"


@dataclass
class Row:
    unit: Unit
    quota: Decimal | None
    points: Decimal = ZERO
    penalties: Decimal = ZERO
    instructions: int = 0
    submissions: int = 0
    late: int = 0  # items marked 迟报 at their first sign-off (emergency first reports included)
    adoptions: int = 0
    per_publication: dict[int, int] = field(default_factory=dict)
    monthly: list[Decimal] = field(default_factory=lambda: [ZERO] * 12)
    rank: int = 0
    class_rank: int = 0
    tier: str = ""
    vetoed: bool = False

    @property
    def completion(self) -> Decimal | None:
        if not self.quota:
            return None
        return (self.points / self.quota * 100).quantize(Decimal("0.1"))

    @property
    def reached_quota(self) -> bool:
        return self.quota is not None and self.points >= self.quota

    @property
    def publication_counts(self) -> list[int]:
        return list(self.per_publication.values())

    @property
    def publication_items(self) -> list[tuple[int, int]]:
        """(publication id, adoptions) in the board's column order, for links to the rows."""
        return list(self.per_publication.items())


@dataclass
class Board:
    scheme: Scheme
    rows: list[Row]
    publications: list[Publication]
    zero_submissions: list[Unit]
    zero_adoptions: list[Unit]


def scoreboard(scheme: Scheme) -> Board:
    scheme_units = list(scheme.scheme_units.select_related("unit__assessment_class").order_by("unit__order_key"))
    class_quotas = dict(scheme.quotas.values_list("assessment_class_id", "quota"))
    publications = list(Publication.objects.filter(office_id=scheme.office_id).order_by("sort_order", "pk"))
    rows: dict[int, Row] = {}
    for su in scheme_units:
        quota = su.quota if su.quota is not None else class_quotas.get(su.unit.assessment_class_id)
        rows[su.unit_id] = Row(unit=su.unit, quota=quota, per_publication={p.pk: 0 for p in publications})

    # One grouped pass over the scheme's rows gives each unit's monthly sums, penalties
    # and instruction count; the totals are the sums of the months.
    monthly = (
        LedgerEntry.objects.filter(scheme=scheme)
        .values("unit_id", month=ExtractMonth("date"))
        .annotate(
            total=Sum("points"),
            # A penalty turned into another by the facts is reversed: count the net.
            penalty_sum=Sum(
                "points", filter=Q(source=Source.PENALTY) | Q(source=Source.REVERSAL, rule__startswith=PENALTY_REVERSAL)
            ),
            instruction_count=Count("source", filter=Q(source=Source.INSTRUCTION)),
        )
    )
    for m in monthly:
        row = rows.get(m["unit_id"])
        if row is None:
            continue
        row.monthly[m["month"] - 1] = m["total"] or ZERO
        row.points += m["total"] or ZERO
        row.penalties += m["penalty_sum"] or ZERO
        row.instructions += m["instruction_count"]

    # The counts are read through the indexes of migration 0009: the adoptions by the
    # office's publications (by id) and year, each source item's unit from an index; the
    # submissions by office and year, with units not assessed left out in Python rather
    # than in SQL, where the list of ids made the planner combine a second index with a
    # heap scan instead of reading the first one alone.
    adoptions = (
        AdoptionSource.objects.filter(
            adoption__publication_id__in=[p.pk for p in publications],
            adoption__adopted_at__year=scheme.year,
            adoption__withdrawn_at=None,
            item__unit_id__in=list(rows),
        )
        .values("item__unit_id", "adoption__publication_id")
        .annotate(n=Count("adoption_id", distinct=True))
        .order_by()
    )
    for a in adoptions:
        row = rows.get(a["item__unit_id"])
        if row is not None:
            row.per_publication[a["adoption__publication_id"]] = a["n"]
            row.adoptions += a["n"]
    submitted = (
        Item.objects.filter(office_id=scheme.office_id, first_submitted_at__year=scheme.year)
        .values("unit_id")
        .annotate(n=Count("unit_id"), late=Count("unit_id", filter=Q(is_late=True)))
        .order_by()
    )
    for s in submitted:
        row = rows.get(s["unit_id"])
        if row is not None:
            row.submissions, row.late = s["n"], s["late"]

    vetoed = vetoed_units(scheme)
    for unit_id in vetoed & set(rows):
        rows[unit_id].vetoed = True
    _rank(rows, list(scheme.award_tiers.order_by("order").values_list("name", "count")))
    ordered = sorted(rows.values(), key=lambda r: (r.rank, r.unit.order_key))
    return Board(
        scheme=scheme,
        rows=ordered,
        publications=publications,
        zero_submissions=[r.unit for r in ordered if r.submissions == 0],
        zero_adoptions=[r.unit for r in ordered if r.adoptions == 0],
    )


def _rank(rows: dict[int, Row], tiers: list[tuple[str, int]]) -> None:
    for unit_id, rank in competition_ranks({u: r.points for u, r in rows.items()}).items():
        rows[unit_id].rank = rank
    by_class: dict[int | None, dict[int, Decimal]] = defaultdict(dict)
    for unit_id, row in rows.items():
        by_class[row.unit.assessment_class_id][unit_id] = row.points
    for group in by_class.values():
        for unit_id, rank in competition_ranks(group).items():
            rows[unit_id].class_rank = rank
    standings = [Standing(u, r.points, r.reached_quota, r.vetoed) for u, r in rows.items()]
    for unit_id, tier in award_tiers(standings, tiers).items():
        rows[unit_id].tier = tier


LEDGER_FILTERS = {
    # What a number on the board is made of: ?source=penalty are the penalties net of their
    # reversals (the board's 扣分 column); any other source is that source's rows.
    "penalty": Q(source=Source.PENALTY) | Q(source=Source.REVERSAL, rule__startswith=PENALTY_REVERSAL),
}


def unit_ledger(
    scheme: Scheme, unit: Unit, *, source: str | None = None, publication_id: int | None = None
) -> QuerySet[LedgerEntry]:
    """A unit's ledger rows with what each came from, in one query; `source` and
    `publication_id` narrow it to the rows behind one number of the board."""
    qs = LedgerEntry.objects.filter(scheme=scheme, unit=unit)
    if source in LEDGER_FILTERS:
        qs = qs.filter(LEDGER_FILTERS[source])
    elif source in Source.values:
        qs = qs.filter(source=source)
    if publication_id is not None:
        qs = qs.filter(adoption__publication_id=publication_id)
    return qs.select_related(
        "adoption__publication", "adoption__issue", "item", "created_by", "reverses", "scheme__office"
    ).order_by("-date", "-pk")


def unit_total(scheme: Scheme, unit: Unit) -> Decimal:
    return LedgerEntry.objects.filter(scheme=scheme, unit=unit).aggregate(s=Sum("points"))["s"] or ZERO


def unscored_adoptions(scheme: Scheme, unit: Unit) -> QuerySet[Adoption]:
    """The unit's adoptions by the office this year with no ledger row of the scheme:
    what a unit may appeal as "an adoption that earned nothing"."""
    scored = LedgerEntry.objects.filter(scheme=scheme, unit=unit, adoption__isnull=False).values("adoption_id")
    return (
        Adoption.objects.filter(
            publication__office_id=scheme.office_id,
            adopted_at__year=scheme.year,
            withdrawn_at=None,
            sources__unit=unit,
        )  # fmt: skip
        .exclude(pk__in=scored)
        .select_related("publication")
        .distinct()
        .order_by("-adopted_at")
    )


# --- Across years ---------------------------------------------------------------------------------

HISTORY_YEARS = 5


@dataclass
class YearColumn:
    """One year of a unit-by-year table: the stored final board when the year is final,
    else the live board (`final` False: shown as 未定稿)."""

    scheme: Scheme
    final: bool
    cells: dict[int, dict]  # unit id -> {"unit", "points", "completion", "rank", "tier", "vetoed"}


def _live_cells(rows: list[Row]) -> dict[int, dict]:
    return {
        r.unit.pk: {
            "unit": r.unit.display_name,
            "points": str(r.points),
            "completion": None if r.completion is None else str(r.completion),
            "rank": r.rank,
            "tier": r.tier,
            "vetoed": r.vetoed,
        }  # fmt: skip
        for r in rows
    }


def standings(schemes: list[Scheme]) -> dict[int, list[Row]]:
    """Each scheme's rows with what a year of the history shows (points, completion, rank,
    tier, veto) and nothing else: no monthly sums and no adoption, submission or
    instruction counts. Six grouped queries for all the schemes together, where a
    scoreboard each would cost ten queries and a pass over its rows by month; the same
    numbers as scoreboard() (tests/scoring/test_history.py compares them)."""
    if not schemes:
        return {}
    ids = [s.pk for s in schemes]
    quotas = {(sid, cid): q for sid, cid, q in QuotaRule.objects.filter(scheme_id__in=ids).values_list(
        "scheme_id", "assessment_class_id", "quota")}  # fmt: skip
    rows: dict[int, dict[int, Row]] = {sid: {} for sid in ids}
    for su in SchemeUnit.objects.filter(scheme_id__in=ids).select_related("unit").order_by("unit__order_key"):
        quota = su.quota if su.quota is not None else quotas.get((su.scheme_id, su.unit.assessment_class_id))
        rows[su.scheme_id][su.unit_id] = Row(unit=su.unit, quota=quota)
    # Sums by unit straight from the covering index (ledger_cover_idx holds points).
    totals = LedgerEntry.objects.filter(scheme_id__in=ids).values("scheme_id", "unit_id").annotate(s=Sum("points"))
    for t in totals.order_by():
        row = rows[t["scheme_id"]].get(t["unit_id"])
        if row is not None:
            row.points += t["s"] or ZERO
    vetoing = defaultdict(set)
    for sid, kind in PenaltyRule.objects.filter(scheme_id__in=ids, vetoes_award=True).values_list("scheme_id", "kind"):
        vetoing[sid].add(f"penalty:{kind}")
    if vetoing:
        vetoes = LedgerEntry.objects.filter(
            scheme_id__in=list(vetoing), rule__in=sorted(set().union(*vetoing.values())), reversed_by__isnull=True
        ).values_list("scheme_id", "unit_id", "rule")
        for sid, unit_id, rule in vetoes.order_by():
            if rule in vetoing[sid] and unit_id in rows[sid]:
                rows[sid][unit_id].vetoed = True
    tiers = defaultdict(list)
    for sid, name, count in (
        AwardTier.objects.filter(scheme_id__in=ids).order_by("order").values_list("scheme_id", "name", "count")
    ):
        tiers[sid].append((name, count))
    result = {}
    for sid, by_unit in rows.items():
        _rank(by_unit, tiers[sid])
        result[sid] = sorted(by_unit.values(), key=lambda r: (r.rank, r.unit.order_key))
    return result


def history(schemes: list[Scheme], boards: dict[int, Board] | None = None) -> list[YearColumn]:
    """The years side by side, oldest first. One query for the stored final boards of all
    the years, then the standings of the years not final, all together (standings(): a
    fixed number of grouped queries, whatever the years, units or rows). `boards` are live
    boards the caller has already computed, by scheme id."""
    boards = boards or {}
    from .models import BoardSnapshot, SnapshotKind, Stage

    final_ids = [s.pk for s in schemes if s.stage == Stage.FINAL]
    finals: dict[int, list[dict]] = {}
    for snap in BoardSnapshot.objects.filter(scheme_id__in=final_ids, kind=SnapshotKind.FINAL).order_by(
        "scheme_id", "created_at", "pk"
    ):
        finals[snap.scheme_id] = snap.rows  # the latest wins
    live = standings([s for s in schemes if s.pk not in finals and s.pk not in boards])
    columns = []
    for scheme in sorted(schemes, key=lambda s: s.year):
        if scheme.pk in finals:
            cells = {
                r["unit_id"]: {k: r.get(k) for k in ("unit", "points", "completion", "rank", "tier", "vetoed")}
                for r in finals[scheme.pk]
            }
            columns.append(YearColumn(scheme, True, cells))
        else:
            rows = boards[scheme.pk].rows if scheme.pk in boards else live[scheme.pk]
            columns.append(YearColumn(scheme, False, _live_cells(rows)))
    return columns


def history_table(columns: list[YearColumn], units) -> list[tuple[Unit, list[dict | None]]]:
    """Rows of units, a cell per year (None where the unit was not assessed that year)."""
    return [(unit, [c.cells.get(unit.pk) for c in columns]) for unit in units]
