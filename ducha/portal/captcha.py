"""The site's own captcha: a distorted PNG of five characters, drawn here, no third party.

The answer never leaves the server in clear: the (signed, readable) session cookie holds a
nonce and an HMAC of nonce and answer; the picture goes into the page as a data: URL, so there
is no image address to fetch again. Each challenge is answered once: it is dropped from the
session when checked and its nonce is remembered in the cache, so a replayed cookie fails.
"""

from __future__ import annotations

import base64
import io
import random
import secrets
import time

from django.core.cache import cache
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare, salted_hmac

# Shapes that survive distortion without looking alike (no 0/O, 1/I/L, 2/Z, 5/S, 8/B).
ALPHABET = "34679ACDEFHJKMNPRTUVWXY"
LENGTH = 5
LIFETIME = 600
_SESSION_KEY = "portal_captcha"


def _mac(nonce: str, answer: str) -> str:
    return salted_hmac("ducha.portal.captcha", f"{nonce}:{answer.upper()}", algorithm="sha256").hexdigest()


def challenge(request: HttpRequest) -> str:
    """A new challenge for this visitor; returns the picture as a data: URL."""
    answer = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    nonce = secrets.token_urlsafe(12)
    request.session[_SESSION_KEY] = {"nonce": nonce, "mac": _mac(nonce, answer), "at": int(time.time())}
    return "data:image/png;base64," + base64.b64encode(render_png(answer)).decode("ascii")


def solved(request: HttpRequest, answer: str) -> bool:
    """True once per challenge, when the answer matches (case and spaces ignored) in time."""
    held = request.session.pop(_SESSION_KEY, None)
    if not isinstance(held, dict) or time.time() - int(held.get("at", 0)) > LIFETIME:
        return False
    nonce = str(held.get("nonce", ""))
    if not nonce or not cache.add(f"captcha-used:{nonce}", 1, timeout=LIFETIME):
        return False
    return constant_time_compare(_mac(nonce, "".join(answer.split())), str(held.get("mac", "")))


def render_png(answer: str) -> bytes:
    # Pillow arrives with WeasyPrint; its built-in scalable font needs no font file.
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    rng = random.SystemRandom()
    width, height = 44 * len(answer) + 20, 64
    image = Image.new("RGB", (width, height), (246, 247, 249))
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        draw.line([(rng.randint(0, width), rng.randint(0, height)) for _ in range(2)],
                  fill=(rng.randint(120, 200),) * 3, width=2)
    font = ImageFont.load_default(size=40)
    for i, char in enumerate(answer):
        glyph = Image.new("RGBA", (56, 60), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((10, 4), char, font=font, fill=(rng.randint(10, 70), rng.randint(10, 70), 90))
        glyph = glyph.rotate(rng.uniform(-28, 28), resample=Image.Resampling.BICUBIC)
        image.paste(glyph, (10 + i * 44 + rng.randint(-4, 4), rng.randint(-2, 6)), glyph)
    for _ in range(3):
        draw.arc([rng.randint(-40, width // 2), rng.randint(-20, height // 2), rng.randint(width // 2, width + 40),
                  rng.randint(height // 2, height + 20)], rng.randint(0, 180), rng.randint(180, 360),
                 fill=(60, 60, 110), width=2)
    image = image.filter(ImageFilter.SMOOTH)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
