"""S1.5: the unit that submitted a request to the city government sees the matter it asked for
(issue #11 item 11). fgw (sam, ursula) asks; the general office (gina) registers the request
with czj (carl) handling it; alice assigns it."""

from __future__ import annotations

from datetime import date

import pytest

from ducha.letters.actions import do_record_request_origin
from ducha.matters.access import visible_matter_parts, visible_matters
from ducha.matters.actions import MatterError, MatterInput, do_create_matter, do_transition_matter
from ducha.matters.models import Source

RECEIVED = date(2026, 9, 28)


def request_input(city, **overrides) -> MatterInput:
    values = dict(
        title="关于申请设立产业引导基金的请示", source=Source.UNIT_REQUEST, lead_unit_id=city.units["czj"].id,
        responsible_leader_id=city.victor.id, start_date=RECEIVED, goal="研究办理并答复",
        qualitative_standard="按时限办结并答复", source_ref="市政府收文〔2026〕88号",
        requesting_unit_id=city.units["fgw"].id,
    )
    values.update(overrides)
    return MatterInput(**values)


def test_item_11_requesting_unit_sees_its_request_S1_5(city, client, clock):
    clock.set(RECEIVED)
    m = do_create_matter(actor=city.gina, data=request_input(city), today=RECEIVED)
    assert m.requesting_unit == city.units["fgw"]
    do_transition_matter(actor=city.alice, matter_id=m.pk, action="assign", today=RECEIVED)
    for persona in ("sam", "ursula"):
        client.force_login(getattr(city, persona))
        assert client.get(f"/matters/{m.pk}/").status_code == 200
        assert m.number in client.get("/matters/").content.decode()
        assert client.get(f"/api/matters/{m.pk}").status_code == 200
    client.force_login(city.sam)
    assert client.post(f"/matters/{m.pk}/act/", {"action": "start"}).status_code in (400, 403, 404)
    m.refresh_from_db()
    assert m.status == "assigned"  # seeing is all the requester may do
    # The ids read by counting pages stay disjoint and add up to the list.
    parts = visible_matter_parts(city.sam)
    assert sum(p.count() for p in parts) == visible_matters(city.sam).count()


def test_item_11_general_office_names_the_requester_later_S1_5(city, client, clock):
    clock.set(RECEIVED)
    m = do_create_matter(actor=city.gina, data=request_input(city, requesting_unit_id=None), today=RECEIVED)
    do_transition_matter(actor=city.alice, matter_id=m.pk, action="assign", today=RECEIVED)
    client.force_login(city.sam)
    assert client.get(f"/matters/{m.pk}/").status_code == 404
    do_record_request_origin(actor=city.gina, matter_id=m.pk, unit_id=city.units["fgw"].pk)
    m.refresh_from_db()
    assert m.requesting_unit == city.units["fgw"]
    assert client.get(f"/matters/{m.pk}/").status_code == 200


def test_item_11_requester_checked_S1_5(city):
    with pytest.raises(MatterError) as e:
        do_create_matter(actor=city.gina, data=request_input(city, requesting_unit_id=city.units["czj"].id))
    assert "requesting_unit" in e.value.errors
    with pytest.raises(MatterError) as e:
        do_create_matter(actor=city.alice, data=request_input(
            city, source=Source.KEY_WORK, due_date=date(2026, 12, 31)))
    assert "requesting_unit" in e.value.errors


def test_item_11_form_and_api_record_the_requester_S1_5(city, client, clock):
    clock.set(RECEIVED)
    client.force_login(city.gina)
    response = client.post("/api/matters", {
        "title": "关于解决园区用地指标的请示", "source": "unit_request", "lead_unit_id": city.units["czj"].id,
        "responsible_leader_id": city.victor.id, "start_date": "2026-09-28", "goal": "研究办理并答复",
        "qualitative_standard": "按时限办结并答复", "requesting_unit_id": city.units["wancheng"].id,
    }, content_type="application/json")
    assert response.status_code == 201, response.content
    page = client.get("/matters/new/?source=unit_request").content.decode()
    assert 'name="requesting_unit"' in page
