"""Joint approval (联合审批, S3.4; 行政许可法 arts. 26, 42 ¶2): who qualifies, one combined materials
list (a material two items need is asked once), one fee sheet (itemised and summed), the items'
departments reviewing in parallel, one decision under one seal, 45 working days (+15).

Worked by hand for an application accepted on Friday 2026-09-25, with 2026's National Day (Oct 1–7
off, Sat Oct 10 a working day): the 20th working day is Oct 29, the 45th Dec 3, the 60th Dec 24.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ducha.approvals import actions_handling as actions
from ducha.approvals.actions_intake import start_steps
from ducha.approvals.clock import clock_fields, clock_of
from ducha.approvals.documents_decisions import build_grant
from ducha.approvals.joint import (
    JointError,
    JointNotYours,
    combined_materials,
    do_receive_joint_application,
    fee_sheet,
    qualifies,
    seal_unit,
)
from ducha.approvals.models import (
    Application,
    ApplicationMaterial,
    ApplicationState,
    Document,
    StepRecord,
    StepState,
)
from ducha.documents import Paragraph, Table, render_docx, render_pdf
from ducha.rules.identity import credit_code_check
from tests.approvals_handling_helpers import accepted_application, make_version, service_office

ACCEPTED = date(2026, 9, 25)


def _credit_code(base: str = "91411300MA44ABCD0") -> str:
    return base + credit_code_check(base)


@pytest.fixture
def items(city):
    service_office(city)
    a = make_version(city, "JS-01", name="企业投资项目备案", lead="fgw",
                     steps=((1, "fgw", "初审", 5), (2, "fgw", "审定", 3)),
                     materials=(("yyzz", "营业执照", True, 1), ("sqb", "项目申请表", True, 1)),
                     fees=[{"name": "登记费", "amount": "80.00", "basis": "宛价〔2020〕1号"}])
    b = make_version(city, "JS-02", name="政府投资资金审核", lead="czj", steps=((1, "czj", "资金审核", 4),),
                     materials=(("yyzz", "营业执照（副本）", True, 2), ("hp", "环境影响评价报告", True, 1)),
                     fees=[{"name": "审查费", "amount": "1200.50", "basis": ""},
                           {"name": "工本费", "amount": "10", "basis": ""}])
    c = make_version(city, "JS-03", name="建设用地规划许可", lead="zrzy",
                     steps=((1, "zrzy", "用地审查", 10), (2, "zrzy", "规划许可", 5)),
                     materials=(("yyzz", "营业执照", False, 1), ("td", "土地权属证明", True, 1)))
    return a, b, c


def test_who_qualifies(settings):
    """S3.4: a provincial or municipal key project, an investment of at least the setting, or the
    city's designation."""
    settings.DUCHA_APPROVAL_JOINT_INVESTMENT = 100_000_000
    assert qualifies(provincial_key=True, city_key=True, investment=None, designated=False) == "key_provincial"
    assert qualifies(provincial_key=False, city_key=True, investment=None, designated=False) == "key_city"
    assert qualifies(provincial_key=False, city_key=False, investment=Decimal("100000000"), designated=False) \
        == "investment"
    assert qualifies(provincial_key=False, city_key=False, investment=Decimal("99999999.99"), designated=False) is None
    assert qualifies(provincial_key=False, city_key=False, investment=None, designated=True) == "designated"
    assert qualifies(provincial_key=False, city_key=False, investment=None, designated=False) is None


def test_one_list_asks_a_shared_material_once(items):
    """一单清: 营业执照 (code yyzz) is needed by all three items and asked once, required because two
    require it, in two copies because one asks for two."""
    rows = combined_materials(list(items))
    assert [r.code for r in rows] == ["yyzz", "sqb", "hp", "td"]
    licence = rows[0]
    assert (licence.required, licence.copies, licence.items) == (True, 2, ["JS-01", "JS-02", "JS-03"])


def test_one_fee_sheet_itemised_and_summed(items):
    """一费结: every item's fees on one sheet; 80.00 + 1200.50 + 10 = 1290.50 yuan."""
    lines, total = fee_sheet(list(items))
    assert [(ln.item, ln.name, ln.amount) for ln in lines] == [
        ("JS-01", "登记费", Decimal("80.00")), ("JS-02", "审查费", Decimal("1200.50")), ("JS-02", "工本费", Decimal("10"))]
    assert total == Decimal("1290.50")


def test_joint_limit_45_plus_15(city, items):
    """Art. 42 ¶2: 45 working days from the day after 受理 (Dec 3), +15 with the same-level
    government's approval (Dec 24); not 16."""
    a, b, c = items
    app = accepted_application(city, a, ACCEPTED, members=[b, c], joint_reason="key_city")
    clock = clock_of(app, date(2026, 10, 12))
    assert (clock.statutory_days, clock.statutory.due) == (45, date(2026, 12, 3))
    assert clock.promised_days == 15  # the longest promise of the three, reviewed in parallel
    kw = dict(actor=city.wendy, application_id=app.pk, reason="项目复杂，需联合踏勘", approved_by="市人民政府市长",
              approved_on=date(2026, 11, 20), confirm=True, today=date(2026, 11, 20))
    with pytest.raises(actions.HandlingError) as e:
        actions.do_extend(days=16, **kw)
    assert "days" in e.value.errors
    actions.do_extend(days=15, **kw)
    app.refresh_from_db()
    assert clock_of(app, date(2026, 11, 20)).statutory.due == date(2026, 12, 24)
    assert clock_fields(app, date(2026, 11, 20))["due_date"] == "2026-12-24"


