"""The writes of the innovation award before its results (S1.12): open a year, nominate, edit
or withdraw a nomination and add its evidence, score. The results (close the scoring, propose,
approve, publish) are in ``actions_results``.

A nomination is written only while its year takes nominations (open, today not after the
deadline); a score only once the deadline has passed and until the office closes the scoring.
Each write locks the year's row first, so a nomination or a score cannot slip in while the
office closes the scoring.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ducha.audit.api import record as audit
from ducha.awards.access import nominates_for, on_panel, runs_awards
from ducha.awards.models import (
    AwardYear,
    Category,
    Nomination,
    NominationFile,
    NominationState,
    Nominee,
    Score,
    YearState,
)
from ducha.matters.actions_evidence import check_evidence
from ducha.org.models import User
from ducha.org.roles import ADMIN_ROLES
from ducha.security.uploads import CheckedUpload
from ducha.workcal import service as workcal

MAX_TEXT = 5000
MAX_FILES = 10  # evidence files per nomination
MIN_YEAR, MAX_YEAR = 2014, 2999  # the award exists from 2014 (the seed)


class AwardError(ValueError):
    """Bad input or a step that is not allowed; ``errors`` maps field names to messages."""

    def __init__(self, errors: dict[str, str] | str) -> None:
        self.errors = errors if isinstance(errors, dict) else {"__all__": errors}
        super().__init__("; ".join(self.errors.values()))


class NotYours(AwardError):
    """The step belongs to another role (the API answers 403)."""


def locked_year(year: AwardYear) -> AwardYear:
    """The year's row, locked for the rest of the transaction, as it is now."""
    return AwardYear.objects.select_for_update().get(pk=year.pk)


def takes_nominations(year: AwardYear, today: date) -> bool:
    return year.state == YearState.OPEN and today <= year.nomination_deadline


def scoring_open(year: AwardYear, today: date) -> bool:
    return year.state == YearState.OPEN and today > year.nomination_deadline


@dataclass(frozen=True)
class YearInput:
    year: int | None
    nomination_deadline: date | None
    panel_ids: tuple[int, ...]


def do_open_year(*, actor: User, data: YearInput, today: date | None = None) -> AwardYear:
    """The performance office opens a year's award with its deadline and its panel."""
    if not runs_awards(actor):
        raise NotYours(_("Only the performance office opens an award year."))
    today = today or workcal.today()
    errors: dict[str, str] = {}
    if data.year is None or not MIN_YEAR <= data.year <= MAX_YEAR:
        errors["year"] = _("Give the year, from %(first)d to %(last)d.") % {"first": MIN_YEAR, "last": MAX_YEAR}
    elif AwardYear.objects.filter(year=data.year).exists():
        errors["year"] = _("The %(year)d award has been opened already.") % {"year": data.year}
    if data.nomination_deadline is None:
        errors["nomination_deadline"] = _("Give the nomination deadline.")
    elif data.nomination_deadline < today:
        errors["nomination_deadline"] = _("The deadline cannot be before today (%(today)s).") % {
            "today": today.isoformat()}
    panel = list(User.objects.filter(pk__in=data.panel_ids, is_active=True).exclude(role__in=sorted(ADMIN_ROLES)))
    least = int(settings.DUCHA_AWARD_PANEL_MIN)
    if len(panel) != len(set(data.panel_ids)):
        errors["panel"] = _("The panel is made of active accounts that read the city's work.")
    elif len(panel) < least:
        errors["panel"] = _("Name at least %(n)d panel members.") % {"n": least}
    if errors:
        raise AwardError(errors)
    assert data.year is not None and data.nomination_deadline is not None
    with transaction.atomic():
        row = AwardYear.objects.create(year=data.year, nomination_deadline=data.nomination_deadline, opened_by=actor)
        row.panel.set(panel)
        audit(actor=actor, action="awards.open_year", obj_type="awards.AwardYear", obj_id=row.pk, before=None,
              after={"year": row.year, "deadline": row.nomination_deadline.isoformat(),
                     "panel": sorted(p.pk for p in panel)})
    return row


@dataclass(frozen=True)
class NominationInput:
    title: str
    category: str
    nominee: str
    text: str
    people: str = ""


