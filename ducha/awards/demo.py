"""The demo city's innovation award (S1.12): last year's award scored by a panel of five (so the
highest and lowest scores are dropped), two winners approved by the mayor and published, one
nomination left out with the reason; this year's award taking nominations. Every row is written
through the actions, with the days they take (``today=``) set in last year. Only 发改委 has a
demo unit administrator, so the nominations are its own. Idempotent: nothing is added once a
year exists."""

from __future__ import annotations

from datetime import date, timedelta

from ducha.awards import actions, actions_results
from ducha.awards.access import award_approver
from ducha.awards.models import AwardYear
from ducha.org.models import User
from ducha.org.roles import Role
from ducha.workcal import service as workcal

PANEL = ["jixiaoban", "duchashi", "zhengfuban", "fushizhang", "fsz_gy"]
# (title, category, nominee, people, text, the panel's scores in PANEL's order)
LAST_YEAR = [
    ("重大项目审批“容缺办理”改革", "mechanism", "unit", "",
     "对重大项目审批推行容缺受理、并联审批，非关键材料缺项先行受理、限期补齐。全年办理容缺审批项目 126 个，"
     "平均审批时限由 45 个工作日压缩至 18 个工作日。", [92, 88, 95, 90, 70]),
    ("重点项目“云督办”平台", "measure", "people", "张国庆、李海燕",
     "建成重点项目线上督办平台，项目进度按周更新、问题线上交办，全年协调解决项目建设问题 213 个。",
     [85, 90, 87, 93, 80]),
    ("企业投资项目“一码通办”", "path", "unit", "",
     "企业投资项目赋码后全流程一码查询，减少企业跑腿，惠及企业 800 余家。", [80, 78, 86, 75, 82]),
]
THIS_YEAR = [
    ("重大项目“拿地即开工”", "method", "unit", "",
     "土地出让前完成方案审查、施工图审查等前置工作，实现拿地当天领取施工许可证。"),
]


def build_demo_awards() -> int:
    if AwardYear.objects.exists():
        return 0
    office = User.objects.filter(role=Role.PERFORMANCE_OFFICE, is_active=True).order_by("id").first()
    unit_admin = User.objects.filter(username="fgw_admin", is_active=True).first()
    panel = list(User.objects.filter(username__in=PANEL, is_active=True))
    approver = award_approver()
    if office is None or unit_admin is None or len(panel) < len(PANEL) or approver is None:
        return 0
    panel.sort(key=lambda p: PANEL.index(p.username))
    today = workcal.today()
    last = today.year - 1
    made = 0
    year = actions.do_open_year(actor=office, today=date(last, 3, 1), data=actions.YearInput(
        year=last, nomination_deadline=date(last, 6, 30), panel_ids=tuple(p.pk for p in panel)))
    nominations = []
    for title, category, nominee, people, text, scores in LAST_YEAR:
        n = actions.do_nominate(actor=unit_admin, year=year, today=date(last, 5, 20), data=actions.NominationInput(
            title=title, category=category, nominee=nominee, people=people, text=text))
        made += 1
        nominations.append(n)
        for member, points in zip(panel, scores, strict=True):
            actions.do_score_nomination(actor=member, nomination=n, points=points, today=date(last, 7, 10))
    actions_results.do_close_scoring(actor=office, year=year, today=date(last, 7, 20))
    actions_results.do_propose_winners(actor=office, year=year, picked=[nominations[0].pk, nominations[1].pk],
                                       reasons={})
    actions_results.do_decide_winners(actor=approver, year=year, approve=True)
    actions_results.do_publish_winners(actor=office, year=year)
    current = actions.do_open_year(actor=office, today=today, data=actions.YearInput(
        year=today.year, nomination_deadline=today + timedelta(days=30), panel_ids=tuple(p.pk for p in panel)))
    for title, category, nominee, people, text in THIS_YEAR:
        actions.do_nominate(actor=unit_admin, year=current, today=today, data=actions.NominationInput(
            title=title, category=category, nominee=nominee, people=people, text=text))
        made += 1
    return made
