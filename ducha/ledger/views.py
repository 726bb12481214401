"""Ledger pages (S2.4): the years and their phases, each phase's preview and confirmation,
the flags per unit, the units' self-check.

Reads go through ``ducha.ledger.access`` (scope by unit); the phases are run only through
``ducha.ledger.actions``. A phase page shows exactly what the action will do, and its
confirm form sends back the digest of what was shown; the year-end close also asks for the
year typed out, and says before it runs that it cannot be undone.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from ducha.ledger import actions, planning
from ducha.ledger.access import (
    phase_runner_names,
    previews_phase,
    reads_ledger,
    runs_any_phase,
    runs_ledger,
    runs_phase,
    self_check_unit,
    visible_flags,
    visible_notices,
)
from ducha.ledger.cutoff import ledger_matters
from ducha.ledger.models import CloseOutcome, LedgerEvent, LedgerImportJob, LedgerYear, Phase, ProgressSource
from ducha.ledger.selfcheck import self_check_form
from ducha.matters.access import visible_matters
from ducha.org.access import unit_scope, visible_units
from ducha.org.models import User
from ducha.org.roles import CITY_WIDE_ROLES
from ducha.workcal import service as workcal

PHASE_SLUGS = {
    "build": "build",
    "june-check": "june_check",
    "reconcile": "september_reconciliation",
    "close": "year_end_close",
}
SLUG_OF = {v: k for k, v in PHASE_SLUGS.items()}
PHASE_COLUMNS = {"build": "built", "june_check": "june_checked", "september_reconciliation": "reconciled",
                 "year_end_close": "closed"}
FLAGS_PAGE = 50
COUNT_LABELS = {  # literal msgids, so makemessages finds them
    "matters": gettext_lazy("matters"), "drafts": gettext_lazy("drafts"), "units": gettext_lazy("units"),
    "judged": gettext_lazy("judged"), "flagged": gettext_lazy("behind schedule"),
    "skipped": gettext_lazy("not judged"), "notices": gettext_lazy("notices"), "created": gettext_lazy("created"),
    "updated": gettext_lazy("updated"), "unchanged": gettext_lazy("unchanged"), "rows": gettext_lazy("rows"),
    "completed": gettext_lazy("completed"), "in_progress": gettext_lazy("in progress"),
    "overdue": gettext_lazy("overdue"), "not_started": gettext_lazy("not started"),
    "suspended": gettext_lazy("suspended"), "open": gettext_lazy("still open"),
    "carried_over": gettext_lazy("carried over"), "not_done": gettext_lazy("closed as not done"),
}


def _reader(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not reads_ledger(user):
        raise Http404("No ledger for this account")  # administrators read no business data
    return user


def _phase_rows(row: LedgerYear | None, windows: dict[str, Any], today: Any,
                user: User | None = None) -> list[dict[str, Any]]:
    done = row.done_phases() if row else frozenset()
    out = []
    next_found = False
    for key, slug in SLUG_OF.items():
        col = PHASE_COLUMNS[key]
        window = windows.get(key)
        item = {"key": key, "slug": slug, "label": Phase(key).label, "window": window,
                "at": getattr(row, f"{col}_at", None) if row else None,
                "by": getattr(row, f"{col}_by", None) if row else None, "is_next": False,
                "runs": user is not None and runs_phase(user, key),
                "previews": user is not None and previews_phase(user, key), "runners": phase_runner_names(key)}
        if key not in done and not next_found:
            next_found = True
            item["is_next"] = True
            item["open"] = window is not None and today >= window.opens
            item["late"] = window is not None and today > window.due
        out.append(item)
    return out


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    counts = dict(visible_matters(user).order_by().values_list("year").annotate(n=Count("id")).values_list("year", "n"))
    unit = self_check_unit(user)
    rows = {r.year: r for r in LedgerYear.objects.defer("baseline", "final").select_related(
        "built_by", "june_checked_by", "reconciled_by", "closed_by")}
    today = workcal.today()
    years = []
    for year in sorted(set(counts) | set(rows) | {today.year}, reverse=True):
        row = rows.get(year)
        phases = _phase_rows(row, planning.phase_windows(year) if year >= today.year - 1 else {}, today)
        years.append({"year": year, "matters": counts.get(year, 0), "row": row, "phases": phases})
    unread = visible_notices(user).filter(read_at__isnull=True).count() if user.unit_id else 0
    return render(request, "ledger/index.html", {
        "years": years, "today": today, "runs": runs_any_phase(user), "unread": unread, "self_check_unit": unit,
    })


@login_required
@require_GET
def year_detail(request: HttpRequest, year: int) -> HttpResponse:
    user = _reader(request)
    today = workcal.today()
    row = LedgerYear.objects.defer("baseline", "final").select_related(
        "built_by", "june_checked_by", "reconciled_by", "closed_by").filter(year=year).first()
    matters = visible_matters(user).filter(ledger_matters(year))
    per_unit: dict[int, dict[str, Any]] = defaultdict(lambda: {"matters": 0, "june_check": 0,
                                                              "september_reconciliation": 0, "notice": None})
    for unit_id, n in matters.order_by().values_list("lead_unit_id").annotate(n=Count("id")).values_list(
        "lead_unit_id", "n"
    ):
        per_unit[unit_id]["matters"] = n
    flags = visible_flags(user).filter(ledger_year__year=year)
    for unit_id, phase, n in flags.order_by().values_list("unit_id", "phase").annotate(n=Count("id")).values_list(
        "unit_id", "phase", "n"
    ):
        per_unit[unit_id][phase] = n
    notices = list(visible_notices(user).filter(ledger_year__year=year).select_related("unit"))
    for notice in notices:
        per_unit[notice.unit_id]["notice"] = notice
    units = {u.id: u for u in visible_units(user).filter(pk__in=list(per_unit))}
    unit_rows = [{"unit": units[uid], **per_unit[uid]} for uid in sorted(
        per_unit, key=lambda u: (units[u].sort_order, u) if u in units else (0, u)) if uid in units]
    files, runs = runs_ledger(user), runs_any_phase(user)
    if not unit_rows and row is None and not (files or runs):
        raise Http404("No ledger for this year")  # the office sees an empty year, to import into it
    context: dict[str, Any] = {
        "year": year, "row": row, "today": today, "runs": runs, "files": files,
        "phases": _phase_rows(row, planning.phase_windows(year), today, user),
        "unit_rows": unit_rows, "matter_count": sum(r["matters"] for r in unit_rows),
        "scope_all": unit_scope(user).all_units, "self_check_unit": self_check_unit(user),
    }
    if files or runs or user.role in CITY_WIDE_ROLES:
        context["events"] = [
            (e, [(COUNT_LABELS.get(k, k), v) for k, v in e.counts.items()])
            for e in LedgerEvent.objects.filter(ledger_year__year=year).select_related("actor")[:20]
        ]
    if files:
        context["jobs"] = LedgerImportJob.objects.filter(year=year).select_related("created_by")[:5]
    return render(request, "ledger/year.html", context)


def _close_choices(request: HttpRequest) -> tuple[int | None, frozenset[int]]:
    """The typed year and the listed matters chosen to be closed as not done, from the close form."""
    typed = request.POST.get("confirm_year", "").strip()
    not_done = frozenset(int(k.removeprefix("outcome_")) for k, v in request.POST.items()
                         if k.startswith("outcome_") and k.removeprefix("outcome_").isdigit()
                         and v == CloseOutcome.NOT_DONE)
    return (int(typed) if typed.isdigit() and len(typed) <= 4 else None), not_done


def _more_not_done(request: HttpRequest, year: int) -> frozenset[int]:
    """The matters beyond the close page's list that the operator typed the numbers of."""
    numbers = {n for n in re.split(r"[\s,，、;；]+", request.POST.get("more_not_done", "")) if n}
    if not numbers:
        return frozenset()
    found = dict(planning.open_ledger_matters(year).filter(number__in=numbers).values_list("number", "id"))
    unknown = sorted(numbers - found.keys())
    if unknown:
        raise actions.LedgerError(_("Not the number of a matter still open in the %(year)d ledger: %(numbers)s")
                                  % {"year": year, "numbers": "、".join(unknown)})
    return frozenset(found.values())


