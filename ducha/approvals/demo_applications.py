"""The demo city's applications (办件, S3.3–S3.5): a few weeks of the window and the departments,
played out day by day through the actions themselves, up to the demo's today.

Each application is scheduled on a working day counted back from today, so the demo reads the
same on any date. After each day's steps the electronic supervision's pass runs for that day
(``supervise(today=d)``), so the platform itself accepts by law the application nobody answered
(art. 32) and issues the yellow and red cards of those running late. Idempotent: nothing is
added once any application exists.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from ducha.approvals.actions_handling import do_decide, do_end_pause, do_extend, do_finish_step, do_start_pause
from ducha.approvals.actions_intake import (
    do_accept,
    do_check_materials,
    do_give_notice,
    do_receive_application,
    do_refuse_to_accept,
    do_submit_materials,
    do_withdraw,
)
from ducha.approvals.joint import do_receive_joint_application
from ducha.approvals.models import Application, ApplicationMaterial, Item, MaterialState, StepRecord, StepState
from ducha.approvals.supervision import supervise
from ducha.org.models import Unit, User
from ducha.rules.identity import credit_code_check, id_number_check
from ducha.workcal import service as workcal

# How far back the first application was received, in working days.
SPAN = 30


def credit_code(region: str, org: str) -> str:
    """A well-formed 统一社会信用代码 of an enterprise (91) registered in ``region``."""
    head = f"91{region}{org}"
    return head + credit_code_check(head)


def id_number(region: str, born: str, seq: str) -> str:
    """A well-formed 公民身份号码."""
    head = f"{region}{born}{seq}"
    return head + id_number_check(head)


# The applicants: (name, ID or credit code, mobile).
APPLICANTS = {
    "food": ("南阳市卧龙区福满楼餐饮有限公司", credit_code("411303", "MA9G7K2L5"), "13937712041"),
    "bath": ("西峡县伏牛山温泉酒店有限公司", credit_code("411323", "MA44R8T1X"), "13838765210"),
    "gcjs": ("南阳宛城新能源产业园开发有限公司", credit_code("411302", "MA9F3N6Q8"), "13700773356"),
    "energy": ("南阳恒远新材料科技有限公司", credit_code("411300", "MA40C2D7W"), "15937780912"),
    "eia": ("南阳鑫源生物科技有限公司", credit_code("411300", "MA45H9J3P"), "13569215578"),
    "freight": ("邓州市顺通物流运输有限公司", credit_code("411381", "MA47K1M2N"), "18237761420"),
    "company": ("南阳智联信息技术有限公司", credit_code("411300", "MA9H5E8R4"), "13503771186"),
    "build": ("河南宛建建设集团有限公司", credit_code("411300", "17512840X"), "13782183305"),
    "event": ("南阳盛典文化传媒有限公司", credit_code("411302", "MA46B7C9U"), "15036642207"),
    "road": ("南阳市城通市政工程有限公司", credit_code("411300", "MA47T2W6Y"), "13462987714"),
    "hr": ("邓州市才聚人力资源服务有限公司", credit_code("411381", "MA48L3P5Q"), "18625632290"),
    "lift": ("南阳万德隆商贸有限公司", credit_code("411302", "MA40E6F8G"), "13837701123"),
    "filing": ("西峡县山茱萸生态农业有限公司", credit_code("411323", "MA45N2R7D"), "13523136649"),
    "villager": ("王建国", id_number("411323", "19720315", "151"), "13949325507"),
    "farmer": ("李秀英", id_number("411381", "19800908", "262"), "15893465521"),
    "water": ("南阳宛城水务有限公司", credit_code("411302", "MA9K4U1X3"), "13703779968"),
}


class _Demo:
    def __init__(self, today: date) -> None:
        self.cal = workcal.get_calendar()
        self.today = today
        self.window = User.objects.get(username="chuangkou")
        self.units = {u.code: u for u in Unit.objects.all()}
        self.apps: dict[str, int] = {}

    def wd(self, n: int) -> date:
        return self.cal.add_workdays(self.today, -n) if n else self.cal.workday_on_or_before(self.today)

    def staff(self, code: str) -> User:
        """A department's person for its steps and decisions: its supervision liaison, else the
        approval service office's administrator; the window takes the office's own steps."""
        if self.units.get(code) is not None and self.units[code].pk == self.window.unit_id:
            return self.window
        user = User.objects.filter(username=f"{code}_liaison", is_active=True).first()
        return user or User.objects.get(username="shenpi")

    def app(self, key: str) -> Application:
        return Application.objects.select_related("handling_unit").get(pk=self.apps[key])

    def decider(self, key: str) -> User:
        return self.staff(self.app(key).handling_unit.code)

    # -- the window -------------------------------------------------------------------------

    def receive(self, key: str, item: str, who: str, project: str, day: date, *, area: str = "",
                missing: tuple[str, ...] = ()) -> None:
        version = Item.objects.get(code=item).versions.filter(state="published").order_by("-version").first()
        assert version is not None
        handed = [m.pk for m in version.materials.all() if m.code not in missing]
        name, ident, phone = APPLICANTS[who]
        area_id = self.units[area].pk if area else None
        app = do_receive_application(actor=self.window, item_code=item, area_id=area_id, applicant_name=name,
                                     applicant_id=ident, applicant_phone=phone, project=project,
                                     materials_handed_in=handed, today=day)
        self.apps[key] = app.pk

    def check(self, key: str, day: date, problems: dict[str, tuple[str, str]] | None = None) -> None:
        problems = problems or {}
        rows = ApplicationMaterial.objects.filter(application_id=self.apps[key]).select_related("material")
        results = {r.material_id: problems.get(r.material.code, (MaterialState.OK, ""))
                   for r in rows if r.material.required or r.submitted_on is not None}
        do_check_materials(actor=self.window, application_id=self.apps[key], results=results, today=day)

    def notice(self, key: str, day: date) -> None:
        do_give_notice(actor=self.window, application_id=self.apps[key], confirm=True, today=day)

    def submit(self, key: str, codes: tuple[str, ...], day: date) -> None:
        ids = ApplicationMaterial.objects.filter(application_id=self.apps[key], material__code__in=codes) \
            .values_list("material_id", flat=True)
        do_submit_materials(actor=self.window, application_id=self.apps[key], material_ids=list(ids), today=day)

    def accept(self, key: str, day: date) -> None:
        do_accept(actor=self.window, application_id=self.apps[key], today=day)

    # -- the departments --------------------------------------------------------------------

    def finish(self, key: str, department: str, opinion: str, day: date) -> None:
        for record in StepRecord.objects.filter(application_id=self.apps[key], state=StepState.RUNNING,
                                                step__department__code=department):
            do_finish_step(actor=self.staff(department), step_id=record.pk, opinion=opinion, today=day)

    def decide(self, key: str, day: date, reasons: str = "", *, grant: bool = True) -> None:
        do_decide(actor=self.decider(key), application_id=self.apps[key], grant=grant, reasons=reasons,
                  confirm=True, today=day)

    # -- the weeks ----------------------------------------------------------------------------

    def schedule(self) -> dict[date, list[Callable[[], object]]]:
        plan: dict[date, list[Callable[[], object]]] = {}

        def on(n: int, fn: Callable[[], object]) -> None:
            plan.setdefault(self.wd(n), []).append(fn)

        missing, wrong = MaterialState.MISSING, MaterialState.WRONG

        # Extended (art. 42): an environmental report form whose review outran the promised ten days.
        on(28, lambda: self.receive("eia", "STHJ-XK-002", "eia", "年产500吨生物饲料添加剂建设项目", self.wd(28)))
        on(28, lambda: self.check("eia", self.wd(28)))
        on(28, lambda: self.accept("eia", self.wd(28)))
        on(20, lambda: do_start_pause(
            actor=self.decider("eia"), application_id=self.apps["eia"], reason="appraisal", expected_days=5,
            notice_text="贵单位报送的环境影响报告表需委托技术评估机构进行技术评估，预计需5个工作日，所需时间不计算在审批期限内。",
            confirm=True, today=self.wd(20)))
        on(15, lambda: do_end_pause(actor=self.decider("eia"), application_id=self.apps["eia"],
                                    note="技术评估报告已出具。", today=self.wd(15)))
        on(6, lambda: do_extend(
            actor=self.decider("eia"), application_id=self.apps["eia"], days=10,
            reason="项目位于白河饮用水水源二级保护区边缘，需补充论证废水排放对水源地的影响，延长审查期限。",
            approved_by="市生态环境局局长 张建民", approved_on=self.wd(6), confirm=True, today=self.wd(6)))

        # Granted after a one-time notice and its 补正: a construction permit.
        on(22, lambda: self.receive("build", "ZJJ-XK-001", "build", "南阳市第十三中学教学楼建设工程", self.wd(22),
                                    missing=("zjzm",)))
        on(21, lambda: self.check("build", self.wd(21), {
            "zjzm": (missing, "未提交建设资金已落实承诺书"),
            "zbtz": (wrong, "施工合同未加盖建设单位公章")}))
        on(21, lambda: self.notice("build", self.wd(21)))
        on(18, lambda: self.submit("build", ("zjzm", "zbtz"), self.wd(18)))
        on(17, lambda: self.check("build", self.wd(17)))
        on(17, lambda: self.accept("build", self.wd(17)))
        on(15, lambda: self.decide("build", self.wd(15)))

        # Granted the next day: a company set up.
        on(16, lambda: self.receive("company", "SCJG-XK-002", "company", "设立登记", self.wd(16)))
        on(16, lambda: self.check("company", self.wd(16)))
        on(16, lambda: self.accept("company", self.wd(16)))
        on(15, lambda: self.decide("company", self.wd(15)))

        # Granted in 西峡县 (a delegated filing, S3.5).
        on(14, lambda: self.receive("filing", "FGW-QT-003", "filing", "年加工3000吨山茱萸深加工项目", self.wd(14),
                                    area="xixia"))
        on(14, lambda: self.check("filing", self.wd(14)))
        on(14, lambda: self.accept("filing", self.wd(14)))
        on(13, lambda: self.decide("filing", self.wd(13)))

        # The joint application (S3.4): 工程建设项目 stage one, the window's step done, three
        # departments reviewing in parallel, the development commission's part finished.
        on(12, self.receive_joint)
        on(12, lambda: self.check("gcjs", self.wd(12)))
        on(12, lambda: self.accept("gcjs", self.wd(12)))
        on(11, lambda: self.finish("gcjs", "xzspj", "申报材料齐全，符合法定形式，已推送各并联审批部门。", self.wd(11)))
        on(4, lambda: self.finish("gcjs", "fgw", "项目符合国家产业政策和园区规划，同意核准。", self.wd(4)))

        # Refused with reasons (art. 38): a large public event.
        on(11, lambda: self.receive("event", "GAJ-XK-001", "event", "2026南阳月季文化节开幕式晚会", self.wd(11)))
        on(11, lambda: self.check("event", self.wd(11)))
        on(11, lambda: self.accept("event", self.wd(11)))
        on(7, lambda: self.decide(
            "event", self.wd(7), "经现场核查，活动场地疏散通道宽度不足，预计参加人数超过场地核定容量，"
                                 "安全工作方案未落实应急疏散措施，不符合《大型群众性活动安全管理条例》第十一条规定的条件。",
            grant=False))

        # Paused for an expert review (art. 45), the written notice recorded.
        on(10, lambda: self.receive("energy", "FGW-XK-004", "energy", "年产2万吨高性能碳纤维复合材料项目", self.wd(10)))
        on(10, lambda: self.check("energy", self.wd(10)))
        on(10, lambda: self.accept("energy", self.wd(10)))
        on(5, lambda: do_start_pause(
            actor=self.decider("energy"), application_id=self.apps["energy"], reason="expert_review", expected_days=10,
            notice_text="贵单位申报的节能报告需组织专家评审，预计需10个工作日，评审所需时间不计算在审查期限内。",
            confirm=True, today=self.wd(5)))

        # Accepted by law (art. 32): received in 邓州市, nobody answered within five working days.
        on(9, lambda: self.receive("freight", "JTJ-XK-001", "freight", "新增普通货运车辆20辆", self.wd(9),
                                   area="dengzhou"))

        # Withdrawn at the applicant's request.
        on(8, lambda: self.receive("hr", "RSJ-XK-001", "hr", "设立人力资源服务机构", self.wd(8), area="dengzhou"))
        on(8, lambda: self.check("hr", self.wd(8)))
        on(8, lambda: self.accept("hr", self.wd(8)))
        on(3, lambda: do_withdraw(actor=self.window, application_id=self.apps["hr"],
                                  reason="申请人因经营场所变更，书面申请撤回本次许可申请。", confirm=True, today=self.wd(3)))

        # A special equipment registration running late: yellow, then red.
        on(7, lambda: self.receive("lift", "SCJG-XK-003", "lift", "万德隆购物广场电梯8台使用登记", self.wd(7)))
        on(7, lambda: self.check("lift", self.wd(7)))
        on(7, lambda: self.accept("lift", self.wd(7)))

        # Not accepted (不予受理).
        on(6, lambda: self.receive("road", "CGJ-XK-002", "road", "建设路雨污分流改造临时占道", self.wd(6)))
        on(5, lambda: self.refuse_road(self.wd(5)))

        # A villager's building permit in 西峡县, accepted, running.
        on(4, lambda: self.receive("village", "ZRZY-XK-004", "villager", "丁河镇木寨村农村村民住宅建设", self.wd(4),
                                   area="xixia"))
        on(4, lambda: self.check("village", self.wd(4)))
        on(4, lambda: self.accept("village", self.wd(4)))

        # Notified: a one-time notice, the materials to complete.
        on(3, lambda: self.receive("bath", "WJW-XK-002", "bath", "温泉洗浴场所卫生许可", self.wd(3), area="xixia",
                                   missing=("wsjc",)))
        on(2, lambda: self.check("bath", self.wd(2), {
            "wsjc": (missing, "缺少具有资质的检测机构出具的卫生检测报告"),
            "cns": (wrong, "告知承诺书未由法定代表人签字")}))
        on(2, lambda: self.notice("bath", self.wd(2)))

        # Received, the check to come: a restaurant in the city and a farmer in 邓州市.
        on(1, lambda: self.receive("food", "SCJG-XK-001", "food", "福满楼中餐厅食品经营", self.wd(1)))
        on(0, lambda: self.receive("farmer", "ZRZY-XK-004", "farmer", "张村镇黄营村农村村民住宅建设", self.wd(0),
                                   area="dengzhou"))
        return plan

    def receive_joint(self) -> None:
        day = self.wd(12)
        codes = ["GCJS-01", "FGW-XK-001", "ZRZY-XK-001", "STHJ-XK-001", "ZRZY-XK-002"]
        handed = [m.pk for code in codes for m in
                  Item.objects.get(code=code).versions.filter(state="published").get().materials.all()]
        name, ident, phone = APPLICANTS["gcjs"]
        app = do_receive_joint_application(
            actor=self.window, item_code="GCJS-01", member_item_codes=codes[1:], investment=Decimal("1860000000"),
            materials_handed_in=handed, today=day, area_id=None, applicant_name=name, applicant_id=ident,
            applicant_phone=phone, project="宛城新能源产业园一期（动力电池及储能系统生产基地）")
        self.apps["gcjs"] = app.pk

    def refuse_road(self, day: date) -> None:
        do_refuse_to_accept(
            actor=self.window, application_id=self.apps["road"], confirm=True, today=day,
            reasons="申请占用的建设路（人民路至工业路段）为城市主干道，已列入本年度道路大修计划，依据《城市道路管理条例》"
                    "第三十一条，申请事项依法不予受理；请待大修完成后重新申请。")

    def run(self) -> None:
        plan = self.schedule()
        day = min(plan)
        while day <= self.today:
            for step in plan.get(day, []):
                step()
            supervise(today=day)
            day += timedelta(days=1)


def build_demo_applications() -> int:
    """The number of applications made (0 when there were some already, or the catalogue, the
    window's officer or the calendar is missing)."""
    if Application.objects.exists() or not Item.objects.exists() \
            or not User.objects.filter(username="chuangkou").exists():
        return 0
    try:
        demo = _Demo(workcal.today())
    except workcal.CalendarEmpty:
        return 0
    demo.run()
    return len(demo.apps)
