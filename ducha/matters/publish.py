"""The key-task list on the public site (亮进度, S5.1): the year's key-work matters with their
progress and traffic light, written into ``ducha.publication`` when the supervision office
publishes it, never read live by the portal.

Only the fields named by DUCHA_PUBLIC_TASK_FIELDS are disclosed, and no field names a person
(the responsible leader, contacts, the people assigned are not even candidates).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from ducha.audit.api import record
from ducha.matters.errors import MatterError
from ducha.matters.models import Matter, Source, Status
from ducha.matters.overview import calendar_or_none, signal_for
from ducha.org.models import User
from ducha.org.roles import Role
from ducha.publication.models import Kind, Publication
from ducha.publication.publish import publish, shown
from ducha.workcal import service as workcal

__all__ = ["FIELDS", "NotOffice", "can_publish_key_tasks", "disclosed_fields", "do_publish_key_tasks", "key_tasks",
           "key_tasks_effect", "last_published"]

# Every field that may be disclosed; a person is none of them.
FIELDS = ("number", "title", "unit", "deadline", "progress", "light", "status", "note")
# The light as the portal shows it: a completed task is green; one not running or without its
# deadline has no light.
_LIGHTS = {"green": "green", "yellow": "yellow", "red": "red", "done": "green"}


class NotOffice(MatterError):
    """Only the supervision office publishes the list (the API answers 403)."""


def can_publish_key_tasks(user: User) -> bool:
    return bool(user.is_authenticated and user.role == Role.SUPERVISION_OFFICE)


def disclosed_fields() -> list[str]:
    chosen = [f for f in settings.DUCHA_PUBLIC_TASK_FIELDS if f in FIELDS]
    return list(dict.fromkeys(["number", *chosen]))  # a task is named by its number at least


def _status_words(status: str) -> dict[str, str]:
    out = {}
    for key, language in (("zh", "zh-hans"), ("en", "en")):
        with translation.override(language):
            out[key] = str(Status(status).label)
    return out


def key_tasks(year: int, today: date) -> list[Matter]:
    return list(Matter.objects.filter(source=Source.KEY_WORK, year=year).exclude(status=Status.DRAFT)
                .select_related("lead_unit").order_by("number"))


def _task(m: Matter, today: date, fields: list[str], cal: Any) -> dict[str, Any]:
    signal = signal_for(status=m.status, start=m.start_date, due=m.due_date, progress=m.progress, today=today,
                        cal=cal)
    full: dict[str, Any] = {
        "number": m.number, "title": m.title, "unit": m.lead_unit.name,
        "deadline": m.due_date.isoformat() if m.due_date else "", "progress": m.progress,
        "light": _LIGHTS.get(signal.key, ""), "status": _status_words(m.status), "note": m.goal,
    }
    return {f: full[f] for f in fields}


def key_tasks_effect(year: int, today: date) -> str:
    n = len(key_tasks(year, today))
    return _("Publishes the %(n)d key tasks of %(year)d on the public site with their progress and traffic light "
             "as of %(day)s, disclosing only: %(fields)s. The public sees this list until it is published again.") % {
        "n": n, "year": year, "day": today.isoformat(), "fields": ", ".join(disclosed_fields())}


def last_published(year: int) -> Publication | None:
    return shown(Kind.KEY_TASKS, str(year))


def do_publish_key_tasks(*, actor: User, year: int, confirm: bool, today: date | None = None) -> Publication:
    """Publish the year's key-task list as it stands today (the supervision office)."""
    if not can_publish_key_tasks(actor):
        raise NotOffice(_("Only the supervision office publishes the key-task list."))
    today = today or workcal.today()
    if not 2000 <= year <= 2100:
        raise MatterError({"year": _("Name a year between 2000 and 2100.")})
    tasks = key_tasks(year, today)
    if not tasks:
        raise MatterError({"year": _("No key-work matter of %(year)d is assigned yet: nothing to publish.")
                           % {"year": year}})
    if not confirm:
        raise MatterError({"confirm": _("Nothing was published. Confirm it: %(effect)s")
                           % {"effect": key_tasks_effect(year, today)}})
    fields = disclosed_fields()
    cal = calendar_or_none()
    payload = {
        "year": year, "as_of": today.isoformat(), "fields": fields,
        "intro": {"zh": f"{year}年度重点工作任务清单及进展情况（截至{today.isoformat()}）。",
                  "en": f"The key tasks of {year} and their progress as of {today.isoformat()}."},
        "tasks": [_task(m, today, fields, cal) for m in tasks],
    }
    with transaction.atomic():
        publication = publish(Kind.KEY_TASKS, str(year), f"{year}年度重点工作任务", payload)
        record(actor=actor, action="matters.key_tasks_publish", obj_type="publication.Publication",
               obj_id=publication.pk, before=None,
               after={"year": year, "tasks": len(tasks), "fields": fields, "version": publication.version})
    return publication
