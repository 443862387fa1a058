"""The 采用情况通报 (statistics bulletin) for a chosen period — a month, a quarter or the
year to date — compiled as one draft issue per period of the office's statistics
publication: compiling the same period again rewrites that draft's text."""

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum

from publications import actions as publication_actions
from publications.models import Adoption, Issue, Publication
from submissions.models import Item
from units.models import Unit, User

from .models import ZERO, LedgerEntry, Scheme, Source
from .rules import competition_ranks

QUARTERS = ["一", "二", "三", "四"]


@dataclass(frozen=True)
class Period:
    """A stretch of the scheme's year the bulletin covers; `key` names it uniquely
    within the year, so it identifies the period's one draft."""

    year: int
    kind: str  # "month", "quarter" or "ytd"
    start: dt.date
    end: dt.date

    @property
    def key(self) -> str:
        if self.kind == "month":
            return f"{self.year}-m{self.start.month:02d}"
        if self.kind == "quarter":
            return f"{self.year}-q{(self.start.month - 1) // 3 + 1}"
        return f"{self.year}-ytd{self.end.month:02d}"

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.year}年{self.start.month}月"
        if self.kind == "quarter":
            return f"{self.year}年第{QUARTERS[(self.start.month - 1) // 3]}季度"
        return f"{self.year}年1—{self.end.month}月"


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def month(year: int, m: int) -> Period:
    return Period(year, "month", dt.date(year, m, 1), _month_end(year, m))


def quarter(year: int, q: int) -> Period:
    return Period(year, "quarter", dt.date(year, 3 * q - 2, 1), _month_end(year, 3 * q))


def year_to_date(year: int, today: dt.date) -> Period:
    """From 1 January to today (China time) in the running year; a past year whole."""
    end = today if today.year == year else dt.date(year, 12, 31)
    return Period(year, "ytd", dt.date(year, 1, 1), end)


def parse_period(value: str, year: int, today: dt.date) -> Period | None:
    """A month ("m11"), a quarter ("q4") or the year to date ("ytd") of the scheme's
    year; None for anything else, or for a period that has not begun yet (China time)."""
    value = (value or "").strip()
    period = None
    if value == "ytd":
        period = year_to_date(year, today)
    elif value[:1] in ("m", "q") and value[1:].isdigit():
        n = int(value[1:])
        if value[0] == "m" and 1 <= n <= 12:
            period = month(year, n)
        elif value[0] == "q" and 1 <= n <= 4:
            period = quarter(year, n)
    if period is None or period.start > today:
        return None
    return period


def default_period(year: int, today: dt.date) -> str:
    """Last month in the running year (on 3 December, November's bulletin is due)."""
    if today.year != year:
        return "m12" if today.year > year else "ytd"
    return f"m{today.month - 1}" if today.month > 1 else "m1"


@dataclass
class UnitStats:
    unit: Unit
    quota: Decimal | None
    points: Decimal = ZERO  # earned in the period
    total: Decimal = ZERO  # from 1 January to the end of the period
    submissions: int = 0
    adoptions: int = 0
    instructions: int = 0
    late: int = 0
    penalties: Decimal = ZERO
    penalty_reasons: list[str] = field(default_factory=list)
    vetoed: bool = False
    rank: int = 0

    @property
    def completion(self) -> Decimal | None:
        if not self.quota:
            return None
        return (self.total / self.quota * 100).quantize(Decimal("0.1"))


