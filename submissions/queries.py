"""Reads shared by the item pages: desk, my items, duplicates, history."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from . import fingerprint
from .models import WAITING_FOR_EDITOR, Attachment, Confidentiality, Fingerprint, Item, ItemEvent, State

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


def filter_items(qs: QuerySet[Item], f: ItemFilters, *, date_field: str = "submitted_at") -> QuerySet[Item]:
    if f.state:
        qs = qs.filter(state=f.state)
    if f.unit:
        qs = qs.filter(unit_id=f.unit)
    if f.category:
        qs = qs.filter(Q(category_id=f.category) | Q(category__parent_id=f.category))
    if f.topic:
        qs = qs.filter(topics__id=f.topic)
    if f.date_from:
        qs = qs.filter(**{f"{date_field}__date__gte": f.date_from})
    if f.date_to:
        qs = qs.filter(**{f"{date_field}__date__lte": f.date_to})
    if f.late in ("0", "1"):
        qs = qs.filter(is_late=f.late == "1")
    if f.confidentiality:
        qs = qs.filter(confidentiality=f.confidentiality)
    if f.q:
        # Substring search works for Chinese without word segmentation. Sealed (敏感)
        # text never matches, which is what its readers' restriction requires anyway.
        qs = qs.filter(Q(title__contains=f.q) | Q(body__contains=f.q))
    return qs


def _listing(qs: QuerySet[Item]) -> QuerySet[Item]:
    return (
        qs.select_related("unit", "category__parent", "author")
        .prefetch_related("topics")
        .annotate(has_attachments=Exists(Attachment.objects.filter(item=OuterRef("pk"))))
    )


def desk(qs: QuerySet[Item], f: ItemFilters) -> QuerySet[Item]:
    """The editor's desk: newest first, or with view=waiting the longest-waiting first.

    Emergency reports waiting for an editor jump the queue in either view. Each row
    carries `timer_left`, the time to its case's written deadline (negative when past;
    None for ordinary items), for the desk's timer.
    """
    qs = filter_items(qs, f).annotate(
        emergency_rank=Case(
            When(emergency_case__isnull=False, state__in=WAITING_FOR_EDITOR, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
        timer_left=ExpressionWrapper(
            F("emergency_case__written_deadline") - Value(timezone.now()), output_field=DurationField()
        ),
    )
    if f.view == "waiting":
        qs = qs.filter(state__in=WAITING_FOR_EDITOR).order_by("emergency_rank", "submitted_at", "pk")
    else:
        qs = qs.order_by("emergency_rank", "-submitted_at", "-pk")
    return _listing(qs).select_related("emergency_case")


def my_items(qs: QuerySet[Item], f: ItemFilters) -> QuerySet[Item]:
    return _listing(filter_items(qs, f, date_field="created_at").order_by("-created_at", "-pk"))


def state_counts(qs: QuerySet[Item]) -> dict[str, int]:
    """Items per state in one grouped query."""
    rows = qs.order_by().values("state").annotate(n=Count("pk"))
    return {row["state"]: row["n"] for row in rows}


def overdue_count(qs: QuerySet[Item], *, days: int = 2) -> int:
    """Items waiting for an editor longer than `days`."""
    cutoff = timezone.now() - dt.timedelta(days=days)
    return qs.filter(state__in=(State.SUBMITTED, State.IN_REVIEW), submitted_at__lt=cutoff).count()


@dataclass
class Duplicate:
    item: Item
    score: float


def duplicates(title: str, body: str, *, exclude_pk: int | None = None, limit: int = 5) -> list[Duplicate]:
    """Near-identical items submitted by any unit in the last 90 days.

    Candidates come from shared MinHash band keys (an index lookup); the exact
    n-gram similarity then decides. Sensitive items are never fingerprinted.
    """
    text = f"{title}\n{body}"
    keys = fingerprint.band_keys(text)
    if not keys:
        return []
    since = timezone.now() - dt.timedelta(days=DUPLICATE_WINDOW_DAYS)
    candidate_ids = (
        Fingerprint.objects.filter(key__in=keys, item__submitted_at__gte=since)
        .exclude(item_id=exclude_pk)
        .values_list("item_id", flat=True)
        .distinct()[:50]
    )
    candidates = (
        Item.objects.filter(pk__in=list(candidate_ids))
        .exclude(confidentiality=Confidentiality.SENSITIVE)
        .select_related("unit")
    )
    found = []
    for item in candidates:
        score = fingerprint.similarity(text, f"{item.title}\n{item.body}")
        if score >= DUPLICATE_THRESHOLD:
            found.append(Duplicate(item, score))
    found.sort(key=lambda d: d.score, reverse=True)
    return found[:limit]


def history(item: Item) -> QuerySet[ItemEvent]:
    return item.events.select_related("actor", "actor_unit").order_by("at", "pk")
