"""Attachment files of 敏感 items at rest: SM4-GCM, like their text (submissions/sealing.py).

A sealed file on disk is

    GOVINFO-SEALED-FILE\\x00sm4-gcm:<key id>\\n  nonce ‖ ciphertext ‖ tag

The header names the algorithm and the key, so files rotate like text
(`manage.py rotate_item_keys`), and it is authenticated with the content: a file cannot
be relabelled with another key id. No column says whether a file is sealed: the header
does, and it cannot be mistaken for an upload, since uploads are only images, PDFs and
Office packages (submissions/uploads.py), whose first bytes are their signatures. Files
of ordinary items stay as they were uploaded.

Files are changed in place, atomically (a new file beside the old one, then a rename), so
a download reading the old file meanwhile still gets a whole file, a run stopped half way
leaves every file either as it was or done, and running again finds nothing left to do.
That needs a storage with local paths (FileSystemStorage, the one configured).
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass

from django.db import transaction

from common import crypto

from . import sealing

MAGIC = b"GOVINFO-SEALED-FILE\x00"
_HEADER = re.compile(rb"GOVINFO-SEALED-FILE\x00sm4-gcm:([0-9a-f]{8})\n")
HEADER_BYTES = len(MAGIC) + len(b"sm4-gcm:") + 8 + 1


def _header(key_id: str) -> bytes:
    return MAGIC + f"sm4-gcm:{key_id}\n".encode()


def key_id_of(data: bytes) -> str | None:
    """The key a sealed file's first bytes name, or None for a plaintext file."""
    match = _HEADER.match(data[:HEADER_BYTES])
    return match.group(1).decode() if match else None


def seal_bytes(data: bytes) -> bytes:
    key = sealing.keys()[0]
    head = _header(key.id)
    return head + crypto.sm4_gcm_encrypt(key.sm4, data, head)


def open_bytes(data: bytes) -> bytes:
    """The plaintext of a stored file: opened if sealed, as it is otherwise."""
    key_id = key_id_of(data)
    if key_id is None:
        return data
    configured = sealing.keys()
    key = next((k for k in configured if k.id == key_id), None)
    if key is None:
        raise sealing.SealingError(f"敏感信息附件无法解密：ITEM_ENCRYPTION_KEYS 中没有编号为 {key_id} 的密钥。")
    try:
        return crypto.sm4_gcm_decrypt(key.sm4, data[HEADER_BYTES:], data[:HEADER_BYTES])
    except crypto.DecryptionError as exc:
        raise sealing.SealingError("敏感信息附件无法解密：文件已被改动。") from exc


def stored_bytes(attachment) -> bytes:
    """The bytes on disk (sealed or not). Raises FileNotFoundError when the file is gone."""
    with attachment.file.open("rb") as handle:
        return handle.read()


def read(attachment) -> bytes:
    """The attachment's original content, for callers that have checked access (the
    download, the issue's picture, the Word file's pictures)."""
    return open_bytes(stored_bytes(attachment))


def _replace(attachment, data: bytes) -> None:
    path = attachment.file.path  # FileSystemStorage: see the module's docstring
    directory = os.path.dirname(path)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".sealing-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, os.stat(path).st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


@dataclass
class Counts:
    looked_at: int = 0
    sealed: int = 0  # plaintext of a 敏感 item, now sealed
    resealed: int = 0  # sealed with an older key, now with the first one
    opened: int = 0  # sealed, of an item that is no longer 敏感
    missing: int = 0  # the row's file is not on disk

    def add(self, other: Counts) -> None:
        for name in ("looked_at", "sealed", "resealed", "opened", "missing"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def changed(self) -> int:
        return self.sealed + self.resealed + self.opened


def sync_file(attachment, *, sensitive: bool, rotate: bool = False) -> str:
    """Bring one file to what its item needs: sealed if `sensitive` (with the first key
    when `rotate`), plaintext otherwise. Returns what was done ("sealed", "resealed",
    "opened", "missing" or "")."""
    try:
        with attachment.file.open("rb") as handle:
            key_id = key_id_of(handle.read(HEADER_BYTES))  # most files need nothing: read the header only
    except FileNotFoundError:
        return "missing"
    stale = rotate and key_id is not None and key_id != sealing.keys()[0].id
    if (sensitive and (key_id is None or stale)) or (not sensitive and key_id is not None):
        data = stored_bytes(attachment)
    if sensitive and key_id is None:
        _replace(attachment, seal_bytes(data))
        return "sealed"
    if sensitive and stale:
        _replace(attachment, seal_bytes(open_bytes(data)))
        return "resealed"
    if not sensitive and key_id is not None:
        _replace(attachment, open_bytes(data))
        return "opened"
    return ""


def sync_item_files(item_pk: int, *, rotate: bool = False) -> Counts:
    """Seal or open the files of one item as its confidentiality says now. The item's row
    is locked meanwhile, so a change of confidentiality waits and its own run, after its
    commit, sees the files as this one left them. Safe to run any number of times."""
    from .models import Attachment, Item

    counts = Counts()
    with transaction.atomic():
        item = Item.objects.select_for_update().filter(pk=item_pk).first()
        if item is None:
            return counts
        for attachment in Attachment.objects.filter(item_id=item_pk).order_by("pk"):
            done = sync_file(attachment, sensitive=item.is_sensitive, rotate=rotate)
            counts.looked_at += 1
            if done:
                setattr(counts, done, getattr(counts, done) + 1)
    return counts


def after_commit_sync(item_pk: int) -> None:
    """Seal (or open) an item's files once the change of its confidentiality is committed.
    Should the process die before, the daily task (submissions.seal_attachment_files) does it."""
    transaction.on_commit(lambda: sync_item_files(item_pk))


def sync_all(*, rotate: bool = False, progress=None) -> Counts:
    """Every item with attachments, one short transaction each: the catch-up of the daily
    task and of rotate_item_keys. Resumable by nature (each file is done or not)."""
    from .models import Attachment

    total = Counts()
    item_pks = Attachment.objects.order_by("item_id").values_list("item_id", flat=True).distinct()
    for item_pk in item_pks.iterator():
        total.add(sync_item_files(item_pk, rotate=rotate))
        if progress:
            progress(total)
    return total