def period_statistics(scheme: Scheme, period: Period) -> list[UnitStats]:
    """Every assessed unit's figures for the period, ranked by points to the period's end.
    A fixed number of grouped queries, whatever the number of units."""
    scheme_units = list(scheme.scheme_units.select_related("unit").order_by("unit__order_key"))
    class_quotas = dict(scheme.quotas.values_list("assessment_class_id", "quota"))
    rows: dict[int, UnitStats] = {}
    for su in scheme_units:
        quota = su.quota if su.quota is not None else class_quotas.get(su.unit.assessment_class_id)
        rows[su.unit_id] = UnitStats(unit=su.unit, quota=quota)
    ids = list(rows)
    in_period = Q(date__gte=period.start, date__lte=period.end)

    ledger = (
        LedgerEntry.objects.filter(scheme=scheme, unit_id__in=ids, date__lte=period.end)
        .values("unit_id")
        .annotate(
            total=Sum("points"),
            in_period=Sum("points", filter=in_period),
            penalty_sum=Sum("points", filter=in_period & Q(source=Source.PENALTY)),
            instruction_count=Count("pk", filter=in_period & Q(source=Source.INSTRUCTION)),
        )
    )
    for r in ledger:
        row = rows[r["unit_id"]]
        row.total, row.points = r["total"] or ZERO, r["in_period"] or ZERO
        row.penalties, row.instructions = r["penalty_sum"] or ZERO, r["instruction_count"]
    penalties = LedgerEntry.objects.filter(in_period, scheme=scheme, unit_id__in=ids, source=Source.PENALTY)
    for unit_id, reason in penalties.order_by("date", "pk").values_list("unit_id", "reason"):
        rows[unit_id].penalty_reasons.append(reason)

    # A veto stands from its penalty on, unless reversed: a unit vetoed before the period
    # ends is shown as vetoed in it.
    veto_rules = [f"penalty:{k}" for k in scheme.penalty_rules.filter(vetoes_award=True).values_list("kind", flat=True)]
    vetoed = LedgerEntry.objects.filter(
        scheme=scheme, unit_id__in=ids, rule__in=veto_rules, date__lte=period.end, reversed_by__isnull=True
    )
    for unit_id in set(vetoed.values_list("unit_id", flat=True)):
        rows[unit_id].vetoed = True

    days = (period.start, period.end)  # __date is taken in TIME_ZONE (Asia/Shanghai)
    items = (
        Item.objects.filter(office_id=scheme.office_id, unit_id__in=ids, first_submitted_at__date__range=days)
        .values("unit_id")
        .annotate(n=Count("pk"), late=Count("pk", filter=Q(is_late=True)))
    )
    for r in items:
        rows[r["unit_id"]].submissions, rows[r["unit_id"]].late = r["n"], r["late"]
    adoptions = (
        Adoption.objects.filter(
            publication__office_id=scheme.office_id,
            adopted_at__date__range=days,
            withdrawn_at=None,
            sources__unit_id__in=ids,
        )  # fmt: skip
        .values("sources__unit_id")
        .annotate(n=Count("pk", distinct=True))
    )
    for r in adoptions:
        rows[r["sources__unit_id"]].adoptions = r["n"]

    for unit_id, rank in competition_ranks({u: r.total for u, r in rows.items()}).items():
        rows[unit_id].rank = rank
    return sorted(rows.values(), key=lambda r: (r.rank, r.unit.order_key))


def statistics_text(scheme: Scheme, period: Period) -> tuple[str, str]:
    stats = period_statistics(scheme, period)
    title = f"{period.label}政务信息采用情况通报"
    lines = [
        f"{period.label}（{period.start:%Y年%m月%d日}至{period.end:%Y年%m月%d日}），{scheme.office.name}对"
        f"{len(stats)}个单位的政务信息报送和采用情况进行了统计，现将有关情况通报如下。",
    ]
    for r in stats:
        completion = f"，完成基数的{r.completion}%" if r.completion is not None else ""
        penalty = f"，扣分{-r.penalties:.1f}" if r.penalties else ""
        veto = "（一票否决）" if r.vetoed else ""
        lines.append(
            f"{r.rank}. {r.unit.name}{veto}：报送{r.submissions}条，迟报{r.late}条，采用{r.adoptions}条，"
            f"批示{r.instructions}次{penalty}，本期积分{r.points:.1f}，累计积分{r.total:.1f}{completion}。"
        )
    late = [r for r in stats if r.late]
    if late:
        lines.append("迟报单位：" + "、".join(f"{r.unit.name}（{r.late}条）" for r in late) + "。")
    penalised = [r for r in stats if r.penalty_reasons]
    if penalised:
        lines.append(
            "扣分情况："
            + "；".join(f"{r.unit.name}：{'、'.join(r.penalty_reasons)}，扣{-r.penalties:.1f}分" for r in penalised)
            + "。"
        )
    vetoed = [r for r in stats if r.vetoed]
    if vetoed:
        lines.append("一票否决单位（不参加本年度评奖）：" + "、".join(r.unit.name for r in vetoed) + "。")
    zero_submissions = [r.unit.name for r in stats if r.submissions == 0]
    if zero_submissions:
        lines.append("零报送单位：" + "、".join(zero_submissions) + "。")
    zero_adoptions = [r.unit.name for r in stats if r.adoptions == 0]
    if zero_adoptions:
        lines.append("零采用单位：" + "、".join(zero_adoptions) + "。")
    return title, "\n".join(lines)


def compile_statistics(*, scheme: Scheme, publication: Publication, user: User, period: Period) -> tuple[Issue, bool]:
    """The period's draft 通报, made or brought up to date (True when made). Goes through
    publications' act, so only the publication's editors may compile it and a signed
    通报 is never rewritten."""
    title, body = statistics_text(scheme, period)
    return publication_actions.compile_note_issue(
        publication=publication, user=user, key=f"statistics:{period.key}", title=title, body=body
    )
