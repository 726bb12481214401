"""What the public site shows of administrative approval, written when it changes (外网反馈).

The portal never reads these tables: the catalogue's guide (办事指南) is written into
``ducha.publication`` when a version is published or withdrawn, and an application's status
each time its state moves, keyed by the receipt number and readable only with the query code
(its hash is in the payload). Texts the catalogue has in one language are plain strings;
labels of choices are given in Chinese and English, as ``{"zh": …, "en": …}``.

A status is written after the action's transaction commits (``transaction.on_commit``), so
it reads the committed state and the documents rendered by the callbacks registered before
it (the decision's PDF among them).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from ducha.approvals.access import service_unit
from ducha.approvals.catalogue import areas, live_versions
from ducha.approvals.clock import clock_of
from ducha.approvals.models import (
    Application,
    ApplicationState,
    Document,
    Event,
    HandlingLevel,
    ItemKind,
    ItemVersion,
    MaterialForm,
    Notice,
    PauseReason,
    ServiceType,
)
from ducha.publication.models import Kind, Publication
from ducha.publication.publish import publish, shown, withdraw
from ducha.rules.approvals import Pause
from ducha.workcal.service import get_calendar

__all__ = ["catalogue_payload", "item_payload", "publish_all", "publish_catalogue", "publish_item", "publish_status",
           "status_payload"]

log = logging.getLogger(__name__)
Text = str | dict[str, str]


def both(words: Callable[[], Any]) -> dict[str, str]:
    """A text in Chinese and English: ``words`` evaluated under each language."""
    out = {}
    for key, language in (("zh", "zh-hans"), ("en", "en")):
        with translation.override(language):
            out[key] = str(words())
    return out


def _label(choices: type[Any], value: str) -> dict[str, str]:
    return both(lambda: dict(choices.choices).get(value, value))


# -- the catalogue ------------------------------------------------------------------------


def _contact(version: ItemVersion) -> dict[str, str]:
    office = service_unit()
    office_name = office.name if office is not None else ""
    dept = version.lead_department.name
    return both(lambda: _("Approval service office windows: %(office)s; handling department: %(dept)s")
                % {"office": office_name or "—", "dept": dept})


def item_payload(version: ItemVersion) -> dict[str, Any]:
    """The guide of one version (ducha.portal.views documents the shape)."""
    by_area = {d.area_id: d.level for d in version.delegations.all()}
    city = both(lambda: _("City"))
    places: list[dict[str, Any]] = [{"area": city, "level": _label(HandlingLevel, HandlingLevel.CITY),
                                     "address": version.lead_department.name}]
    for area in areas():
        level = by_area.get(area.pk, HandlingLevel.CITY)
        places.append({"area": area.name, "level": _label(HandlingLevel, level),
                       "address": area.name if level == HandlingLevel.AREA else ""})
    return {
        "code": version.item.code, "version": version.version, "effective_from": version.effective_from.isoformat(),
        "name": version.name, "kind": _label(ItemKind, version.kind), "department": version.lead_department.name,
        "legal_basis": version.legal_basis, "conditions": version.conditions,
        "service_type": version.service_type, "service_type_words": _label(ServiceType, version.service_type),
        "statutory_days": version.statutory_days, "promised_days": version.promised_days,
        "online": True, "joint": version.joint,
        "fees": [{"name": f.get("name", ""), "amount": str(f.get("amount", "0")), "basis": f.get("basis", "")}
                 for f in version.fees],
        "materials": [{"code": m.code, "name": m.name, "required": m.required, "form": _label(MaterialForm, m.form),
                       "copies": m.copies, "note": m.note}
                      for m in sorted(version.materials.all(), key=lambda m: m.position)],
        "places": places,
        "steps": [{"department": s.department.name, "action": s.action, "limit_days": s.limit_days}
                  for s in version.steps.select_related("department").order_by("order", "id")],
        "contact": _contact(version),
    }


def _shown_version(code: str, today: date) -> ItemVersion | None:
    # The newest published version, in force now or announced for later, is the guide to show.
    return (live_versions(today).filter(item__code=code).select_related("item", "lead_department")
            .order_by("-version").first())


def publish_item(code: str, today: date) -> Publication | None:
    """Publish the item's guide as it now stands, or take it off the site when no version of it
    is published; inside the caller's transaction."""
    version = _shown_version(code, today)
    if version is None:
        withdraw(Kind.CATALOGUE_ITEM, code)
        return None
    publication = publish(Kind.CATALOGUE_ITEM, code, version.name, item_payload(version))
    if shown(Kind.CATALOGUE, "current") is None:
        publish_catalogue(today)
    return publication


