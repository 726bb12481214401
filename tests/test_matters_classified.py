"""Issue #11 item 20, S5.2: a classified matter is refused, but its reference number alone may be
registered (只能登记编号): by the form, by the API without title or goal, and listed as
"涉密事项 <number>" with nothing else."""

from __future__ import annotations

import json

import pytest

from ducha.audit.models import AuditEvent
from ducha.matters.actions import MatterError
from ducha.matters.classified import do_register_classified
from ducha.matters.models import ClassifiedRegistration, Matter
from tests.test_matters_pages import form_data


@pytest.fixture
def today(clock):
    from datetime import date

    clock.set(date(2026, 6, 15))


def test_item_20_s5_2_form_registers_the_reference_number_alone(city, today, client):
    client.force_login(city.alice)
    response = client.post("/matters/new/", form_data(city, classified="on", classified_reference=" 宛密〔2026〕７号 "))
    assert response.status_code == 302 and response["Location"] == "/matters/"
    registration = ClassifiedRegistration.objects.get()
    assert registration.reference == "宛密〔2026〕7号" and registration.registered_by == city.alice
    assert Matter.objects.count() == 0
    # Nothing of what was typed in the other fields is kept anywhere, the audit trail included.
    stored = json.dumps([list(AuditEvent.objects.values_list("before", "after"))], ensure_ascii=False, default=str)
    assert "农村饮水" not in stored and "供水工程" not in stored and "宛密〔2026〕7号" in stored


def test_item_20_s5_2_form_without_a_number_says_so_and_stores_nothing(city, today, client):
    client.force_login(city.alice)
    response = client.post("/matters/new/", form_data(city, classified="on", goal=""))
    html = response.content.decode()
    assert response.status_code == 400 and 'data-testid="error-classified_reference"' in html
    assert 'data-testid="error-goal"' not in html  # the number is asked for, not the other fields
    assert ClassifiedRegistration.objects.count() == 0 and Matter.objects.count() == 0
    do_register_classified(actor=city.alice, reference="宛密〔2026〕7号")
    again = client.post("/matters/new/", form_data(city, classified="on", classified_reference="宛密〔2026〕7号"))
    assert again.status_code == 400 and "宛密〔2026〕7号" in again.content.decode()
    assert ClassifiedRegistration.objects.count() == 1


def test_item_20_s5_2_the_form_offers_the_number_field(city, today, client):
    client.force_login(city.alice)
    html = client.get("/matters/new/").content.decode()
    assert 'name="classified_reference"' in html


def test_item_20_s5_2_list_shows_the_number_without_content_to_the_offices_only(city, today, client):
    do_register_classified(actor=city.alice, reference="宛密〔2026〕7号")
    for office in (city.alice, city.gina):
        client.force_login(office)
        html = client.get("/matters/").content.decode()
        assert 'data-testid="classified-row"' in html and "涉密事项 宛密〔2026〕7号" in html
    assert "宛密" in client.get("/matters/", {"q": "宛密"}).content.decode()
    assert 'data-testid="classified-row"' not in client.get("/matters/", {"q": "道路"}).content.decode()
    assert 'data-testid="classified-row"' not in client.get("/matters/", {"status": "assigned"}).content.decode()
    for other in (city.sam, city.victor):
        client.force_login(other)
        assert "宛密" not in client.get("/matters/").content.decode()


def test_item_20_s5_2_register_is_for_the_offices(city, today):
    with pytest.raises(MatterError):
        do_register_classified(actor=city.sam, reference="宛密〔2026〕8号")
    with pytest.raises(MatterError) as e:
        do_register_classified(actor=city.alice, reference="宛密\n8号")
    assert "reference" in e.value.errors
    assert ClassifiedRegistration.objects.count() == 0


def test_item_20_s5_2_api_registers_without_title_or_goal(city, today, client):
    client.force_login(city.alice)
    created = client.post("/api/classified-matters", {"reference": "宛密〔2026〕9号"}, content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["reference"] == "宛密〔2026〕9号" and body["label"] == "涉密事项 宛密〔2026〕9号"
    assert set(body) == {"id", "reference", "label", "registered_at"}
    listed = client.get("/api/classified-matters").json()
    assert [i["reference"] for i in listed["items"]] == ["宛密〔2026〕9号"] and listed["next_after"] is None
    twice = client.post("/api/classified-matters", {"reference": "宛密〔2026〕9号"}, content_type="application/json")
    assert twice.status_code == 400 and "reference" in twice.json()["errors"]
    assert client.post("/api/classified-matters", {}, content_type="application/json").status_code == 422
    client.force_login(city.sam)
    assert client.get("/api/classified-matters").status_code == 403
    refused = client.post("/api/classified-matters", {"reference": "宛密〔2026〕10号"}, content_type="application/json")
    assert refused.status_code == 403 and ClassifiedRegistration.objects.count() == 1


def test_item_20_s5_2_openapi_says_which_fields_each_case_requires(client, db):
    doc = client.get("/api/openapi.json").json()
    schemas = doc["components"]["schemas"]
    assert schemas["ClassifiedIn"]["required"] == ["reference"]
    assert set(schemas["ClassifiedIn"]["properties"]) == {"reference"}
    assert {"title", "goal"} <= set(schemas["MatterIn"]["required"])
    assert "/api/classified-matters" in schemas["MatterIn"]["properties"]["classified"]["description"]
    assert "post" in doc["paths"]["/api/classified-matters"]
