"""A year of supervised matters for the demo city, drawn from the seed's own key-work areas.

Deterministic (a fixed random seed, dates relative to the year's start) and idempotent: a
year that already has matters is left alone. Matters go through the same actions as real
ones, so every one has its events; only progress is set directly, standing in for the
monthly reports a real year would have.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from ducha.matters.actions import CoUnitInput, MatterInput, do_create_matter, do_transition_matter
from ducha.matters.models import CoUnitPart, Matter, MatterEvent, Source
from ducha.org.models import LeaderPost, Unit, UnitKind, User
from ducha.rules.workdays import elapsed_share
from ducha.workcal.service import get_calendar

# (area, title template, target quantity or None, target unit, qualitative standard, lead unit code, co-unit codes)
KEY_WORK = [
    ("龙腾计划", "“龙腾计划”重点企业培育：新增规模以上工业企业", 60, "家", "", "gxj", ["czj", "scjgj"]),
    ("雁阵计划", "“雁阵计划”产业集群培育：主导产业集群营业收入增长", 10, "%", "", "gxj", ["fgw", "kjj"]),
    ("金地计划", "“金地计划”土地集约利用：盘活闲置低效用地", 3000, "亩", "", "zrzyj", ["zjj", "czj"]),
    ("招商引资", "招商引资：新签约亿元以上项目", 120, "个", "", "tzcjj", ["swj", "fgw"]),
    ("招商引资", "招商引资：实际到位省外资金", 900, "亿元", "", "tzcjj", ["swj"]),
    ("城市规划建设管理", "中心城区老旧小区改造", 150, "个", "", "zjj", ["cgj", "wancheng", "wolong"]),
    ("城市规划建设管理", "中心城区“两度两力”提升行动：背街小巷整治", 200, "条", "", "cgj", ["zjj", "wancheng", "wolong"]),
    ("城市规划建设管理", "国土空间总体规划编制报批", None, "", "规划获省政府批复", "zrzyj", ["fgw"]),
    ("交通建设", "高速公路在建项目建设", 4, "条", "", "jtj", ["fgw", "zrzyj"]),
    ("交通建设", "农村公路提质改造", 1200, "公里", "", "jtj", ["czj"]),
    ("民生", "城镇新增就业", 60000, "人", "", "rsj", ["czj"]),
    ("民生", "新建、改扩建公办幼儿园", 40, "所", "", "jyj", ["zjj", "czj"]),
    ("民生", "基层医疗卫生机构能力提升", None, "", "乡镇卫生院全部达到服务能力基本标准", "wjw", ["ybj"]),
    ("民生", "城乡居民医保参保率", 95, "%", "", "ybj", ["wjw"]),
    ("稳定", "信访积案化解", 300, "件", "", "xfj", ["sfj", "gaj"]),
    ("稳定", "安全生产专项整治三年行动", None, "", "较大以上事故零发生", "yjj", ["gaj", "jtj"]),
    ("五个一百", "“五个一百”行动计划：百个重点项目开工", 100, "个", "", "fgw", ["zrzyj", "zjj"]),
    ("生态", "大气污染防治：PM2.5平均浓度下降", 5, "%", "", "sthjj", ["cgj", "jtj"]),
    ("生态", "南水北调中线水源地生态保护", None, "", "出境水质稳定达到Ⅱ类", "sthjj", ["slj", "lyj", "xichuan"]),
    ("乡村振兴", "高标准农田建设", 50, "万亩", "", "nyj", ["czj", "zrzyj"]),
]
COUNTY_WORK = [
    ("县域经济", "{county}：产业集聚区“二次创业”营业收入增长", 12, "%", ""),
    ("民生", "{county}：农村人居环境整治", None, "", "村庄清洁行动全覆盖"),
    ("营商环境", "{county}：“一网通办”事项办理率", 90, "%", ""),
]
MEETINGS = [
    ("市政府常务会议", "研究加快推进中心城区停车设施建设", "cgj", ["zjj", "gaj"]),
    ("市政府常务会议", "研究优化营商环境若干措施落实", "xzspj", ["dsjj", "scjgj"]),
    ("市长办公会议", "研究推进物流园区建设", "swj", ["jtj", "zrzyj"]),
    ("市政府专题会议", "研究解决企业用工问题", "rsj", ["gxj"]),
]
INSTRUCTIONS = [
    ("请市交通运输局牵头，抓紧研究解决群众反映的公交线路调整问题，一周内报结果。", "jtj"),
    ("请市生态环境局会同有关县区，立即核查处理群众反映的企业夜间排污问题。", "sthjj"),
    ("请市住建局对在建工程安全隐患开展拉网式排查，月底前报排查整改情况。", "zjj"),
    ("请市市场监管局加强节前食品安全检查，及时报告检查结果。", "scjgj"),
]
PROPOSALS = [
    (Source.NPC_SUGGESTION, "关于加快城区公共停车场建设的建议", "cgj", "刘代表"),
    (Source.NPC_SUGGESTION, "关于完善农村饮水安全保障的建议", "slj", "陈代表"),
    (Source.CPPCC_PROPOSAL, "关于支持中医药产业发展的提案", "wjw", "孙委员"),
    (Source.CPPCC_PROPOSAL, "关于加强非物质文化遗产保护的提案", "wlj", "何委员"),
    (Source.CPPCC_PROPOSAL, "关于推进智慧城市建设的提案", "dsjj", "郭委员"),
]
TV_QUESTIONS = [
    ("电视问政：城区道路反复开挖问题", "zjj", ["cgj"]),
    ("电视问政：农贸市场环境脏乱问题", "scjgj", ["cgj", "wolong"]),
]
ASSIGNED = [
    ("省政府督查反馈问题整改：项目审批时限过长", "xzspj", ["fgw", "zrzyj"]),
    ("国务院大督查发现问题整改：拖欠中小企业账款清偿", "gxj", ["czj", "gzw"]),
]
# A running matter of 发改委, whose demo accounts can send a letter, with a co-unit that has
# reported nothing since it was assigned: S1.4's reminder letter needs no setting up in the demo.
SLOW_CO_UNIT = ("市政府专题会议", "研究推进重大项目前期工作百日攻坚", "fgw", "zrzyj")
REQUESTS = [
    ("西峡县报请：协调解决县产业园区供电线路迁改", "xixia", ["gxj"]),
    ("邓州市报请：协调落实高铁站前广场建设资金", "dengzhou", ["czj", "fgw"]),
    ("镇平县报请：协调办理玉雕产业园用地手续", "zhenping", ["zrzyj"]),
]


def _on(day: date, do: Callable[..., Matter], /, **kwargs: Any) -> Matter:
    """Run the action ``do`` and date the timeline rows it wrote on ``day``, as if it had been done then:
    the ledger's June and September checks read each matter's state at their cut-off from
    those dates, and a demo year built in one go in December would otherwise show nothing
    before December."""
    last = MatterEvent.objects.aggregate(last=Max("id"))["last"] or 0
    result = do(**kwargs)
    at = timezone.make_aware(datetime.combine(day, time(9)))
    MatterEvent.objects.filter(id__gt=last).update(created_at=at)
    return result


def _leader_for(unit: Unit) -> User:
    post = LeaderPost.objects.filter(portfolio=unit).select_related("person").first()
    if post is None:
        post = LeaderPost.objects.select_related("person").order_by("sort_order").first()
    assert post is not None, "the demo organisation must be built first"
    return post.person


@transaction.atomic
def build_demo_matters(today: date | None = None) -> int:
    """Create the demo year's matters; returns how many were created (0 when already there)."""
    today = today or timezone.localdate()
    year = today.year
    if Matter.objects.filter(year=year).exists():
        return 0
    rng = random.Random(20140805)  # the seed document's date
    units = {u.code: u for u in Unit.objects.all()}
    office = User.objects.get(username="duchashi")
    general = User.objects.get(username="zhengfuban")
    cal = get_calendar()
    created: list[Matter] = []

    def make(actor: User, data: MatterInput) -> Matter:
        matter = _on(data.start_date, do_create_matter, actor=actor, data=data, today=data.start_date)
        created.append(matter)
        return matter

    def co(codes: list[str], due: date) -> list[CoUnitInput]:
        return [CoUnitInput(unit_id=units[c].id, part=f"配合{units[c].short_name}职责范围内工作", due_date=due)
                for c in codes]

    jan = date(year, 1, 5)
    for area, title, qty, unit_name, quality, lead, co_codes in KEY_WORK:
        due = date(year, 12, 20) if rng.random() < 0.7 else date(year, rng.choice([6, 9, 10]), 30)
        make(office, MatterInput(
            title=title, source=Source.KEY_WORK, lead_unit_id=units[lead].id,
            responsible_leader_id=_leader_for(units[lead]).id, start_date=jan, due_date=due,
            goal=f"{area}：{title}", source_ref=f"宛政〔{year}〕1号", projects=f"{area}重点支撑项目",
            standard="按月推进、按季考核", target_quantity=Decimal(qty) if qty else None, target_unit=unit_name,
            qualitative_standard=quality, co_units=co(co_codes, due - timedelta(days=30)), milestones=4,
        ))
    for county in Unit.objects.filter(kind__in=[UnitKind.COUNTY, UnitKind.ZONE]).order_by("sort_order"):
        area, template, qty, unit_name, quality = COUNTY_WORK[county.sort_order % len(COUNTY_WORK)]
        make(office, MatterInput(
            title=template.format(county=county.short_name), source=Source.KEY_WORK, lead_unit_id=county.id,
            responsible_leader_id=_leader_for(county).id, start_date=jan, due_date=date(year, 12, 20),
            goal=f"{area}目标任务", projects=f"{county.short_name}{area}重点项目",
            target_quantity=Decimal(qty) if qty else None, target_unit=unit_name,
            qualitative_standard=quality, milestones=4,
        ))
    for i, (meeting, title, lead, co_codes) in enumerate(MEETINGS):
        start = date(year, 2 + 2 * i, 10)
        due = start + timedelta(days=90)
        make(office, MatterInput(
            title=title, source=Source.MEETING, lead_unit_id=units[lead].id,
            responsible_leader_id=_leader_for(units[lead]).id, start_date=start, due_date=due,
            goal=f"落实{meeting}议定事项", source_ref=f"{meeting}纪要〔{year}〕{i + 3}号",
            qualitative_standard="按会议议定要求完成", co_units=co(co_codes, due),
        ))
    mayor = LeaderPost.objects.get(kind="mayor").person
    for i, (text, lead) in enumerate(INSTRUCTIONS):
        start = date(year, 3 + 2 * i, 16)
        make(office, MatterInput(
            title=f"市长批示件办理（{units[lead].short_name}）", source=Source.INSTRUCTION,
            lead_unit_id=units[lead].id, responsible_leader_id=_leader_for(units[lead]).id, start_date=start,
            due_date=start + timedelta(days=14), goal="按批示要求办结并报告", instructed_by_id=mayor.id,
            instruction_text=text, source_ref=f"批示件〔{year}〕{10 + i}号", qualitative_standard="按批示要求办结",
        ))
    for i, (source, title, lead, proposer) in enumerate(PROPOSALS):
        make(office, MatterInput(
            title=title, source=source, lead_unit_id=units[lead].id,
            responsible_leader_id=_leader_for(units[lead]).id, start_date=date(year, 4, 15 + i),
            goal="认真研究办理并答复代表委员", proposer=proposer, qualitative_standard="按期答复，代表委员满意",
            source_ref=f"第{101 + i}号",
        ))
    for title, lead, co_codes in TV_QUESTIONS:
        make(office, MatterInput(
            title=title, source=Source.TV_QUESTIONING, lead_unit_id=units[lead].id,
            responsible_leader_id=_leader_for(units[lead]).id, start_date=date(year, 7, 1),
            due_date=date(year, 10, 31), goal="限期解决电视问政曝光问题", qualitative_standard="问题整改到位、群众满意",
            co_units=co(co_codes, date(year, 10, 15)),
        ))
    for title, lead, co_codes in ASSIGNED:
        make(office, MatterInput(
            title=title, source=Source.ASSIGNED, lead_unit_id=units[lead].id,
            responsible_leader_id=_leader_for(units[lead]).id, start_date=date(year, 5, 8),
            due_date=date(year, 8, 31), goal="按省督查反馈意见完成整改", qualitative_standard="整改到位、按期销号",
            source_ref=f"豫督〔{year}〕{20}号", co_units=co(co_codes, date(year, 8, 15)),
        ))
    for i, (title, requester, handlers) in enumerate(REQUESTS):
        lead, *co_codes = handlers
        received = cal.workday_on_or_before(today - timedelta(days=3 + 5 * i))
        make(general, MatterInput(
            title=title, source=Source.UNIT_REQUEST, lead_unit_id=units[lead].id,
            responsible_leader_id=_leader_for(units[lead]).id, start_date=received,
            goal=f"办理{units[requester].short_name}报请事项", qualitative_standard="按时限办结并答复",
            source_ref=f"{units[requester].short_name}请示〔{year}〕{i + 1}号", co_units=co(co_codes, received),
        ))

    _advance(created, today, rng, office)
    created.append(_with_a_slow_co_unit(today, office, units))
    # Entered on the day each started, as the timeline says: a matter's monthly reports are
    # owed from its creation, and the demo's reports start with the year.
    Matter.objects.filter(created_at__date__gt=F("start_date")).update(created_at=F("start_date"))
    return len(created)