@login_required
@require_http_methods(["GET", "POST"])
def phase(request: HttpRequest, year: int, slug: str) -> HttpResponse:
    user = _reader(request)
    key = PHASE_SLUGS.get(slug)
    if key is None or not previews_phase(user, key):
        raise Http404("No such phase page")
    today = workcal.today()
    error, status = "", 200
    chosen_not_done: frozenset[int] = frozenset()
    # The box that names the effect was not ticked (or a bare POST): nothing runs.
    unconfirmed = (request.method == "POST" and key != "year_end_close" and runs_phase(user, key)
                   and request.POST.get("confirm") != key)
    if request.method == "POST" and not unconfirmed:
        digest = request.POST.get("digest", "")
        try:
            if key == "september_reconciliation":
                issued = actions.do_reconcile_ledger(actor=user, year=year, today=today, expected_digest=digest)
                failed = [n.number for n in issued if n.render_error]
                messages.success(request, _("%(n)d supervision notices issued and delivered.") % {"n": len(issued)})
                if failed:
                    messages.warning(request, _("Documents could not be generated for: %(list)s. Open a notice "
                                                "to see why and generate them again.") % {"list": "、".join(failed)})
            elif key == "year_end_close":
                typed, chosen_not_done = _close_choices(request)
                actions.do_close_ledger(actor=user, year=year, today=today, expected_digest=digest,
                                        confirm_year=typed, not_done=chosen_not_done | _more_not_done(request, year))
                messages.success(request, _("%(phase)s done for %(year)s.") % {"phase": Phase(key).label,
                                                                                 "year": year})
            else:
                actions.PHASE_ACTIONS[key](actor=user, year=year, today=today, expected_digest=digest)
                messages.success(request, _("%(phase)s done for %(year)s.") % {"phase": Phase(key).label,
                                                                                 "year": year})
            return redirect("ledger:year", year=year)
        except actions.NotYours as e:
            error, status = str(e), 403
        except actions.LedgerError as e:
            error, status = str(e), 409
    plan = planning.PLANNERS[key](year, today)
    if unconfirmed:
        error, status = _("Nothing was done. Confirm it on the page: %(effect)s") % {
            "effect": phase_effect(key, plan)}, 400
    return render(request, "ledger/phase.html", {
        "year": year, "plan": plan, "key": key, "label": Phase(key).label, "error": error, "today": today,
        "preview_units": plan.preview_units(), "shown": min(len(plan.flags), planning.PREVIEW_ROWS),
        "runs": runs_phase(user, key), "runners": phase_runner_names(key), "not_done": chosen_not_done,
        "more_not_done": request.POST.get("more_not_done", ""),
        "outcome_choices": CloseOutcome.choices, "effect": phase_effect(key, plan),
    }, status=status)


