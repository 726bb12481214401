"""Administrative approval over the API: an accepted application's handling (S3.3, S3.4)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["approvals"])
