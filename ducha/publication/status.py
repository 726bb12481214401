"""The status look-up by receipt number and query code, without an account.

The intranet publishes an application's status as a publication of kind
``application_status`` keyed by its receipt number as printed (capital letters, no spaces: what
people type is normalised to that), with ``query_code_hash`` (from
``hash_query_code``) in the payload. ``look_up`` answers only when both match, and spends
the same work (one slow hash check) whether the number is unknown, withdrawn or the code
wrong, so neither the answer nor its timing tells which receipt numbers exist.
"""

from __future__ import annotations

import secrets

from django.contrib.auth.hashers import check_password, get_hasher, make_password

from ducha.publication.models import Kind, Publication
from ducha.publication.publish import shown
from ducha.rules.identity import normalise

# Per hasher, a hash of a code nobody knows, checked when there is nothing to check against
# (an unusable hash would answer at once and tell the numbers that exist from the others).
_decoys: dict[str, str] = {}


def _decoy() -> str:
    algorithm = str(get_hasher().algorithm)
    if algorithm not in _decoys:
        _decoys[algorithm] = make_password(secrets.token_urlsafe(24))
    return _decoys[algorithm]


def prepare() -> None:
    """Makes the decoy before the first look-up, which would otherwise take twice as long."""
    _decoy()


def hash_query_code(code: str) -> str:
    """What the intranet puts in the payload as ``query_code_hash`` (salted, slow)."""
    return make_password(normalise(code))


def look_up(receipt: str, code: str) -> Publication | None:
    """The current status publication of the receipt, or None (unknown number or wrong code alike)."""
    receipt = normalise(receipt)[:100]
    publication = shown(Kind.APPLICATION_STATUS, receipt) if receipt else None
    stored = publication.payload.get("query_code_hash", "") if publication else ""
    matches = check_password(normalise(code), stored or _decoy())
    return publication if publication is not None and stored and matches else None