def phase_effect(key: str, plan: Any) -> str:
    """What running the phase does, in the words its confirmation box names (the close asks for the typed year)."""
    counts = plan.counts
    if key == "build":
        return _("Freeze the baseline of %(n)d matters for good; the year's later checks compare against it.") % {
            "n": counts.get("matters", 0)}
    if key == "june_check":
        return _("Flag %(n)d matters as behind schedule, each with a rectification demand to its unit; "
                 "the flags stay in the record.") % {"n": counts.get("flagged", 0)}
    if key == "september_reconciliation":
        numbers = list(plan.numbers or [])
        span = f"{numbers[0]} – {numbers[-1]}" if len(numbers) > 1 else (numbers[0] if numbers else "")
        return _("Flag %(n)d matters and issue %(k)d supervision notices %(span)s to their units at once; "
                 "issued notices cannot be withdrawn.") % {"n": counts.get("flagged", 0), "k": len(numbers),
                                                          "span": span}
    return ""


@login_required
@require_GET
def flag_list(request: HttpRequest, year: int) -> HttpResponse:
    user = _reader(request)
    flags = visible_flags(user).filter(ledger_year__year=year).select_related(
        "matter", "unit", "rectification", "notice").order_by("phase", "unit__sort_order", "unit_id", "matter_id")
    phase_key = request.GET.get("phase", "")
    if phase_key in (Phase.JUNE_CHECK, Phase.RECONCILIATION):
        flags = flags.filter(phase=phase_key)
    unit = request.GET.get("unit", "")
    if unit.isdigit():
        flags = flags.filter(unit_id=int(unit))
    page = Paginator(flags, FLAGS_PAGE).get_page(request.GET.get("page"))
    summary = flags.aggregate(total=Count("id"), rectified=Count("id", filter=Q(rectification__rectified_on__isnull=False)))
    return render(request, "ledger/flags.html", {
        "year": year, "page": page, "phase": phase_key, "unit": unit, "summary": summary,
        "units": visible_units(user).filter(ledger_flags__ledger_year__year=year).distinct(),
    })


@login_required
@require_http_methods(["GET", "POST"])
def self_check(request: HttpRequest, year: int) -> HttpResponse:
    """自查: the unit's one form before the June check; the offices see who confirmed on the
    June check's page."""
    user = _reader(request)
    unit_id = self_check_unit(user)
    if unit_id is None:
        raise Http404("No self-check for this account")
    today = workcal.today()
    errors: dict[str, str] = {}
    posted: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        lines: dict[int, actions.SelfCheckInput] = {}
        for raw in request.POST.getlist("m"):
            if not raw.isdigit():
                continue
            value = request.POST.get(f"p_{raw}", "").strip()
            reason = request.POST.get(f"r_{raw}", "")
            posted[f"p_{raw}"], posted[f"r_{raw}"] = value, reason
            # A figure that is not a whole number reaches the action as -1 and is refused there by name.
            lines[int(raw)] = actions.SelfCheckInput(int(value) if value.isdigit() else -1, reason)
        try:
            actions.do_confirm_self_check(actor=user, year=year, lines=lines, today=today)
            messages.success(request, _("Self-check confirmed for %(year)s.") % {"year": year})
            return redirect("ledger:self-check", year=year)
        except actions.SelfCheckRefused as e:
            errors, status = e.errors, 400
        except actions.LedgerError as e:
            errors, status = {"__all__": str(e)}, 409
    form = self_check_form(year, unit_id, today)
    rows = [{"row": r, "value": posted.get(f"p_{r.matter_id}", r.value),
             "reason": posted.get(f"r_{r.matter_id}", r.reason), "error": errors.get(str(r.matter_id), "")}
            for r in form.rows]
    return render(request, "ledger/self_check.html", {
        "year": year, "form": form, "rows": rows, "error": errors.get("__all__", ""),
        "has_errors": bool(errors), "sources": dict(ProgressSource.choices),
    }, status=status)
