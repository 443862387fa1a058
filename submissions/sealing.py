"""Encryption at rest for 敏感 items (Fernet: AES-128-CBC with HMAC-SHA256).

Sealed text is stored as "fernet:<token>" in the ordinary text columns, so a row says by
itself whether it is sealed. Keys come from ITEM_ENCRYPTION_KEYS (comma-separated; the
first encrypts, all decrypt, which allows rotation).
"""

from functools import cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings

PREFIX = "fernet:"


@cache
def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(k.encode()) for k in settings.ITEM_ENCRYPTION_KEYS])


def seal(text: str) -> str:
    return PREFIX + _fernet().encrypt(text.encode()).decode()


def unseal(text: str) -> str:
    return _fernet().decrypt(text[len(PREFIX) :].encode()).decode()


def is_sealed(text: str) -> bool:
    return text.startswith(PREFIX)


class SealedTextMixin:
    """For models whose `title` and `body` hold sealed text when the item is 敏感: read
    them through `plain_title` and `plain_body`."""

    @property
    def plain_title(self) -> str:
        return unseal(self.title) if is_sealed(self.title) else self.title

    @property
    def plain_body(self) -> str:
        return unseal(self.body) if is_sealed(self.body) else self.body