def _with_a_slow_co_unit(today: date, office: User, units: dict[str, Unit]) -> Matter:
    meeting, title, lead, slow = SLOW_CO_UNIT
    cal = get_calendar()
    start = cal.workday_on_or_before(today - timedelta(days=45))
    due = today + timedelta(days=60)
    matter = _on(start, do_create_matter, actor=office, today=start, data=MatterInput(
        title=title, source=Source.MEETING, year=today.year, lead_unit_id=units[lead].id,
        responsible_leader_id=_leader_for(units[lead]).id, start_date=start, due_date=due,
        goal=f"落实{meeting}议定事项", source_ref=f"{meeting}纪要〔{start.year}〕9号",
        qualitative_standard="按会议议定要求完成",
        co_units=[CoUnitInput(unit_id=units[slow].id, part=f"配合{units[slow].short_name}职责范围内工作",
                              due_date=due)],
    ))
    _on(start, do_transition_matter, actor=office, matter_id=matter.id, action="assign", today=start)
    lead_user = User.objects.filter(unit=units[lead], role__in=["unit_staff", "unit_admin"]).order_by("id").first()
    assert lead_user is not None, "the demo organisation gives 发改委 its staff"
    _on(start, do_transition_matter, actor=lead_user, matter_id=matter.id, action="start", today=start)
    on_track = int(elapsed_share(cal, start, due, today) * 100)
    Matter.objects.filter(pk=matter.pk).update(progress=on_track, last_progress_on=today - timedelta(days=3))
    CoUnitPart.objects.filter(matter=matter).update(progress=0, last_progress_on=None)
    return matter


