"""Joint approval (联合审批, S3.4; 行政许可法 arts. 26, 42 ¶2): "一章通、一单清、一费结".

A project qualifies when it is a provincial or municipal key project, its investment is at least
``DUCHA_APPROVAL_JOINT_INVESTMENT`` yuan, or the city designates it. Then the items it needs are
reviewed together as one application (``Application.version`` the lead item, ``members`` the
others):

- **one list** (一单清): one materials list; a material two items need (the same ``Material.code``)
  is asked for once;
- **one fee sheet** (一费结): every item's fees, itemised, and their sum;
- **one seal** (一章通): one combined decision under the lead department's seal or the approval
  service office's (``DUCHA_APPROVAL_JOINT_SEAL``);
- the departments review in parallel (each item's flow runs from acceptance, side by side), within
  45 working days (+15 with the same-level government's approval, art. 42 ¶2).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ducha.approvals.catalogue import version_in_force
from ducha.approvals.intake import works_the_window
from ducha.approvals.models import Application, ApplicationMaterial, Event, Item, ItemVersion, Material
from ducha.org.models import Unit, User
from ducha.workcal import service as workcal

__all__ = ["CombinedMaterial", "FeeLine", "JointError", "JointNotYours", "combined_materials", "do_receive_joint_application",
           "fee_sheet", "qualifies", "seal_unit"]

KEY_PROVINCIAL = "key_provincial"
KEY_CITY = "key_city"
INVESTMENT = "investment"
DESIGNATED = "designated"
REASONS = (KEY_PROVINCIAL, KEY_CITY, INVESTMENT, DESIGNATED)


class JointError(ValueError):
    """Bad input for a joint application; ``errors`` maps field names to messages."""

    def __init__(self, errors: dict[str, str] | str) -> None:
        self.errors = errors if isinstance(errors, dict) else {"__all__": errors}
        super().__init__("; ".join(self.errors.values()))


class JointNotYours(JointError):
    """Not the window's people (the API answers 403)."""


def qualifies(*, provincial_key: bool, city_key: bool, investment: Decimal | int | None,
              designated: bool) -> str | None:
    """Why a project qualifies for joint approval, or None: the first that holds of a provincial
    key project, a municipal key project, the investment threshold, the city's designation."""
    if provincial_key:
        return KEY_PROVINCIAL
    if city_key:
        return KEY_CITY
    if investment is not None and Decimal(investment) >= Decimal(settings.DUCHA_APPROVAL_JOINT_INVESTMENT):
        return INVESTMENT
    if designated:
        return DESIGNATED
    return None


def reason_label(reason: str) -> str:
    return {KEY_PROVINCIAL: _("provincial key project"), KEY_CITY: _("municipal key project"),
            INVESTMENT: _("investment at or above the threshold"),
            DESIGNATED: _("designated by the city")}.get(reason, reason)


@dataclass
class CombinedMaterial:
    """One entry of the combined list: the first item's wording, required when any item requires
    it, as many copies as the most demanding item asks for."""

    code: str
    material: Material  # the entry as the first item asking for it words it
    required: bool
    copies: int
    items: list[str] = field(default_factory=list)  # codes of the items that need it


def combined_materials(versions: Sequence[ItemVersion]) -> list[CombinedMaterial]:
    """One list for the items reviewed together: each material once, in the order the lead item
    and then each other item lists it."""
    by_code: dict[str, CombinedMaterial] = {}
    rows = Material.objects.filter(version__in=[v.pk for v in versions]).select_related("version__item")
    order = {v.pk: i for i, v in enumerate(versions)}
    for m in sorted(rows, key=lambda m: (order[m.version_id], m.position, m.pk)):
        entry = by_code.get(m.code)
        if entry is None:
            by_code[m.code] = CombinedMaterial(code=m.code, material=m, required=m.required, copies=m.copies,
                                               items=[m.version.item.code])
            continue
        entry.required = entry.required or m.required
        entry.copies = max(entry.copies, m.copies)
        if m.version.item.code not in entry.items:
            entry.items.append(m.version.item.code)
    return list(by_code.values())


@dataclass(frozen=True)
class FeeLine:
    item: str  # the item's code
    item_name: str
    name: str
    amount: Decimal  # yuan
    basis: str


def _amount(text: Any) -> Decimal:
    try:
        value = Decimal(str(text).strip())
    except InvalidOperation:
        raise ValueError(f"not an amount in yuan: {text!r}") from None
    if not value.is_finite() or value < 0:
        raise ValueError(f"not an amount in yuan: {text!r}")
    return value


