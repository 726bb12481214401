"""In a real browser (issue 4 §9; S2.1, S2.3, S5.1, S5.2): the supervision office creates a matter
through the form and assigns it; the fgw unit's staff member finds it on a 375-px phone, accepts
it and claims it complete; the office's dashboard and battle map show it. Screenshots go to
test-artifacts/ through ``shot``."""

from __future__ import annotations

import time
from datetime import date

import pytest

from ducha.matters.actions import CoUnitInput, MatterInput, do_create_matter, do_transition_matter
from ducha.matters.models import Matter, Source
from ducha.org.demo import build_demo_organisation
from ducha.org.models import LeaderPost, Unit, User
from ducha.workcal.demo import build_demo_calendar
from tests.browser.conftest import shot

pytestmark = pytest.mark.browser
DEMO_PASSWORD = "demo-only-2026"
TODAY = date(2026, 6, 15)


def close(*pages) -> None:
    """Close the browsers' kept-alive connections while the live server still shares its database
    connection with its request threads (else a thread closing late finds it no longer shared)."""
    for page in pages:
        page.context.close()
    time.sleep(0.5)


def log_in(page, server: str, username: str) -> None:
    page.goto(f"{server}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/")


@pytest.fixture
def city(server, settings, clock):
    clock.set(TODAY)
    build_demo_calendar()  # a transactional test may start from a flushed database
    build_demo_organisation()
    office = User.objects.get(username="duchashi")
    units = {u.code: u for u in Unit.objects.all()}
    leader = LeaderPost.objects.get(person__username="fushizhang").person
    # A few running matters so the dashboard has something to rank.
    for title, code, due, progress in [
        ("“五个一百”项目开工", "gxj", date(2026, 5, 29), 40), ("老旧小区改造", "zjj", date(2026, 6, 17), 70),
        ("农村公路提质改造", "jtj", date(2026, 12, 31), 55), ("城镇新增就业", "rsj", date(2026, 12, 31), 20),
    ]:
        m = do_create_matter(actor=office, data=MatterInput(
            title=title, source=Source.KEY_WORK, lead_unit_id=units[code].id, responsible_leader_id=leader.id,
            start_date=date(2026, 1, 5), due_date=due, goal=title, qualitative_standard="按期完成", milestones=3, projects=title,
            co_units=[CoUnitInput(unit_id=units["czj"].id, part="资金保障", due_date=min(due, date(2026, 5, 31)))],
        ), today=TODAY)
        do_transition_matter(actor=office, matter_id=m.id, action="assign", today=TODAY)
        Matter.objects.filter(pk=m.pk).update(progress=progress)
    return units, leader


