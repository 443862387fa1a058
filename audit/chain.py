"""Tamper evidence for append-only tables (GB/T 22239 8.1.4.3 c, GB/T 39786 8.4 c):
each row carries `chain` = HMAC-SM3(AUDIT_CHAIN_KEY, previous row's chain ‖ this row's
canonical content), so altering, removing or inserting a row anywhere but at the very end
breaks every later value, and nobody without the key can compute new ones.

A model takes part by having `chain`, `chain_seq` and `row_mac` columns, a
`CHAINED_FIELDS` tuple naming the columns its content consists of, frozen (a column added
later must not change the content of rows written before it), and `CHAIN_TIME_FIELD`, the
one of them that dates a row.

Writing and linking are two steps, so that audited transactions never wait for each other:

1. `insert()` / `insert_many()` (AuditEntry's save() and bulk_create() call them) write the
   row in the caller's transaction with no chain value, only `row_mac` = HMAC-SM3 of its
   own content: no lock, no read of the previous row. Before, every audited write took a
   per-table advisory lock held to commit, which serialised every audited transaction and
   could deadlock with row locks (tests/audit/test_chain_concurrency.py).
2. `link_pending()` takes the chain's advisory lock in a short transaction of its own,
   reads the committed rows not yet linked, in id order, and gives each its chain value
   and the next `chain_seq`. It runs right after the writer's commit (on_commit), and
   every minute from Celery beat (audit.link_chains) to catch up after a lost one; it is
   safe to run twice or at once (the lock, and only unlinked rows are taken). After commit
   it reads only from the oldest row its transaction wrote or the last linked row on, so
   that its cost does not grow with the rows linked since the last vacuum. A row whose
   `row_mac` does not match (inserted behind the application's back, without the key) is
   never linked: `audit_verify` reports it.

The chain runs in `chain_seq` order (commit order, near enough), which may differ from id
order. `audit_verify` walks it, and reports rows still unlinked after LINK_GRACE as a
break, fresher ones as pending. The first linked row links to "" or, once old rows have
been archived and pruned, to the value its newest ChainAnchor holds (audit/archive.py);
an anchor's `through_id` is the last pruned `chain_seq` (rows linked before the sequence
existed got their id as sequence number, migration audit 0004).
"""

from __future__ import annotations

import datetime as dt
import decimal
import ipaddress
import json
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from django.apps import apps
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, models, router, transaction
from django.db.models import Subquery, Value
from django.db.models.functions import Coalesce, Least

from common import crypto

log = logging.getLogger(__name__)

GENESIS = ""


def chained_models() -> list[type[models.Model]]:
    """Every installed model with a chain, found by its CHAINED_FIELDS: the audit app
    never imports the apps above it."""
    return [m for m in apps.get_models() if getattr(m, "CHAINED_FIELDS", None)]


def label(model) -> str:
    return model._meta.label_lower


def _key() -> bytes:
    return settings.AUDIT_CHAIN_KEY.encode()


def _lock_id(model) -> int:
    # A stable signed 64-bit number per table, so the two chains do not wait for each other.
    return int.from_bytes(crypto.sm3(label(model).encode())[:8], "big", signed=True)


def _json(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), cls=DjangoJSONEncoder)


