"""Publishing to the public site, and reading what it shows.

    from ducha.publication.publish import publish, withdraw
    publish(Kind.BULLETIN, "宛督〔2026〕12号", "2026年11月督查通报", payload, files=[("通报.pdf", pdf_bytes)])
    withdraw(Kind.BULLETIN, "宛督〔2026〕12号")

The intranet's ``do_*`` actions call these inside their own transaction (and write their own
audit record): a rollback there takes the publication with it. Each call adds a version;
the portal shows the current version of each (kind, key), unless it is a withdrawal. Payload
shapes per kind are documented in ducha.portal.views. A file is checked by its content
(ducha.security.uploads) and copied into DUCHA_PUBLISHED_DIR under its SHA-256, so the portal
serves bytes the intranet chose and never reads the intranet's own media folder; a copy left
behind by a rolled-back transaction is never linked and costs only its space.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from ducha.publication.models import Kind, Publication, PublishedFile
from ducha.security.uploads import check_upload

FILE_KINDS = frozenset({"pdf", "ofd", "docx", "xlsx", "png", "jpg"})
FileSpec = tuple[str, bytes | Path]


def _store(name: str, content: bytes | Path) -> tuple[str, str, int, str]:
    data = content.read_bytes() if isinstance(content, Path) else content
    checked = check_upload(ContentFile(data, name=name), allowed=FILE_KINDS)
    digest = hashlib.sha256(data).hexdigest()
    relative = f"{digest[:2]}/{digest}{Path(name).suffix.lower()}"
    target = Path(settings.DUCHA_PUBLISHED_DIR) / relative
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        # Written aside and renamed, so the portal never serves half a file.
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(temp, 0o644)
        os.replace(temp, target)
    return checked.kind, digest, len(data), relative


def _add_version(kind: str, key: str, title: str, payload: dict[str, Any], withdrawn: bool) -> Publication:
    previous = (Publication.objects.select_for_update()
                .filter(kind=kind, key=key).order_by("-version").first())
    if previous is not None and previous.current:
        Publication.objects.filter(pk=previous.pk).update(current=False)
    return Publication.objects.create(
        kind=kind, key=key, version=(previous.version + 1) if previous else 1, title=title[:300],
        payload=payload, published_at=timezone.now(), withdrawn=withdrawn, current=True)


def publish(kind: str, key: str, title: str, payload: dict[str, Any],
            files: Iterable[FileSpec] = ()) -> Publication:
    """Publishes a new version of (kind, key) with its files (name, bytes or a path); returns it.

    Raises ValueError for an unknown kind or an empty key, and django's ValidationError for a
    file whose content is not one of FILE_KINDS."""
    if kind not in Kind.values:
        raise ValueError(f"unknown publication kind: {kind!r}")
    if not key or len(key) > 100:
        raise ValueError("a publication needs a key of 1 to 100 characters")
    stored = [(name, *_store(name, content)) for name, content in files]
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                publication = _add_version(kind, key, title, payload, withdrawn=False)
                PublishedFile.objects.bulk_create(
                    PublishedFile(publication=publication, position=i, name=name[:200], kind=file_kind, size=size,
                                  sha256=digest, path=relative)
                    for i, (name, file_kind, digest, size, relative) in enumerate(stored))
            return publication
        except IntegrityError:
            # Two first versions at once: the loser finds the winner's row and follows it.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def withdraw(kind: str, key: str) -> Publication | None:
    """Takes (kind, key) off the public site by adding a withdrawn version; None when nothing
    of that kind and key is shown."""
    with transaction.atomic():
        shown = current(kind).filter(key=key).select_for_update().first()
        if shown is None:
            return None
        return _add_version(kind, key, shown.title, {}, withdrawn=True)


def current(kind: str) -> QuerySet[Publication]:
    """What the portal shows of one kind: the current versions that are not withdrawals."""
    return Publication.objects.filter(kind=kind, current=True, withdrawn=False)


def shown(kind: str, key: str) -> Publication | None:
    return current(kind).filter(key=key).first()
