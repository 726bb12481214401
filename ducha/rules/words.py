"""What a rule says when it refuses, as a code with parameters; the words come from the app.

A rule raises ``RuleError`` subclasses carrying ``code`` and ``params``. The sentence is made
at raise time by the installed wording function: the web app installs one that translates
through the catalogue into the active language (``ducha.web.apps``); without it (plain
Python, no Django) the English templates below are used. The templates are %-style with
named parameters, and each is a msgid of the Chinese catalogue (a test checks that).

Parameters named ``action``, ``status``, ``actor`` and ``phase`` are codes the app words too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

MESSAGES: dict[str, str] = {
    # lifecycle (S2.6, S2.7)
    "transition.unknown": "Unknown action: %(action)s.",
    "transition.not_allowed": "Not allowed for you: “%(action)s”.",
    "transition.wrong_status": "The matter is “%(status)s”: “%(action)s” is not possible now.",
    "transition.reason_required": "“%(action)s” needs a reason.",
    # working-day calendar (S1.13)
    "calendar.uncovered": "The working-day calendar does not cover %(year)s: import that year's holiday notice.",
    # ledger phases (S2.4)
    "ledger.phase_done": "%(phase)s was already done; it is not run twice.",
    "ledger.phase_order": "%(earlier)s must be done before %(phase)s.",
    # reminder ladder
    "ladder.duplicate_code": "Each rung needs its own code.",
    "ladder.same_day": "Two rungs fire on the same working day.",
    "ladder.nobody": "Rung %(rung)s reaches nobody.",
    "ladder.offset": "The working-day offset of rung %(rung)s is out of range (-60 to 250).",
}

Wording = Callable[[str, Mapping[str, object]], str]


def _english(code: str, params: Mapping[str, object]) -> str:
    return MESSAGES[code] % dict(params)


_wording: Wording = _english


def install(wording: Wording) -> None:
    """The app's wording function (translation into the active language)."""
    global _wording
    _wording = wording


def say(code: str, **params: object) -> str:
    """The sentence for ``code`` in the active language."""
    return _wording(code, params)


class RuleError(ValueError):
    """A rule's refusal: ``code`` and ``params`` for programs, the sentence for people."""

    def __init__(self, code: str, **params: object) -> None:
        self.code = code
        self.params = params
        super().__init__(say(code, **params))
