"""Issue #11 items 13–15 in a real browser, as the roles meet them: the supervision office
confirms 交办 after reading what it does (S2.6); a unit lowering its progress in the monthly
report is asked why and the matter's record says old and new in words (S1.2); a claim at 96 %
asks why it is complete and takes an evidence file, shown on the matter (S2.6).
Screenshots go to test-artifacts/."""

from __future__ import annotations

from datetime import date

import pytest

from ducha.matters.actions import MatterInput, do_create_matter, do_transition_matter
from ducha.matters.models import Evidence, Matter, Source
from ducha.org.demo import build_demo_organisation
from ducha.org.models import LeaderPost, Unit, User
from ducha.workcal.demo import build_demo_calendar
from tests.browser.conftest import browser, page_factory, server, shot  # noqa: F401 -- fixtures
from tests.browser.test_browser_matters import close, log_in

pytestmark = pytest.mark.browser
TODAY = date(2026, 6, 15)
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF"


@pytest.fixture
def road(server, settings, clock, tmp_path):  # noqa: F811
    clock.set(TODAY)
    settings.MEDIA_ROOT = tmp_path / "media"
    build_demo_calendar()
    build_demo_organisation()
    office = User.objects.get(username="duchashi")
    leader = LeaderPost.objects.get(person__username="fushizhang").person
    matter = do_create_matter(actor=office, data=MatterInput(
        title="中心城区道路改造", source=Source.KEY_WORK, lead_unit_id=Unit.objects.get(code="fgw").id,
        responsible_leader_id=leader.id, start_date=date(2026, 1, 5), due_date=date(2026, 12, 31),
        goal="改造道路12条", qualitative_standard="按期完成", projects="道路改造项目", milestones=1), today=TODAY)
    return matter


def test_item_13_the_office_reads_what_assigning_does_before_it_happens(server, road, page_factory):  # noqa: F811
    desk = page_factory()
    log_in(desk, server, "duchashi")
    desk.goto(f"{server}/matters/{road.id}/")
    desk.click("[data-testid=act-assign] summary")
    effect = desk.inner_text("[data-testid=effect-assign]")
    assert road.number in effect and "发展和改革委员会" in effect and "不能退回草稿" in effect
    assert Matter.objects.get(pk=road.pk).status == "draft"  # opening the panel does nothing
    shot(desk, "item-13-assign-confirmation")
    desk.click("[data-testid=act-assign] form button")
    desk.wait_for_selector("[data-status=assigned]")
    assert Matter.objects.get(pk=road.pk).status == "assigned"
    close(desk)


def test_item_14_a_unit_lowering_its_progress_says_why(server, road, page_factory):  # noqa: F811
    office = User.objects.get(username="duchashi")
    do_transition_matter(actor=office, matter_id=road.id, action="assign", today=TODAY)
    Matter.objects.filter(pk=road.pk).update(progress=95)
    staff = page_factory()
    log_in(staff, server, "fgw_staff")
    staff.goto(f"{server}/reports/fgw/2026-06/edit/")
    prefix = f"#id_m{road.id}"
    staff.fill(f"{prefix}-progress", "50")
    staff.fill(f"{prefix}-done", "部分路段返工")
    staff.fill(f"{prefix}-next_steps", "完成返工")
    staff.click(f"#m{road.id} form button")
    staff.wait_for_selector(f"#m{road.id} .text-danger")
    assert "95%" in staff.inner_text(f"#m{road.id}") and Matter.objects.get(pk=road.pk).progress == 95
    shot(staff, "item-14-lower-progress-asks-why")
    staff.fill(f"{prefix}-lower_reason", "设计变更，三条路段返工")
    staff.click(f"#m{road.id} form button")
    staff.wait_for_selector(f"#m{road.id} [data-testid=saved]")
    assert Matter.objects.get(pk=road.pk).progress == 50
    staff.goto(f"{server}/matters/{road.id}/")
    record = staff.inner_text("[data-testid=timeline]")
    assert "报送进展" in record and "95% → 50%" in record and "设计变更，三条路段返工" in record
    assert "progress_report" not in record
    shot(staff, "item-14-matter-record")
    close(staff)


def test_item_15_a_claim_at_96_percent_explains_itself_and_carries_evidence(server, road, page_factory,  # noqa: F811
                                                                          tmp_path):
    office = User.objects.get(username="duchashi")
    do_transition_matter(actor=office, matter_id=road.id, action="assign", today=TODAY)
    Matter.objects.filter(pk=road.pk).update(progress=96)
    report = tmp_path / "竣工验收报告.pdf"
    report.write_bytes(PDF)
    staff = page_factory()
    log_in(staff, server, "fgw_staff")
    staff.goto(f"{server}/matters/{road.id}/")
    staff.click("[data-testid=act-claim] summary")
    assert "96%" in staff.inner_text("[data-testid=act-claim]")
    staff.fill("#reason-claim", "12条道路全部完工")
    staff.fill("#explanation-claim", "剩余4%为绿化养护，不影响通行")
    staff.set_input_files("#evidence-claim", str(report))
    shot(staff, "item-15-claim-with-evidence")
    staff.click("[data-testid=act-claim] form button")
    staff.wait_for_selector("[data-status=claimed]")
    assert "竣工验收报告.pdf" in staff.inner_text("[data-testid=evidence]")
    assert "剩余4%为绿化养护" in staff.inner_text("[data-testid=timeline]")
    assert Evidence.objects.get().kind == "claim"
    shot(staff, "item-15-matter-with-evidence")
    close(staff)
