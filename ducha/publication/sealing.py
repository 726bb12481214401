"""Sealing submissions' personal data to the intranet: the one place that handles its keys.

The portal faces the internet, so it must be able to write a citizen's name, ID number,
phone and uploads without being able to read them back: a break-in on the portal host then
yields nothing already submitted. Each value is sealed to a key pair (an "ECIES" box):

    x25519-sm4gcm1: base64( ephemeral public key 32 | nonce 12 | SM4-GCM ciphertext | tag 16 )

An X25519 exchange between a fresh ephemeral key and the installation's submission key gives
a shared secret; HKDF with SM3 derives the SM4 key (国密 GB/T 32905, 32907 for the hash and the
cipher; X25519 because `cryptography` has no SM2 encryption). The associated data binds each
value to its submission and field, so a sealed name cannot be moved to another row or field.

Keys (docs/CONFIGURATION.md):
- ``DUCHA_SUBMISSION_KEY`` (or ``_FILE``, else ``submission_key`` in the data folder): the
  private key, 64 hex digits, held by the intranet only. Back it up apart from the database.
- ``DUCHA_SUBMISSION_PUBLIC_KEY``: what a portal on its own host is given
  (``ducha portal public-key`` prints it). When it is empty the public key is derived from the
  private key, which is created in the data folder on first use: the embedded default, where
  both sites share one machine and its data folder.

This module does not use the data key of ``ducha.audit.gm``: a portal holding that key could
read the second-factor secrets and forge the audit chain's head.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings

PREFIX = b"x25519-sm4gcm1:"
_INFO = b"ducha submission v1"


class NoKey(RuntimeError):
    """This process holds no key for what was asked (a portal has no private key)."""


def _key_file() -> Path:
    return Path(settings.DATA_DIR) / "submission_key"


def _private_hex() -> str:
    if settings.DUCHA_SUBMISSION_KEY:
        return str(settings.DUCHA_SUBMISSION_KEY)
    if settings.DUCHA_SUBMISSION_PUBLIC_KEY:
        raise NoKey("this process has only the submission public key (DUCHA_SUBMISSION_PUBLIC_KEY)")
    return ensure_key_file()


def ensure_key_file() -> str:
    """The private key of the data folder, created once (readable by the owner only)."""
    path = _key_file()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w") as f:
        f.write(os.urandom(32).hex())
    return path.read_text(encoding="utf-8").strip()


def _private_key() -> X25519PrivateKey:
    raw = _private_hex()
    try:
        return X25519PrivateKey.from_private_bytes(bytes.fromhex(raw))
    except ValueError:
        raise ValueError("DUCHA_SUBMISSION_KEY must be 64 hexadecimal digits") from None


def public_key_hex() -> str:
    """The public key submissions are sealed to, as 64 hex digits."""
    if settings.DUCHA_SUBMISSION_PUBLIC_KEY:
        return str(settings.DUCHA_SUBMISSION_PUBLIC_KEY).strip().lower()
    return _private_key().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def _public_key() -> X25519PublicKey:
    try:
        return X25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex()))
    except ValueError:
        raise ValueError("DUCHA_SUBMISSION_PUBLIC_KEY must be 64 hexadecimal digits") from None


def _sm4_key(shared: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    return HKDF(hashes.SM3(), 16, salt=ephemeral + recipient, info=_INFO).derive(shared)


def seal_bytes(plaintext: bytes, *, context: str) -> bytes:
    """Seals for the holder of the private key; anyone with the public key can do this."""
    recipient = _public_key()
    ephemeral = X25519PrivateKey.generate()
    eph_raw = ephemeral.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    rec_raw = recipient.public_bytes(Encoding.Raw, PublicFormat.Raw)
    key = _sm4_key(ephemeral.exchange(recipient), eph_raw, rec_raw)
    nonce = os.urandom(12)
    enc = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    enc.authenticate_additional_data(context.encode())
    body = enc.update(plaintext) + enc.finalize()
    return PREFIX + base64.b64encode(eph_raw + nonce + body + enc.tag)


def open_bytes(token: bytes, *, context: str) -> bytes:
    """The plaintext; cryptography's InvalidTag when the token or its context was altered."""
    if not token.startswith(PREFIX):
        raise ValueError("not a sealed value")
    raw = base64.b64decode(token[len(PREFIX):])
    eph_raw, nonce, body, tag = raw[:32], raw[32:44], raw[44:-16], raw[-16:]
    private = _private_key()
    rec_raw = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    key = _sm4_key(private.exchange(X25519PublicKey.from_public_bytes(eph_raw)), eph_raw, rec_raw)
    dec = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    dec.authenticate_additional_data(context.encode())
    return dec.update(body) + dec.finalize()


def seal_text(text: str, *, context: str) -> str:
    return seal_bytes(text.encode(), context=context).decode("ascii")


def open_text(token: str, *, context: str) -> str:
    return open_bytes(token.encode("ascii"), context=context).decode()
