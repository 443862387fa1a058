"""The 国密 primitives the application uses: SM3 (GB/T 32905), HMAC-SM3 and SM4
(GB/T 32907) in GCM mode, all from the `cryptography` package and its bundled OpenSSL.

One place, so that sealing (submissions) and the audit chain (audit) use the same
implementation, and the published test vectors are checked against it once
(tests/submissions/test_sealing_sm4.py).
"""

import hmac as _stdlib_hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as _hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

SM4_KEY_BYTES = 16
GCM_NONCE_BYTES = 12  # the size GCM is defined for without an extra GHASH of the nonce
GCM_TAG_BYTES = 16


class DecryptionError(ValueError):
    """A ciphertext that does not open with the key: altered, truncated or another key."""


def sm3(data: bytes) -> bytes:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize()


def hmac_sm3(key: bytes, data: bytes) -> bytes:
    mac = _hmac.HMAC(key, hashes.SM3())
    mac.update(data)
    return mac.finalize()


def sm3_stream() -> hashes.Hash:
    """SM3 over data given piece by piece (update(), then finalize())."""
    return hashes.Hash(hashes.SM3())


def hmac_sm3_stream(key: bytes) -> _hmac.HMAC:
    """HMAC-SM3 over data given piece by piece (update(), then finalize())."""
    return _hmac.HMAC(key, hashes.SM3())


def equal(a: bytes, b: bytes) -> bool:
    """Constant-time comparison, for MACs."""
    return _stdlib_hmac.compare_digest(a, b)


def sm4_encrypt_block(key: bytes, block: bytes) -> bytes:
    """One 16-byte block through SM4: only for the published test vector."""
    encryptor = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()  # noqa: S305 (one block, a test vector)
    return encryptor.update(block) + encryptor.finalize()


def sm4_gcm_encrypt(key: bytes, plaintext: bytes, aad: bytes = b"") -> bytes:
    """nonce ‖ ciphertext ‖ tag, with a fresh random nonce (a 96-bit random nonce per
    message is safe far beyond the number of items an office will ever seal with a key)."""
    nonce = os.urandom(GCM_NONCE_BYTES)
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    body = encryptor.update(plaintext) + encryptor.finalize()
    return nonce + body + encryptor.tag


def sm4_gcm_decrypt(key: bytes, sealed: bytes, aad: bytes = b"") -> bytes:
    if len(sealed) < GCM_NONCE_BYTES + GCM_TAG_BYTES:
        raise DecryptionError("ciphertext too short")
    nonce, body, tag = sealed[:GCM_NONCE_BYTES], sealed[GCM_NONCE_BYTES:-GCM_TAG_BYTES], sealed[-GCM_TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(aad)
    try:
        return decryptor.update(body) + decryptor.finalize()
    except InvalidTag as exc:
        raise DecryptionError("SM4-GCM tag does not match") from exc