def _advance(matters: list[Matter], today: date, rng: random.Random, office: User) -> None:
    """Move each matter along as a real year would have: most on track, some behind, some overdue."""
    cal = get_calendar()
    for matter in matters:
        _on(matter.start_date, do_transition_matter, actor=office, matter_id=matter.id, action="assign", today=matter.start_date)
        if matter.start_date > today or matter.due_date is None:
            continue
        lead_user = User.objects.filter(unit_id=matter.lead_unit_id, role__in=["unit_staff", "unit_admin"]).first()
        expected = elapsed_share(cal, matter.start_date, matter.due_date, today)
        luck = rng.random()
        if luck < 0.15:
            progress = max(0, int(expected * 100) - rng.randint(15, 40))  # behind schedule
        else:
            progress = min(100, max(0, int(expected * 100) + rng.randint(-5, 15)))  # early January: near 0
        matter.refresh_from_db()
        Matter.objects.filter(pk=matter.pk).update(progress=progress, last_progress_on=today - timedelta(days=rng.randint(1, 25)))
        CoUnitPart.objects.filter(matter=matter).update(progress=min(100, progress + 10), last_progress_on=today - timedelta(days=rng.randint(1, 40)))
        if lead_user is None:
            continue
        _on(matter.start_date, do_transition_matter, actor=lead_user, matter_id=matter.id, action="start", today=matter.start_date)
        finished = (matter.due_date <= today and luck >= 0.3) or progress >= 100
        if finished:
            done_on = min(today, matter.due_date if luck < 0.9 else today)
            _on(done_on, do_transition_matter, actor=lead_user, matter_id=matter.id, action="claim", reason="已按要求完成",
                explanation="剩余为收尾工作，不影响目标完成", today=done_on)
            if rng.random() < 0.8:
                _on(done_on, do_transition_matter, actor=office, matter_id=matter.id, action="close", today=done_on)
