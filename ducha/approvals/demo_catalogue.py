"""The demo city's approval catalogue (S3.1–S3.5): about thirty items of ten departments with
their legal bases, materials (some shared across items: 营业执照, 身份证明, 项目建议书), fees
(most free), statutory and promised limits, delegated differently in 西峡县 and 邓州市, a few
prerequisite chains, and the four joint stages of a construction project (工程建设项目审批制度改革,
国办发〔2019〕11号) whose critical paths add up to 120 working days.

Published by the approval service office's administrator (``shenpi``) through the editor's own
actions, in force from the first of January of last year so the demo's applications, received
in the past, find their version.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from ducha.approvals.actions_catalogue import do_create_item, do_publish_version, do_save_draft_version
from ducha.approvals.catalogue_checks import DelegationInput, FeeInput, MaterialInput, StepInput, VersionInput
from ducha.approvals.models import Item
from ducha.org.models import Unit, User
from ducha.workcal import service as workcal

COMMON = {
    "yyzz": ("营业执照", "copy"), "sfzm": ("法定代表人身份证明", "copy"), "sqb": ("申请表", "original"),
    "xmjys": ("项目建议书", "original"), "sqs": ("授权委托书及受托人身份证明", "original"),
    "ydys": ("建设项目用地预审与选址意见书", "copy"), "tdzm": ("国有土地使用权证明", "copy"),
    "ghxk": ("建设工程规划许可证", "copy"), "sgxk": ("建筑工程施工许可证", "copy"),
    "cns": ("告知承诺书", "original"),
}

# (code, name, kind, department, legal basis, statutory, promised, service type, materials (common codes or
#  (code, name, form)), fees, delegations ("x"/"d" delegated to 西峡县/邓州市, "x-"/"d-" not handled there),
#  prerequisites)
ITEMS: list[tuple] = [  # type: ignore[type-arg]
    ("FGW-XK-001", "企业投资项目核准", "01", "fgw", "《企业投资项目核准和备案管理条例》第三条、第六条", 20, 12, "2",
     ["sqb", "yyzz", ("xmsqbg", "项目申请报告", "original"), "ydys"], [], ["d"], ["ZRZY-XK-001"]),
    ("FGW-XK-002", "政府投资项目可行性研究报告审批", "01", "fgw", "《政府投资条例》第九条、第十一条", 20, 15, "2",
     ["sqb", "xmjys", ("kxxyj", "可行性研究报告", "original"), "ydys"], [], [], ["ZRZY-XK-001"]),
    ("FGW-QT-003", "企业投资项目备案", "10", "fgw", "《企业投资项目核准和备案管理条例》第十三条", 3, 1, "1",
     ["yyzz", ("baxx", "项目备案信息表", "electronic")], [], ["x", "d"], []),
    ("FGW-XK-004", "固定资产投资项目节能审查", "01", "fgw", "《中华人民共和国节约能源法》第十五条；《固定资产投资项目节能审查办法》",
     20, 10, "2", ["sqb", ("jnbg", "节能报告", "original")], [], ["x"], []),
    ("ZRZY-XK-001", "建设项目用地预审与选址意见书核发", "01", "zrzyj", "《中华人民共和国土地管理法》第五十二条；《中华人民共和国城乡规划法》第三十六条",
     20, 10, "2", ["sqb", "xmjys", ("ydhx", "拟选址用地范围图", "original")], [], [], []),
    ("ZRZY-XK-002", "建设用地规划许可证核发", "01", "zrzyj", "《中华人民共和国城乡规划法》第三十七条、第三十八条", 20, 7, "2",
     ["sqb", "yyzz", ("pfwj", "项目批准、核准或备案文件", "copy"), ("crht", "国有建设用地使用权出让合同", "copy")], [], [],
     ["ZRZY-XK-001"]),
    ("ZRZY-XK-003", "建设工程规划许可证核发", "01", "zrzyj", "《中华人民共和国城乡规划法》第四十条", 20, 10, "2",
     ["sqb", "tdzm", ("sjfa", "建设工程设计方案", "original")], [], ["d"], ["ZRZY-XK-002"]),
    ("ZRZY-XK-004", "乡村建设规划许可证核发", "01", "zrzyj", "《中华人民共和国城乡规划法》第四十一条", 20, 10, "2",
     ["sqb", "sfzm", ("cmhy", "村民会议或村民代表会议讨论意见", "original")], [], ["x", "d"], []),
    ("ZRZY-QR-005", "不动产首次登记", "07", "zrzyj", "《不动产登记暂行条例》第十四条、第二十条", 30, 5, "2",
     ["sqb", "sfzm", "tdzm", ("jgys", "竣工验收材料", "copy")],
     [("不动产登记费（住宅）", "80", "发改价格规〔2016〕2559号"), ("不动产登记费（非住宅）", "550", "发改价格规〔2016〕2559号")],
     ["x", "d"], []),
    ("ZJJ-XK-001", "建筑工程施工许可证核发", "01", "zjj", "《中华人民共和国建筑法》第七条、第八条；《建筑工程施工许可管理办法》",
     7, 3, "2", ["sqb", "ghxk", ("zbtz", "中标通知书及施工合同", "copy"), ("zjzm", "建设资金已落实承诺书", "original")], [],
     ["x"], ["ZRZY-XK-003"]),
    ("ZJJ-XK-002", "商品房预售许可", "01", "zjj", "《中华人民共和国城市房地产管理法》第四十五条；《城市商品房预售管理办法》第七条",
     10, 5, "2", ["sqb", "yyzz", "sgxk", ("ysfa", "商品房预售方案", "original")], [], ["d"], ["ZJJ-XK-001"]),
    ("ZJJ-QT-003", "建设工程竣工验收备案", "10", "zjj", "《建设工程质量管理条例》第四十九条", 15, 5, "2",
     [("ysbg", "工程竣工验收报告", "original"), "ghxk", "sgxk"], [], ["x", "d"], ["ZJJ-XK-001"]),
    ("STHJ-XK-001", "建设项目环境影响报告书审批", "01", "sthjj", "《中华人民共和国环境影响评价法》第二十二条", 60, 20, "2",
     ["sqb", ("hpbgs", "环境影响报告书", "original"), ("gzcy", "公众参与说明", "original")], [], ["x-", "d-"], []),
    ("STHJ-XK-002", "建设项目环境影响报告表审批", "01", "sthjj", "《中华人民共和国环境影响评价法》第二十二条", 30, 10, "2",
     ["sqb", ("hpbgb", "环境影响报告表", "original")], [], ["x", "d"], []),
    ("STHJ-XK-003", "排污许可证核发", "01", "sthjj", "《排污许可管理条例》第十四条", 20, 15, "2",
     ["sqb", "yyzz", ("zxjc", "自行监测方案", "original")], [], ["x"], ["STHJ-XK-001"]),
    ("SCJG-XK-001", "食品经营许可", "01", "scjgj", "《中华人民共和国食品安全法》第三十五条；《食品经营许可和备案管理办法》",
     20, 5, "2", ["sqb", "yyzz", "sfzm", ("cspm", "经营场所平面图和设备布局", "original")], [], ["x", "d"], []),
    ("SCJG-XK-002", "企业设立登记", "01", "scjgj", "《中华人民共和国市场主体登记管理条例》第十九条", 3, 1, "2",
     ["sqb", "sfzm", ("gszc", "公司章程", "original"), ("zsdz", "住所使用相关文件", "copy")], [], ["x", "d"], []),
    ("SCJG-XK-003", "特种设备使用登记", "01", "scjgj", "《中华人民共和国特种设备安全法》第三十三条", 15, 5, "2",
     ["sqb", "yyzz", ("jyzm", "特种设备监督检验证明", "copy")], [], ["d"], []),
    ("WJW-XK-001", "医疗机构执业登记", "01", "wjw", "《医疗机构管理条例》第十五条、第十六条", 45, 20, "2",
     ["sqb", "sfzm", ("yljgsz", "医疗机构设置批准书", "copy"), ("gzzd", "规章制度和人员名录", "original")], [], ["x"], []),
    ("WJW-XK-002", "公共场所卫生许可", "01", "wjw", "《公共场所卫生管理条例》第八条", 20, 7, "2",
     ["sqb", "yyzz", ("wsjc", "卫生检测报告", "copy"), "cns"], [], ["x", "d"], []),
    ("WJW-XK-003", "放射诊疗许可", "01", "wjw", "《放射诊疗管理规定》第十二条", 20, 15, "2",
     ["sqb", ("fspj", "放射诊疗建设项目职业病危害控制效果评价", "original")], [], ["x-", "d-"], ["WJW-XK-001"]),
    ("JTJ-XK-001", "道路货物运输经营许可", "01", "jtj", "《中华人民共和国道路运输条例》第二十四条", 20, 5, "2",
     ["sqb", "sfzm", ("clqd", "车辆情况和驾驶人员从业资格证", "copy")], [], ["x", "d"], []),
    ("JTJ-XK-002", "公路超限运输许可", "01", "jtj", "《中华人民共和国公路法》第五十条；《超限运输车辆行驶公路管理规定》",
     5, 2, "2", ["sqb", ("yslx", "运输路线方案", "original")], [], [], []),
    ("SLJ-XK-001", "取水许可", "01", "slj", "《中华人民共和国水法》第四十八条；《取水许可和水资源费征收管理条例》", 45, 20, "2",
     ["sqb", ("szyl", "建设项目水资源论证报告", "original")], [], ["d-"], []),
    ("SLJ-XK-002", "生产建设项目水土保持方案审批", "01", "slj", "《中华人民共和国水土保持法》第二十五条", 20, 10, "2",
     ["sqb", ("stbc", "水土保持方案报告书", "original")], [], ["x"], []),
    ("CGJ-XK-001", "城镇污水排入排水管网许可", "01", "cgj", "《城镇排水与污水处理条例》第二十一条", 20, 7, "2",
     ["sqb", "yyzz", ("psgw", "排水户内部排水管网图", "original"), ("sjbg", "水质检测报告", "copy")], [], ["x", "d"], []),
    ("CGJ-XK-002", "临时占用城市道路审批", "01", "cgj", "《城市道路管理条例》第三十一条", 20, 5, "2",
     ["sqb", ("zdfw", "占道位置平面图", "original")], [("城市道路占用费（每平方米每日）", "2.00", "地方价格主管部门核定标准")], [], []),
    ("RSJ-XK-001", "人力资源服务许可", "01", "rsj", "《人力资源市场暂行条例》第十八条", 20, 10, "2",
     ["sqb", "yyzz", ("zycs", "经营场所和专职工作人员证明", "copy")], [], ["d"], []),
    ("GAJ-XK-001", "大型群众性活动安全许可", "01", "gaj", "《大型群众性活动安全管理条例》第十一条、第十三条", 7, 5, "2",
     ["sqb", "yyzz", ("aqgz", "安全工作方案", "original")], [], ["x", "d"], []),
]

# The 工程建设项目 stages: (code, name, lead department, [(order, department, action, limit)], materials,
#  prerequisites). Each stage's promised limit is its critical path: 25 + 40 + 30 + 25 = 120 working days.
STAGES: list[tuple] = [  # type: ignore[type-arg]
    ("GCJS-01", "工程建设项目立项用地规划许可阶段", "zrzyj",
     [(1, "xzspj", "综合窗口受理", 1), (2, "fgw", "项目审批、核准或备案", 15), (2, "zrzyj", "用地预审与选址意见书", 20),
      (2, "sthjj", "环境影响评价审批", 20), (3, "zrzyj", "建设用地规划许可证核发", 4)],
     ["sqb", "yyzz", "sfzm", "xmjys", ("ydhx", "拟选址用地范围图", "original")], []),
    ("GCJS-02", "工程建设项目工程建设许可阶段", "zrzyj",
     [(1, "xzspj", "综合窗口受理", 1), (2, "zrzyj", "设计方案审查", 15), (2, "zjj", "消防设计审查", 15),
      (3, "zrzyj", "建设工程规划许可证核发", 20), (3, "slj", "水土保持方案审批", 10), (3, "cgj", "排水方案审查", 10),
      (4, "xzspj", "统一出件", 4)],
     ["sqb", "yyzz", "tdzm", ("sjfa", "建设工程设计方案", "original")], ["GCJS-01"]),
    ("GCJS-03", "工程建设项目施工许可阶段", "zjj",
     [(1, "xzspj", "综合窗口受理", 1), (2, "zjj", "施工图审查合格书备案", 10), (2, "zjj", "质量安全监督登记", 5),
      (3, "zjj", "建筑工程施工许可证核发", 15), (3, "cgj", "临时占用城市道路审批", 10), (3, "jtj", "涉路施工许可", 10),
      (4, "xzspj", "统一出件", 4)],
     ["sqb", "yyzz", "ghxk", ("zbtz", "中标通知书及施工合同", "copy")], ["GCJS-02"]),
    ("GCJS-04", "工程建设项目竣工验收阶段", "zjj",
     [(1, "xzspj", "综合窗口受理", 1), (2, "zrzyj", "规划条件核实", 15), (2, "zjj", "消防验收", 15),
      (2, "sthjj", "环境保护设施验收备案", 10), (2, "slj", "水土保持设施验收报备", 10), (3, "zjj", "竣工验收备案", 5),
      (4, "xzspj", "统一出件", 4)],
     ["sqb", "yyzz", "ghxk", "sgxk", ("ysbg", "工程竣工验收报告", "original")], ["GCJS-03"]),
]


def _materials(specs: list) -> list[MaterialInput]:  # type: ignore[type-arg]
    out = []
    for s in specs:
        code, name, form = (s, *COMMON[s]) if isinstance(s, str) else s
        out.append(MaterialInput(code, name, required=code != "sqs", form=form, copies=1,
                                 sample="申请表（样表）" if code == "sqb" else ""))
    return out


def build_demo_catalogue() -> bool:
    """Returns whether it was built now (False: it was there already)."""
    if Item.objects.exists():
        return False
    actor = User.objects.filter(username="shenpi").first()
    units = {u.code: u.pk for u in Unit.objects.all()}
    if actor is None or "xzspj" not in units:
        return False
    since = date(workcal.today().year - 1, 1, 1)
    areas = {"x": units.get("xixia"), "d": units.get("dengzhou")}

    def delegations(marks: list[str]) -> list[DelegationInput]:
        return [DelegationInput(area, "none" if m.endswith("-") else "area") for m in marks
                if (area := areas[m[0]]) is not None]

    specs: list[tuple[str, VersionInput]] = []
    for code, name, kind, dept, basis, statutory, promised, service, mats, fees, marks, pre in ITEMS:
        specs.append((code, VersionInput(
            name=name, kind=kind, legal_basis=basis, lead_department_id=units[dept], statutory_days=statutory,
            promised_days=promised, service_type=service, effective_from=since,
            conditions="申请人为依法设立的法人或者其他组织，申请材料齐全、符合法定形式。",
            materials=_materials(mats), fees=[FeeInput(*f) for f in fees], delegations=delegations(marks),
            prerequisites=pre)))
    for code, name, lead, steps, mats, pre in STAGES:
        critical = sum(max(lim for o, _d, _a, lim in steps if o == order) for order in {s[0] for s in steps})
        specs.append((code, VersionInput(
            name=name, kind="10", legal_basis="《国务院办公厅关于全面开展工程建设项目审批制度改革的实施意见》（国办发〔2019〕11号）",
            lead_department_id=units[lead], statutory_days=45, promised_days=critical, effective_from=since, joint=True,
            conditions="一家牵头、并联审批、限时办结：一份办事指南、一张申请表单、一套申报材料。",
            materials=_materials(mats), prerequisites=pre,
            steps=[StepInput(o, units[d], a, lim) for o, d, a, lim in steps])))
    with transaction.atomic():
        # Prerequisites name items that must exist first: create every item, then publish in order.
        versions = [do_create_item(actor=actor, code=code, data=VersionInput(**{**data.__dict__, "prerequisites": []}),
                                   today=since) for code, data in specs]
        for (_code, data), v in zip(specs, versions, strict=True):
            if data.prerequisites:
                do_save_draft_version(actor=actor, item=v.item, data=data, version=v, today=since)
        # A prerequisite is published before the items requiring it.
        pending = {code: (v, set(data.prerequisites)) for (code, data), v in zip(specs, versions, strict=True)}
        done: set[str] = set()
        while pending:
            ready = [code for code, (_v, pre) in pending.items() if pre <= done]
            if not ready:
                raise ValueError(f"demo catalogue: prerequisites never published: {sorted(pending)}")
            for code in ready:
                do_publish_version(actor=actor, version=pending.pop(code)[0], today=since)
                done.add(code)
    return True
