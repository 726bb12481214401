"""REST API (issue 4 §10): the same permissions as the pages, an OpenAPI 3 document, and
property-based checks of every operation against that document (issue 6 §5)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.test import Client
from hypothesis import HealthCheck, settings

from ducha.matters.actions import do_create_matter, do_transition_matter
from tests.api_schema import connection_kept, log_in, schema
from tests.test_matters_lifecycle import matter_input


@pytest.fixture
def assigned(city):
    m = do_create_matter(actor=city.alice, data=matter_input(city))
    return do_transition_matter(actor=city.alice, matter_id=m.id, action="assign")


def test_openapi_document_is_served_without_login(client, db):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    doc = json.loads(response.content)
    assert doc["openapi"].startswith("3.")
    assert "/api/matters/{matter_id}/transitions" in doc["paths"]


def test_api_needs_login(client, db):
    assert client.get("/api/matters").status_code == 401


def test_list_is_scoped_like_the_pages(city, client, assigned):
    client.force_login(city.sam)
    assert [m["number"] for m in client.get("/api/matters").json()["items"]] == [assigned.number]
    client.force_login(city.carl)
    assert client.get("/api/matters").json()["items"] == []
    assert client.get(f"/api/matters/{assigned.id}").status_code == 404
    assert client.get("/api/matters/999999").status_code == 404


@pytest.mark.parametrize("path", [
    "/api/matters/9223372036854775808", "/api/matters?lead_unit=99999999999999999999", "/api/matters?after=-1",
    "/api/matters?year=99999999999999999999", "/api/reports?unit=99999999999999999999",
    "/api/ledger/notices?unit=99999999999999999999", "/api/reports/99999999999999999999",
])
def test_ids_no_database_can_hold_are_invalid_input(city, client, path):
    """A number past 64 bits is no row of ours: 422 naming the field, never a server error
    (SQLite cannot even compare it)."""
    client.force_login(city.alice)
    response = client.get(path)
    assert response.status_code == 422, (path, response.status_code)
    assert response.json()["errors"]


def test_keyset_pages(city, client):
    for i in range(5):
        m = do_create_matter(actor=city.alice, data=matter_input(city, title=f"事项{i}"))
        do_transition_matter(actor=city.alice, matter_id=m.id, action="assign")
    client.force_login(city.victor)
    first = client.get("/api/matters?limit=2").json()
    second = client.get(f"/api/matters?limit=2&after={first['next_after']}").json()
    third = client.get(f"/api/matters?limit=2&after={second['next_after']}").json()
    titles = [m["title"] for page in (first, second, third) for m in page["items"]]
    assert titles == [f"事项{i}" for i in range(5)] and third["next_after"] is None


def test_transition_through_the_api_and_errors(city, assigned):
    client = Client(enforce_csrf_checks=False)
    client.force_login(city.sam)
    ok = client.post(f"/api/matters/{assigned.id}/transitions", {"action": "claim", "reason": "完成", "explanation": "收尾不影响完成"},
                     content_type="application/json")
    assert ok.status_code == 200 and ok.json()["status"] == "claimed"
    again = client.post(f"/api/matters/{assigned.id}/transitions", {"action": "claim", "reason": "完成", "explanation": "收尾不影响完成"},
                        content_type="application/json")
    assert again.status_code == 400 and "事项当前状态为“申请销号”" in again.json()["detail"]
    bad = client.post(f"/api/matters/{assigned.id}/transitions", {"action": "explode"},
                      content_type="application/json")
    assert bad.status_code == 422 and "action" in json.dumps(bad.json()["errors"])


def test_create_through_the_api(city):
    client = Client()
    client.force_login(city.alice)
    body = {"title": "交通建设重点项目", "source": "key_work", "lead_unit_id": city.units["fgw"].id,
            "responsible_leader_id": city.victor.id, "start_date": "2026-01-05", "due_date": "2026-12-31",
            "goal": "建成通车", "qualitative_standard": "按期通车"}
    created = client.post("/api/matters", body, content_type="application/json")
    assert created.status_code == 201 and created.json()["status"] == "draft"
    refused = client.post("/api/matters", {**body, "classified": True}, content_type="application/json")
    assert refused.status_code == 400 and "classified" in refused.json()["errors"]
    client.force_login(city.sam)
    assert client.post("/api/matters", body, content_type="application/json").status_code == 403


def test_posts_need_csrf_with_a_session(city, assigned):
    client = Client(enforce_csrf_checks=True)
    client.force_login(city.sam)
    response = client.post(f"/api/matters/{assigned.id}/transitions", {"action": "claim", "reason": "x"},
                           content_type="application/json")
    assert response.status_code == 403


@pytest.fixture
def session_cookie(city, client, settings):
    """A logged-in supervision-office session for the generated requests, with some data to find."""
    m = do_create_matter(actor=city.alice, data=matter_input(city, due_date=date(2026, 12, 31)))
    do_transition_matter(actor=city.alice, matter_id=m.id, action="assign")
    with connection_kept():
        yield log_in(client, city.alice, settings)


# The reads of reports, rates, the ledger, letters, the inbox, reminders and bulletins are
# generated against a city with data in it in test_api_reports.py, test_api_ledger.py,
# test_api_letters.py and test_api_bulletins.py, and every accountability operation (reads and
# writes) in test_accountability_register.py, every lawful one in test_lawful.py; here every other operation.
@schema.exclude(tag_regex="^(reports|rates|ledger|letters|inbox|reminders|bulletins)$", method="GET").exclude(
    tag="accountability").exclude(tag="awards").exclude(tag="lawful").parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.django_db
def test_api_conforms_to_its_schema(case, session_cookie):
    """0 server errors, 0 responses that break the schema, 0 undocumented status codes."""
    case.call_and_validate()


def test_api_actions_are_the_lifecycle_table():
    from ducha.api.schemas import ActionCode
    from ducha.rules.lifecycle import TRANSITIONS

    assert {a.value for a in ActionCode} == set(TRANSITIONS)



def test_schema_names_are_unique():
    """Two response or request schemas of one name would share one OpenAPI component, and one
    would describe the other's answers wrongly. Path schemas are inlined, so they may repeat."""
    import importlib
    import pkgutil

    import ninja

    import ducha.api

    seen: dict[str, str] = {}
    clashes = []
    for info in pkgutil.iter_modules(ducha.api.__path__):
        module = importlib.import_module(f"ducha.api.{info.name}")
        for name, obj in vars(module).items():
            if (isinstance(obj, type) and issubclass(obj, ninja.Schema) and obj.__module__ == module.__name__
                    and not name.endswith("Path")):
                if name in seen:
                    clashes.append(f"{name}: {seen[name]} and {module.__name__}")
                seen[name] = module.__name__
    assert clashes == []
