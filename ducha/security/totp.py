"""TOTP second factor (RFC 6238): 30-second steps, ±1 step of clock drift, each code once.

The shared secret is stored encrypted with SM4-GCM under the installation's data key,
bound to the account id, so a database copy alone does not yield working codes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pyotp
import segno
from django.conf import settings
from django.utils import timezone

from ducha.audit.gm import sm4_gcm_decrypt, sm4_gcm_encrypt
from ducha.security.models import TOTPDevice

STEP = 30
WINDOW = 1
LABEL = "totp secret v1"


def _aad(user_id: int) -> bytes:
    return f"totp:{user_id}".encode()


def encrypt_secret(user_id: int, secret: str) -> str:
    return sm4_gcm_encrypt(secret.encode(), aad=_aad(user_id), label=LABEL)


def decrypt_secret(device: TOTPDevice) -> str:
    return sm4_gcm_decrypt(device.secret_encrypted, aad=_aad(device.user_id), label=LABEL).decode()


def new_secret() -> str:
    return pyotp.random_base32(32)  # 160 bits, RFC 4226's recommended length


def provisioning_uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret, interval=STEP).provisioning_uri(name=username, issuer_name=settings.DUCHA_TOTP_ISSUER)


def qr_svg(uri: str) -> str:
    """An inline SVG QR code (no style attributes, so the strict CSP allows it)."""
    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="svg", xmldecl=False, svgns=True, nl=False, scale=5,
                                    border=2, title="TOTP")
    return out.getvalue().decode()


def current_step() -> int:
    return int(timezone.now().timestamp()) // STEP


def matching_step(secret: str, code: str) -> int | None:
    """The step (now -1, 0, +1) whose code equals `code`, else None."""
    code = "".join(code.split())
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, interval=STEP)
    now = current_step()
    for step in (now, now - WINDOW, now + WINDOW):
        if pyotp.utils.strings_equal(totp.generate_otp(step), code):
            return step
    return None


@dataclass(frozen=True)
class Check:
    ok: bool
    replayed: bool = False


def use_code(device: TOTPDevice, code: str) -> Check:
    """Accepts a code once: a conditional UPDATE claims its step, so two racing uses cannot both win."""
    step = matching_step(decrypt_secret(device), code)
    if step is None:
        return Check(False)
    claimed = TOTPDevice.objects.filter(pk=device.pk, last_used_step__lt=step).update(last_used_step=step)
    return Check(bool(claimed), replayed=not claimed)
