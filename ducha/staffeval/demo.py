"""The demo city's internal evaluation (S2.5, S6.2) at 发改委: more of its staff (so that the
优秀 quota is more than one), the unit's part of its running matters of this year given to its
sections and people, a monthly review of each section for the last three months, and this
year's staff evaluation drafted with grades proposed, left for its administrator to submit and
for the organisation and personnel office (``renshi``) to confirm. Idempotent: nothing is added
once 发改委 has this year's evaluation. The staff added have no password: not demo log-ins."""

from __future__ import annotations

import contextlib
from datetime import date

from ducha.matters.access import visible_matters
from ducha.matters.actions_edit import assignable_unit, do_assign_within_unit
from ducha.matters.models import Assignment
from ducha.org.models import Section, Unit, User
from ducha.org.roles import Role
from ducha.staffeval.actions import (
    GradeInput,
    ReviewInput,
    StaffEvalError,
    do_grade_staff,
    do_record_monthly_review,
    do_start_staff_evaluation,
    staff_of,
)
from ducha.staffeval.models import MonthlyReview, StaffEvaluation
from ducha.staffeval.quota import current_quota
from ducha.workcal import service as workcal

UNIT = "fgw"
# (username, name, title, section name): fictional people.
STAFF = [
    ("fgw_s1", "秦海峰", "办公室副主任", "办公室"),
    ("fgw_s2", "钟雅琴", "科员", "办公室"),
    ("fgw_s3", "范立军", "综合科科长", "综合科"),
    ("fgw_s4", "丁晓雯", "科员", "综合科"),
    ("fgw_s5", "石磊", "督查督办科科长", "督查督办科"),
    ("fgw_s6", "康佳怡", "科员", "督查督办科"),
    ("fgw_s7", "邵明远", "科员", "综合科"),
]
REVIEWS = {
    "办公室": ("文电办理、会议组织和督办事项报送情况", 92, "个别月报提交偏晚", "月报提前两个工作日内部审核"),
    "综合科": ("重点项目推进和规划编制任务进展", 88, "两个项目前期手续滞后", "逐项明确责任人和时间节点"),
    "督查督办科": ("督办事项台账更新和整改落实情况", 95, "", "加强与分管领导沟通，按周通报进度"),
}


def _staff(unit: Unit) -> None:
    sections = {s.name: s for s in Section.objects.filter(unit=unit)}
    for username, name, title, section in STAFF:
        user, created = User.objects.update_or_create(username=username, defaults={
            "name": name, "title": title, "unit": unit, "section": sections.get(section), "role": Role.UNIT_STAFF,
            "is_active": True})
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])


def _assign(admin: User, unit: Unit, year: int) -> None:
    people = [p for p in staff_of(unit.pk) if p.section_id]
    if not people:
        return
    matters = visible_matters(admin).filter(year=year).exclude(status="closed").order_by("number")[:14]
    for i, matter in enumerate(matters):
        if Assignment.objects.filter(matter=matter, unit=unit).exists() or assignable_unit(admin, matter) != unit.pk:
            continue
        person = people[i % len(people)]
        do_assign_within_unit(actor=admin, matter_id=matter.pk, unit_id=unit.pk, section_id=person.section_id,
                              person_id=person.pk, task="牵头落实本单位承担部分")


def _reviews(admin: User, unit: Unit, today: date) -> None:
    month = date(today.year, today.month, 1)
    months = []
    for _i in range(3):
        month = date(month.year - 1, 12, 1) if month.month == 1 else date(month.year, month.month - 1, 1)
        months.append(month)
    for m in reversed(months):
        for section in Section.objects.filter(unit=unit).order_by("id"):
            key = f"{m.year:04d}-{m.month:02d}"
            words = REVIEWS.get(section.name)
            if words is None or MonthlyReview.objects.filter(section=section, month=key).exists():
                continue
            reviewed, points, problems, next_steps = words
            do_record_monthly_review(actor=admin, data=ReviewInput(section.pk, key, f"{m.month}月：{reviewed}",
                                                                   points - (m.month % 3), problems, next_steps),
                                     today=m.replace(day=25))


def build_demo_staffeval() -> int:
    """The number of lines of the evaluation drafted (0 when it exists already)."""
    today = workcal.today()
    unit = Unit.objects.filter(code=UNIT).first()
    admin = User.objects.filter(role=Role.UNIT_ADMIN, unit=unit, is_active=True).order_by("id").first()
    if unit is None or admin is None or StaffEvaluation.objects.filter(unit=unit, year=today.year).exists():
        return 0
    _staff(unit)
    _assign(admin, unit, today.year)
    _reviews(admin, unit, today)
    evaluation = do_start_staff_evaluation(actor=admin, year=today.year, today=today)
    lines = list(evaluation.lines.select_related("person").order_by("-on_time", "overdue", "person_id"))
    quota = current_quota(unit.pk, today.year, len(lines)).quota
    grades = []
    for i, line in enumerate(lines):
        if i < quota:
            grades.append(GradeInput(line.person_id, "excellent"))
        elif i < len(lines) - 1 or len(lines) < 5:
            grades.append(GradeInput(line.person_id, "competent"))
        else:
            grades.append(GradeInput(line.person_id, "basic", "全年承办事项两项逾期，月度讲评指出的问题整改不及时"))
    # Should the unit's grade have changed the quota meanwhile, the lines stay ungraded.
    with contextlib.suppress(StaffEvalError):
        do_grade_staff(actor=admin, evaluation=evaluation, grades=grades)
    return len(lines)
