"""Making an indicator set (S6.1): the performance office writes a new version of a category's
set for a year, whole (the API) or as the previous version with changed weights and parameters
(the page). A set is checked before it is saved: the weights add up level by level to 100
(``rules.evaluation.check_weights``), every method and source exists, and no source counts
activity in the app (``rules.evaluation.check_source``, the 2024 减负 rules). Versions are never
edited: a period keeps the version in force on its first day."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from ducha.audit.api import record as audit
from ducha.evaluation.actions import EvaluationError, _office
from ducha.evaluation.models import Category, Indicator, IndicatorSet
from ducha.evaluation.sources import SOURCES
from ducha.org.models import User
from ducha.rules import evaluation as rules

PARAMS = ("target", "scale_max", "step_percent", "points_each", "allow_over")


@dataclass(frozen=True)
class IndicatorSpec:
    code: str
    name: str
    name_en: str
    weight: str
    method: str = ""
    source: str = ""
    parent: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    is_adjustment: bool = False
    enters_total: bool = True


def _dec(text: Any) -> Decimal | None:
    try:
        value = Decimal(str(text))
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def check_specs(specs: list[IndicatorSpec]) -> dict[str, str]:
    """Every problem of a set, by indicator code (``__all__`` for the tree)."""
    errors: dict[str, str] = {}
    codes = [s.code for s in specs]
    parents = {s.parent for s in specs if s.parent}
    for s in specs:
        weight = _dec(s.weight)
        if not s.code or len(s.code) > 40 or not s.code.replace("_", "").replace("-", "").isalnum():
            errors[s.code or "__all__"] = _("An indicator needs a code of letters, digits and _ (at most 40).")
        elif codes.count(s.code) > 1:
            errors[s.code] = _("The code %(code)s is used twice.") % {"code": s.code}
        elif not s.name.strip() or not s.name_en.strip():
            errors[s.code] = _("Name %(code)s in Chinese and in English.") % {"code": s.code}
        elif weight is None or weight < 0:
            errors[s.code] = _("%(code)s: the weight must be a number of points, 0 or more.") % {"code": s.code}
        elif s.parent and (s.parent not in codes or s.parent == s.code):
            errors[s.code] = _("%(code)s: no parent indicator %(parent)s.") % {"code": s.code, "parent": s.parent}
        elif s.code in parents and (s.method or s.source or s.is_adjustment):
            errors[s.code] = _("%(code)s has indicators under it: it scores their sum, with no method or source.") % {
                "code": s.code}
        elif s.code not in parents:
            problem = _leaf_problem(s)
            if problem:
                errors[s.code] = problem
    if not errors:
        try:
            rules.check_weights(_tree([s for s in specs if not s.is_adjustment]))
        except ValueError as e:
            errors["__all__"] = _("The weights do not add up: %(reason)s.") % {"reason": e}
    return errors


def _leaf_problem(s: IndicatorSpec) -> str:
    try:
        rules.check_source(s.source)
    except ValueError:
        return _("%(code)s: the source %(source)s counts activity in the app; the 2024 burden-reduction rules forbid "
                 "ranking units by it.") % {"code": s.code, "source": s.source}
    if s.source not in SOURCES:
        return _("%(code)s: no source %(source)s.") % {"code": s.code, "source": s.source or "—"}
    if s.is_adjustment:
        return "" if _dec(s.params.get("points_each")) is not None else _(
            "%(code)s: an adjustment needs its points per record.") % {"code": s.code}
    if s.method not in rules.Method.__members__.values():
        return _("%(code)s: choose a method: %(choices)s.") % {"code": s.code, "choices": ", ".join(rules.Method)}
    try:
        rules.score_indicator(rules.Method(s.method), Decimal(s.weight), value=None,
                              target=_dec(s.params.get("target")),
                              scale_max=_dec(s.params.get("scale_max")) or Decimal(100),
                              step_percent=_dec(s.params.get("step_percent")) or Decimal(2))
    except ValueError as e:
        return f"{s.code}: {e}"
    return ""


def _tree(specs: list[IndicatorSpec], parent: str | None = None) -> list[rules.Node]:
    return [rules.Node(s.code, Decimal(s.weight), tuple(_tree(specs, s.code)))
            for s in specs if s.parent == parent]


def do_make_set(*, actor: User, category: Category, year: int, valid_from: date, note: str, bonus_cap: str,
                deduction_cap: str, specs: list[IndicatorSpec]) -> IndicatorSet:
    """Save a new version of the category's set for ``year``, in force from ``valid_from``."""
    _office(actor)
    errors = check_specs(specs)
    caps = (_dec(bonus_cap), _dec(deduction_cap))
    if any(c is None or c < 0 for c in caps):
        errors["caps"] = _("The caps are points, 0 or more.")
    if valid_from.year != year:
        errors["valid_from"] = _("A set of %(year)d comes into force in %(year)d.") % {"year": year}
    if not note.strip() or len(note) > 300:
        errors["note"] = _("Say what changed (at most 300 characters).")
    if errors:
        raise EvaluationError(errors)
    bonus, deduction = caps
    assert bonus is not None and deduction is not None
    with transaction.atomic():
        Category.objects.select_for_update().get(pk=category.pk)  # versions are numbered one at a time
        version = (category.indicator_sets.filter(year=year).aggregate(v=Max("version"))["v"] or 0) + 1
        made = IndicatorSet.objects.create(category=category, year=year, version=version, valid_from=valid_from,
                                           note=note.strip(), bonus_cap=bonus, deduction_cap=deduction,
                                           created_by=actor)
        nodes: dict[str, Indicator] = {}
        pending = list(specs)
        position = 0
        while pending:  # parents first, whatever the order given
            ready = [s for s in pending if s.parent is None or s.parent in nodes]
            for s in ready:
                nodes[s.code] = Indicator.objects.create(
                    indicator_set=made, parent=nodes[s.parent] if s.parent else None, code=s.code, name=s.name,
                    name_en=s.name_en, weight=Decimal(s.weight), method="" if s.is_adjustment else s.method,
                    source=s.source, params={k: v for k, v in s.params.items() if k in PARAMS},
                    is_adjustment=s.is_adjustment, enters_total=s.enters_total, position=position)
                position += 1
            pending = [s for s in pending if s.code not in nodes]
        audit(actor=actor, action="evaluation.set", obj_type="evaluation.IndicatorSet", obj_id=made.pk, before=None,
              after={"category": category.code, "year": year, "version": version, "note": note.strip()})
    return made


def specs_of(indicator_set: IndicatorSet) -> list[IndicatorSpec]:
    """A set as specs, to change and save as the next version."""
    return [IndicatorSpec(code=i.code, name=i.name, name_en=i.name_en, weight=str(i.weight), method=i.method,
                          source=i.source, parent=i.parent.code if i.parent else None, params=dict(i.params),
                          is_adjustment=i.is_adjustment, enters_total=i.enters_total)
            for i in indicator_set.indicators.select_related("parent").order_by("position", "id")]