def test_office_creates_and_assigns_then_unit_staff_claims_on_a_phone(server, page_factory, city):
    units, leader = city
    desk = page_factory(1366, 900)
    log_in(desk, server, "duchashi")
    desk.click("a.nav-link[href='/matters/']")
    desk.click("[data-testid=new-matter]")
    desk.wait_for_url(f"{server}/matters/new/")
    desk.wait_for_load_state()

    # S5.2: ticking 涉密 shows the refusal at once.
    desk.check("#id_classified")
    assert desk.is_visible("[data-testid=classified-refusal]")
    assert "涉密" in desk.inner_text("[data-testid=classified-refusal]")
    # Issue #11 item 20: only the reference number can be sent; the other fields are disabled.
    assert desk.is_visible("#id_classified_reference") and desk.is_enabled("#id_classified_reference")
    assert desk.is_disabled("#id_title") and desk.is_disabled("#id_goal")
    desk.uncheck("#id_classified")
    assert desk.is_enabled("#id_title") and not desk.is_visible("#id_classified_reference")

    # Source-specific fields follow the source: the instruction's fields only for 领导批示.
    assert not desk.is_visible("#id_instruction_text")
    desk.select_option("#id_source", "instruction")
    assert desk.is_visible("#id_instruction_text")
    desk.select_option("#id_source", "key_work")

    desk.fill("#id_title", "城区集中供热管网改造")
    desk.fill("#id_source_ref", "宛政〔2026〕18号")
    desk.select_option("#id_responsible_leader", str(leader.id))
    desk.select_option("#id_lead_unit", str(units["fgw"].id))
    desk.fill("#id_goal", "完成供热管网改造，新增供热面积")
    desk.fill("#id_projects", "东区热源厂配套管网；老城区管网更新")
    desk.fill("#id_target_quantity", "120")
    desk.fill("#id_target_unit", "万平方米")
    desk.fill("#id_start_date", "2026-03-02")
    desk.fill("#id_due_date", "2026-10-30")
    desk.fill("#id_milestones", "4")
    desk.select_option("#id_co-0-unit", str(units["zjj"].id))
    desk.fill("#id_co-0-part", "管网施工许可与道路开挖审批")
    desk.fill("#id_co-0-due_date", "2026-08-31")
    shot(desk, "matters-create-form")
    desk.click("[data-testid=save]")
    desk.wait_for_selector("[data-testid=matter-title]")
    matter = Matter.objects.get(title="城区集中供热管网改造")
    assert desk.url.endswith(f"/matters/{matter.id}/")
    assert matter.co_parts.get().unit == units["zjj"] and matter.milestones.count() == 4

    desk.click("[data-testid=act-assign] summary")
    desk.click("[data-testid=act-assign] form button")
    desk.wait_for_selector("[data-status=assigned]")
    assert Matter.objects.get(pk=matter.pk).status == "assigned"
    shot(desk, "matters-detail-assigned")

    phone = page_factory(375, 812)
    log_in(phone, server, "fgw_staff")
    phone.goto(f"{server}/matters/")
    card = phone.locator(f"[data-testid=matter-cards] [data-matter='{matter.number}']")
    assert card.is_visible() and not phone.is_visible("[data-testid=matter-table]")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    shot(phone, "matters-list-phone")
    card.locator("a.mtitle").click()
    phone.wait_for_url(f"{server}/matters/{matter.id}/")
    phone.wait_for_load_state()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.click("[data-testid=act-start] button")
    phone.wait_for_selector("[data-testid=act-claim]")
    phone.click("[data-testid=act-claim] summary")
    phone.fill("#reason-claim", "管网改造全部完工，已通过验收")
    phone.fill("#explanation-claim", "月度进度尚未报送，工程已全部完工")  # progress on record is 0 %
    shot(phone, "matters-claim-phone")
    phone.click("[data-testid=act-claim] form button")
    phone.wait_for_selector("[data-status=claimed]")
    assert Matter.objects.get(pk=matter.pk).status == "claimed"
    assert "管网改造全部完工" in phone.inner_text("[data-testid=timeline]")
    shot(phone, "matters-claimed-phone")

    phone.goto(f"{server}/matters/dashboard/")
    assert phone.is_visible("[data-testid=upcoming]")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    shot(phone, "matters-dashboard-unit-phone")

    desk.goto(f"{server}/matters/dashboard/")
    assert desk.inner_text("[data-testid=kpi-red]") == "1"
    assert desk.is_visible("[data-testid=unit-ranking] svg")
    shot(desk, "matters-dashboard-office")
    desk.goto(f"{server}/matters/map/?year=2026")
    bars = desk.locator("[data-testid=gantt-bar]")
    assert bars.count() == 5
    shot(desk, "matters-battle-map")
    # The verifying office closes it; a second tab still showing "claimed" is told it changed.
    desk.goto(f"{server}/matters/{matter.id}/")
    stale = page_factory(1366, 900)
    log_in(stale, server, "duchashi")
    stale.goto(f"{server}/matters/{matter.id}/")
    desk.click("[data-testid=act-close] summary")
    desk.click("[data-testid=act-close] form button")
    desk.wait_for_selector("[data-status=closed]")
    stale.click("[data-testid=act-close] summary")
    stale.click("[data-testid=act-close] form button")
    stale.wait_for_selector("[data-testid=conflict]")
    shot(stale, "matters-stale-close")
    assert Matter.objects.get(pk=matter.pk).status == "closed"
    close(desk, phone, stale)


def test_battle_map_scrolls_sideways_on_a_phone(server, page_factory, city):
    phone = page_factory(375, 812)
    log_in(phone, server, "fushizhang")
    phone.goto(f"{server}/matters/map/")
    assert phone.locator("[data-testid=gantt-row]").count() >= 1
    # The page itself does not scroll sideways; the chart does, inside its box.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    assert phone.evaluate("document.querySelector('.gantt').scrollWidth > document.querySelector('.gantt').clientWidth")
    shot(phone, "matters-battle-map-phone")
    close(phone)


def test_item_20_s5_2_the_office_registers_a_classified_number_alone(server, page_factory, city):
    desk = page_factory(1366, 900)
    log_in(desk, server, "duchashi")
    desk.goto(f"{server}/matters/new/")
    desk.fill("#id_title", "不应发送的标题")
    desk.check("#id_classified")
    desk.click("[data-testid=save]")  # no number yet: it is asked for, and nothing else
    assert desk.is_visible("[data-testid=error-classified_reference]")
    assert "ManagementForm" not in desk.content() and desk.is_disabled("#id_title")
    desk.fill("#id_classified_reference", "宛密〔2026〕7号")
    desk.click("[data-testid=save]")
    desk.wait_for_url(f"{server}/matters/")
    assert desk.inner_text("[data-testid=classified-row]").startswith("涉密事项 宛密〔2026〕7号")
    assert "不应发送的标题" not in desk.content()
