"""Administrative approval over the API: the applications (S3.1–S3.5)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["approvals"])
