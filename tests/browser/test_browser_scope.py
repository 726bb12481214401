"""In a real browser, as the roles do (issue #11 items 10, 11, 12; S5.1, S1.4, S1.5): the vice
mayor's dashboard ranks only the portfolio's units; a unit's home page shows its overdue
co-unit part; the unit that submitted a request opens the matter it asked for. Personas are
those of tests/conftest.py (victor: portfolio {fgw, wancheng}; sam: fgw)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ducha.matters.actions import CoUnitInput, MatterInput, do_create_matter, do_transition_matter
from ducha.matters.models import Source
from tests.browser.conftest import shot
from tests.browser.test_browser_matters import close
from tests.conftest import PASSWORD, make_city

pytestmark = pytest.mark.browser
TODAY = date(2026, 6, 15)


@pytest.fixture
def city(server, clock):
    clock.set(TODAY)
    city = make_city()
    fund = do_create_matter(actor=city.alice, data=MatterInput(
        title="专项资金拨付", source=Source.KEY_WORK, lead_unit_id=city.units["czj"].id,
        responsible_leader_id=city.mayor.id, start_date=date(2026, 2, 2), due_date=date(2026, 5, 29),
        goal="资金到位", qualitative_standard="资金按时足额到位", projects="专项资金项目", milestones=1,
        co_units=[CoUnitInput(unit_id=city.units["fgw"].id, part="项目审核", due_date=date(2026, 5, 15))],
    ), today=TODAY)
    road = do_create_matter(actor=city.alice, data=MatterInput(
        title="中心城区道路提升工程", source=Source.KEY_WORK, lead_unit_id=city.units["fgw"].id,
        responsible_leader_id=city.victor.id, start_date=date(2026, 1, 5), due_date=date(2026, 12, 31),
        goal="完成12条道路提升", target_quantity=Decimal("12"), target_unit="条",
        projects="道路提升项目", standard="验收合格", milestones=1,
    ), today=TODAY)
    request = do_create_matter(actor=city.gina, data=MatterInput(
        title="关于申请设立产业引导基金的请示", source=Source.UNIT_REQUEST, lead_unit_id=city.units["czj"].id,
        responsible_leader_id=city.victor.id, start_date=date(2026, 6, 10), goal="研究办理并答复",
        qualitative_standard="按时限办结并答复", requesting_unit_id=city.units["fgw"].id,
    ), today=TODAY)
    for m in (fund, road, request):
        do_transition_matter(actor=city.alice, matter_id=m.id, action="assign", today=TODAY)
    city.matters = {"fund": fund, "road": road, "request": request}  # type: ignore[attr-defined]
    return city


def log_in(page, server: str, username: str) -> None:
    page.goto(f"{server}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/")


def test_item_10_vice_mayor_dashboard_ranks_only_the_portfolio(city, server, page_factory):
    page = page_factory()
    log_in(page, server, "victor")
    page.goto(f"{server}/matters/dashboard/")
    ranking = page.locator("[data-testid=unit-ranking]")
    assert "发展和改革" in ranking.inner_text() and "宛城区" in ranking.inner_text()
    assert "财政局" not in ranking.inner_text()  # fund is led by czj, outside the portfolio
    assert page.inner_text("[data-testid=kpi-open]").strip() == "1"  # road: fund and the request are czj's
    shot(page, "issue11-item10-vice-mayor-dashboard")
    close(page)


def test_item_12_unit_home_page_shows_its_overdue_co_unit_part(city, server, page_factory):
    page = page_factory(375, 812)
    log_in(page, server, "sam")
    part = page.locator("[data-testid=home-co-overdue]")
    assert "专项资金拨付" in part.inner_text() and "项目审核" in part.inner_text()
    assert page.inner_text("[data-testid=home-co-red]").strip() == "1"
    shot(page, "issue11-item12-unit-home")
    close(page)


def test_item_11_requesting_unit_opens_its_request(city, server, page_factory):
    page = page_factory()
    log_in(page, server, "sam")
    page.goto(f"{server}/matters/")
    page.click("text=关于申请设立产业引导基金的请示")
    page.wait_for_url(f"{server}/matters/{city.matters['request'].pk}/")
    assert "关于申请设立产业引导基金的请示" in page.inner_text("h1")
    shot(page, "issue11-item11-requester-sees-request")
    close(page)