def fee_sheet(versions: Iterable[ItemVersion]) -> tuple[list[FeeLine], Decimal]:
    """One fee sheet: every item's fees, itemised in the items' order, and their sum in yuan.
    A fee of two items is two lines: each is charged under its own basis."""
    lines = [FeeLine(item=v.item.code, item_name=v.name, name=str(f.get("name", "")), amount=_amount(f.get("amount")),
                     basis=str(f.get("basis", "")))
             for v in versions for f in (v.fees or [])]
    return lines, sum((ln.amount for ln in lines), Decimal("0"))


def seal_unit(app: Application) -> Unit:
    """Whose seal the joint decision carries: the lead department's, or the approval service
    office's (``DUCHA_APPROVAL_JOINT_SEAL``); an ordinary application's, its handling unit's."""
    if app.joint and settings.DUCHA_APPROVAL_JOINT_SEAL == "service":
        unit = Unit.objects.filter(code=settings.DUCHA_APPROVAL_SERVICE_UNIT).first()
        if unit is not None:
            return unit
    return app.handling_unit


def add_combined_materials(app: Application, versions: Sequence[ItemVersion]) -> int:
    """Give the application a row for each entry of the combined list it does not have yet (a
    code already asked for under another item counts as had)."""
    had = set(ApplicationMaterial.objects.filter(application=app).values_list("material__code", flat=True))
    new = [ApplicationMaterial(application=app, material=c.material)
           for c in combined_materials(versions) if c.code not in had]
    ApplicationMaterial.objects.bulk_create(new)
    return len(new)


def do_receive_joint_application(*, actor: User, item_code: str, member_item_codes: Sequence[str],
                                 provincial_key: bool = False, city_key: bool = False,
                                 investment: Decimal | None = None, designated: bool = False,
                                 materials_handed_in: Iterable[int] = (), today: date | None = None,
                                 **receive: Any) -> Application:
    """Receive a joint application: the lead item through the window's own receipt
    (``actions_intake.do_receive_application``, which ``receive`` is passed on to), then, in the
    same transaction, the other items in force today, why the project qualifies, and the rest of
    the combined list (a material the lead item already asks for is not asked again).
    ``materials_handed_in`` may name any item's materials: a code handed in is handed in once."""
    from ducha.approvals.actions_intake import IntakeError, do_receive_application
    from ducha.approvals.actions_intake import NotYours as IntakeNotYours

    if not works_the_window(actor):
        raise JointNotYours(_("Only the approval service office's windows receive applications."))
    today = today or workcal.today()
    reason = qualifies(provincial_key=provincial_key, city_key=city_key, investment=investment,
                       designated=designated)
    errors: dict[str, str] = {}
    if reason is None:
        errors["joint_reason"] = _("The project does not qualify for joint approval: it is neither a provincial nor "
                                   "a municipal key project, its investment is below %(n)s yuan, and the city has "
                                   "not designated it.") % {"n": settings.DUCHA_APPROVAL_JOINT_INVESTMENT}
    if investment is not None and investment < 0:
        errors["investment"] = _("The investment cannot be negative.")
    codes = [c.strip() for c in dict.fromkeys(member_item_codes) if c.strip() and c.strip() != item_code.strip()]
    members: list[ItemVersion] = []
    missing = []
    for code in codes:
        item = Item.objects.filter(code=code).first()
        version = version_in_force(item, today) if item is not None else None
        if version is None:
            missing.append(code[:40])
        else:
            members.append(version)
    if missing:
        errors["members"] = _("Not items of the published catalogue in force on %(day)s: %(codes)s.") % {
            "day": today.isoformat(), "codes": ", ".join(missing)}
    elif not members:
        errors["members"] = _("Name the other items reviewed together: joint approval is for several items.")
    if errors:
        raise JointError(errors)
    handed = set(materials_handed_in)
    handed_codes = set(Material.objects.filter(pk__in=handed).values_list("code", flat=True))
    lead = Item.objects.filter(code=item_code.strip()).first()
    lead_version = version_in_force(lead, today) if lead is not None else None
    lead_handed = set(Material.objects.filter(pk__in=handed, version=lead_version).values_list("pk", flat=True))
    with transaction.atomic():
        try:
            app = do_receive_application(actor=actor, item_code=item_code, today=today,
                                         materials_handed_in=sorted(lead_handed), **receive)
        except IntakeNotYours as e:
            raise JointNotYours(e.errors) from None
        except IntakeError as e:
            raise JointError(e.errors) from None
        Application.objects.filter(pk=app.pk).update(joint=True, joint_reason=reason, investment=investment)
        app.refresh_from_db()
        app.members.set(members)
        added = add_combined_materials(app, [app.version, *members])
        ApplicationMaterial.objects.filter(application=app, material__code__in=handed_codes,
                                           submitted_on__isnull=True).update(submitted_on=today)
        Event.objects.create(application=app, kind="joint", actor=actor, at=timezone.now(), on=today,
                             detail={"reason": reason, "investment": str(investment) if investment is not None else None,
                                     "members": [v.pk for v in members], "materials_added": added})
    return app
