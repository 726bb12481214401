"""S2.4 ledger pages: phase previews and confirmation, who reads what (units their own flags and
notices, the vice mayor the portfolio), notices read by the unit, the Excel export and the
import job with its progress, fixed query counts.

Matters (2026): fgw and czj and wancheng each lead one matter far behind schedule, fgw one on
track. victor's portfolio is {fgw, wancheng}; carl is czj staff; sysop an administrator.
"""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from ducha.ledger.excel import HEADER_ROWS
from ducha.ledger.models import LedgerCheckFlag, LedgerYear, SupervisionNotice
from ducha.ledger.planning import plan_june_check
from ducha.matters.models import Matter
from tests.ledger_helpers import JUNE, build_year, reconcile
from tests.test_ledger_phases import make_matter
from tests.test_shell_pages import foreign_references


@pytest.fixture
def built(city, settings, tmp_path, clock):
    return build_year(city, settings, tmp_path, clock)


@pytest.fixture
def reconciled(built, settings, clock):
    return reconcile(built, settings, clock)


def get(client, user, url, **kwargs):
    client.force_login(user)
    return client.get(url, **kwargs)


def test_s2_4_preview_then_confirm_runs_the_june_check(client, built):
    url = reverse("ledger:phase", args=[2026, "june-check"])
    page = get(client, built.gina, url)
    html = page.content.decode()
    assert page.status_code == 200 and not foreign_references(html)
    assert "fgw滞后" in html and "czj滞后" in html and "fgw正常" not in html
    digest = plan_june_check(2026, JUNE).digest
    assert f'value="{digest}"' in html
    response = client.post(url, {"digest": digest, "confirm": "june_check"})
    assert response.status_code == 302 and response.url == reverse("ledger:year", args=[2026])
    assert LedgerCheckFlag.objects.count() == 3
    again = client.post(url, {"digest": digest, "confirm": "june_check"})
    assert again.status_code == 409 and "已完成" in again.content.decode()
    assert LedgerCheckFlag.objects.count() == 3


def test_s2_4_stale_preview_is_refused(client, built):
    url = reverse("ledger:phase", args=[2026, "june-check"])
    digest = plan_june_check(2026, JUNE).digest
    Matter.objects.filter(title="czj滞后").update(progress=80)
    client.force_login(built.gina)
    response = client.post(url, {"digest": digest, "confirm": "june_check"})
    assert response.status_code == 409 and "重新查看预览" in response.content.decode()
    assert LedgerYear.objects.get(year=2026).june_checked_at is None


@pytest.mark.parametrize("persona", ["sam", "victor", "mayor", "sysop"])
def test_only_the_city_offices_see_the_june_preview(client, built, persona):
    url = reverse("ledger:phase", args=[2026, "june-check"])
    assert get(client, built.people[persona], url).status_code == 404
    assert client.post(url, {"digest": plan_june_check(2026, JUNE).digest}).status_code == 404
    assert not LedgerCheckFlag.objects.exists()


@pytest.mark.parametrize("persona", ["alice", "percy"])
def test_s2_4_the_supervision_office_reads_the_june_check_the_general_office_runs(client, built, persona):
    url = reverse("ledger:phase", args=[2026, "june-check"])
    page = get(client, built.people[persona], url)
    html = page.content.decode()
    assert page.status_code == 200 and "fgw滞后" in html
    assert 'data-testid="read-only"' in html and 'data-testid="confirm-form"' not in html
    refused = client.post(url, {"digest": plan_june_check(2026, JUNE).digest})
    assert refused.status_code == 403 and "市政府办公室" in refused.content.decode()
    assert not LedgerCheckFlag.objects.exists()


