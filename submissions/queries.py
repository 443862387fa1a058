"""Reads shared by the item pages and the API: desk, my items, duplicates, writing hints,
version diffs, history."""

import datetime as dt
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.utils import timezone

from units.models import Role, Unit, User

from . import access, checks, fingerprint, search
from .diff import diff_html, diff_stats
from .models import (
    AT_OFFICE,
    WAITING_FOR_EDITOR,
    Attachment,
    Category,
    Confidentiality,
    DeskCount,
    Fingerprint,
    Item,
    ItemEvent,
    ItemForm,
    ItemVersion,
    State,
)

DUPLICATE_WINDOW_DAYS = 90
DUPLICATE_THRESHOLD = 0.6  # "near-identical"; MinHash bands catch ~90% of pairs at 0.6


@dataclass
class ItemFilters:
    state: str = ""
    unit: int | None = None
    category: int | None = None
    topic: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    late: str = ""  # "1" late only, "0" on time only
    confidentiality: str = ""
    q: str = ""
    view: str = ""  # "waiting": oldest waiting first


def _day_start(day: dt.date) -> dt.datetime | None:
    """Local midnight at the start of `day`, or None where it does not exist as a stored
    time: the day after 9999-12-31, or midnights so early that UTC would be year 0."""
    try:
        start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
        start.astimezone(dt.UTC)  # what the database adapter does; overflows near year 1
    except OverflowError:
        return None
    return start


def _next_day(day: dt.date) -> dt.date | None:
    return None if day == dt.date.max else day + dt.timedelta(days=1)


def filter_items(
    qs: QuerySet[Item], f: ItemFilters, *, date_field: str = "submitted_at", scan: bool = False
) -> QuerySet[Item]:
    """`qs` narrowed by the filters of the desk and of "my items" (dates on `date_field`).

    The words of a search are looked up in the gram index only for the whole list; with
    any other filter, or `scan`, each remaining item's text is tested (search.filter_text)."""
    if f.state:
        qs = qs.filter(state=f.state)
    if f.unit:
        qs = qs.filter(unit_id=f.unit)
    if f.category:
        # Resolve the category and its children first: an IN list on the item's own
        # column uses the index, an OR across a join does not.
        ids = [f.category, *Category.objects.filter(parent_id=f.category).values_list("pk", flat=True)]
        qs = qs.filter(category_id__in=ids)
    if f.topic:
        qs = qs.filter(topics__id=f.topic)
    # Whole local days as a datetime range: a range on the column itself can use its index.
    # The forms keep dates within a sane range; a bound beyond what a stored time can be
    # (another caller, a year-9999 "to") simply does not narrow, rather than overflow.
    if f.date_from and (start := _day_start(f.date_from)) is not None:
        qs = qs.filter(**{f"{date_field}__gte": start})
    if f.date_to and (following := _next_day(f.date_to)) is not None and (end := _day_start(following)):
        qs = qs.filter(**{f"{date_field}__lt": end})
    if f.late in ("0", "1"):
        qs = qs.filter(is_late=f.late == "1")
    if f.confidentiality:
        qs = qs.filter(confidentiality=f.confidentiality)
    if f.q:
        # Every word in the title or body, through the gram index (search.py); 敏感 items
        # are never found by their text.
        narrowed = (f.state, f.unit, f.category, f.topic, f.date_from, f.date_to, f.late, f.confidentiality)
        qs = search.filter_text(qs, f.q, scan=scan or any(narrowed))
    return qs


def _listing(qs: QuerySet[Item]) -> QuerySet[Item]:
    return (
        qs.select_related("unit", "category__parent", "author")
        .prefetch_related("topics")
        .annotate(has_attachments=Exists(Attachment.objects.filter(item=OuterRef("pk"))))
    )


def _urgent_q() -> Q:
    return Q(emergency_case__isnull=False, state__in=WAITING_FOR_EDITOR)