def catalogue_payload(today: date) -> dict[str, Any]:
    office = service_unit()
    name = office.name if office is not None else ""
    return {"as_of": today.isoformat(), "intro": both(lambda: _(
        "The catalogue of administrative approval items handled by %(office)s and the departments. Nothing outside "
        "it can be applied for. Each item's guide lists its conditions, materials, limits in working days, fees "
        "and where it is handled; apply at a window or online, and follow the application with its receipt number "
        "and query code.") % {"office": name or "—"})}


def publish_catalogue(today: date) -> Publication:
    return publish(Kind.CATALOGUE, "current", "行政审批事项目录", catalogue_payload(today))


def publish_all(today: date) -> int:
    """The whole catalogue as it stands: every item with a live version published, the others'
    guides withdrawn, and the intro. Returns the items published."""
    with transaction.atomic():
        live = set(live_versions(today).values_list("item__code", flat=True))
        for code in Publication.objects.filter(kind=Kind.CATALOGUE_ITEM, current=True, withdrawn=False) \
                .exclude(key__in=live).values_list("key", flat=True):
            withdraw(Kind.CATALOGUE_ITEM, code)
        for code in sorted(live):
            publish_item(code, today)
        publish_catalogue(today)
    return len(live)


# -- an application's status ----------------------------------------------------------------

# What the public reads of each event; internal steps (the check, hand-overs, departments'
# opinions) are not said.
_EVENT_WORDS: dict[str, Callable[[dict[str, Any]], str]] = {
    "received": lambda d: _("Application received"),
    "notice": lambda d: _("One-time notice of the materials to complete"),
    "materials_submitted": lambda d: _("Materials handed in"),
    "accepted": lambda d: _("Accepted"),
    "deemed_accepted": lambda d: _("Accepted by law (no notice within five working days)"),
    "step_done": lambda d: _("Step done: %(action)s") % {"action": d.get("action", "")},
    "pause": lambda d: _("Clock paused for %(reason)s, expected %(days)s working days") % {
        "reason": dict(PauseReason.choices).get(d.get("reason", ""), d.get("reason", "")),
        "days": d.get("expected_days", "")},
    "resume": lambda d: _("Clock running again"),
    "extend": lambda d: _("Time limit extended by %(days)s working days") % {"days": d.get("days", "")},
    "decide": lambda d: (_("Licence granted") if d.get("grant") else _("Licence refused")),
    "not_accepted": lambda d: _("Not accepted"),
    "withdrawn": lambda d: _("Withdrawn at the applicant's request"),
}

_STATE_CODES = {
    ApplicationState.RECEIVED: "received", ApplicationState.NOTIFIED: "deficient",
    ApplicationState.ACCEPTED: "accepted", ApplicationState.PAUSED: "paused", ApplicationState.GRANTED: "decided",
    ApplicationState.REFUSED: "decided", ApplicationState.NOT_ACCEPTED: "not_accepted",
    ApplicationState.WITHDRAWN: "withdrawn",
}
DECIDED = (ApplicationState.GRANTED, ApplicationState.REFUSED, ApplicationState.NOT_ACCEPTED)


def _due(app: Application, today: date) -> tuple[date | None, bool]:
    """The promised due date, and whether it is provisional (a pause is running: the day it
    would be if the pause takes the working days the applicant was told)."""
    clock = clock_of(app, today)
    if clock is None:
        return None, False
    if clock.promised.due is not None:
        return clock.promised.due, False
    cal = get_calendar()
    pauses = [Pause(p.started_on, p.ended_on or cal.add_workdays(p.started_on, p.expected_days))
              for p in app.pauses.order_by("started_on", "id")]
    expected = clock_of(app, today, pauses=pauses)
    return (expected.promised.due if expected else None), True


