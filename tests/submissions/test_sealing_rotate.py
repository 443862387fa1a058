"""manage.py rotate_item_keys: every sealed column re-sealed to the first key and the
configured cipher, in batches, resumable and safe to run twice, with counts."""

from io import StringIO

from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from audit.models import AuditEntry
from submissions import sealing
from submissions.models import Item, ItemVersion

from .helpers import submitted

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def _stored(table: str) -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT title, body FROM {table} ORDER BY id")  # noqa: S608 (a fixed table name)
        return cursor.fetchall()


def _rotate(**options) -> str:
    out = StringIO()
    call_command("rotate_item_keys", stdout=out, **options)
    return out.getvalue()


def test_rotation_reseals_fernet_and_old_key_text_to_sm4_under_the_first_key(settings, writer, unit_approver, leader):
    settings.ITEM_CIPHER, settings.ITEM_ENCRYPTION_KEYS = "fernet", [OLD]
    items = [
        submitted(writer, unit_approver, title=f"敏感事项{i}", confidentiality="sensitive", named_readers=[leader])
        for i in range(3)
    ]
    ordinary = submitted(writer, unit_approver, title="普通信息")
    settings.ITEM_CIPHER = "sm4"
    sm4_old = submitted(writer, unit_approver, title="旧密钥SM4", confidentiality="sensitive", named_readers=[leader])
    settings.ITEM_ENCRYPTION_KEYS = [NEW, OLD]
    new_id = sealing.keys()[0].id

    out = _rotate(batch_size=2)
    for table in ("submissions_item", "submissions_itemversion"):
        for title, body in _stored(table):
            if title in ("普通信息",):
                continue
            assert title.startswith(f"sm4:{new_id}:") and body.startswith(f"sm4:{new_id}:"), (table, title[:20])
    assert [Item.objects.get(pk=i.pk).plain_title for i in items] == ["敏感事项0", "敏感事项1", "敏感事项2"]
    assert Item.objects.get(pk=sm4_old.pk).plain_title == "旧密钥SM4"
    assert Item.objects.get(pk=ordinary.pk).title == "普通信息"  # plain text is left alone
    assert "submissions.item 4/4" in out and "submissions.itemversion 4/4" in out and "重新加密 8 行" in out
    assert "submissions.item: 2/4" in out  # progress per batch

    # Only the first key is needed now.
    settings.ITEM_ENCRYPTION_KEYS = [NEW]
    assert ItemVersion.objects.filter(item=items[0]).first().plain_title == "敏感事项0"
    # A second run finds nothing to do and changes nothing.
    before = _stored("submissions_item")
    out = _rotate()
    assert "重新加密 0 行" in out and _stored("submissions_item") == before
    assert AuditEntry.objects.filter(action="rotate_item_keys").count() == 2


def test_an_interrupted_rotation_is_finished_by_the_next_run(settings, writer, unit_approver, leader):
    settings.ITEM_CIPHER, settings.ITEM_ENCRYPTION_KEYS = "sm4", [OLD]
    items = [
        submitted(writer, unit_approver, title=f"敏感{i}", confidentiality="sensitive", named_readers=[leader])
        for i in range(3)
    ]
    settings.ITEM_ENCRYPTION_KEYS = [NEW, OLD]
    # What a run stopped after its first batch leaves: the first item re-sealed, not the others.
    first = Item.objects.get(pk=items[0].pk)
    Item.objects.filter(pk=first.pk).update(title=sealing.reseal(first.title), body=sealing.reseal(first.body))
    out = _rotate(batch_size=1)
    assert "submissions.item 2/2" in out
    assert all(sealing.is_current(t) and sealing.is_current(b) for t, b in _stored("submissions_item"))


def test_rotation_back_to_fernet_is_possible(settings, writer, unit_approver, leader):
    settings.ITEM_CIPHER, settings.ITEM_ENCRYPTION_KEYS = "sm4", [OLD]
    item = submitted(writer, unit_approver, title="回到Fernet", confidentiality="sensitive", named_readers=[leader])
    settings.ITEM_CIPHER = "fernet"
    _rotate()
    title, body = _stored("submissions_item")[0]
    assert title.startswith("fernet:") and Item.objects.get(pk=item.pk).plain_title == "回到Fernet"
    assert "重新加密 0 行" in _rotate()
