"""Writes of electronic supervision (S3.3): a card opens an efficiency case (效能问题线索, S1.14)
in one step.

The supervision office opens it: efficiency cases are its register (``accountability``'s
``do_open_case`` lets no one else open one), while the approval service office sees the card on
its board and hears of it, and asks the supervision office. The case is against the card's
department, for slow action (慢作为), source ``approval_card``; the card keeps the link, once.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from ducha.accountability.access import registers
from ducha.accountability.actions import MAX_TEXT, AccountabilityError
from ducha.accountability.actions_cases import CaseInput, do_open_case
from ducha.accountability.models import Case, CaseSource, Conduct
from ducha.approvals.models import Card, CardColour
from ducha.audit.api import record as audit
from ducha.org.models import User

__all__ = ["SupervisionError", "case_effect", "do_open_case_from_card", "opens_cases"]


class SupervisionError(Exception):
    def __init__(self, errors: dict[str, str] | str) -> None:
        self.errors = errors if isinstance(errors, dict) else {"__all__": errors}
        super().__init__("; ".join(self.errors.values()))


class NotYours(SupervisionError):
    """The person may see the card but not act on it (a 403)."""


def opens_cases(user: User) -> bool:
    return registers(user)


def _card(card_id: int) -> Card:
    card = (Card.objects.select_related("application__version", "step__step", "unit")
            .filter(pk=card_id).first())
    if card is None:
        raise SupervisionError({"card": _("No card with id %(id)s.") % {"id": card_id}})
    return card


def case_summary(card: Card) -> str:
    """What the case says, built from the card: the application, the step, the days."""
    app = card.application
    colour = "红牌" if card.colour == CardColour.RED else "黄牌"
    where = f"第{card.step.step.order}环节“{card.step.step.action}”" if card.step else "办件"
    return (f"电子监察{colour}：{app.receipt_number}（{app.version.name}，{app.applicant_name}）{where}"
            f"时限{card.limit_days}个工作日，{card.issued_on:%Y-%m-%d}已用{card.used_days}个工作日。")[:MAX_TEXT]


def case_effect(card: Card) -> str:
    """What confirming does, in words, for the question asked before it is done."""
    return _("an efficiency case (slow action) is opened against %(unit)s for card %(id)s on application "
             "%(number)s; it cannot be undone from here") % {
        "unit": card.unit.name, "id": card.pk, "number": card.application.receipt_number}


def do_open_case_from_card(*, actor: User, card_id: int, confirm: bool) -> Case:
    """Open the efficiency case for a card, once; the card keeps the link."""
    if not opens_cases(actor):
        raise NotYours(_("Only the supervision office opens efficiency cases."))
    card = _card(card_id)
    if card.case_id:
        raise SupervisionError(_("Card %(id)s already opened efficiency case %(case)s.")
                               % {"id": card.pk, "case": card.case_id})
    if not confirm:
        raise SupervisionError({"confirm": pgettext("approval", "Nothing was opened. Confirm it: %(effect)s")
                                % {"effect": case_effect(card)}})
    with transaction.atomic():
        if Card.objects.select_for_update().filter(pk=card.pk, case__isnull=True).first() is None:
            raise SupervisionError(_("This card opened an efficiency case already."))
        try:
            case = do_open_case(actor=actor, data=CaseInput(
                unit_id=card.unit_id, conduct=Conduct.SLOW, source=CaseSource.APPROVAL_CARD,
                summary=case_summary(card)))
        except AccountabilityError as e:
            raise SupervisionError(e.errors) from None
        Card.objects.filter(pk=card.pk).update(case=case)
        audit(actor=actor, action="approvals.card_case", obj_type="approvals.Card", obj_id=card.pk,
              before={"case": None}, after={"case": case.pk})
    card.case = case
    return case