def desk(qs: QuerySet[Item], f: ItemFilters, *, broad: bool = False) -> QuerySet[Item]:
    """The editor's desk: newest first, or with view=waiting the longest-waiting first.

    Open emergency reports are not in this list: `urgent()` puts them above it, so the
    main list keeps a plain order that its index serves, however many items there are.
    """
    # emergency_rank: the row template asks every row whether it is urgent (urgent()
    # sets 0); a missing attribute costs the template a dir() of the model per row.
    qs = filter_items(qs, f, scan=broad).exclude(_urgent_q())
    qs = qs.annotate(emergency_rank=Value(1, output_field=IntegerField()))
    if f.view == "waiting":
        qs = search.ranked(qs.filter(state__in=WAITING_FOR_EDITOR), f.q, "submitted_at", "pk", broad=broad)
    else:
        qs = search.ranked(qs, f.q, "-submitted_at", "-pk", broad=broad)
    return _listing(qs)


def urgent(qs: QuerySet[Item], f: ItemFilters, *, limit: int = 50) -> list[Item]:
    """Emergency reports waiting for an editor: they jump the queue. Each carries
    `emergency_rank` 0 and `timer_left`, the time to its case's written deadline
    (negative when past), for the desk's timer."""
    rows = (
        filter_items(qs, f, scan=True)  # the few open emergency reports: test their text
        .filter(_urgent_q())
        .annotate(
            emergency_rank=Value(0, output_field=IntegerField()),
            timer_left=ExpressionWrapper(
                F("emergency_case__written_deadline") - Value(timezone.now()), output_field=DurationField()
            ),
        )
        .order_by("emergency_case__written_deadline", "pk")
    )
    return list(_listing(rows).select_related("emergency_case")[:limit])


def my_items(qs: QuerySet[Item], f: ItemFilters, *, broad: bool = False) -> QuerySet[Item]:
    """The unit's items as "my items" lists them: filtered, newest written first."""
    # One unit's items: few enough to test each one's text (search.filter_text).
    found = filter_items(qs, f, date_field="created_at", scan=True)
    return _listing(search.ranked(found, f.q, "-created_at", "-pk", broad=broad))


def state_counts(qs: QuerySet[Item]) -> dict[str, int]:
    """Items per state in one grouped query."""
    rows = qs.order_by().values("state").annotate(n=Count("*"))  # COUNT(*) allows an index-only scan
    return {row["state"]: row["n"] for row in rows}


def _desk_version_key(office_id: int) -> str:
    return f"desk:v:{office_id}"


def bump_desk(office_id: int) -> None:
    """Called on every event of an item at an office: cached desk counts go stale."""
    key = _desk_version_key(office_id)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=None)


# An office's signed count rows are folded into one per state beyond this many: a read
# then sums at most this many rows, however many moves the office has seen.
DESK_COUNT_FOLD_AT = 200


def desk_counts(office_id: int, qs: QuerySet[Item]) -> dict[str, int]:
    """State counts of an office's desk (`qs`: its desk_items).

    On PostgreSQL they are the sums of the office's DeskCount rows, which a trigger
    writes in the transaction of every move: a read of a few rows, right the moment a
    move commits, instead of a scan of every item the office ever received. Elsewhere
    the items are counted, cached until the next move at the office.
    """
    if connection.vendor != "postgresql":
        return _cached_state_counts(office_id, qs)
    rows = list(DeskCount.objects.filter(office_id=office_id).values("state").annotate(n=Sum("n"), rows=Count("*")))
    if sum(row["rows"] for row in rows) > DESK_COUNT_FOLD_AT:
        _fold_desk_counts(office_id)
    return {row["state"]: row["n"] for row in rows if row["n"] and row["state"] in AT_OFFICE}


