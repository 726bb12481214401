"""The writes of the innovation award's results (S1.12): the performance office closes the
scoring (each result and rank frozen on its nomination), proposes the winners from the ranking
(leaving out a higher-ranked nomination only with a reason), the approver approves or returns
the proposal, and the office publishes: every unit is told. Each step is a guarded UPDATE on the
year's state, so two people taking the same step at once take it once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ducha.audit.api import record as audit
from ducha.awards.access import approves, award_approver, runs_awards
from ducha.awards.actions import MAX_TEXT, AwardError, NotYours, scoring_open
from ducha.awards.models import AwardYear, Nomination, NominationState, YearState
from ducha.awards.ranking import year_ranking
from ducha.inbox.notify import notify_people, notify_units
from ducha.org.models import Unit, User
from ducha.org.roles import Role
from ducha.rules.awards import Ranked, check_pick
from ducha.workcal import service as workcal


def _step(year: AwardYear, from_state: str, **fields: object) -> None:
    if AwardYear.objects.filter(pk=year.pk, state=from_state).update(**fields) != 1:
        raise AwardError(_("Someone else has moved this award year on; reload the page."))


def close_effect(year: AwardYear) -> str:
    ranked = year_ranking(year)
    unscored = sum(1 for r in ranked if r.rank is None)
    return _("Close the scoring of %(n)d nominations: the panel can no longer change a score and the ranking is "
             "fixed. Nominations nobody scored: %(unscored)d.") % {"n": len(ranked), "unscored": unscored}


def do_close_scoring(*, actor: User, year: AwardYear, today: date | None = None) -> AwardYear:
    """Freeze each result and rank; refused while a nomination has no score at all."""
    if not runs_awards(actor):
        raise NotYours(_("Only the performance office closes the scoring."))
    today = today or workcal.today()
    if not scoring_open(year, today):
        raise AwardError(_("The scoring is open only from the day after the deadline until it is closed."))
    with transaction.atomic():
        AwardYear.objects.select_for_update().filter(pk=year.pk).first()
        ranked = year_ranking(year)
        unscored = [r.nomination.title for r in ranked if r.rank is None]
        if not ranked:
            raise AwardError(_("No nomination to score."))
        if unscored:
            raise AwardError(_("Nobody has scored these yet: %(titles)s.") % {"titles": "、".join(unscored)})
        _step(year, YearState.OPEN, state=YearState.SCORED, scoring_closed_at=timezone.now())
        for r in ranked:
            assert r.result is not None
            Nomination.objects.filter(pk=r.nomination.pk).update(result=r.result.mean_2dp(), rank=r.rank)
        audit(actor=actor, action="awards.close_scoring", obj_type="awards.AwardYear", obj_id=year.pk,
              before={"state": YearState.OPEN},
              after={"state": YearState.SCORED, "ranking": [[r.nomination.pk, r.rank] for r in ranked]})
    year.refresh_from_db()
    return year


def frozen_ranking(year: AwardYear) -> list[Ranked]:
    from fractions import Fraction

    rows = Nomination.objects.filter(year=year, state=NominationState.SUBMITTED, rank__isnull=False)
    return [Ranked(pk, rank or 0, Fraction(result or 0)) for pk, rank, result in
            rows.order_by("rank", "id").values_list("id", "rank", "result")]


def do_propose_winners(*, actor: User, year: AwardYear, picked: Sequence[int],
                       reasons: Mapping[int, str]) -> AwardYear:
    """The office picks the winners from the ranking; each nomination ranked at or above the
    lowest one picked and left out needs a reason, kept with it."""
    if not runs_awards(actor):
        raise NotYours(_("Only the performance office proposes the winners."))
    if year.state != YearState.SCORED:
        raise AwardError(_("Winners are proposed once the scoring is closed, and before they are approved."))
    limit = int(settings.DUCHA_AWARD_WINNERS)
    ranked = frozen_ranking(year)
    problems = check_pick(ranked, list(picked), reasons, limit)
    titles = dict(Nomination.objects.filter(year=year).values_list("id", "title"))
    errors: dict[str, str] = {}
    if "none" in problems:
        errors["winners"] = _("Pick at least one winner.")
    if "too_many" in problems:
        errors["winners"] = _("At most %(n)d winners a year.") % {"n": limit}
    if "unranked" in problems or "duplicate" in problems:
        errors["winners"] = _("Pick each winner once, from the year's ranking.")
    if "skipped" in problems:
        errors["reasons"] = _("Ranked above a winner but left out, give the reason: %(titles)s.") % {
            "titles": "、".join(titles.get(n, str(n)) for n in problems["skipped"])}
    too_long = [n for n, text in reasons.items() if len(text) > MAX_TEXT]
    if too_long:
        errors["reasons"] = _("At most %(n)d characters.") % {"n": MAX_TEXT}
    if errors:
        raise AwardError(errors)
    chosen = set(picked)
    with transaction.atomic():
        _step(year, YearState.SCORED, state=YearState.PROPOSED, proposed_by=actor, proposed_at=timezone.now(),
              returned_reason="")
        for r in ranked:
            Nomination.objects.filter(pk=r.nomination).update(
                winner=r.nomination in chosen,
                skip_reason="" if r.nomination in chosen else reasons.get(r.nomination, "").strip())
        audit(actor=actor, action="awards.propose", obj_type="awards.AwardYear", obj_id=year.pk,
              before={"state": YearState.SCORED},
              after={"state": YearState.PROPOSED, "winners": sorted(chosen),
                     "left_out_with_reasons": {str(n): t.strip() for n, t in reasons.items() if t.strip()}})
        approver = award_approver()
        title = _("The %(year)d innovation award: winners to approve") % {"year": year.year}
        body = _("%(n)d winners proposed by the performance office.") % {"n": len(chosen)}
        if approver is not None:
            who = approver.pk
            transaction.on_commit(lambda: notify_people([who], title=title, body=body))
    year.refresh_from_db()
    return year


def do_decide_winners(*, actor: User, year: AwardYear, approve: bool, reason: str = "") -> AwardYear:
    """The approver approves the proposal, or returns it to the office with the reason."""
    if not approves(actor):
        raise NotYours(_("Only the award's approver approves the winners."))
    if not approve and (not reason.strip() or len(reason) > MAX_TEXT):
        raise AwardError({"reason": _("Say why the proposal goes back (at most %(n)d characters).") % {"n": MAX_TEXT}})
    if year.state != YearState.PROPOSED:
        raise AwardError(_("There is no proposal waiting for approval."))
    with transaction.atomic():
        if approve:
            _step(year, YearState.PROPOSED, state=YearState.APPROVED, approved_by=actor, approved_at=timezone.now())
        else:
            _step(year, YearState.PROPOSED, state=YearState.SCORED, returned_reason=reason.strip())
        audit(actor=actor, action="awards.approve" if approve else "awards.return", obj_type="awards.AwardYear",
              obj_id=year.pk, before={"state": YearState.PROPOSED},
              after={"state": YearState.APPROVED if approve else YearState.SCORED}, reason=reason.strip()[:300])
        office = list(User.objects.filter(role=Role.PERFORMANCE_OFFICE, is_active=True).values_list("pk", flat=True))
        title = (_("The %(year)d innovation award: winners approved") if approve
                 else _("The %(year)d innovation award: proposal returned")) % {"year": year.year}
        body = reason.strip() or _("They may now be published.")
        transaction.on_commit(lambda: notify_people(office, title=title, body=body))
    year.refresh_from_db()
    return year


def publish_effect(year: AwardYear) -> str:
    n = Nomination.objects.filter(year=year, winner=True).count()
    units = Unit.objects.filter(is_active=True).count()
    return _("Publish the %(n)d winners of the %(year)d award: each of the %(units)d units is told in its inbox and "
             "every signed-in user sees the winners. This cannot be undone.") % {
        "n": n, "year": year.year, "units": units}


def do_publish_winners(*, actor: User, year: AwardYear) -> AwardYear:
    if not runs_awards(actor):
        raise NotYours(_("Only the performance office publishes the winners."))
    if year.state != YearState.APPROVED:
        raise AwardError(_("Only approved winners are published."))
    with transaction.atomic():
        _step(year, YearState.APPROVED, state=YearState.PUBLISHED, published_by=actor, published_at=timezone.now())
        winners = list(Nomination.objects.filter(year=year, winner=True).select_related("unit").order_by("rank", "id"))
        audit(actor=actor, action="awards.publish", obj_type="awards.AwardYear", obj_id=year.pk,
              before={"state": YearState.APPROVED},
              after={"state": YearState.PUBLISHED, "winners": [w.pk for w in winners]})
        units = list(Unit.objects.filter(is_active=True).values_list("pk", flat=True))
        title = _("The %(year)d government work innovation award") % {"year": year.year}
        body = "\n".join(f"{w.rank}. {w.unit.name}：{w.title}" for w in winners)
        transaction.on_commit(lambda: notify_units(units, title=title, body=body))
    year.refresh_from_db()
    return year