def _check_nomination(data: NominationInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not data.title.strip() or len(data.title.strip()) > 120:
        errors["title"] = _("Give the innovation a title (at most 120 characters).")
    if data.category not in Category.values:
        errors["category"] = _("Choose the kind of innovation: %(choices)s.") % {"choices": ", ".join(Category.values)}
    if data.nominee not in Nominee.values:
        errors["nominee"] = _("Choose who is nominated: %(choices)s.") % {"choices": ", ".join(Nominee.values)}
    elif data.nominee == Nominee.PEOPLE and not data.people.strip():
        errors["people"] = _("Name the people nominated.")
    if len(data.people.strip()) > 200:
        errors["people"] = _("At most %(n)d characters.") % {"n": 200}
    if not data.text.strip():
        errors["text"] = _("Say what was done and what it achieved.")
    elif len(data.text) > MAX_TEXT:
        errors["text"] = _("At most %(n)d characters.") % {"n": MAX_TEXT}
    return errors


def _check_files(uploads: Sequence[Any], already: int) -> tuple[list[tuple[Any, CheckedUpload]], dict[str, str]]:
    checked: list[tuple[Any, CheckedUpload]] = []
    if already + len(uploads) > MAX_FILES:
        return [], {"evidence": _("At most %(n)d evidence files a nomination.") % {"n": MAX_FILES}}
    for upload in uploads:
        ok, problem = check_evidence(upload)
        if ok is None:
            return [], {"evidence": f"{getattr(upload, 'name', '')}: {problem}"}
        checked.append((upload, ok))
    return checked, {}


def _keep_files(actor: User, nomination: Nomination, files: list[tuple[Any, CheckedUpload]]) -> list[NominationFile]:
    kept = []
    for upload, checked in files:
        row = NominationFile(nomination=nomination, name=checked.name[:200], content_kind=checked.kind,
                             size=checked.size, sm3=checked.sm3, uploaded_by=actor)
        upload.seek(0)
        row.file.save(f"{uuid.uuid4().hex}.{checked.kind}", upload, save=False)
        row.save()
        kept.append(row)
    return kept


def _closed_message(year: AwardYear) -> str:
    return _("Nominations for the %(year)d award closed on %(day)s.") % {
        "year": year.year, "day": year.nomination_deadline.isoformat()}


def do_nominate(*, actor: User, year: AwardYear, data: NominationInput, files: Sequence[Any] = (),
                today: date | None = None) -> Nomination:
    """A unit's administrator nominates, in one form: the text and the evidence files."""
    unit_id = nominates_for(actor)
    if unit_id is None:
        raise NotYours(_("A unit's administrator nominates for the unit."))
    today = today or workcal.today()
    errors = _check_nomination(data)
    checked, file_errors = _check_files(files, 0)
    errors.update(file_errors)
    if errors:
        raise AwardError(errors)
    with transaction.atomic():
        current = locked_year(year)
        if not takes_nominations(current, today):
            raise AwardError(_closed_message(current))
        row = Nomination.objects.create(
            year=current, unit_id=unit_id, title=data.title.strip(), category=data.category, nominee=data.nominee,
            people=data.people.strip() if data.nominee == Nominee.PEOPLE else "", text=data.text.strip(),
            created_by=actor)
        kept = _keep_files(actor, row, checked)
        audit(actor=actor, action="awards.nominate", obj_type="awards.Nomination", obj_id=row.pk, before=None,
              after={"year": current.year, "unit": unit_id, "title": row.title, "category": row.category,
                     "nominee": row.nominee, "files": [f.sm3 for f in kept]})
    return row


def _owns(actor: User, nomination: Nomination) -> None:
    if nominates_for(actor) != nomination.unit_id:
        raise NotYours(_("Only the nominating unit's administrator changes its nomination."))


def do_edit_nomination(*, actor: User, nomination: Nomination, data: NominationInput, files: Sequence[Any] = (),
                       today: date | None = None) -> Nomination:
    """Change the nomination (and add evidence) until the deadline."""
    _owns(actor, nomination)
    today = today or workcal.today()
    errors = _check_nomination(data)
    checked, file_errors = _check_files(files, nomination.files.count())
    errors.update(file_errors)
    if errors:
        raise AwardError(errors)
    fields = {"title": data.title.strip(), "category": data.category, "nominee": data.nominee,
              "people": data.people.strip() if data.nominee == Nominee.PEOPLE else "", "text": data.text.strip()}
    with transaction.atomic():
        current = locked_year(nomination.year)
        if not takes_nominations(current, today):
            raise AwardError(_closed_message(current))
        before = {k: getattr(nomination, k) for k in fields}
        if Nomination.objects.filter(pk=nomination.pk, state=NominationState.SUBMITTED).update(
                **fields, updated_at=timezone.now()) != 1:
            raise AwardError(_("This nomination has been withdrawn."))
        kept = _keep_files(actor, nomination, checked)
        audit(actor=actor, action="awards.edit_nomination", obj_type="awards.Nomination", obj_id=nomination.pk,
              before=before, after={**fields, "files_added": [f.sm3 for f in kept]})
    nomination.refresh_from_db()
    return nomination


def do_add_nomination_file(*, actor: User, nomination: Nomination, upload: Any,
                           today: date | None = None) -> NominationFile:
    """One more evidence file, until the deadline (the API's multipart upload)."""
    _owns(actor, nomination)
    today = today or workcal.today()
    checked, errors = _check_files([upload], nomination.files.count())
    if errors:
        raise AwardError(errors)
    with transaction.atomic():
        current = locked_year(nomination.year)
        if not takes_nominations(current, today):
            raise AwardError(_closed_message(current))
        if not Nomination.objects.filter(pk=nomination.pk, state=NominationState.SUBMITTED).exists():
            raise AwardError(_("This nomination has been withdrawn."))
        kept = _keep_files(actor, nomination, checked)[0]
        audit(actor=actor, action="awards.add_file", obj_type="awards.Nomination", obj_id=nomination.pk,
              before=None, after={"file": kept.pk, "name": kept.name, "sm3": kept.sm3, "bytes": kept.size})
    return kept


def do_withdraw_nomination(*, actor: User, nomination: Nomination, today: date | None = None) -> Nomination:
    """The unit withdraws its nomination until the deadline; it stays, marked withdrawn."""
    _owns(actor, nomination)
    today = today or workcal.today()
    with transaction.atomic():
        current = locked_year(nomination.year)
        if not takes_nominations(current, today):
            raise AwardError(_closed_message(current))
        if Nomination.objects.filter(pk=nomination.pk, state=NominationState.SUBMITTED).update(
                state=NominationState.WITHDRAWN) != 1:
            raise AwardError(_("This nomination has been withdrawn already."))
        audit(actor=actor, action="awards.withdraw", obj_type="awards.Nomination", obj_id=nomination.pk,
              before={"state": NominationState.SUBMITTED}, after={"state": NominationState.WITHDRAWN})
    nomination.refresh_from_db()
    return nomination


def do_score_nomination(*, actor: User, nomination: Nomination, points: int | None,
                        today: date | None = None) -> Score:
    """A panel member scores a nomination, or changes the score, until the scoring closes; never
    one of their own unit's."""
    year = nomination.year
    if not on_panel(actor, year):
        raise NotYours(_("Only the year's panel scores its nominations."))
    if actor.unit_id is not None and actor.unit_id == nomination.unit_id:
        raise NotYours(_("A panel member does not score their own unit's nomination."))
    today = today or workcal.today()
    maximum = int(settings.DUCHA_AWARD_SCALE)
    if points is None or not 0 <= points <= maximum:
        raise AwardError({"points": _("A whole score from 0 to %(max)d.") % {"max": maximum}})
    with transaction.atomic():
        current = locked_year(year)
        if not scoring_open(current, today):
            if current.state == YearState.OPEN:
                raise AwardError(_("Scoring starts after the nomination deadline (%(day)s).") % {
                    "day": current.nomination_deadline.isoformat()})
            raise AwardError(_("The scoring of the %(year)d award is closed.") % {"year": current.year})
        if nomination.state != NominationState.SUBMITTED:
            raise AwardError(_("This nomination has been withdrawn."))
        before = Score.objects.filter(nomination=nomination, member=actor).values_list("points", flat=True).first()
        score, _created = Score.objects.update_or_create(nomination=nomination, member=actor,
                                                         defaults={"points": points})
        audit(actor=actor, action="awards.score", obj_type="awards.Nomination", obj_id=nomination.pk,
              before=None if before is None else {"points": before}, after={"points": points})
    return score