def _canonical_value(field: models.Field, value):
    """The value as the database gives it back, in one textual form, so that the value
    computed before the INSERT and the one read by audit_verify agree."""
    if value is None:
        return None
    if isinstance(field, models.JSONField):
        # jsonb reorders keys and the encoder turns dates and decimals into strings.
        return _json(json.loads(json.dumps(value, cls=field.encoder or DjangoJSONEncoder)))
    value = field.to_python(value)
    if value is None:
        return None
    if isinstance(field, models.DateTimeField):
        return value.astimezone(dt.UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(field, models.DateField):
        return value.isoformat()
    if isinstance(field, models.DecimalField):
        return format(decimal.Decimal(value), f".{field.decimal_places}f")
    if isinstance(field, models.GenericIPAddressField):
        return str(ipaddress.ip_address(value))
    return str(value)


@lru_cache(maxsize=4096)
def _ip(value: str) -> str:
    return str(ipaddress.ip_address(value))


def _read_converter(field: models.Field) -> Callable:
    """The same text as _canonical_value() for a value as the database returns it (already
    of the field's type, JSON already decoded): audit_verify's fast path, some 13 columns
    for each of a million rows."""
    if isinstance(field, models.JSONField):
        return _json
    if isinstance(field, models.DateTimeField):
        return lambda v: v.astimezone(dt.UTC).isoformat() if v.tzinfo else v.isoformat()
    if isinstance(field, models.DateField):
        return dt.date.isoformat
    if isinstance(field, models.DecimalField):
        spec = f".{field.decimal_places}f"
        return lambda v: format(v, spec)
    if isinstance(field, models.GenericIPAddressField):
        return _ip
    return str


@dataclass(frozen=True)
class Spec:
    model: type[models.Model]
    fields: tuple[models.Field, ...]
    names: tuple[str, ...]  # attnames, as values_list() reads them
    readers: tuple[Callable, ...]

    @classmethod
    def of(cls, model) -> Spec:
        fields = tuple(model._meta.get_field(n) for n in model.CHAINED_FIELDS)
        return cls(
            model=model, fields=fields, names=tuple(f.attname for f in fields),
            readers=tuple(_read_converter(f) for f in fields),
        )  # fmt: skip

    def content(self, values: Iterable) -> bytes:
        """The canonical content of values of any acceptable type (before an INSERT)."""
        return _json(
            [[n, _canonical_value(f, v)] for n, f, v in zip(self.names, self.fields, values, strict=True)]
        ).encode()

    def content_from_db(self, values: Iterable) -> bytes:
        """The same bytes as content(), for values as values_list() returns them."""
        return _json(
            [[n, None if v is None else r(v)] for n, r, v in zip(self.names, self.readers, values, strict=True)]
        ).encode()

    def content_of(self, obj) -> bytes:
        return self.content(getattr(obj, n) for n in self.names)


def link_value(previous: str, content: bytes, key: bytes | None = None) -> str:
    return crypto.hmac_sm3(key or _key(), previous.encode() + b"\n" + content).hex()


def anchor_value(model) -> tuple[int, str]:
    """(last pruned chain_seq, its chain value): where the remaining rows start."""
    from .models import ChainAnchor

    anchor = ChainAnchor.objects.filter(chain=label(model)).order_by("-through_id").first()
    return (anchor.through_id, anchor.value) if anchor else (0, GENESIS)


LINK_GRACE = dt.timedelta(minutes=10)  # a committed row is linked within this, or something is wrong
FUTURE_SKEW = dt.timedelta(minutes=2)  # a row dated later than this is not "pending", it is wrong
LINK_BATCH = 5000


def row_mac(content: bytes, key: bytes | None = None) -> str:
    """The row's own MAC, written with it: proves to the linker that the application (which
    holds the key) wrote the row, so a row inserted behind its back is not linked in."""
    return crypto.hmac_sm3(key or _key(), b"row\n" + content).hex()


def _lock(model, using: str, *, wait: bool = True) -> bool:
    """The chain's lock, to the end of the transaction; without `wait`, False when another
    linker holds it."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return True
    function = "pg_advisory_xact_lock" if wait else "pg_try_advisory_xact_lock"
    with connection.cursor() as cursor:
        # No wait for the WAL flush at the linker's commit: lost in a crash, it is only
        # done again (the rows are still unlinked), and the writer's own commit was
        # durable already. Saves a flush per audited transaction.
        cursor.execute(f"SELECT set_config('synchronous_commit', 'off', true), {function}(%s)::text", [_lock_id(model)])
        return cursor.fetchone()[1] != "false"


def _prepare(objs: list[models.Model]) -> None:
    spec = Spec.of(type(objs[0]))
    key = _key()
    for obj in objs:
        obj.chain, obj.chain_seq = "", None
        obj.row_mac = row_mac(spec.content_of(obj), key)


class _LinkAfterCommit:
    """The on_commit callback of one transaction and table: links from the oldest row the
    transaction wrote (`since_pk`; None when an id is unknown: every unlinked row)."""

    def __init__(self, model, using: str, since_pk: int | None) -> None:
        self.model, self.using, self.since_pk = model, using, since_pk
        self.chain_tag = ("audit-chain-link", label(model))

    def include(self, pk: int | None) -> None:
        self.since_pk = None if pk is None or self.since_pk is None else min(self.since_pk, pk)

    def __call__(self) -> None:
        try:
            # Not waiting: if another linker holds the lock, it or the next one (the next
            # commit's, or the periodic task's) links this row; writers never queue here.
            link_pending(self.model, using=self.using, wait=False, since_pk=self.since_pk)
        except Exception:  # the write is committed; the periodic task links it later
            log.exception(
                "linking the %s chain after commit failed; audit.link_chains will catch up", label(self.model)
            )


def _schedule_link(model, using: str, pks: Iterable[int | None]) -> None:
    """Link after commit, once per transaction and table however many rows it wrote."""
    connection = connections[using]
    since = min(pks, key=lambda pk: -1 if pk is None else pk, default=None)
    tag = ("audit-chain-link", label(model))
    if connection.in_atomic_block:
        for _, callback, _ in connection.run_on_commit:
            if getattr(callback, "chain_tag", None) == tag:
                callback.include(since)
                return
    transaction.on_commit(_LinkAfterCommit(model, using, since), using=using)


def insert(obj: models.Model, *, using: str | None = None) -> models.Model:
    """Insert one row of a chained table; it is linked after commit."""
    using = using or router.db_for_write(type(obj))
    _prepare([obj])
    models.Model.save(obj, force_insert=True, using=using)
    _schedule_link(type(obj), using, [obj.pk])
    return obj


def insert_many(model, objs: list[models.Model], *, using: str | None = None, batch_size: int | None = None) -> list:
    """bulk_create for a chained table; the rows are linked after commit."""
    using = using or router.db_for_write(model)
    if not objs:
        return objs
    _prepare(objs)
    created = models.QuerySet(model, using=using).bulk_create(objs, batch_size=batch_size)
    _schedule_link(model, using, [obj.pk for obj in created])  # None where the database returns no ids
    return created


def link_pending(
    model, *, using: str | None = None, batch: int = LINK_BATCH, wait: bool = True, since_pk: int | None = None
) -> int:
    """Link the committed rows of `model` that have no chain value yet, in id order, each
    to the one linked before it; returns how many. Each batch is one short transaction
    under the chain's lock (the only place that takes it); without `wait`, nothing is done
    when another linker holds it.

    `since_pk` (the after-commit linker: the oldest row its transaction wrote) looks only
    at rows from that id or from the last linked row's on, whichever is older. Every row
    linked since the table was last vacuumed leaves a dead entry in the index of unlinked
    rows (the UPDATE that links it takes it out), and a scan from the first id walks them
    all: thousands per audited write between two autovacuums, more while any long
    transaction (an audit_verify, a bulk import) keeps them from being cleaned. A row
    older than both whose linker found the lock taken is linked by the periodic task,
    which looks at every row (None)."""
    using = using or router.db_for_write(model)
    spec = Spec.of(model)
    key = _key()
    table = connections[using].ops.quote_name(model._meta.db_table)
    linked, after_pk = 0, 0
    while True:
        with transaction.atomic(using=using):
            if not _lock(model, using, wait=wait):
                return linked
            manager = model._base_manager.using(using)
            last = manager.filter(chain_seq__isnull=False).order_by("-chain_seq")[:1]
            unlinked = manager.filter(chain_seq__isnull=True, pk__gt=after_pk)
            if since_pk is not None and not linked:
                # Read under the lock, in the same statement as the rows (Coalesce: no row
                # linked yet; SQLite's MIN() of a NULL is NULL).
                start = Value(since_pk - 1)
                unlinked = unlinked.filter(pk__gt=Least(start, Coalesce(Subquery(last.values("pk")), start)))
            rows = list(  # the previous row's seq and value come with them: one round trip
                unlinked.exclude(row_mac="")  # rows from before the chain: counted by verify, never linked
                .annotate(last_seq=Subquery(last.values("chain_seq")), last_chain=Subquery(last.values("chain")))
                .order_by("pk")
                .values_list("pk", "row_mac", "last_seq", "last_chain", *spec.names)[:batch]
            )
            if not rows:
                return linked
            seq, previous = (rows[0][2], rows[0][3]) if rows[0][2] is not None else anchor_value(model)
            updates = []
            for pk, mac, _, _, *values in rows:
                content = spec.content_from_db(values)
                if not crypto.equal(mac.encode(), row_mac(content, key).encode()):
                    log.error("%s #%s: row MAC does not match, not linked", label(model), pk)
                    continue
                seq += 1
                previous = link_value(previous, content, key)
                updates.append((pk, previous, seq))
            if updates:
                with connections[using].cursor() as cursor:
                    placeholders = ", ".join(["(%s, %s, %s)"] * len(updates))
                    cursor.execute(
                        f"UPDATE {table} AS t SET chain = v.chain, chain_seq = v.seq "  # noqa: S608 (table name, not input)
                        f"FROM (VALUES {placeholders}) AS v(id, chain, seq) WHERE t.id = v.id",
                        [x for row in updates for x in row],
                    )
            linked += len(updates)
            after_pk = rows[-1][0]
        if len(rows) < batch:
            # All there was; a row committed since has its own linker coming (on_commit).
            return linked


def link_all() -> dict[str, int]:
    """Every chain's pending rows (the periodic task)."""
    return {label(m): link_pending(m) for m in chained_models()}


# --- Verification ------------------------------------------------------------------------


@dataclass
class Result:
    chain: str
    checked: int = 0
    unchained: int = 0  # rows written before the chain began (older versions)
    pending: int = 0  # committed a moment ago, not linked yet (within LINK_GRACE)
    first_id: int | None = None
    last_id: int | None = None
    last_seq: int | None = None
    last_value: str = GENESIS
    broken_id: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_id is None


def verify(model, *, chunk_size: int = 5000, progress=None, grace: dt.timedelta = LINK_GRACE, now=None) -> Result:
    """Walk the linked rows in chain_seq order and recompute every chain value; stop at the
    first that does not match. Then the rows not linked: those from before the chain began
    (no row MAC, below the first linked id; older versions) are counted, not checked; rows
    younger than `grace` are pending; any other is a break (a linker that stopped, or a row
    inserted behind the application's back, whose row MAC the linker refused)."""
    from django.utils import timezone

    spec = Spec.of(model)
    start_seq, previous = anchor_value(model)
    result = Result(chain=label(model), last_value=previous)
    key = _key()
    rows: Iterator = (
        model._base_manager.filter(chain_seq__gt=start_seq)
        .order_by("chain_seq")
        .values_list("pk", "chain_seq", "chain", *spec.names)
        .iterator(chunk_size)
    )
    for pk, seq, chain, *values in rows:
        expected = link_value(previous, spec.content_from_db(values), key)
        if chain != expected:
            result.broken_id = pk
            result.problem = "校验值不符（该行或其前一行被改动、删除或插入）"
            return result
        previous = chain
        result.checked += 1
        result.first_id = result.first_id or pk
        result.last_id, result.last_seq, result.last_value = pk, seq, chain
        if progress and result.checked % 100_000 == 0:
            progress(result)
    _check_unlinked(model, spec, key, result, grace, now or timezone.now())
    return result


def _check_unlinked(model, spec: Spec, key: bytes, result: Result, grace: dt.timedelta, now) -> None:
    manager = model._base_manager
    first_linked = manager.filter(chain_seq__isnull=False).order_by("pk").values_list("pk", flat=True).first()
    when = spec.names.index(model.CHAIN_TIME_FIELD)  # the column that dates a row
    unlinked = manager.filter(chain_seq__isnull=True).order_by("pk").values_list("pk", "row_mac", "chain", *spec.names)
    for pk, mac, chain, *values in unlinked.iterator(1000):
        if not mac and not chain and (first_linked is None or pk < first_linked):
            result.unchained += 1
            continue
        genuine = bool(mac) and crypto.equal(mac.encode(), row_mac(spec.content_from_db(values), key).encode())
        if genuine and now - grace <= values[when] <= now + FUTURE_SKEW:
            result.pending += 1
            continue
        result.broken_id = pk
        if not mac:
            result.problem = "没有校验值"
        elif not genuine:
            result.problem = "未链接：行校验值不符（不是本系统写入的，或写入后被改动）"
        else:
            minutes = int(grace.total_seconds() // 60)
            result.problem = f"未链接：写入已超过 {minutes} 分钟仍未链入校验链（链接任务没有运行？）"
        return
