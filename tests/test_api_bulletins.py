"""Issue #11 item 29: bulletins (督查通报, S2.8) over the REST API, under the bulletin pages'
rules: the supervision office (alice) previews, issues with "confirm": true and reads what it
issued; everyone else is refused (403), as on the pages. October 2026, judged on 3 November,
with one matter of fgw's overdue in it (the figures themselves are test_reports_bulletin's).
"""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from ducha.reports.models import Bulletin
from tests.api_schema import connection_kept, log_in, schema
from tests.reminders_helpers import running_matter

JUDGED_ON = date(2026, 11, 3)


@pytest.fixture
def october(city, settings, tmp_path, clock):
    settings.MEDIA_ROOT = tmp_path
    clock.set(date(2026, 10, 9))
    matter = running_matter(city, due=date(2026, 10, 15), progress=60, last_progress=date(2026, 10, 9))
    clock.set(JUDGED_ON)
    return matter


def api(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def issue(client, **body):
    return client.post("/api/bulletins", body, content_type="application/json")


def test_item_29_s2_8_the_office_previews_and_issues_only_with_confirmation(city, october):
    alice = api(city.alice)
    preview = alice.get("/api/bulletins/preview?period=2026-10").json()
    assert preview["can_issue"] is True and preview["issued"] is None
    assert (preview["figures"]["total"], preview["figures"]["overdue"]) == (1, 1)
    assert "各县（市、区）人民政府" in preview["recipients"]
    assert alice.get("/api/bulletins/preview?period=2026-11").json()["can_issue"] is False  # not over yet

    refused = issue(alice, period="2026-10")
    assert refused.status_code == 400 and not Bulletin.objects.exists()
    message = refused.json()["errors"]["confirm"]
    assert preview["title"] in message and "各县（市、区）人民政府" in message and "confirm: true" in message

    response = issue(alice, period="2026-10", confirm=True)
    assert response.status_code == 201, response.content
    bulletin = response.json()
    assert bulletin["number"] == "宛督〔2026〕1号" and bulletin["issued_by"]["name"] == "Alice"
    assert bulletin["figures"]["overdue"] == 1 and bulletin["period"] == "2026-10"
    assert issue(alice, period="2026-10", confirm=True).status_code == 409
    assert issue(alice, period="2026-11", confirm=True).status_code == 400  # the month is not over
    assert Bulletin.objects.count() == 1

    assert [b["id"] for b in alice.get("/api/bulletins").json()["items"]] == [bulletin["id"]]
    assert alice.get(f"/api/bulletins/{bulletin['id']}").json()["number"] == "宛督〔2026〕1号"
    assert alice.get("/api/bulletins/preview?period=2026-10").json()["issued"]["id"] == bulletin["id"]
    docx = alice.get(bulletin["files"]["docx"])
    assert docx.status_code == 200 and b"".join(docx.streaming_content)[:2] == b"PK"


def test_item_29_s2_8_bulletins_are_the_supervision_office_s(city, october):
    issue(api(city.alice), period="2026-10", confirm=True)
    bulletin = Bulletin.objects.get()
    for who in ("sam", "victor", "mayor", "gina", "percy", "sysop"):
        client = api(city.people[who])
        for url in ("/api/bulletins", "/api/bulletins/preview", f"/api/bulletins/{bulletin.pk}",
                    f"/api/bulletins/{bulletin.pk}/files/docx"):
            response = client.get(url)
            assert response.status_code == 403 and response.json()["detail"], (who, url)
        assert issue(client, period="2026-09", confirm=True).status_code == 403, who
        assert client.post(f"/api/bulletins/{bulletin.pk}/render").status_code == 403, who
    assert Bulletin.objects.count() == 1


@pytest.fixture
def bulletin_session(city, october, client, settings):
    """The supervision office's session with October's bulletin issued."""
    issue(api(city.alice), period="2026-10", confirm=True)
    with connection_kept():
        yield log_in(client, city.alice, settings)


@schema.include(tag="bulletins", method="GET").parametrize()
@hypothesis_settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.django_db
def test_item_29_bulletin_reads_conform_with_data(case, bulletin_session):
    """0 server errors, 0 responses that break the schema, with a bulletin issued."""
    case.call_and_validate()
