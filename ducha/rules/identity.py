"""Identity numbers the public types in: the 18-character 公民身份号码 (GB 11643-1999) and the
统一社会信用代码 (GB 32100-2015), each ending in a check character.

A public form cannot ask a clerk to look twice, so a mistyped or swapped character is caught
at the door; the check characters catch every single wrong character and almost every swap.
A valid check character proves only that the number is well formed, never that it exists.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

__all__ = ["IdKind", "credit_code_check", "credit_code_valid", "id_kind", "id_number_check", "id_number_valid",
           "normalise", "phone_valid"]

IdKind = Literal["person", "organisation"]

# GB 11643-1999 §8: weight of position i (1-based, from the left) is 2^(18-i) mod 11.
_ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_ID_CHECK = "10X98765432"
_ID_SHAPE = re.compile(r"[1-9]\d{16}[\dX]")
# GB 32100-2015 §4.2: the 31 characters a code may use (no I, O, S, V, Z) and weights 3^i mod 31.
_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_PHONE = re.compile(r"1[3-9]\d{9}")
_FIRST_BIRTH_YEAR = 1900


def normalise(text: str) -> str:
    """What people type, as the standards write it: no spaces, capital letters, full-width
    characters (from Chinese input methods) made half-width."""
    half = "".join(chr(ord(c) - 0xFEE0) if "\uff01" <= c <= "\uff5e" else c for c in text)
    return "".join(half.split()).upper()


def id_number_check(first17: str) -> str:
    """The check character of a 身份证号's first 17 digits."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("17 digits are needed")
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def id_number_valid(text: str) -> bool:
    """An 18-character 公民身份号码: a region code, a real birth date from 1900 on, a sequence
    number and its check character."""
    if not _ID_SHAPE.fullmatch(text):
        return False
    try:
        born = date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return False
    return born.year >= _FIRST_BIRTH_YEAR and id_number_check(text[:17]) == text[17]


def credit_code_check(first17: str) -> str:
    """The check character of a 统一社会信用代码's first 17 characters."""
    if len(first17) != 17 or any(c not in _CREDIT_CHARS for c in first17):
        raise ValueError("17 characters of the code's alphabet are needed")
    total = sum(_CREDIT_CHARS.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return _CREDIT_CHARS[(31 - total % 31) % 31]


def credit_code_valid(text: str) -> bool:
    """An 18-character 统一社会信用代码: the registering body, the kind, the six-digit region
    code, the nine-character organisation code and its check character."""
    if len(text) != 18 or any(c not in _CREDIT_CHARS for c in text):
        return False
    if not text[2:8].isdigit():
        return False
    return credit_code_check(text[:17]) == text[17]


def id_kind(text: str) -> IdKind | None:
    """"person" for a valid 身份证号, "organisation" for a valid 统一社会信用代码, else None
    (the text is normalised first)."""
    text = normalise(text)
    if id_number_valid(text):
        return "person"
    if credit_code_valid(text):
        return "organisation"
    return None


def phone_valid(text: str) -> bool:
    """A mainland mobile number: 11 digits starting 13 to 19."""
    return _PHONE.fullmatch(normalise(text)) is not None
