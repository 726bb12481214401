"""The demo city's accountability register (S1.16): this year, 发改委 at its second record (an
admonishment talk due for its principal and leader in charge), 西峡县 at its third (a referral
for a sanction), and 财政局 with one record of last year that no longer counts. Idempotent:
nothing is added once the register has a record."""

from __future__ import annotations

from datetime import date

from ducha.accountability.actions import RecordInput, do_register_record
from ducha.accountability.models import Record
from ducha.org.models import Unit, UnitPost, User
from ducha.org.roles import Role
from ducha.workcal import service as workcal

# (unit code, decision number, month, day, form, reason)
RECORDS = [
    ("czj", "宛督责〔{prev}〕7号", 11, 20, "notice", "预算执行进度通报后仍未整改到位"),
    ("fgw", "宛督责〔{year}〕1号", 1, 15, "notice", "重点项目前期工作推进迟缓，未按时间节点完成"),
    ("fgw", "宛督责〔{year}〕4号", 2, 10, "admonishment", "督办事项连续两个月未报送进展"),
    ("xixia", "宛督责〔{year}〕2号", 1, 20, "notice", "农村人居环境整治进度滞后"),
    ("xixia", "宛督责〔{year}〕3号", 2, 5, "notice", "督查通知整改逾期未报"),
    ("xixia", "宛督责〔{year}〕5号", 2, 25, "organisational", "同一问题反复督办仍未解决"),
]


def build_demo_accountability() -> int:
    if Record.objects.exists():
        return 0
    today = workcal.today()
    # Records dated in this year's first two months; in those months themselves, last year's.
    year = today.year if today >= date(today.year, 3, 1) else today.year - 1
    office = User.objects.filter(role=Role.SUPERVISION_OFFICE, is_active=True).order_by("id").first()
    if office is None:
        return 0
    made = 0
    for code, number, month, day, form, reason in RECORDS:
        unit = Unit.objects.filter(code=code).first()
        people = tuple(UnitPost.objects.filter(unit=unit).values_list("person_id", flat=True)) if unit else ()
        if unit is None or not people:
            continue
        y = year - 1 if "{prev}" in number else year
        do_register_record(actor=office, today=today, data=RecordInput(
            unit_id=unit.pk, people_ids=people, cause="other", reason=reason, form=form,
            deciding_body="南阳市人民政府督查室", document_number=number.format(year=year, prev=year - 1),
            decided_on=date(y, month, day)))
        made += 1
    return made
