"""Retention of the audit record (GB/T 22239 8.1.4.3 d): rows younger than
AUDIT_RETENTION_DAYS (at least 184) stay; older ones may be archived to a signed file
and then pruned, both steps audit rows themselves.

The archive is JSON lines: a header, one line per row (its id, chain value and the
canonical content the chain covers), and a last line with HMAC-SM3 over all the lines
before it, keyed by AUDIT_CHAIN_KEY. Anyone holding the key can check a file alone
(`audit_archive --check FILE`): the signature, and the chain from the header's starting
value to the last row's. Pruning leaves a ChainAnchor with the last pruned row's chain
sequence number (`through_id`; its id, for anchors from before the sequence, which is the
same number: migration 0004) and value, from which audit_verify goes on. Ranges are in
chain order (chain_seq); rows not linked yet are never archived.

On PostgreSQL the append-only trigger lets a DELETE through only in a transaction that
called audit_allow_prune(before), and only for rows older than `before` and older than
184 days, whatever this code asks (migration 0003).
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from common import crypto

from . import chain
from .models import AuditEntry, ChainAnchor

FORMAT = "govinfo-audit-archive/1"
MIN_RETENTION_DAYS = 184
WARN_BEFORE_DAYS = 30  # the health page warns this long before the oldest row may go


class ArchiveError(Exception):
    """A refusal, in Chinese, for the command to print."""


def retention_days() -> int:
    return max(settings.AUDIT_RETENTION_DAYS, MIN_RETENTION_DAYS)


def prunable_before(now: dt.datetime | None = None) -> dt.datetime:
    """Rows written before this moment may be archived and pruned."""
    return (now or timezone.now()) - dt.timedelta(days=retention_days())


def retention_warning(now: dt.datetime | None = None) -> str | None:
    """A sentence for the health page when the oldest row is within WARN_BEFORE_DAYS of
    the retention limit (or past it): time to archive."""
    oldest = AuditEntry.objects.order_by("at").values_list("at", flat=True).first()
    if oldest is None:
        return None
    now = now or timezone.now()
    age = (now - oldest).days
    if age < retention_days() - WARN_BEFORE_DAYS:
        return None
    return (
        f"oldest audit row is {age} days old, retention {retention_days()} days: "
        "archive and prune with manage.py audit_archive --before DATE"
    )


@dataclass
class Archived:
    path: Path
    rows: int
    through_id: int
    last_value: str
    sm3: str


def _range(before: dt.datetime) -> tuple[int, int, str]:
    """(start seq, through seq, starting value): the oldest linked rows, in chain order
    (chain_seq), all written before `before` — stopping at the first younger one, so the
    pruned part is a prefix of the chain and the rest still starts from one value."""
    start_seq, start_value = chain.anchor_value(AuditEntry)
    rows = AuditEntry.objects.filter(chain_seq__gt=start_seq)
    first_young = rows.filter(at__gte=before).order_by("chain_seq").values_list("chain_seq", flat=True).first()
    if first_young is not None:
        rows = rows.filter(chain_seq__lt=first_young)
    through_seq = rows.order_by("-chain_seq").values_list("chain_seq", flat=True).first()
    return start_seq, through_seq or start_seq, start_value


def write_archive(*, before: dt.datetime, directory: Path) -> Archived:
    """Write the rows older than `before` (a prefix of the record) to a signed file in
    `directory`, after checking that their chain holds. Refuses what retention keeps."""
    limit = prunable_before()
    if before > limit:
        raise ArchiveError(
            f"只能归档 {timezone.localtime(limit):%Y-%m-%d %H:%M} 之前的审计记录"
            f"（保存期限 {retention_days()} 天，AUDIT_RETENTION_DAYS）。"
        )
    start_id, through_id, start_value = _range(before)
    if through_id == start_id:
        raise ArchiveError(f"{timezone.localtime(before):%Y-%m-%d} 之前没有可归档的审计记录。")
    spec = chain.Spec.of(AuditEntry)
    key = settings.AUDIT_CHAIN_KEY.encode()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"audit-archive-{start_id + 1}-{through_id}-{timezone.now():%Y%m%d%H%M%S}.jsonl"
    mac = crypto.hmac_sm3_stream(key)
    digest = crypto.sm3_stream()
    previous, count = start_value, 0
    rows = (  # ids and sequence numbers: the file names the rows by id, the range is in chain order
        AuditEntry.objects.filter(chain_seq__gt=start_id, chain_seq__lte=through_id)
        .order_by("chain_seq")
        .values_list("pk", "chain", *spec.names)
        .iterator(5000)
    )
    header = {"format": FORMAT, "chain": chain.label(AuditEntry), "fields": list(spec.names),
              "from_id": start_id, "from_value": start_value, "before": before.isoformat()}  # fmt: skip
    with open(path, "xb") as out:

        def emit(obj) -> None:
            line = json.dumps(obj, ensure_ascii=False, sort_keys=True).encode() + b"\n"
            mac.update(line)
            digest.update(line)
            out.write(line)

        emit(header)
        for pk, value, *values in rows:
            content = spec.content_from_db(values)
            if value != chain.link_value(previous, content, key):
                out.close()
                path.unlink()
                raise ArchiveError(f"审计记录 #{pk} 的校验值不符，未归档：请先运行 manage.py audit_verify 查明。")
            emit({"id": pk, "chain": value, "content": json.loads(content)})
            previous, count = value, count + 1
        emit({"rows": count, "through_id": through_id, "last_value": previous})
        signature = {"signature": mac.finalize().hex(), "algorithm": "HMAC-SM3"}
        line = json.dumps(signature).encode() + b"\n"
        digest.update(line)
        out.write(line)
        out.flush()
        os.fsync(out.fileno())  # on disk before anything may be pruned
    sm3 = digest.finalize().hex()
    from . import record

    record(
        action="audit_archive", model="audit.auditentry", object_id=f"{start_id + 1}-{through_id}",
        object_repr=f"归档审计记录 {count} 行（{getpass.getuser()}）",
        changes={"file": [None, path.name], "rows": [None, count], "through_id": [None, through_id],
                 "last_value": [None, previous], "sm3": [None, sm3]},
        actor=None, unit=None,
    )  # fmt: skip
    return Archived(path=path, rows=count, through_id=through_id, last_value=previous, sm3=sm3)


def check_archive(path: Path) -> Archived:
    """Check a file alone: its signature and the chain through its rows."""
    key = settings.AUDIT_CHAIN_KEY.encode()
    lines = path.read_bytes().splitlines(keepends=True)
    if len(lines) < 3:
        raise ArchiveError("不是审计归档文件：行数不足。")
    mac = crypto.hmac_sm3_stream(key)
    for line in lines[:-1]:
        mac.update(line)
    try:
        signature = json.loads(lines[-1])["signature"]
        header = json.loads(lines[0])
    except (ValueError, KeyError) as exc:
        raise ArchiveError("不是审计归档文件：格式不对。") from exc
    if header.get("format") != FORMAT or not crypto.equal(bytes.fromhex(signature), mac.finalize()):
        raise ArchiveError("归档文件的签名不符：文件被改动，或不是用本系统的 AUDIT_CHAIN_KEY 签名的。")
    previous = header["from_value"]
    for line in lines[1:-2]:
        row = json.loads(line)
        content = json.dumps(row["content"], sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
        if row["chain"] != chain.link_value(previous, content, key):
            raise ArchiveError(f"归档文件中 #{row['id']} 的校验值不符。")
        previous = row["chain"]
    footer = json.loads(lines[-2])
    if footer["last_value"] != previous or footer["rows"] != len(lines) - 3:
        raise ArchiveError("归档文件的末行校验值或行数不符。")
    return Archived(path=path, rows=footer["rows"], through_id=footer["through_id"], last_value=previous,
                    sm3=crypto.sm3(b"".join(lines)).hex())  # fmt: skip


@transaction.atomic
def prune(archived: Archived, *, before: dt.datetime) -> int:
    """Remove the rows of a checked archive from the record, leaving the anchor the chain
    goes on from; the pruning is an audit row of its own."""
    check_archive(archived.path)  # the file as it is on disk now, not as we meant to write it
    start_id, start_value = chain.anchor_value(AuditEntry)
    header = json.loads(archived.path.open("rb").readline())
    if header["from_id"] != start_id or header["from_value"] != start_value:
        raise ArchiveError("归档文件不是从当前记录的起点开始的：请重新归档。")
    ChainAnchor.objects.create(
        chain=chain.label(AuditEntry), through_id=archived.through_id, value=archived.last_value,
        before=before, rows=archived.rows, archive_name=archived.path.name, archive_sm3=archived.sm3,
    )  # fmt: skip
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT audit_allow_prune(%s)", [before])
        cursor.execute(
            "DELETE FROM audit_auditentry WHERE chain_seq > %s AND chain_seq <= %s", [start_id, archived.through_id]
        )
        deleted = cursor.rowcount
    if deleted != archived.rows:
        raise ArchiveError(f"应删除 {archived.rows} 行，实际 {deleted} 行：已撤销，未删除任何记录。")
    from . import record

    record(
        action="audit_prune", model="audit.auditentry", object_id=f"{start_id + 1}-{archived.through_id}",
        object_repr=f"删除已归档的审计记录 {deleted} 行（{getpass.getuser()}）",
        changes={"file": [None, archived.path.name], "rows": [None, deleted], "sm3": [None, archived.sm3],
                 "through_id": [None, archived.through_id], "last_value": [None, archived.last_value]},
        actor=None, unit=None,
    )  # fmt: skip
    return deleted
