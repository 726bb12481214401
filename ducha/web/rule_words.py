"""The words of the rules' refusals (``ducha.rules.words``) in the active language: the
sentence from the catalogue, and the codes among its parameters (an action, a status, a
ledger phase) by their names."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext

from ducha.rules.words import MESSAGES


def _param(key: str, value: object) -> object:
    if key == "action":
        from ducha.matters.templatetags.matters_tags import ACTION_LABELS

        return ACTION_LABELS.get(str(value), value)
    if key == "status":
        from ducha.matters.models import Status

        return Status(value).label if value in Status.values else value
    if key in ("phase", "earlier"):
        from ducha.ledger.models import Phase

        return Phase(value).label if value in Phase.values else value
    return value


def wording(code: str, params: Mapping[str, object]) -> str:
    return gettext(MESSAGES[code]) % {k: _param(k, v) for k, v in params.items()}
