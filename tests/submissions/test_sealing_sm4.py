"""SM4-GCM sealing of 敏感 text: the published 国密 test vectors, the ciphertext format that
names its cipher and key, Fernet ciphertexts of earlier versions still readable, and a
sensitive item written through the page stored under SM4."""

import base64

import pytest
from cryptography.fernet import Fernet
from django.db import connection
from django.urls import reverse

from common import crypto
from submissions import sealing
from submissions.models import Item

from .helpers import submitted

KEY_A = Fernet.generate_key().decode()
KEY_B = Fernet.generate_key().decode()


def test_sm4_matches_the_gb_t_32907_appendix_a_vector():
    block = bytes.fromhex("0123456789abcdeffedcba9876543210")
    assert crypto.sm4_encrypt_block(block, block).hex() == "681edf34d206965e86b3e94f536e4246"


def test_sm3_matches_the_gb_t_32905_vectors():
    assert crypto.sm3(b"abc").hex() == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert crypto.sm3(b"abcd" * 16).hex() == "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"


def test_sm4_sealed_text_names_cipher_and_key_and_opens(settings):
    settings.ITEM_CIPHER, settings.ITEM_ENCRYPTION_KEYS = "sm4", [KEY_A]
    sealed = sealing.seal("某地企业欠薪")
    assert sealed.startswith(f"sm4:{sealing.keys()[0].id}:") and "欠薪" not in sealed
    assert sealing.is_sealed(sealed) and sealing.unseal(sealed) == "某地企业欠薪"
    assert sealing.seal("某地企业欠薪") != sealed  # a fresh nonce each time


def test_an_ordinary_title_beginning_with_sm4_is_not_taken_for_ciphertext():
    assert not sealing.is_sealed("sm4:国产密码算法应用情况")
    assert not sealing.is_sealed("sm4:abc:def")


def test_altered_or_relabelled_sm4_text_is_refused(settings):
    settings.ITEM_CIPHER, settings.ITEM_ENCRYPTION_KEYS = "sm4", [KEY_A, KEY_B]
    sealed = sealing.seal("原文")
    head, key_id, body = sealed.split(":")
    raw = bytearray(base64.urlsafe_b64decode(body))
    raw[14] ^= 1
    with pytest.raises(sealing.SealingError, match="改动"):
        sealing.unseal(f"{head}:{key_id}:{base64.urlsafe_b64encode(bytes(raw)).decode()}")
    # The header is authenticated: the same bytes under the other key's id do not open.
    with pytest.raises(sealing.SealingError):
        sealing.unseal(f"{head}:{sealing.keys()[1].id}:{body}")


def test_a_key_no_longer_configured_is_named(settings):
    settings.ITEM_CIPHER, settings.ITEM_ENCRYPTION_KEYS = "sm4", [KEY_B]
    sealed = sealing.seal("原文")
    settings.ITEM_ENCRYPTION_KEYS = [KEY_A]
    with pytest.raises(sealing.SealingError, match=sealing.key_id_of(sealed)):
        sealing.unseal(sealed)


def test_fernet_text_of_earlier_versions_stays_readable_under_sm4(settings):
    settings.ITEM_CIPHER, settings.ITEM_ENCRYPTION_KEYS = "fernet", [KEY_B]
    old = sealing.seal("旧密文")
    assert old.startswith("fernet:")
    settings.ITEM_CIPHER, settings.ITEM_ENCRYPTION_KEYS = "sm4", [KEY_A, KEY_B]
    assert sealing.unseal(old) == "旧密文"
    assert not sealing.is_current(old)
    new = sealing.reseal(old)
    assert new.startswith(f"sm4:{sealing.keys()[0].id}:") and sealing.unseal(new) == "旧密文"
    assert sealing.is_current(new) and sealing.reseal(new) == new


def test_sensitive_item_written_by_a_writer_is_stored_under_sm4_and_read_back(
    client, settings, writer, unit_approver, leader
):
    settings.ITEM_CIPHER, settings.ITEM_ENCRYPTION_KEYS = "sm4", [KEY_A]
    item = submitted(writer, unit_approver, title="某工业园区企业欠薪引发聚集", confidentiality="sensitive",
                     named_readers=[leader])  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("SELECT title, body FROM submissions_item WHERE id = %s", [item.pk])
        stored = cursor.fetchone()
    assert all(raw.startswith("sm4:") and "欠薪" not in raw for raw in stored)
    assert Item.objects.get(pk=item.pk).plain_title == "某工业园区企业欠薪引发聚集"
    client.force_login(leader)
    page = client.get(reverse("item_detail", args=[item.pk])).content.decode()
    assert "某工业园区企业欠薪引发聚集" in page