@pytest.mark.parametrize("persona,units", [
    ("alice", {"fgw", "czj", "wancheng"}), ("mayor", {"fgw", "czj", "wancheng"}), ("victor", {"fgw", "wancheng"}),
    ("sam", {"fgw"}), ("carl", {"czj"}),
])
def test_year_page_shows_flags_and_notices_within_scope(client, reconciled, persona, units):
    html = get(client, reconciled.people[persona], reverse("ledger:year", args=[2026])).content.decode()
    shown = {code for code in ("fgw", "czj", "wancheng") if f'data-unit="{code}"' in html}
    assert shown == units
    notices = set(SupervisionNotice.objects.filter(unit__code__in=units).values_list("number", flat=True))
    assert all(n in html for n in notices)
    others = SupervisionNotice.objects.exclude(unit__code__in=units).values_list("number", flat=True)
    assert not any(n in html for n in others)


def test_administrators_read_no_ledger(client, reconciled):
    for url in (reverse("ledger:index"), reverse("ledger:year", args=[2026]), reverse("ledger:notices"),
                reverse("ledger:export", args=[2026])):
        assert get(client, reconciled.sysop, url).status_code == 404, url


def test_unit_reads_its_notice_and_the_read_is_recorded(client, reconciled):
    fgw = SupervisionNotice.objects.get(unit__code="fgw")
    czj = SupervisionNotice.objects.get(unit__code="czj")
    listing = get(client, reconciled.sam, reverse("ledger:notices")).content.decode()
    assert fgw.number in listing and czj.number not in listing
    assert get(client, reconciled.carl, reverse("ledger:notice", args=[fgw.pk])).status_code == 404
    get(client, reconciled.alice, reverse("ledger:notice", args=[fgw.pk]))
    assert SupervisionNotice.objects.get(pk=fgw.pk).read_at is None
    page = get(client, reconciled.sam, reverse("ledger:notice", args=[fgw.pk]))
    assert page.status_code == 200 and "fgw滞后" in page.content.decode()
    fgw.refresh_from_db()
    assert fgw.read_by == reconciled.sam and fgw.read_at is not None
    index = get(client, reconciled.carl, reverse("ledger:index")).content.decode()
    assert 'data-testid="unread-notices">1<' in index


def test_notice_documents_download_within_scope(client, reconciled):
    from ducha.ledger.notices import render_notice_files

    notice = SupervisionNotice.objects.get(unit__code="wancheng")
    assert render_notice_files(notice)
    pdf = get(client, reconciled.victor, reverse("ledger:notice-file", args=[notice.pk, "pdf"]))
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert get(client, reconciled.sam, reverse("ledger:notice-file", args=[notice.pk, "docx"])).status_code == 404


def test_flag_list_is_scoped(client, reconciled):
    html = get(client, reconciled.carl, reverse("ledger:flags", args=[2026])).content.decode()
    assert "czj滞后" in html and "fgw滞后" not in html and "wancheng滞后" not in html


def test_export_gives_each_reader_their_part(client, reconciled):
    response = get(client, reconciled.sam, reverse("ledger:export", args=[2026]))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    titles = {ws.cell(r, 3).value for r in range(HEADER_ROWS + 1, ws.max_row + 1)}
    assert titles == {"fgw滞后", "fgw正常"}


def _more_data(city, n):
    for i in range(n):
        make_matter(city, ("fgw", "czj", "wancheng", "gxq")[i % 4], progress=1, title=f"追加{i}")


@pytest.mark.parametrize("persona", ["alice", "sam", "victor"])
def test_list_pages_have_fixed_query_counts(client, reconciled, persona, django_assert_max_num_queries):
    user = reconciled.people[persona]
    client.force_login(user)
    urls = [reverse("ledger:index"), reverse("ledger:year", args=[2026]), reverse("ledger:flags", args=[2026]),
            reverse("ledger:notices")]
    counts = {}
    for url in urls:
        with django_assert_max_num_queries(40) as ctx:
            assert client.get(url).status_code == 200
        counts[url] = len(ctx.captured_queries)
    _more_data(reconciled, 12)
    LedgerCheckFlag.objects.bulk_create(
        LedgerCheckFlag(ledger_year=LedgerYear.objects.get(), phase="june_check", matter=m, unit=m.lead_unit,
                        progress=1, elapsed_share="0.5", checked_on=JUNE)
        for m in Matter.objects.filter(title__startswith="追加")
    )
    for url in urls:
        with django_assert_max_num_queries(counts[url]):
            assert client.get(url).status_code == 200
