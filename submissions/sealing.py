"""Encryption at rest for 敏感 items: SM4-GCM (GB/T 32907, the 商用密码 the 密评 asks for),
or Fernet (AES-128-CBC with HMAC-SHA256), the cipher of earlier versions.

Sealed text is stored in the ordinary text columns and says by itself how it is sealed:

    sm4:<key id>:<base64 of nonce ‖ ciphertext ‖ tag>      ITEM_CIPHER=sm4 (production default)
    fernet:<token>                                          ITEM_CIPHER=fernet

so a row written under either cipher stays readable whatever ITEM_CIPHER says now. Keys
come from ITEM_ENCRYPTION_KEYS (comma-separated, each 32 random bytes in URL-safe base64,
as `Fernet.generate_key()` makes them): the first seals, all open, and
`manage.py rotate_item_keys` re-seals everything to the first key and the configured
cipher. The SM4 key and the key id are derived from a configured key with HMAC-SM3 and
SM3, so one configured key serves both ciphers without its bytes being used twice, and
the id names the key without revealing it.
"""

import base64
import binascii
import re
from dataclasses import dataclass
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from common import crypto

PREFIX = "fernet:"  # kept under its old name: Fernet ciphertexts of earlier versions
FERNET_PREFIX = PREFIX
SM4_PREFIX = "sm4:"
CIPHERS = ("sm4", "fernet")

# Strict, so that an ordinary title that happens to begin with "sm4:" is not taken for
# a ciphertext: the id is 8 hex digits and the rest URL-safe base64.
_SM4_SEALED = re.compile(r"sm4:([0-9a-f]{8}):([A-Za-z0-9_-]+={0,2})\Z")


class SealingError(ValueError):
    """Sealed text that cannot be opened: its key is not configured, or it was altered."""


@dataclass(frozen=True)
class Key:
    id: str
    sm4: bytes
    fernet: Fernet | None  # None for a key that is not a Fernet key (sm4 only)


def _key(text: str) -> Key:
    try:
        raw = base64.urlsafe_b64decode(text.strip().encode())
    except (binascii.Error, ValueError) as exc:
        raise ImproperlyConfigured("ITEM_ENCRYPTION_KEYS 中有一个密钥不是 URL-safe base64。") from exc
    if len(raw) < crypto.SM4_KEY_BYTES:
        raise ImproperlyConfigured("ITEM_ENCRYPTION_KEYS 中的密钥太短（至少 16 字节，建议 32 字节）。")
    key_id = crypto.sm3(b"govinfo/item-key-id\x00" + raw).hex()[:8]
    sm4_key = crypto.hmac_sm3(raw, b"govinfo/item-sealing/sm4-gcm")[: crypto.SM4_KEY_BYTES]
    return Key(id=key_id, sm4=sm4_key, fernet=Fernet(text.strip().encode()) if len(raw) == 32 else None)


@lru_cache(maxsize=8)
def _keys(configured: tuple[str, ...]) -> tuple[Key, ...]:
    if not configured:
        raise ImproperlyConfigured("ITEM_ENCRYPTION_KEYS 为空：无法加密敏感信息。")
    return tuple(_key(k) for k in configured)


def keys() -> tuple[Key, ...]:
    """The configured keys, the sealing one first (cached by their text, so that a test's
    override_settings takes effect)."""
    return _keys(tuple(settings.ITEM_ENCRYPTION_KEYS))


def cipher() -> str:
    name = getattr(settings, "ITEM_CIPHER", "sm4")
    if name not in CIPHERS:
        raise ImproperlyConfigured(f"ITEM_CIPHER 只能是 {' 或 '.join(CIPHERS)}，现在是 {name!r}。")
    return name


def _aad(key_id: str) -> bytes:
    # The header is authenticated too: a ciphertext cannot be relabelled with another id.
    return f"{SM4_PREFIX}{key_id}".encode()


def seal(text: str) -> str:
    key = keys()[0]
    if cipher() == "fernet":
        if key.fernet is None:
            raise ImproperlyConfigured("ITEM_CIPHER=fernet 需要 32 字节的 Fernet 密钥。")
        return FERNET_PREFIX + key.fernet.encrypt(text.encode()).decode()
    sealed = crypto.sm4_gcm_encrypt(key.sm4, text.encode(), _aad(key.id))
    return f"{SM4_PREFIX}{key.id}:{base64.urlsafe_b64encode(sealed).decode()}"


def unseal(text: str) -> str:
    if text.startswith(FERNET_PREFIX):
        token = text[len(FERNET_PREFIX) :].encode()
        for key in keys():
            if key.fernet is None:
                continue
            try:
                return key.fernet.decrypt(token).decode()
            except InvalidToken:
                continue
        raise SealingError("敏感信息无法解密：没有配置加密它的密钥，或密文已被改动。")
    match = _SM4_SEALED.match(text)
    if match is None:
        raise SealingError("不是加密的文本。")
    key_id, body = match.groups()
    key = next((k for k in keys() if k.id == key_id), None)
    if key is None:
        raise SealingError(f"敏感信息无法解密：ITEM_ENCRYPTION_KEYS 中没有编号为 {key_id} 的密钥。")
    try:
        return crypto.sm4_gcm_decrypt(key.sm4, base64.urlsafe_b64decode(body), _aad(key_id)).decode()
    except crypto.DecryptionError as exc:
        raise SealingError("敏感信息无法解密：密文已被改动。") from exc


def is_sealed(text: str) -> bool:
    return text.startswith(FERNET_PREFIX) or _SM4_SEALED.match(text) is not None


def key_id_of(text: str) -> str | None:
    """The key an SM4 ciphertext names (a Fernet token names none)."""
    match = _SM4_SEALED.match(text)
    return match.group(1) if match else None


def is_current(text: str) -> bool:
    """Sealed with the first key and the configured cipher: nothing for rotation to do."""
    first = keys()[0]
    if cipher() == "sm4":
        return key_id_of(text) == first.id
    if not text.startswith(FERNET_PREFIX) or first.fernet is None:
        return False
    try:
        first.fernet.decrypt(text[len(FERNET_PREFIX) :].encode())
    except InvalidToken:
        return False
    return True


def reseal(text: str) -> str:
    """`text` sealed with the first key and the configured cipher; unchanged when it
    already is, or when it is not sealed at all."""
    if not is_sealed(text) or is_current(text):
        return text
    return seal(unseal(text))


class SealedTextMixin:
    """For models whose `title` and `body` hold sealed text when the item is 敏感: read
    them through `plain_title` and `plain_body`. SEALED_FIELDS are the columns
    `rotate_item_keys` re-seals."""

    SEALED_FIELDS = ("title", "body")

    @property
    def plain_title(self) -> str:
        return unseal(self.title) if is_sealed(self.title) else self.title

    @property
    def plain_body(self) -> str:
        return unseal(self.body) if is_sealed(self.body) else self.body