def _fold_desk_counts(office_id: int) -> None:
    """Replace an office's count rows by one per state, in one statement. Rows another
    transaction has not committed yet are invisible to the DELETE, so they stay and
    still count; a second fold running at once skips the rows the first deleted."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "WITH gone AS (DELETE FROM submissions_deskcount WHERE office_id = %s RETURNING state, n) "
            "INSERT INTO submissions_deskcount (office_id, state, n) "
            "SELECT %s, state, SUM(n) FROM gone GROUP BY state HAVING SUM(n) <> 0",
            [office_id, office_id],
        )


def _cached_state_counts(office_id: int, qs: QuerySet[Item]) -> dict[str, int]:
    version = cache.get(_desk_version_key(office_id)) or 0
    key = f"desk:counts:{office_id}:{version}"
    counts = cache.get(key)
    if counts is None:
        counts = state_counts(qs)
        cache.set(key, counts, timeout=3600)
    return counts


def overdue_count(qs: QuerySet[Item], *, days: int = 2) -> int:
    """Items waiting for an editor longer than `days`."""
    cutoff = timezone.now() - dt.timedelta(days=days)
    return qs.filter(state__in=(State.SUBMITTED, State.IN_REVIEW), submitted_at__lt=cutoff).count()


@dataclass
class Duplicate:
    item: Item
    score: float


SIMILAR_AT_OFFICE = "本级办公室已收到相似信息"


@dataclass
class DuplicateHints:
    """What the duplicate check may tell one person: the near-duplicates they may open,
    and whether the office also holds similar items they may not (told without title,
    unit or link: those belong to the item's readers)."""

    shown: list[Duplicate]
    similar_at_office: bool

    @property
    def notice(self) -> str:
        return SIMILAR_AT_OFFICE if self.similar_at_office else ""

    def __bool__(self) -> bool:
        return bool(self.shown or self.similar_at_office)


def duplicate_hints(
    user: User, title: str, body: str, *, office_id: int | None, exclude_pk: int | None = None, limit: int = 5
) -> DuplicateHints:
    """The duplicate check as `user` may see it, for a text bound for `office_id`.

    Every near-duplicate passes `access.can_read`, the rule of the item page itself, so
    the hint can never name more than a click on it would show. Others at the same
    office collapse into one line; others elsewhere are none of this text's business.
    """
    if not (title or body):
        return DuplicateHints([], False)
    found = duplicates(title, body, exclude_pk=exclude_pk, limit=None)
    shown = [d for d in found if access.can_read(user, d.item)]
    readable = {d.item.pk for d in shown}
    hidden = any(d.item.pk not in readable and d.item.office_id == office_id for d in found)
    return DuplicateHints(shown[:limit], office_id is not None and hidden)


def duplicates(title: str, body: str, *, exclude_pk: int | None = None, limit: int | None = 5) -> list[Duplicate]:
    """Near-identical items submitted by any unit in the last 90 days, whoever may read
    them: a page shows them only through `duplicate_hints`.

    Candidates come from shared MinHash band keys (an index lookup); the exact
    n-gram similarity then decides. Sensitive items are never fingerprinted.
    """
    text = f"{title}\n{body}"
    keys = fingerprint.band_keys(text)
    if not keys:
        return []
    since = timezone.now() - dt.timedelta(days=DUPLICATE_WINDOW_DAYS)
    # The candidates sharing the most band keys first: near-duplicates share many, so ten
    # are plenty, and the exact check below stays cheap as the archive grows.
    candidate_ids = list(
        Fingerprint.objects.filter(key__in=keys, item__submitted_at__gte=since)
        .exclude(item_id=exclude_pk)
        .values("item_id")
        .annotate(n=Count("*"))
        .order_by("-n", "-item_id")
        .values_list("item_id", flat=True)[:10]
    )
    candidates = (
        Item.objects.filter(pk__in=candidate_ids)
        .exclude(confidentiality=Confidentiality.SENSITIVE)
        .select_related("unit")
    )
    mine = fingerprint.shingles(text)
    found = []
    for item in candidates:
        score = fingerprint.jaccard(mine, fingerprint.shingles(f"{item.title}\n{item.body}"))
        if score >= DUPLICATE_THRESHOLD:
            found.append(Duplicate(item, score))
    found.sort(key=lambda d: d.score, reverse=True)
    return found if limit is None else found[:limit]


def office_leaders(office: Unit | None) -> QuerySet[User]:
    """The people a 敏感 item bound for `office` may name as its readers: the office's
    active leaders (the form's choices and the action's check both read this)."""
    return User.objects.filter(
        unit=office, is_active=True, role_grants__role=Role.LEADER, role_grants__unit=office
    ).distinct()


def history(item: Item) -> QuerySet[ItemEvent]:
    """The item's event rows, oldest first, for its page and the API's history."""
    return item.events.select_related("actor", "actor_unit").order_by("at", "pk")


# --- Writing hints: the checks and the duplicate check, for the page and the API ------------

# Enough for any real item, and bounded work for a check run on every keystroke.
LIVE_TITLE_MAX, LIVE_BODY_MAX = 500, 20000


@dataclass
class WritingHints:
    """What the writing check tells one person about a text: the checks' findings and
    the near-duplicates they may see."""

    hints: list[checks.Hint]
    duplicates: DuplicateHints

    @property
    def blocked(self) -> bool:
        """A "禁止" finding (涉密): saving would be refused."""
        return any(h.level == checks.BLOCK for h in self.hints)

    def context(self) -> dict:
        """The names the templates (submissions/_hints.html) read."""
        return {"hints": self.hints, "duplicates": self.duplicates}


def writing_hints(
    user: User, title: str, body: str, *, form: str, office_id: int | None, exclude_pk: int | None = None
) -> WritingHints:
    """The writing checks and the duplicate check of a text bound for `office_id`."""
    # The form as posted may be anything; the checks know only the real ones.
    form = form if form in ItemForm.values else ItemForm.FULL
    return WritingHints(
        hints=checks.run_checks(title, body, form=form),
        duplicates=duplicate_hints(user, title, body, office_id=office_id, exclude_pk=exclude_pk),
    )


def live_writing_hints(user: User, title: str, body: str, *, form: str, item_pk: int | None) -> WritingHints:
    """The live check of the text being typed (the page's htmx check and the API's).

    `item_pk` is the item being edited, left out of its own duplicates; one the person
    may not read is 404. The text goes to that item's office, else to the office above
    the writer's unit."""
    office_id = user.unit.parent_id if user.unit_id else None
    if item_pk is not None:
        office_id = access.get_item_for_user(user, item_pk).office_id
    return writing_hints(
        user, title[:LIVE_TITLE_MAX], body[:LIVE_BODY_MAX], form=form, office_id=office_id, exclude_pk=item_pk
    )


# --- Version diffs ----------------------------------------------------------------------

ONE_VERSION_ONLY = "该信息只有一个版本，暂无修改对比。"


class NoDiff(Exception):
    """The diff asked for cannot be shown; `field` is the parameter at fault ("" when the
    item has a single version), `message` says why in Chinese."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


@dataclass
class VersionDiff:
    """Two versions of an item compared: `html` as diff.diff_html marks it up, and the
    characters inserted and deleted."""

    versions: list[ItemVersion]
    a: ItemVersion
    b: ItemVersion
    html: str
    inserted: int
    deleted: int


def item_versions(item: Item) -> list[ItemVersion]:
    """The item's versions, oldest first, with who made each."""
    return list(item.versions.select_related("created_by").order_by("number"))


def version_diff(item: Item, a: int | None = None, b: int | None = None, *, lenient: bool = False) -> VersionDiff:
    """Version `a` of the item against version `b` (default: the last two).

    A number the item does not have raises NoDiff, or with `lenient` (the page's
    selectors) falls back to the default; fewer than two versions always raises NoDiff."""
    versions = item_versions(item)
    if len(versions) < 2:
        raise NoDiff("", ONE_VERSION_ONLY)
    by_number = {v.number: v for v in versions}
    chosen = {}
    for name, number, default in (("a", a, versions[-2].number), ("b", b, versions[-1].number)):
        if number is not None and number not in by_number:
            if not lenient:
                raise NoDiff(name, f"该信息没有第{number}版。")
            number = None
        chosen[name] = by_number[default if number is None else number]
    old = f"{chosen['a'].plain_title}\n{chosen['a'].plain_body}"
    new = f"{chosen['b'].plain_title}\n{chosen['b'].plain_body}"
    return VersionDiff(versions, chosen["a"], chosen["b"], diff_html(old, new), **diff_stats(old, new))
