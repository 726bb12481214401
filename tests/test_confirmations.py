"""Steps that go out to others or cannot be taken back ask for a confirmation that names their
effect, and a POST without it does nothing, with or without JavaScript (issue #11 item 13):
交办 (S2.6), 印发通报 (S2.8, numbered once however often it is pressed), resetting an
authenticator, and the ledger phases (S2.4; the year-end close already asks for the typed year).
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from ducha.inbox.models import Notification
from ducha.ledger.models import LedgerCheckFlag
from ducha.ledger.planning import plan_june_check
from ducha.matters.models import Matter
from ducha.reports.models import Bulletin
from ducha.security.models import TOTPDevice
from tests.ledger_helpers import JUNE, build_year
from tests.test_matters_pages import TODAY
from tests.test_reports_scenario import JUDGED_ON, build_quarter
from tests.test_security_mfa import enrol


def english(text: str) -> list[str]:
    """English words in a Chinese screen (each language shows only its own words)."""
    return re.findall(r"[a-z]{3,}", text)


@pytest.fixture
def draft(city, clock):
    from tests.test_reports_scenario import make_matter

    clock.set(TODAY)
    m = make_matter(city, "城区道路改造", co=[("czj", date(2026, 11, 30))])
    Matter.objects.filter(pk=m.pk).update(status="draft")
    m.refresh_from_db()
    return m


def test_item_13_assign_names_its_effect_and_a_bare_post_does_nothing(city, draft, client):
    client.force_login(city.alice)
    html = client.get(f"/matters/{draft.id}/").content.decode()
    effect = html.split('data-testid="effect-assign">')[1].split("<")[0]
    assert draft.number in effect and "市发展和改革委员会" in effect and "1" in effect
    assert not english(effect)
    before = Notification.objects.count()
    bare = client.post(f"/matters/{draft.id}/act/", {"action": "assign", "expected_status": "draft"})
    assert bare.status_code == 400 and 'data-testid="action-error"' in bare.content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft" and Notification.objects.count() == before
    done = client.post(f"/matters/{draft.id}/act/", {"action": "assign", "expected_status": "draft",
                                                      "confirm": "assign"})
    assert done.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "assigned"


def test_item_13_close_is_confirmed_on_the_server_too(city, draft, client):
    Matter.objects.filter(pk=draft.pk).update(status="claimed")
    client.force_login(city.alice)
    assert client.post(f"/matters/{draft.id}/act/", {"action": "close", "expected_status": "claimed"}).status_code == 400
    draft.refresh_from_db()
    assert draft.status == "claimed"
    assert client.post(f"/matters/{draft.id}/act/", {"action": "close", "expected_status": "claimed",
                                                     "confirm": "close"}).status_code == 302


def test_item_13_s2_8_the_bulletin_names_its_number_and_is_issued_once(city, client, settings, tmp_path, clock):
    build_quarter(city)
    settings.MEDIA_ROOT = tmp_path
    clock.set(JUDGED_ON)
    client.force_login(city.alice)
    page = client.get("/reports/bulletins/?period=2026-09").content.decode()
    effect = page.split('data-testid="issue-effect">')[1].split("</label>")[0]
    assert "宛督〔2026〕1号" in effect and 'data-busy="' in page and 'name="confirm"' in page
    bare = client.post("/reports/bulletins/issue/", {"period": "2026-09"}, follow=True)
    assert not Bulletin.objects.exists() and "宛督〔2026〕1号" in bare.content.decode()
    for _press in range(2):  # a double click sends the form twice
        assert client.post("/reports/bulletins/issue/", {"period": "2026-09", "confirm": "2026-09"}).status_code == 302
    assert Bulletin.objects.count() == 1 and Bulletin.objects.get().number == "宛督〔2026〕1号"


def test_item_13_resetting_an_authenticator_is_confirmed(city):
    enrol(city.sysop)
    sec = Client()
    sec.force_login(city.sec)
    page = sec.get(f"/security/accounts/{city.sysop.pk}/").content.decode()
    assert 'data-testid="reset-effect"' in page and city.sysop.username in page.split('data-testid="reset-effect"')[1]
    sec.post(f"/security/accounts/{city.sysop.pk}/reset-factor/")
    assert TOTPDevice.objects.filter(user=city.sysop).exists()
    sec.post(f"/security/accounts/{city.sysop.pk}/reset-factor/", {"confirm": "reset-factor"})
    assert not TOTPDevice.objects.filter(user=city.sysop).exists()


def test_item_13_s2_4_a_ledger_phase_runs_only_with_its_effect_confirmed(city, settings, tmp_path, clock, client):
    built = build_year(city, settings, tmp_path, clock)
    url = reverse("ledger:phase", args=[2026, "june-check"])
    client.force_login(built.gina)
    page = client.get(url).content.decode()
    effect = page.split('data-testid="phase-effect">')[1].split("</label>")[0]
    assert "3" in effect and 'name="confirm"' in page and not english(effect)
    digest = plan_june_check(2026, JUNE).digest
    bare = client.post(url, {"digest": digest})
    assert bare.status_code == 400 and not LedgerCheckFlag.objects.exists()
    assert client.post(url, {"digest": digest, "confirm": "june_check"}).status_code == 302
    assert LedgerCheckFlag.objects.count() == 3
