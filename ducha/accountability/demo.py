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


def build_demo_rounds() -> int:
    """A year's supervision: an announced comprehensive round issued in the spring with one
    finding rectified and one still open, an unannounced round under way, and an efficiency case
    confirmed from a complaint. Idempotent: nothing is added once a round exists."""
    from ducha.accountability.actions_cases import CaseInput, do_move_case, do_open_case
    from ducha.accountability.actions_rounds import (
        FindingInput,
        RoundInput,
        do_issue_round,
        do_open_round,
        do_record_finding,
    )
    from ducha.accountability.rounds_models import Round
    from ducha.matters.actions_rectify import do_report_rectified
    from ducha.matters.models import Matter

    if Round.objects.exists():
        return 0
    today = workcal.today()
    office = User.objects.filter(role=Role.SUPERVISION_OFFICE, is_active=True).order_by("id").first()
    units = {u.code: u for u in Unit.objects.filter(code__in=["fgw", "czj", "xixia", "wancheng"])}
    if office is None or len(units) < 4:
        return 0
    matters = {code: Matter.objects.filter(lead_unit=unit, status__in=["assigned", "in_progress"]).order_by("id").first()
               for code, unit in units.items()}
    first, last = date(today.year, 1, 5), date(today.year, 12, 31)
    spring = do_open_round(actor=office, data=RoundInput(
        title=f"{today.year}年一季度重点工作综合督查", regularity="regular", focus="central", breadth="comprehensive",
        openness="open", starts_on=first, ends_on=min(date(today.year, 3, 31), today),
        unit_ids=tuple(u.pk for u in units.values()), inspector_ids=(office.pk,)))
    made = 1
    for code, problem in (("fgw", "项目前期手续办理滞后"), ("xixia", "台账记录与现场进度不符")):
        matter = matters.get(code)
        do_record_finding(actor=office, round_=spring, data=FindingInput(
            units[code].pk, problem, matter_id=matter.pk if matter else None, rectify_workdays=15 if matter else None))
    do_record_finding(actor=office, round_=spring, data=FindingInput(units["czj"].pk, "资金拨付审批环节多"))
    do_issue_round(actor=office, round_=spring, today=today)
    fgw_admin = User.objects.filter(unit=units["fgw"], role=Role.UNIT_ADMIN).first()
    finding = spring.findings.filter(unit=units["fgw"], rectification__isnull=False).first()
    if fgw_admin and finding and finding.rectification_id:
        do_report_rectified(actor=fgw_admin, rectification_id=finding.rectification_id, note="已完成用地预审和环评批复",
                            today=today)
    do_open_round(actor=office, data=RoundInput(
        title="重点项目推进情况暗访", regularity="irregular", focus="follow_up", breadth="special",
        openness="unannounced", theme="重点项目现场进度", starts_on=today, ends_on=last if last >= today else today,
        unit_ids=(units["wancheng"].pk, units["xixia"].pk), inspector_ids=(office.pk,)))
    made += 1
    case = do_open_case(actor=office, data=CaseInput(units["wancheng"].pk, "slow", "complaint",
                                                     "群众反映老旧小区改造项目审批拖延", evidence="12345热线工单3件"))
    do_move_case(actor=office, case=case, to_state="verifying", note="")
    do_move_case(actor=office, case=case, to_state="confirmed", note="经核查，审批超过承诺时限，认定为慢作为")
    return made


def build_demo_announcements() -> int:
    """The half-year's announcements (S1.14, S1.16): the accountability decided in the records'
    half-year announced and issued, and this half-year's exposure of the confirmed case submitted
    to the approver. Idempotent: nothing is added once an announcement exists."""
    from ducha.accountability.actions_announce import (
        do_decide_announcement,
        do_draft_announcement,
        do_issue_announcement,
        do_submit_announcement,
    )
    from ducha.accountability.announce import approver, candidate_cases, candidate_records
    from ducha.accountability.announce_models import Announcement
    from ducha.rules.periods import Period

    office = User.objects.filter(role=Role.SUPERVISION_OFFICE, is_active=True).order_by("id").first()
    person = approver()
    first = Record.objects.filter(revoked=False).order_by("-decided_on").first()
    if Announcement.objects.exists() or office is None or person is None or first is None:
        return 0
    today = workcal.today()
    made = 0
    half = Period.containing("half", first.decided_on)
    records = tuple(candidate_records(half).values_list("pk", flat=True)[:5])
    if records:
        ann = do_draft_announcement(actor=office, kind="accountability", period_key=half.key, ids=records)
        ann = do_submit_announcement(actor=office, ann=ann)
        ann = do_decide_announcement(actor=person, ann=ann, approve=True)
        do_issue_announcement(actor=office, ann=ann, today=today)
        made += 1
    now = Period.containing("half", today)
    cases = tuple(candidate_cases(now).values_list("pk", flat=True)[:5])
    if cases:
        ann = do_draft_announcement(actor=office, kind="exposure", period_key=now.key, ids=cases)
        do_submit_announcement(actor=office, ann=ann)
        made += 1
    return made