def test_members_review_in_parallel_and_one_decision_under_one_seal(city, items, settings):
    """Each item's flow runs from acceptance side by side; the decision waits for all of them and
    is one document naming every item and the one fee sheet, under the lead department's seal (or
    the service office's, by the setting)."""
    a, b, c = items
    app = accepted_application(city, a, ACCEPTED, members=[b, c], joint_reason="investment")
    StepRecord.objects.filter(application=app).delete()
    start_steps(app, ACCEPTED)  # the window's acceptance starts each item's first order
    steps = {r.step.action: r for r in StepRecord.objects.filter(application=app).select_related("step")}
    assert {k for k, r in steps.items() if r.state == StepState.RUNNING} == {"初审", "资金审核", "用地审查"}
    actions.do_finish_step(actor=city.zoe, step_id=steps["用地审查"].pk, opinion="用地符合规划。", today=date(2026, 10, 9))
    steps = {r.step.action: r for r in StepRecord.objects.filter(application=app).select_related("step")}
    assert (steps["规划许可"].state, steps["审定"].state) == (StepState.RUNNING, StepState.WAITING)
    with pytest.raises(actions.HandlingError):
        actions.do_decide(actor=city.ursula, application_id=app.pk, grant=True, reasons="", confirm=True,
                          today=date(2026, 10, 12))
    for action, who in (("初审", city.sam), ("审定", city.sam), ("资金审核", city.carl), ("规划许可", city.zoe)):
        actions.do_finish_step(actor=who, step_id=steps[action].pk, opinion="同意。", today=date(2026, 10, 12))
    assert seal_unit(app).code == "fgw"
    settings.DUCHA_APPROVAL_JOINT_SEAL = "service"
    assert seal_unit(app).code == "xzspj"
    doc = actions.do_decide(actor=city.wendy, application_id=app.pk, grant=True, reasons="", confirm=True,
                            today=date(2026, 10, 13))
    assert Document.objects.filter(application=app).count() == 1
    assert Application.objects.get(pk=app.pk).state == ApplicationState.GRANTED
    built = build_grant(doc)
    assert built.issuer == "市行政审批服务局" and built.recipients == (app.applicant_name,)
    tables = [b for b in built.body if isinstance(b, Table)]
    assert [r[1] for r in tables[0].rows] == ["JS-01", "JS-02", "JS-03"]
    assert tables[-1].rows[-1][3] == "1,290.50"
    assert any("第二十六条" in b.text for b in built.body if isinstance(b, Paragraph))
    assert render_docx(built) and render_pdf(built)  # the tables fit the GB/T 9704 page


def test_receive_a_joint_application_with_the_combined_list(city, items):
    """The window receives the lead item and, in the same transaction, the other items and the rest
    of the combined list; 营业执照 handed in under another item counts for the one row."""
    b = items[1]
    receipt = dict(area_id=None, applicant_name="南阳宛城物流有限公司", applicant_id=_credit_code(),
                   applicant_phone="13800138000", project="宛城物流园")
    b_licence = b.materials.get(code="yyzz")
    with pytest.raises(JointError) as e:
        do_receive_joint_application(actor=city.wendy, item_code="JS-01", member_item_codes=["JS-02"],
                                     investment=Decimal("5000000"), today=ACCEPTED, **receipt)
    assert "joint_reason" in e.value.errors
    with pytest.raises(JointNotYours):
        do_receive_joint_application(actor=city.sam, item_code="JS-01", member_item_codes=["JS-02"],
                                     designated=True, today=ACCEPTED, **receipt)
    assert not Application.objects.exists()
    app = do_receive_joint_application(actor=city.wendy, item_code="JS-01", member_item_codes=["JS-02", "JS-03"],
                                       investment=Decimal("180000000"), materials_handed_in=[b_licence.pk],
                                       today=ACCEPTED, **receipt)
    assert (app.joint, app.joint_reason, app.investment) == (True, "investment", Decimal("180000000"))
    assert set(app.members.values_list("item__code", flat=True)) == {"JS-02", "JS-03"}
    rows = list(ApplicationMaterial.objects.filter(application=app).select_related("material"))
    assert sorted(r.material.code for r in rows) == ["hp", "sqb", "td", "yyzz"]
    assert next(r for r in rows if r.material.code == "yyzz").submitted_on == ACCEPTED


def test_api_joint_application(client, city, items, clock):
    clock.set(ACCEPTED)
    body = {"item_code": "JS-01", "member_item_codes": ["JS-02", "JS-03"], "city_key": True,
            "applicant_name": "南阳宛城物流有限公司", "applicant_id": _credit_code(), "applicant_phone": "13800138000"}
    client.force_login(city.sam)
    assert client.post("/api/approvals/joint-applications", body, content_type="application/json").status_code == 403
    client.force_login(city.wendy)
    r = client.post("/api/approvals/joint-applications", body, content_type="application/json")
    assert r.status_code == 201, r.content
    got = r.json()
    assert (got["joint_reason"], got["statutory_days"], got["fee_total"]) == ("key_city", 45, "1290.50")
    assert [m["code"] for m in got["materials"]] == ["yyzz", "sqb", "hp", "td"]
    assert got["items"] == ["JS-01", "JS-02", "JS-03"]
    bad = client.post("/api/approvals/joint-applications", {**body, "city_key": False},
                      content_type="application/json")
    assert bad.status_code == 400 and "joint_reason" in bad.json()["errors"]
