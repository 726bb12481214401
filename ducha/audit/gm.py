"""国密 primitives (GB/T 32905 SM3, GB/T 32907 SM4) and the installation's data key.

SM3 and SM4 come from `cryptography` (OpenSSL), about 300 times faster than pure-Python
implementations; a known-answer test at start-up (a system check) catches an OpenSSL
build without them. The data key lives outside the database (DUCHA_DATA_KEY or
DATA_DIR/data_key) so that a person who can only write to the database can neither read
the stored TOTP secrets nor forge the MAC on the audit chain's head.
"""

from __future__ import annotations

import base64
import hmac as std_hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings

SM3_ABC = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


class SM3:
    """An incremental SM3 hash (for backup members read in chunks)."""

    def __init__(self, data: bytes = b"") -> None:
        self._h = hashes.Hash(hashes.SM3())
        self._digest: str | None = None
        if data:
            self._h.update(data)

    def update(self, data: bytes) -> None:
        self._h.update(data)

    def hexdigest(self) -> str:
        if self._digest is None:
            self._digest = self._h.finalize().hex()
        return self._digest


def sm3_hex(data: bytes) -> str:
    return SM3(data).hexdigest()


def _master_key() -> bytes:
    raw = settings.DUCHA_DATA_KEY
    if not raw:
        raise ValueError(f"no data key: set DUCHA_DATA_KEY, or run any `ducha` command once to create "
                         f"{settings.DATA_DIR / 'data_key'}")
    try:
        key = bytes.fromhex(raw)
    except ValueError:
        raise ValueError("DUCHA_DATA_KEY must be hexadecimal (64 hex digits)") from None
    if len(key) < 16:
        raise ValueError("DUCHA_DATA_KEY must hold at least 16 bytes (32 hex digits)")
    return key


@lru_cache(maxsize=8)
def _subkey(master: bytes, label: str) -> bytes:
    # One key per purpose, derived with HMAC-SM3, so a MAC key is never an encryption key.
    mac = crypto_hmac.HMAC(master, hashes.SM3())
    mac.update(label.encode())
    return mac.finalize()


def subkey(label: str) -> bytes:
    return _subkey(_master_key(), label)


def hmac_sm3_hex(data: bytes, *, label: str) -> str:
    mac = crypto_hmac.HMAC(subkey(label), hashes.SM3())
    mac.update(data)
    return mac.finalize().hex()


def hmac_matches(data: bytes, tag: str, *, label: str) -> bool:
    return std_hmac.compare_digest(hmac_sm3_hex(data, label=label), tag)


def sm4_gcm_encrypt(plaintext: bytes, *, aad: bytes, label: str = "sm4-gcm v1") -> str:
    """SM4-GCM with a random 96-bit nonce; returns 'sm4gcm1:' + base64(nonce | ciphertext | tag)."""
    nonce = os.urandom(12)
    enc = Cipher(algorithms.SM4(subkey(label)[:16]), modes.GCM(nonce)).encryptor()
    enc.authenticate_additional_data(aad)
    body = enc.update(plaintext) + enc.finalize()
    return "sm4gcm1:" + base64.b64encode(nonce + body + enc.tag).decode("ascii")


def sm4_gcm_decrypt(token: str, *, aad: bytes, label: str = "sm4-gcm v1") -> bytes:
    """The plaintext; raises cryptography's InvalidTag when the token or its context was altered."""
    prefix, _, b64 = token.partition(":")
    if prefix != "sm4gcm1":
        raise ValueError("unknown ciphertext format")
    raw = base64.b64decode(b64)
    nonce, body, tag = raw[:12], raw[12:-16], raw[-16:]
    dec = Cipher(algorithms.SM4(subkey(label)[:16]), modes.GCM(nonce, tag)).decryptor()
    dec.authenticate_additional_data(aad)
    return dec.update(body) + dec.finalize()


def self_test() -> str | None:
    """None when SM3 and SM4-GCM work here; otherwise what is wrong."""
    try:
        if sm3_hex(b"abc") != SM3_ABC:
            return "SM3 known-answer test failed"
        nonce = b"\0" * 12
        enc = Cipher(algorithms.SM4(b"\1" * 16), modes.GCM(nonce)).encryptor()
        enc.update(b"x")
        enc.finalize()
    except Exception as exc:  # an OpenSSL build without the 国密 algorithms
        return f"SM3/SM4 unavailable: {exc}"
    return None
