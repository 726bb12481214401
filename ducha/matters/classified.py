"""S5.2 classified matters (涉密事项): the platform is paperless except for classified documents,
which are handled offline. The supervision office may register such a matter's reference number
alone so the matter is counted and can be found again; nothing else of it is sent or stored.

Only the reference number is kept (with who registered it and when, for the audit trail): a lead
unit or due date could already tell what a classified matter concerns, and its supervision happens
offline with the paper file, so the platform does not remind or score it.
"""

from __future__ import annotations

import unicodedata

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from ducha.audit.api import record
from ducha.matters.access import can_create_matters
from ducha.matters.actions import MatterError
from ducha.matters.models import ClassifiedRegistration
from ducha.org.models import User

REFERENCE_MAX = 60


def clean_reference(text: str) -> str:
    """The reference as typed, with full-width letters and digits made plain and spaces trimmed."""
    return unicodedata.normalize("NFKC", text).strip()


def reference_errors(reference: str) -> dict[str, str]:
    if not reference:
        return {"reference": _("Enter the classified matter's reference number: only the number is registered.")}
    if len(reference) > REFERENCE_MAX:
        return {"reference": _("The reference number is at most %(n)d characters.") % {"n": REFERENCE_MAX}}
    if any(unicodedata.category(c).startswith("C") for c in reference):
        return {"reference": _("The reference number is one line of text.")}
    return {}


def do_register_classified(*, actor: User, reference: str) -> ClassifiedRegistration:
    """Register a classified matter by its reference number alone (S5.2 只能登记编号)."""
    if not can_create_matters(actor):
        raise MatterError(_("Only the supervision office and the general office register matters."))
    reference = clean_reference(reference)
    errors = reference_errors(reference)
    if errors:
        raise MatterError(errors)
    try:
        with transaction.atomic():
            registration = ClassifiedRegistration.objects.create(reference=reference, registered_by=actor)
    except IntegrityError:
        raise MatterError({"reference": _("Reference number %(reference)s is already registered.")
                           % {"reference": reference}}) from None
    record(actor=actor, action="matter.classified_register", obj_type="matters.ClassifiedRegistration",
           obj_id=registration.pk, before=None, after={"reference": reference})
    return registration


def visible_classified(user: User) -> QuerySet[ClassifiedRegistration]:
    """The registrations, to the offices that register matters; nobody else sees even the numbers."""
    if not can_create_matters(user):
        return ClassifiedRegistration.objects.none()
    return ClassifiedRegistration.objects.all()
