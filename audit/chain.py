"""Tamper evidence for append-only tables (GB/T 22239 8.1.4.3 c, GB/T 39786 8.4 c):
each row carries `chain` = HMAC-SM3(AUDIT_CHAIN_KEY, previous row's chain ‖ this row's
canonical content), so altering, removing or inserting a row anywhere but at the very end
breaks every later value, and nobody without the key can compute new ones.

A model takes part by having a `chain` column and a `CHAINED_FIELDS` tuple naming the
columns its content consists of, frozen: a column added later must not change the
content of rows written before it. Rows are inserted through `insert()` /
`insert_many()` (AuditEntry's save() and bulk_create() do it themselves), which take a
per-table PostgreSQL advisory lock for the rest of the transaction, read the last chain
value and link the new rows to it: concurrent writers queue for the lock instead of
linking two rows to the same predecessor. The lock is held until commit, so the record
is written in commit order (bench/audit_chain.py measures the cost). SQLite (development
only) has no such lock: there two simultaneous writers could fork the chain.

The first row of a table links to "" or, once old rows have been archived and pruned, to
the value its newest ChainAnchor holds (audit/archive.py).
"""

from __future__ import annotations

import datetime as dt
import decimal
import ipaddress
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from django.apps import apps
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, models, router, transaction

from common import crypto

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
    """(last pruned id, its chain value): where the remaining rows start."""
    from .models import ChainAnchor

    anchor = ChainAnchor.objects.filter(chain=label(model)).order_by("-through_id").first()
    return (anchor.through_id, anchor.value) if anchor else (0, GENESIS)


def _last_value(model, using: str) -> str:
    # The newest row by id (one probe of the primary key): once the chain has begun every
    # row has a value; an empty one means only rows from before the chain exist.
    last = model._base_manager.using(using).order_by("-pk").values_list("chain", flat=True).first()
    return last if last else anchor_value(model)[1]


def _lock(model, using: str) -> None:
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_lock_id(model)])


def link(objs: list[models.Model], using: str) -> None:
    """Give each of `objs` (unsaved, in insert order) its chain value. Call inside the
    transaction that inserts them, right before the INSERT."""
    model = type(objs[0])
    spec = Spec.of(model)
    _lock(model, using)
    previous = _last_value(model, using)
    key = _key()
    for obj in objs:
        obj.chain = previous = link_value(previous, spec.content_of(obj), key)


def insert(obj: models.Model, *, using: str | None = None) -> models.Model:
    """Insert one row of a chained table, linked to the last one."""
    using = using or router.db_for_write(type(obj))
    with transaction.atomic(using=using, savepoint=False):  # as Model.save: no SAVEPOINT round trips
        link([obj], using)
        models.Model.save(obj, force_insert=True, using=using)
    return obj


def insert_many(model, objs: list[models.Model], *, using: str | None = None, batch_size: int | None = None) -> list:
    """bulk_create for a chained table: one lock and one read of the last value per call."""
    using = using or router.db_for_write(model)
    if not objs:
        return objs
    with transaction.atomic(using=using, savepoint=False):  # as Model.save: no SAVEPOINT round trips
        link(objs, using)
        return models.QuerySet(model, using=using).bulk_create(objs, batch_size=batch_size)


# --- Verification ------------------------------------------------------------------------


@dataclass
class Result:
    chain: str
    checked: int = 0
    unchained: int = 0  # rows written before the chain began (older versions)
    first_id: int | None = None
    last_id: int | None = None
    last_value: str = GENESIS
    broken_id: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_id is None


def verify(model, *, chunk_size: int = 5000, progress=None) -> Result:
    """Walk the table in id order and recompute every chain value; stop at the first
    row that does not match. Rows before the chain began (chain "", older versions) are
    counted, not checked; an unchained row after the chain began is a break."""
    spec = Spec.of(model)
    start_id, previous = anchor_value(model)
    result = Result(chain=label(model), last_value=previous)
    key = _key()
    rows: Iterator = (
        model._base_manager.filter(pk__gt=start_id)
        .order_by("pk")
        .values_list("pk", "chain", *spec.names)
        .iterator(chunk_size)
    )
    started = start_id > 0
    for pk, chain, *values in rows:
        if not chain and not started:
            result.unchained += 1
            continue
        started = True
        expected = link_value(previous, spec.content_from_db(values), key)
        if chain != expected:
            result.broken_id = pk
            result.problem = "没有校验值" if not chain else "校验值不符（该行或其前一行被改动、删除或插入）"
            return result
        previous = chain
        result.checked += 1
        result.first_id = result.first_id or pk
        result.last_id = pk
        result.last_value = chain
        if progress and result.checked % 100_000 == 0:
            progress(result)
    return result
