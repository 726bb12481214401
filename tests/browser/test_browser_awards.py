"""S1.12 in a real browser: 发改委's administrator, on a phone, nominates with an evidence file
before the deadline; after it the panel scores, the performance office closes the scoring and
proposes, the mayor approves, the office publishes after reading what publishing does, and the
unit sees the winners. Screenshots (Chinese and English, desktop and phone) go to
test-artifacts/."""

from __future__ import annotations

from datetime import date

import pytest

from ducha.awards import actions
from ducha.awards.models import AwardYear, Nomination
from ducha.inbox.models import Notification
from ducha.org.demo import build_demo_organisation
from ducha.org.models import User
from ducha.workcal.demo import build_demo_calendar
from tests.browser.conftest import ARTIFACTS, browser, page_factory, server, shot  # noqa: F401 -- fixtures
from tests.browser.test_browser_matters import close, log_in

pytestmark = pytest.mark.browser
NOMINATING = date(2026, 6, 1)
SCORING = date(2026, 7, 6)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def award(server, clock):  # noqa: F811
    clock.set(NOMINATING)
    build_demo_calendar()
    build_demo_organisation()
    office = User.objects.get(username="jixiaoban")
    panel = tuple(User.objects.filter(username__in=["jixiaoban", "duchashi", "zhengfuban"]).values_list("pk", flat=True))
    return actions.do_open_year(actor=office, data=actions.YearInput(2026, date(2026, 6, 30), panel), today=NOMINATING)


def test_s1_12_nominate_score_approve_publish_in_a_browser(server, award, clock, page_factory):  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    evidence = ARTIFACTS / "s1-12-evidence.pdf"
    evidence.write_bytes(PDF)
    unit = page_factory(width=390, height=844)
    log_in(unit, server, "fgw_admin")
    unit.goto(f"{server}/awards/{award.pk}/")
    unit.click("[data-testid=nominate]")
    unit.fill("#n-title", "重大项目审批“容缺办理”改革")
    unit.select_option("#n-category", "mechanism")
    unit.check("#nominee-people")
    unit.fill("#n-people", "张国庆、李海燕")
    unit.fill("#n-text", "推行容缺受理、并联审批，平均审批时限由45个工作日压缩至18个工作日。")
    unit.set_input_files("#n-evidence", str(evidence))
    shot(unit, "s1-12-nominate-phone")
    unit.click("[data-testid=submit-nomination]")
    unit.wait_for_selector("[data-testid=files] a")
    nomination = Nomination.objects.get()
    assert nomination.files.count() == 1 and nomination.people == "张国庆、李海燕"

    clock.set(SCORING)
    desk = page_factory()
    log_in(desk, server, "duchashi")
    desk.goto(f"{server}/awards/{award.pk}/scoring/")
    desk.fill(f"[data-testid=score-{nomination.pk}] input[name=points]", "92")
    desk.click(f"[data-testid=score-{nomination.pk}] button")
    desk.wait_for_selector(".alert-success")
    shot(desk, "s1-12-scoring")
    for username, points in (("zhengfuban", 88), ("jixiaoban", 90)):
        actions.do_score_nomination(actor=User.objects.get(username=username), nomination=nomination, points=points)

    office = page_factory()
    log_in(office, server, "jixiaoban")
    office.goto(f"{server}/awards/{award.pk}/ranking/")
    assert "1" in office.inner_text("[data-testid=close-effect]")
    office.check("#confirm-close")
    office.click("[data-testid=close-form] button")
    office.wait_for_selector("[data-testid=propose-form]")
    assert office.inner_text(f"[data-testid=mean-{nomination.pk}]") == "90.00"
    office.check(f"#win-{nomination.pk}")
    office.click("[data-testid=propose]")
    office.wait_for_selector("text=已拟定获奖名单")

    mayor = page_factory()
    log_in(mayor, server, "shizhang")
    mayor.goto(f"{server}/awards/{award.pk}/ranking/")
    shot(mayor, "s1-12-approve")
    mayor.click("[data-testid=approve]")
    mayor.wait_for_selector("text=获奖名单已审定")

    office.goto(f"{server}/awards/{award.pk}/ranking/")
    effect = office.inner_text("[data-testid=publish-effect]")
    assert "站内消息" in effect and "不能撤回" in effect, effect
    shot(office, "s1-12-ranking-before-publish")
    office.check("#confirm-publish")
    office.click("[data-testid=publish]")
    office.wait_for_selector("text=获奖名单已公布")
    assert AwardYear.objects.get().state == "published"
    assert Notification.objects.filter(user__username="fgw_admin", title__contains="2026").exists()
    # English, desktop: the ranking with its explanation.
    office.click("button[name=language][value=en]")
    office.goto(f"{server}/awards/{award.pk}/ranking/")
    office.wait_for_selector("text=Ranking and winners")
    shot(office, "s1-12-ranking-en")

    log_in(unit, server, "fgw_admin")  # the June session has expired
    unit.goto(f"{server}/awards/{award.pk}/winners/")
    assert "容缺办理" in unit.inner_text("[data-testid=winners]")
    shot(unit, "s1-12-winners-phone")
    unit.goto(f"{server}/awards/")
    shot(unit, "s1-12-index-phone")
    desk.goto(f"{server}/awards/{award.pk}/winners/")
    desk.click("button[name=language][value=en]")
    desk.goto(f"{server}/awards/{award.pk}/winners/")
    desk.wait_for_selector("text=Winners of the 2026 award")
    shot(desk, "s1-12-winners-en")
    desk.goto(f"{server}/awards/{award.pk}/")
    shot(desk, "s1-12-year-en")
    close(unit, desk, office, mayor)