def _notice(app: Application) -> tuple[list[dict[str, Any]], Text]:
    notice: Notice | None = app.notices.order_by("-sequence").first() if app.state == ApplicationState.NOTIFIED \
        else None
    if notice is None:
        return [], ""
    missing = [{"code": i.get("code", ""), "name": i.get("name", ""), "problem": i.get("problem", ""),
                "state": i.get("state", "")} for i in notice.items]
    lines = "\n".join(f"{n}. {m['name']}" + (f" ({m['problem']})" if m["problem"] else "")
                      for n, m in enumerate(missing, start=1))
    words = both(lambda: _("One-time notice of %(day)s: hand in these materials, all at once; nothing else will be "
                           "asked of the others.") % {"day": notice.given_on.isoformat()})
    return missing, {k: f"{v}\n\n{lines}" for k, v in words.items()}


def _decision(app: Application, docs: list[Document]) -> Text:
    if app.state not in DECIDED:
        return ""
    decision = next((d for d in reversed(docs) if d.kind in ("grant", "refusal", "not_accepted")), None)
    number = decision.number if decision else ""
    day = app.decided_on.isoformat() if app.decided_on else ""
    state_words = _label(ApplicationState, app.state)
    out: dict[str, str] = {}
    for key, language in (("zh", "zh-hans"), ("en", "en")):
        with translation.override(language):
            text = _("%(state)s on %(day)s, document %(number)s.") % {
                "state": state_words[key], "day": day, "number": number or "—"}
            if app.state != ApplicationState.GRANTED and app.decision_reason:
                text += "\n\n" + _("Reasons: %(reasons)s") % {"reasons": app.decision_reason}
            out[key] = text
    return out


def _event_words(event: Event) -> dict[str, str]:
    words = _EVENT_WORDS[event.kind]
    return both(lambda: words(event.detail))


def status_payload(app: Application, today: date) -> dict[str, Any]:
    """The status look-up's answer (ducha.portal.views_status documents the shape); no name,
    number or phone of the applicant."""
    due, provisional = _due(app, today)
    events = list(Event.objects.filter(application_id=app.pk).order_by("at", "id"))
    steps = [{"date": e.on.isoformat(), "words": _event_words(e), "kind": e.kind}
             for e in events if e.kind in _EVENT_WORDS]
    docs = list(Document.objects.filter(application_id=app.pk).order_by("issued_on", "id"))
    missing, notice = _notice(app)
    return {
        "query_code_hash": app.query_code_hash, "item": app.version.name, "item_code": app.version.item.code,
        "state": _STATE_CODES.get(ApplicationState(app.state), app.state), "application_state": app.state,
        "state_words": _label(ApplicationState, app.state), "received": app.received_on.isoformat(),
        "accepted": app.accepted_on.isoformat() if app.accepted_on else None,
        "due": due.isoformat() if due else None, "due_provisional": provisional,
        "steps": steps, "missing": missing, "notice": notice,
        "decision": _decision(app, docs),
        "documents": [{"kind": d.kind, "number": d.number, "issued_on": d.issued_on.isoformat()} for d in docs],
    }


def _files(app: Application) -> list[tuple[str, Path]]:
    out = []
    for doc in Document.objects.filter(application_id=app.pk).exclude(pdf="").order_by("issued_on", "id"):
        path = Path(doc.pdf.path)
        if path.is_file():
            out.append((f"{doc.number}.pdf", path))
    return out


def _publish_now(application_id: int, today: date) -> Publication | None:
    app = Application.objects.select_related("version__item").filter(pk=application_id).first()
    if app is None or not app.query_code_hash:
        return None
    return publish(Kind.APPLICATION_STATUS, app.receipt_number, app.receipt_number, status_payload(app, today),
                   files=_files(app))


def publish_status(app: Application, today: date) -> None:
    """Publish the application's status once the current transaction commits (at once outside
    one). An application without a query code has no public status. A failure is logged, not
    raised: the action has committed, and the next change publishes again."""
    pk = app.pk

    def run() -> None:
        try:
            _publish_now(pk, today)
        except Exception:
            log.exception("publishing the status of application %s failed", pk)

    transaction.on_commit(run)
