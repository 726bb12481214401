"""S1.2 report pages: the unit's entry form (one line per matter, htmx line save), submitting,
returning, the month's list with on time / late / missing, the leaders' portfolio page, and who
may read what (another unit's report is a 404, exactly like a missing one)."""

from __future__ import annotations

from datetime import date

import pytest

from ducha.matters.models import Matter
from ducha.org.models import Unit, UnitKind, User
from ducha.org.roles import Role
from ducha.reports.models import MonthlyReport, ReportItem, ReportStatus
from tests.conftest import PASSWORD
from tests.test_reports_scenario import fill, make_matter


@pytest.fixture
def two(city):
    a = make_matter(city, "重点项目建设")
    b = make_matter(city, "财政资金绩效评价", lead="czj", co=[("fgw", date(2026, 11, 30))])
    return a, b


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def line(matter: Matter, **values) -> dict[str, str]:
    data = {"progress": "55", "done": "完成方案编制", "problems": "", "next_steps": "组织实施"}
    data.update(values)
    return {f"m{matter.pk}-{k}": v for k, v in data.items()}


def test_s1_2_entry_form_one_line_per_matter_and_htmx_save(city, two, client, settings, clock):
    clock.set(date(2026, 10, 20))
    a, b = two
    client.force_login(city.sam)
    form = page(client, "/reports/fgw/2026-10/edit/")
    assert form.count('<section class="card" id="m') == 2 and a.number in form and b.number in form
    assert 'data-testid="filled-count">0<' in form
    assert f'name="m{a.pk}-achieved_quantity"' in form and f'name="m{b.pk}-achieved_quantity"' not in form
    url = f"/reports/fgw/2026-10/edit/{a.pk}/"
    response = client.post(url, line(a, achieved_quantity="4"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="saved"' in body and 'hx-swap-oob="true">1<' in body
    a.refresh_from_db()
    assert (a.progress, a.last_progress_on, str(a.achieved_quantity)) == (55, date(2026, 10, 20), "4.00")


def test_s1_2_bad_line_is_named_and_changes_nothing(city, two, client, settings, clock):
    clock.set(date(2026, 10, 20))
    a, _ = two
    client.force_login(city.sam)
    url = f"/reports/fgw/2026-10/edit/{a.pk}/"
    response = client.post(url, line(a, progress="120", done=""))
    assert response.status_code == 400
    body = response.content.decode()
    assert "100" in body and 'class="text-danger small"' in body
    htmx = client.post(url, line(a, next_steps=""), HTTP_HX_REQUEST="true").content.decode()
    assert 'class="text-danger small"' in htmx and 'data-testid="saved"' not in htmx
    a.refresh_from_db()
    assert a.progress == 0 and not ReportItem.objects.exists()
    # Without htmx a good line redirects back to the form, at the line.
    response = client.post(url, line(a))
    assert response.status_code == 302 and response["Location"].endswith(f"/reports/fgw/2026-10/edit/#m{a.pk}")


def test_s1_2_submit_through_the_page_then_returned_and_corrected(city, two, client, settings, clock):
    fill(city.sam, 2026, 10, date(2026, 11, 2))
    clock.set(date(2026, 11, 3))
    client.force_login(city.sam)
    response = client.post("/reports/fgw/2026-10/submit/")
    report = MonthlyReport.objects.get(unit__code="fgw")
    assert response.status_code == 302 and response["Location"] == f"/reports/{report.pk}/"
    detail = page(client, f"/reports/{report.pk}/")
    assert 'data-timeliness="on_time"' in detail and "return-form" not in detail
    client.force_login(city.alice)
    assert 'data-testid="return-form"' in page(client, f"/reports/{report.pk}/")
    client.post(f"/reports/{report.pk}/return/", {"reason": "数据与台账不一致"})
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED
    client.force_login(city.sam)
    form = page(client, "/reports/fgw/2026-10/edit/")
    assert "数据与台账不一致" in form and "data-testid=\"submit-report\"" in form


def test_s1_2_submit_with_lines_missing_says_which(city, two, client, settings, clock):
    a, b = two
    clock.set(date(2026, 11, 3))
    client.force_login(city.sam)
    client.post(f"/reports/fgw/2026-10/edit/{a.pk}/", line(a))
    response = client.post("/reports/fgw/2026-10/submit/", follow=True)
    assert b.number in response.content.decode()
    assert MonthlyReport.objects.get().status == ReportStatus.DRAFT


def test_s1_2_month_list_shows_on_time_late_missing(city, two, client, settings, clock):
    fill(city.sam, 2026, 10, date(2026, 11, 9), submit_on=date(2026, 11, 9))
    clock.set(date(2026, 11, 10))
    client.force_login(city.alice)
    listing = page(client, "/reports/?month=2026-10")
    assert 'data-unit="fgw"' in listing and 'data-unit="czj"' in listing
    fgw_row = listing.split('data-unit="fgw"')[1].split("</tr>")[0]
    czj_row = listing.split('data-unit="czj"')[1].split("</tr>")[0]
    assert 'data-timeliness="late"' in fgw_row and 'data-timeliness="missing"' in czj_row
    assert "2026-11-02" in listing and "2026-11-06" in listing  # the window, from the calendar
    assert "月度进展报告" in listing and "逾期报送" in listing and "未报送" in listing  # zh-hans first
    counts = page(client, "/reports/counts/?period=2026-Q4")
    assert 'data-unit="fgw"' in counts


def test_s1_2_a_unit_reads_only_its_own(city, two, client, settings, clock):
    fill(city.sam, 2026, 10, date(2026, 11, 2), submit_on=date(2026, 11, 3))
    report = MonthlyReport.objects.get(unit__code="fgw")
    clock.set(date(2026, 11, 10))
    client.force_login(city.carl)
    assert client.get(f"/reports/{report.pk}/").status_code == 404
    assert client.get(f"/reports/{report.pk + 999}/").status_code == 404
    assert client.get("/reports/fgw/2026-10/edit/").status_code == 404
    assert client.post(f"/reports/fgw/2026-10/edit/{two[0].pk}/", line(two[0])).status_code == 404
    listing = page(client, "/reports/?month=2026-10")
    assert 'data-unit="fgw"' not in listing and 'data-unit="czj"' in listing
    assert client.get("/reports/portfolio/").status_code == 403
    # The office reads but does not write: the entry form sends it to the report.
    client.force_login(city.alice)
    response = client.get("/reports/fgw/2026-10/edit/")
    assert response.status_code == 302 and response["Location"] == f"/reports/{report.pk}/"
    assert client.get("/reports/czj/2026-10/edit/").status_code == 403
    assert client.get("/reports/fgw/2026-13/edit/").status_code == 404


def test_s1_2_vice_mayor_reads_the_portfolio_in_one_place(city, two, client, settings, clock):
    fill(city.sam, 2026, 10, date(2026, 11, 2), submit_on=date(2026, 11, 3))
    czj_matter = make_matter(city, "财政局自办事项", lead="czj")
    fill(city.carl, 2026, 10, date(2026, 11, 2), submit_on=date(2026, 11, 3))
    clock.set(date(2026, 11, 10))
    client.force_login(city.victor)
    portfolio = page(client, "/reports/portfolio/?month=2026-10")
    assert 'data-unit="fgw"' in portfolio
    assert two[0].number in portfolio  # fgw's lines are shown
    assert 'data-unit="czj"' not in portfolio and czj_matter.number not in portfolio
    assert "宛城区人民政府" in portfolio  # in the portfolio, nothing to report
    czj_report = MonthlyReport.objects.get(unit__code="czj")
    assert client.get(f"/reports/{czj_report.pk}/").status_code == 404
    # A portfolio unit that owes a report and sent none is flagged.
    make_matter(city, "宛城区事项", lead="wancheng")
    flagged = page(client, "/reports/portfolio/?month=2026-10")
    assert 'data-unit="wancheng"' in flagged and 'data-testid="missing-flag"' in flagged


def test_s1_2_progress_is_asked_for_only_in_the_report(city, two, client, settings, clock):
    """Report once: the matter page shows progress but has no field to enter it."""
    clock.set(date(2026, 10, 20))
    a, _ = two
    client.force_login(city.sam)
    matter_page = page(client, f"/matters/{a.pk}/")
    assert 'name="progress"' not in matter_page and "-progress\"" not in matter_page
    form = page(client, "/reports/fgw/2026-10/edit/")
    assert f'name="m{a.pk}-progress"' in form and "进度（%）" in form and "%%" not in form


def _more_units(city, count: int) -> None:
    base = Unit.objects.count()
    for i in range(count):
        unit = Unit.objects.create(code=f"p{base + i}", name=f"页面单位{base + i}", kind=UnitKind.COUNTY)
        city.units[unit.code] = unit
        clerk = User.objects.create_user(username=f"pc{base + i}", password=PASSWORD, name="C",
                                         role=Role.UNIT_STAFF, unit=unit)
        make_matter(city, f"页面事项{i}", lead=unit.code)
        fill(clerk, 2026, 10, date(2026, 11, 2), submit_on=date(2026, 11, 4))


@pytest.mark.parametrize("url", ["/reports/?month=2026-10", "/reports/portfolio/?month=2026-10",
                                 "/reports/counts/?period=2026-Q4"])
def test_s1_2_list_pages_queries_do_not_grow_with_units(city, client, settings, django_assert_max_num_queries, url, clock):
    clock.set(date(2026, 11, 10))
    client.force_login(city.alice)
    _more_units(city, 2)
    client.get(url)  # warm the calendar cache and the session
    with django_assert_max_num_queries(20) as two:
        assert client.get(url).status_code == 200
    _more_units(city, 8)
    client.get(url)
    with django_assert_max_num_queries(20) as ten:
        body = client.get(url).content.decode()
    assert len(two.captured_queries) == len(ten.captured_queries)
    assert body.count('data-unit="p') >= 10
