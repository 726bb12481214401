"""Shared by the portal's tests: the portal's settings on the test client, sample publications."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.cache import cache

from ducha.publication.models import Kind
from ducha.publication.publish import publish
from ducha.publication.status import hash_query_code

# A throw-away private key for the tests' sealed fields (never one of an installation).
TEST_SUBMISSION_KEY = "5f" * 32
PORTAL_SETTINGS = ("ROOT_URLCONF", "MIDDLEWARE", "TEMPLATES", "SESSION_ENGINE", "SESSION_COOKIE_NAME",
                   "CSRF_COOKIE_NAME", "LANGUAGE_COOKIE_NAME", "SESSION_COOKIE_AGE", "DUCHA_DATA_KEY")


def pdf_bytes(text: str = "ducha") -> bytes:
    """A small file that the upload check takes for a PDF (its magic number and a body)."""
    body = f"%PDF-1.4\n1 0 obj << /Title ({text}) >> endobj\ntrailer << >>\n%%EOF\n".encode()
    return body


@pytest.fixture
def portal_settings(settings, tmp_path):
    import ducha.portal_settings as portal

    for name in PORTAL_SETTINGS:
        setattr(settings, name, getattr(portal, name))
    settings.DUCHA_PUBLISHED_DIR = tmp_path / "published"
    settings.DUCHA_SUBMISSION_KEY = TEST_SUBMISSION_KEY
    settings.DUCHA_SUBMISSION_PUBLIC_KEY = ""
    cache.clear()
    yield settings
    cache.clear()


def publish_catalogue_item(code: str = "410100-XK-001", **extra: Any):
    payload = {
        "code": code, "version": 2, "name": {"zh": "食品经营许可", "en": "Food business licence"},
        "kind": {"zh": "行政许可", "en": "Administrative licensing"},
        "department": {"zh": "市市场监督管理局", "en": "City market regulation bureau"},
        "legal_basis": "《中华人民共和国食品安全法》第三十五条", "conditions": {"zh": "有固定经营场所。", "en": "A fixed place."},
        "service_type": "2", "statutory_days": 20, "promised_days": 5, "online": True,
        "fees": [],
        "materials": [{"code": "M01", "name": {"zh": "营业执照", "en": "Business licence"}, "required": True,
                       "form": {"zh": "电子件", "en": "Electronic"}, "copies": 1}],
        "places": [{"area": {"zh": "市本级", "en": "City"}, "level": {"zh": "市级办理", "en": "City"}}],
        **extra,
    }
    return publish(Kind.CATALOGUE_ITEM, code, "食品经营许可", payload)


def publish_status(receipt: str = "SP2026120001", code: str = "K7XPM2AB", files=()):
    payload = {"query_code_hash": hash_query_code(code), "item": {"zh": "食品经营许可", "en": "Food business licence"},
               "state": "decided", "state_words": {"zh": "已办结", "en": "Decided"},
               "received": "2026-12-01", "due": "2026-12-08", "steps": [{"date": "2026-12-01", "words": "收件"}]}
    return publish(Kind.APPLICATION_STATUS, receipt, receipt, payload, files=files)


def upload(name: str, data: bytes):
    file = io.BytesIO(data)
    file.name = name  # type: ignore[attr-defined]
    file.size = len(data)  # type: ignore[attr-defined]
    return file
