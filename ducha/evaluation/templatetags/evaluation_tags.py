"""Words for the evaluation's codes: grades, methods, record kinds, and an indicator's name in the
reader's language (the set keeps both)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

register = template.Library()

GRADES = {"excellent": _("Excellent"), "good": _("Good"), "fair": _("Fair"), "poor": _("Poor")}  # 优秀 良好 一般 较差
METHODS = {
    "development": _("Development target: weight × actual / target"),  # 发展型
    "control": _("Control target: weight × (2 − actual / target)"),  # 控制型
    "progress": _("Qualitative: weight × progress"),
    "ratio_to_best": _("Against the best unit: weight × own / best"),
    "rank": _("By rank: first full marks, less per rank"),  # 按排名赋分
    "direct": _("Rated score: weight × score / scale"),
    "rate": _("Rate: weight × rate"),
    "adjustment": _("Adjustment: points per record"),
}
RECORDS = {"matter": _("Matter"), "rate": _("Rate shortfall"), "lawful_check": _("Lawful-administration check"),
           "finding": _("Supervision finding"), "record": _("Accountability record"),
           "nomination": _("Innovation award"), "letter": _("Reminder letter"), "rating": _("Rating"),
           "approval_card": _("Supervision card"), "service_rating": _("Service rating")}


@register.filter
def grade_label(value: str) -> str:
    return str(GRADES.get(value, value))


@register.filter
def method_label(value: str) -> str:
    return str(METHODS.get(value, value))


@register.filter
def record_label(value: str) -> str:
    return str(RECORDS.get(value, value))


@register.filter
def indicator_name(row: Any) -> str:
    """The name of a breakdown row or an ``Indicator`` in the active language."""
    get = row.get if isinstance(row, dict) else (lambda k, d=None: getattr(row, k, d))
    english = (get_language() or "").startswith("en")
    return str(get("name_en") if english and get("name_en") else get("name"))


NOTES = {
    "nothing_due": _("nothing due"), "no_items": _("no key-work items"), "no_check": _("no published check"),
    "not_rated": _("not rated"), "no_source": _("no source"),
    "ratio": _("%(x)s done of those due"), "closed": _("%(x)s done of those due, as the months were closed"), "items": _("mean of %(x)s items"), "checks": _("checks: %(x)s"),
    "findings": _("%(x)s findings"), "records": _("%(x)s records"), "awards": _("%(x)s awards"),
    "letters": _("%(x)s letters"), "raters": _("mean of %(x)s ratings"),
    "honours": _("sum of %(x)s honours"), "ledger_final": _("%(x)s completed, as the year-end ledger was closed"),
    "ledger_not_closed": _("the year's ledger is not closed"),
    "red_cards": _("%(x)s red cards"), "yellow_cards": _("%(x)s yellow cards"),
    "bad_ratings": _("%(x)s bad ratings of applications received"), "no_applications": _("no applications"),
    "rectified": _("%(x)s rectified on time"), "no_bad_ratings": _("no bad ratings"),
}
# The rules write formulas in numbers with a few English phrases; each phrase has its words here.
PHRASES = [
    ("nothing due: the full weight", _("nothing due: the full weight")),
    ("no value", _("no value")),
    ("capped at the weight", _("capped at the weight")),
    ("no negative scores", _("no negative scores")),
    ("at or over twice the target", _("at or over twice the target")),
    ("the best of the category is 0: everyone scores", _("the best of the category is 0: everyone scores")),
    ("floor 0", _("floor 0")),
]


@register.filter
def note_label(value: str) -> str:
    code, _sep, figures = (value or "").partition(":")
    words = NOTES.get(code)
    if words is None:
        return value
    return str(words) % {"x": figures} if figures else str(words)


@register.filter
def formula_text(value: str) -> str:
    text = value or ""
    for english, words in PHRASES:
        text = text.replace(english, str(words))
    return text


SOURCES = {
    "execution_rate": _("The execution rate"), "reporting_rate": _("The reporting rate"),
    "rectification_rate": _("The rectification rate"), "key_work_completion": _("Key-work items against targets"),
    "lawful_check": _("The lawful-administration check"), "round_findings": _("Supervision findings"),
    "accountability_records": _("Accountability records"), "innovation_award": _("Innovation awards"),
    "letters_received": _("Reminder letters received"), "leader_rating": _("Leaders' rating"),
    "external_rating": _("Third-party evaluation"), "public_rating": _("Public evaluation"),
    "provincial_honours": _("Provincial honours"), "ledger_year_end": _("The year-end ledger"),
    "approval_red_cards": _("Red cards of electronic supervision"),
    "approval_yellow_cards": _("Yellow cards of electronic supervision"),
    "public_bad_ratings": _("Bad service ratings per 1,000 applications"),
    "public_rectified_on_time": _("Bad service ratings rectified on time"),
}


@register.filter
def source_label(value: str) -> str:
    return str(SOURCES.get(value, value))
