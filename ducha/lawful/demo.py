"""The demo city's lawful-administration check (S1.6): the first half of this year checked and
published, with a few findings, one of them (an enforcement without the required legal review)
handed to an efficiency case. Idempotent: nothing is added once that half-year has a check."""

from __future__ import annotations

from ducha.lawful.actions import DeductionInput, do_hand_to_case, do_open_check, do_publish_check, do_record_deduction
from ducha.lawful.models import Check
from ducha.org.models import User
from ducha.org.roles import Role
from ducha.rules.periods import Period
from ducha.workcal import service as workcal

# (unit code, item code, points deducted, finding); the first is handed to a case.
FINDINGS = [
    ("czj", "enforcement_rules", 6, "抽查行政处罚案卷12件，其中3件重大执法决定未经法制审核即作出"),
    ("fgw", "document_review", 5, "印发的1件规范性文件未经合法性审核，未按规定报备"),
    ("fgw", "openness", 2, "政府信息公开年度报告逾期发布"),
    ("jyj", "law_training", 3, "上半年未组织领导干部集体学法"),
]


def build_demo_lawful() -> int:
    """The number of deductions recorded (0 when the check exists already)."""
    today = workcal.today()
    half = Period("half", today.year, 1)
    office = User.objects.filter(role=Role.SUPERVISION_OFFICE, is_active=True).order_by("id").first()
    if office is None or Check.objects.filter(period=half.key).exists():
        return 0
    check = do_open_check(actor=office, period=half.key, today=today)
    units = {u.code: u.pk for u in check.units.all()}
    codes = {i["code"] for i in check.checklist}
    made = []
    for code, item, points, finding in FINDINGS:
        if code in units and item in codes:
            row = do_record_deduction(actor=office, check=check, data=DeductionInput(units[code], item, points, finding))
            if row is not None:
                made.append(row)
    do_publish_check(actor=office, check=check)
    if made:
        do_hand_to_case(actor=office, deduction=made[0], conduct="misconduct")
    return len(made)
