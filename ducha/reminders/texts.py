"""The words of a reminder. Composed once, when the reminder is created, and stored: the
inbox, the e-mail, the SMS and the robot message all say the same thing, and what was
said stays on record even if the matter changes later."""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from django.utils.translation import gettext as _

from ducha.rules.escalation import DueReminder, Kind, LetterReason


class MatterLine(NamedTuple):
    """The few facts of a matter a message needs (read in the claim query, no extra lookups).
    A named tuple: one is made per reminder, and it costs a fifth of a frozen dataclass."""

    id: int
    number: str
    title: str
    due: date | None
    progress: int
    lead_unit: str


class Phrases:
    """The message templates in the active language, translated once per scan instead of once
    per reminder (a gettext call costs more than composing the message)."""

    def __init__(self) -> None:
        self.overdue = _("[Overdue %(n)d working days]")
        self.due_today = _("[Due today]")
        self.due_soon = _("[Due soon]")
        self.deadline = _("%(subject)s, lead unit %(unit)s, is due on %(due)s; progress %(progress)d%%. Step: %(step)s.")
        # The step is the ladder's name for the rung, whose own words may count days ("逾期10个工作日"),
        # while a matter first looked at long after its due date gets that last rung however late it
        # is. The body states the lateness from the title's figure and quotes the step as a name.
        self.overdue_body = _("%(subject)s, lead unit %(unit)s, was due on %(due)s and is %(n)d working days "
                              "overdue; progress %(progress)d%%. Escalation step reached: “%(step)s”.")
        self.inaction_head = _("[No progress reported]")
        self.inaction = _("%(subject)s: no progress has been reported for %(n)d working days (since before "
                          "%(since)s). Please report progress.")
        self.behind_head = _("[Behind schedule]")
        self.behind = _("%(subject)s: progress %(progress)d%% is %(gap)d points behind the working time elapsed "
                        "(due %(due)s).")
        self.co_overdue_head = _("[Co-unit overdue]")
        self.co_overdue = _("%(subject)s: co-unit %(co)s has not finished its part “%(part)s”, due %(due)s "
                            "(%(n)d working days overdue). A reminder letter to it is proposed.")
        self.co_silent_head = _("[Co-unit silent]")
        self.co_silent = _("%(subject)s: co-unit %(co)s has reported no progress on its part “%(part)s” for "
                           "%(n)d working days. A reminder letter to it is proposed.")


def compose(m: MatterLine, r: DueReminder, p: Phrases, *, rung_name: str = "", rung_offset: int = 0,
            co_unit: str = "", co_part: str = "") -> tuple[str, str]:
    """(title, body) of a reminder."""
    subject = f"{m.number} {m.title}"
    due = r.deadline.isoformat()
    if r.kind == Kind.DEADLINE:
        facts = {"subject": subject, "unit": m.lead_unit, "due": due, "progress": m.progress, "step": rung_name}
        if r.workdays > 0:
            head, body = p.overdue % {"n": r.workdays}, p.overdue_body % {**facts, "n": r.workdays}
        else:
            head, body = p.due_today if rung_offset == 0 else p.due_soon, p.deadline % facts
    elif r.kind == Kind.INACTION:
        head = p.inaction_head
        body = p.inaction % {"subject": subject, "n": r.workdays, "since": due}
    elif r.kind == Kind.BEHIND:
        head = p.behind_head
        body = p.behind % {"subject": subject, "progress": m.progress, "gap": r.workdays, "due": due}
    else:
        overdue = r.letter_reason == LetterReason.OVERDUE
        head = p.co_overdue_head if overdue else p.co_silent_head
        body = (p.co_overdue if overdue else p.co_silent) % {
            "subject": subject, "co": co_unit, "part": co_part[:60], "due": due, "n": r.workdays}
    return f"{head} {subject}"[:200], body


def sms_text(title: str, body: str, limit: int = 160) -> str:
    """SMS gateways bill per 70-character segment; keep it to a few and cut cleanly."""
    return body if len(body) <= limit else body[: limit - 1] + "…"
