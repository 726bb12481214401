"""The pages of the supervision core (issue 4 §3, §9): the list with its filters, a matter's
page with its timeline and actions, the create form (S2.1, S2.2, S5.1, S5.2, S1.13).

Personas from conftest; the matters and the pinned date come from ``make_matters``:
Today is Monday 2026-06-15. Lights on that day:
  key      lead      co     status       due         progress  light
  road     fgw       —      in progress  2026-12-31  60 %      green
  fund     czj       fgw    assigned     2026-05-29  20 %      red (overdue)
  river    wancheng  —      assigned     2026-06-17  90 %      yellow (2 working days left)
  npc      gxq       —      draft        (3 months)   0 %      — (not running)
  done     fgw       —      closed       2026-04-30 100 %      done
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from ducha.matters.actions import CoUnitInput, MatterInput, do_create_matter, do_transition_matter
from ducha.matters.models import Matter, MatterEvent, Source
from tests.test_shell_pages import foreign_references

TODAY = date(2026, 6, 15)


def make_input(city, **overrides) -> MatterInput:
    values = dict(
        title="中心城区道路提升工程", source=Source.KEY_WORK, lead_unit_id=city.units["fgw"].id,
        responsible_leader_id=city.victor.id, start_date=date(2026, 1, 5), due_date=date(2026, 12, 31),
        goal="完成12条道路提升", target_quantity=Decimal("12"), target_unit="条",
    )
    if overrides.get("source", Source.KEY_WORK) == Source.KEY_WORK:
        # S2.1: a key-work item is assigned with its projects, standard and time nodes.
        values.update(projects="道路提升项目", standard="验收合格", milestones=1)
    values.update(overrides)
    return MatterInput(**values)


def make_matters(city) -> dict[str, Matter]:
    alice = city.alice
    road = do_create_matter(actor=alice, data=make_input(city, milestones=4, projects="解放路、建设路改造",
                                                          standard="验收合格"), today=TODAY)
    fund = do_create_matter(actor=alice, data=make_input(
        city, title="专项资金拨付", lead_unit_id=city.units["czj"].id, responsible_leader_id=city.mayor.id,
        start_date=date(2026, 2, 2), due_date=date(2026, 5, 29), target_quantity=None,
        qualitative_standard="资金按时足额到位",
        co_units=[CoUnitInput(unit_id=city.units["fgw"].id, part="项目审核", due_date=date(2026, 5, 15))],
    ), today=TODAY)
    river = do_create_matter(actor=alice, data=make_input(
        city, title="白河治理批示件", source=Source.INSTRUCTION, instructed_by_id=city.mayor.id,
        instruction_text="请抓紧落实", lead_unit_id=city.units["wancheng"].id, start_date=date(2026, 3, 2),
        due_date=date(2026, 6, 17),
    ), today=TODAY)
    npc = do_create_matter(actor=alice, data=make_input(
        city, title="关于增设公交线路的建议", source=Source.NPC_SUGGESTION, proposer="张代表",
        lead_unit_id=city.units["gxq"].id, due_date=None, start_date=date(2026, 5, 4),
    ), today=TODAY)
    done = do_create_matter(actor=alice, data=make_input(
        city, title="年初建账", start_date=date(2026, 1, 5), due_date=date(2026, 4, 30)), today=TODAY)
    for m in (road, fund, river, done):
        do_transition_matter(actor=alice, matter_id=m.id, action="assign", today=TODAY)
    do_transition_matter(actor=city.sam, matter_id=road.id, action="start", today=TODAY)
    do_transition_matter(actor=city.sam, matter_id=done.id, action="claim", reason="已完成", explanation="收尾不影响完成", today=date(2026, 4, 28))
    do_transition_matter(actor=alice, matter_id=done.id, action="close", today=date(2026, 4, 29))
    # Progress comes from the units' monthly reports (S1.2), which these tests do not exercise.
    Matter.objects.filter(pk=road.pk).update(progress=60)
    Matter.objects.filter(pk=fund.pk).update(progress=20)
    Matter.objects.filter(pk=river.pk).update(progress=90)
    out = {"road": road, "fund": fund, "river": river, "npc": npc, "done": done}
    for m in out.values():
        m.refresh_from_db()
    return out


@pytest.fixture
def today(settings, clock):
    clock.set(TODAY)
    return TODAY


@pytest.fixture
def matters(city, today):
    return make_matters(city)


def page(client, user, url, **params):
    client.force_login(user)
    response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def numbers_in(html: str) -> set[str]:
    """The matters listed in the desktop table."""
    table = html.split('data-testid="matter-table"', 1)[1].split("</table>", 1)[0] if "matter-table" in html else ""
    return set(re.findall(r'data-matter="([^"]+)"', table))


# -- the list (S5.1) -----------------------------------------------------------------------------


@pytest.mark.parametrize("params,expected", [
    ({}, {"road", "fund", "river", "npc", "done"}),
    ({"unit": "fgw"}, {"road", "fund", "done"}),
    ({"unit": "fgw", "unit_role": "lead"}, {"road", "done"}),
    ({"unit": "fgw", "unit_role": "co"}, {"fund"}),
    ({"leader": "mayor"}, {"fund"}),
    ({"source": "instruction"}, {"river"}),
    ({"status": "draft"}, {"npc"}),
    ({"status": "closed"}, {"done"}),
    ({"year": "2026"}, {"road", "fund", "river", "npc", "done"}),
    ({"year": "2025"}, set()),
    ({"overdue": "on"}, {"fund"}),
    ({"due_within": "2"}, {"river"}),
    ({"due_within": "1"}, set()),
    ({"q": "白河"}, {"river"}),
    ({"q": "DB2026-0002"}, {"fund"}),
    ({"overdue": "on", "unit": "wancheng"}, set()),
])
def test_s5_1_each_list_filter_returns_the_right_matters(city, matters, client, params, expected):
    query = dict(params)
    if "unit" in query:
        query["unit"] = city.units[query["unit"]].id
    if "leader" in query:
        query["leader"] = city.people[query["leader"]].id
    html = page(client, city.alice, "/matters/", **query)
    assert numbers_in(html) == {matters[k].number for k in expected}


def test_a_bad_filter_is_named_and_lists_nothing(city, matters, client):
    html = page(client, city.alice, "/matters/", due_within="0")
    assert 'id="id_due_within_errors"' in html and numbers_in(html) == set()


def test_rows_show_the_columns_and_the_light_with_its_label(city, matters, client):
    html = page(client, city.alice, "/matters/", sort="due")
    table = html.split('data-testid="matter-table"')[1].split("</table>")[0]
    fund_row = table.split(f'data-matter="{matters["fund"].number}"')[1].split("</tr>")[0]
    assert "专项资金拨付" in fund_row and "市财政局" in fund_row and "Mayor" in fund_row
    assert "2026-05-29" in fund_row and "20%" in fund_row
    # Colour and text: the red light says "overdue" in words, and how late.
    assert 'data-light="red"' in fund_row and ("逾期" in fund_row or "Overdue" in fund_row)
    river_row = table.split(f'data-matter="{matters["river"].number}"')[1].split("</tr>")[0]
    assert 'data-light="yellow"' in river_row
    road_row = table.split(f'data-matter="{matters["road"].number}"')[1].split("</tr>")[0]
    assert 'data-light="green"' in road_row
    # The same matters as cards for a phone.
    cards = html.split('data-testid="matter-cards"')[1]
    assert cards.count('class="mcard') == 5
    # Sorted by due date: fund (May) before river (June) before road (December).
    order = re.findall(r'data-matter="([^"]+)"', table)
    assert order.index(matters["fund"].number) < order.index(matters["river"].number) < order.index(
        matters["road"].number)


def _bulk(city, n: int) -> None:
    for i in range(n):
        do_create_matter(actor=city.alice, data=make_input(
            city, title=f"批量事项{i}", lead_unit_id=city.units["fgw" if i % 2 else "czj"].id,
            co_units=[CoUnitInput(unit_id=city.units["gxq"].id, part="配合", due_date=date(2026, 9, 30))],
        ), today=TODAY)


@pytest.mark.parametrize("persona", ["alice", "victor", "sam"])
def test_list_costs_a_fixed_number_of_queries_whatever_the_page(city, today, client, persona,
                                                                django_assert_max_num_queries):
    """Offset pagination with one count and one page query: page 2 costs what page 1 costs.

    The budget covers the shell's own queries (session, user, security policy, the inbox
    badge) and the list's: scope, filter choices, count, one page of rows, the calendar key."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _bulk(city, 60)
    Matter.objects.update(status="in_progress")
    client.force_login(city.people[persona])
    client.get("/matters/")  # warm the calendar cache, as in a running server
    counts = []
    for n in (1, 2):
        with django_assert_max_num_queries(16), CaptureQueriesContext(connection) as ctx:
            response = client.get("/matters/", {"page": n, "sort": "due"})
        assert response.status_code == 200
        assert len(numbers_in(response.content.decode())) == (25 if persona == "alice" else [25, 5][n - 1])
        counts.append(len(ctx))
    assert counts[0] == counts[1]


def test_map_costs_a_fixed_number_of_queries(city, today, client, django_assert_max_num_queries):
    _bulk(city, 45)
    client.force_login(city.alice)
    client.get("/matters/map/")
    with django_assert_max_num_queries(17):
        assert client.get("/matters/map/", {"page": 2}).status_code == 200


# -- scope -------------------------------------------------------------------------------------------


def test_carl_cannot_open_fgw_s_matter_and_sees_only_czj_s(city, matters, client):
    client.force_login(city.carl)
    assert client.get(f"/matters/{matters['road'].id}/").status_code == 404
    assert client.get("/matters/999999/").status_code == 404
    assert client.get(f"/matters/{matters['fund'].id}/").status_code == 200
    assert numbers_in(page(client, city.carl, "/matters/")) == {matters["fund"].number}


def test_victor_sees_his_portfolio_only(city, matters, client):
    # fgw and wancheng: road and done (fgw leads), fund (fgw is a co-unit), river (wancheng); not the draft.
    assert numbers_in(page(client, city.victor, "/matters/")) == {
        matters[k].number for k in ("road", "fund", "river", "done")}
    client.force_login(city.victor)
    assert client.get(f"/matters/{matters['npc'].id}/").status_code == 404


def test_administrators_read_no_matters(city, matters, client):
    client.force_login(city.sysop)
    for url in ["/matters/", f"/matters/{matters['road'].id}/", "/matters/dashboard/", "/matters/map/"]:
        assert client.get(url).status_code == 404, url


def test_anonymous_is_sent_to_log_in(db, client):
    response = client.get("/matters/")
    assert response.status_code == 302 and "/login/" in response["Location"]


# -- a matter's page (S2.1) --------------------------------------------------------------------------


def test_s2_1_the_page_shows_every_field_and_the_timeline(city, matters, client):
    html = page(client, city.alice, f"/matters/{matters['road'].id}/")
    for text in ["中心城区道路提升工程", "完成12条道路提升", "解放路、建设路改造", "验收合格", "12 条",
                 "Victor", "市发展和改革委员会", "2026-01-05", "2026-12-31", "60%"]:
        assert text in html, text
    assert html.count('data-testid="gantt-milestone"') == 4
    assert html.count("<tr><td>节点") == 4
    timeline = html.split('data-testid="timeline"')[1]
    assert [a for a in re.findall(r'data-action="([^"]+)"', timeline)] == ["start", "assign", "create"]
    assert "Sam" in timeline and "Alice" in timeline


def test_co_units_instruction_and_proposal_fields(city, matters, client):
    html = page(client, city.alice, f"/matters/{matters['fund'].id}/")
    co = html.split('data-testid="co-units"')[1].split("</section>")[0]
    assert "市发展和改革委员会" in co and "项目审核" in co and "2026-05-15" in co
    assert "资金按时足额到位" in html
    river = page(client, city.alice, f"/matters/{matters['river'].id}/")
    assert "请抓紧落实" in river and "Mayor" in river
    npc = page(client, city.alice, f"/matters/{matters['npc'].id}/")
    assert "张代表" in npc and "2026-08-04" in npc


def test_only_the_steps_a_person_may_take_are_offered(city, matters, client):
    def offered(user, key):
        html = page(client, user, f"/matters/{matters[key].id}/")
        return set(re.findall(r'data-testid="act-([a-z]+)"', html))

    assert offered(city.alice, "npc") == {"assign"}
    assert offered(city.victor, "river") == set()  # a leader follows, the units act
    assert offered(city.sam, "fund") == set()  # fgw is only a co-unit of czj's matter
    assert offered(city.sam, "road") == {"claim"}
    assert offered(city.alice, "road") == {"suspend"}
    assert offered(city.victor, "road") == set()
    assert offered(city.carl, "fund") == {"start", "claim"}


# -- actions through the pages -------------------------------------------------------------------------


def act(client, user, matter, action, **extra):
    client.force_login(user)
    return client.post(f"/matters/{matter.id}/act/", {"action": action, **extra})


def test_claim_by_sam_then_close_by_alice_and_a_stale_second_close_is_told(city, matters, client):
    road = matters["road"]
    response = act(client, city.sam, road, "claim", reason="12条道路全部完工", explanation="收尾", expected_status="in_progress")
    assert response.status_code == 302
    road.refresh_from_db()
    assert road.status == "claimed"
    # Two office clerks opened the page while it was claimed; the first closes it.
    assert act(client, city.alice, road, "close", expected_status="claimed", confirm="close").status_code == 302
    second = act(client, city.alice, road, "close", expected_status="claimed", confirm="close")
    assert second.status_code == 409
    assert 'data-testid="conflict"' in second.content.decode()
    road.refresh_from_db()
    assert road.status == "closed"
    assert MatterEvent.objects.filter(matter=road, action="close").count() == 1
    html = page(client, city.alice, f"/matters/{road.id}/")
    assert "12条道路全部完工" in html


def test_a_failed_step_shows_its_message_and_changes_nothing(city, matters, client):
    road = matters["road"]
    response = act(client, city.sam, road, "claim", reason="  ", explanation="收尾", expected_status="in_progress")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="action-error"' in html and "理由" in html
    # Not allowed for this person at all: the lifecycle's message, nothing changes.
    response = act(client, city.sam, road, "close", expected_status="in_progress")
    assert response.status_code == 400 and "审核销号" in response.content.decode()
    road.refresh_from_db()
    assert road.status == "in_progress"


def test_state_changes_are_post_only_with_csrf(city, matters):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(city.alice)
    road = matters["road"]
    assert strict.get(f"/matters/{road.id}/act/").status_code == 405
    assert strict.post(f"/matters/{road.id}/act/", {"action": "suspend", "reason": "x"}).status_code == 403
    road.refresh_from_db()
    assert road.status == "in_progress"


def test_out_of_scope_post_is_404(city, matters, client):
    assert act(client, city.carl, matters["road"], "claim", reason="x").status_code == 404


def test_extension_requested_and_decided_through_the_page(city, matters, client):
    road = matters["road"]
    client.force_login(city.sam)
    bad = client.post(f"/matters/{road.id}/extension/", {"requested_due": "2026-11-30", "reason": "征迁滞后"})
    assert bad.status_code == 400 and 'id="id_requested_due_errors"' in bad.content.decode()
    ok = client.post(f"/matters/{road.id}/extension/", {"requested_due": "2027-03-31", "reason": "征迁滞后"})
    assert ok.status_code == 302
    request_id = road.extensions.get().id
    html = page(client, city.alice, f"/matters/{road.id}/")
    assert 'data-testid="decide-form"' in html and "征迁滞后" in html
    refused = client.post(f"/matters/extensions/{request_id}/decide/", {"decision": "refuse", "note": ""})
    assert refused.status_code == 400 and 'id="id_note_errors"' in refused.content.decode()
    approved = client.post(f"/matters/extensions/{request_id}/decide/", {"decision": "approve", "note": "同意"})
    assert approved.status_code == 302
    road.refresh_from_db()
    assert road.due_date == date(2027, 3, 31)
    again = client.post(f"/matters/extensions/{request_id}/decide/", {"decision": "approve"})
    assert again.status_code == 409
    timeline = page(client, city.alice, f"/matters/{road.id}/").split('data-testid="timeline"')[1]
    assert 'data-action="extension_approved"' in timeline and "2027-03-31" in timeline


def test_return_for_rework_shows_the_rectification(city, matters, client):
    road = matters["road"]
    act(client, city.sam, road, "claim", reason="完成", explanation="收尾", expected_status="in_progress")
    assert act(client, city.alice, road, "return", reason="缺少验收材料", expected_status="claimed").status_code == 302
    html = page(client, city.sam, f"/matters/{road.id}/")
    assert 'data-testid="rectifications"' in html and "缺少验收材料" in html


# -- create (S2.1, S2.2, S5.2, S1.13) ---------------------------------------------------------------


def form_data(city, **overrides):
    data = {
        "title": "农村饮水安全巩固提升", "source": "key_work", "source_ref": "宛政〔2026〕3号",
        "goal": "新建改造供水工程20处", "projects": "农村供水工程", "standard": "", "target_quantity": "20",
        "target_unit": "处", "qualitative_standard": "", "responsible_leader": city.victor.id,
        "lead_unit": city.units["fgw"].id, "start_date": "2026-03-02", "due_date": "2026-11-30",
        "milestones": "3", "instructed_by": "", "instruction_text": "", "proposer": "",
        "co-TOTAL_FORMS": "2", "co-INITIAL_FORMS": "0", "co-MIN_NUM_FORMS": "0", "co-MAX_NUM_FORMS": "30",
        "co-0-unit": city.units["czj"].id, "co-0-part": "资金保障", "co-0-due_date": "2026-10-30",
        "co-1-unit": "", "co-1-part": "", "co-1-due_date": "",
    }
    data.update(overrides)
    return data


def test_s2_1_office_creates_a_matter_through_the_form_and_assigns_it(city, today, client):
    client.force_login(city.alice)
    assert client.get("/matters/new/").status_code == 200
    response = client.post("/matters/new/", form_data(city))
    matter = Matter.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/matters/{matter.id}/"
    assert matter.status == "draft" and matter.source_ref == "宛政〔2026〕3号"
    assert list(matter.co_parts.values_list("unit__code", "part")) == [("czj", "资金保障")]
    assert matter.milestones.count() == 3
    assert act(client, city.alice, matter, "assign", expected_status="draft", confirm="assign").status_code == 302
    matter.refresh_from_db()
    assert matter.status == "assigned"


@pytest.mark.parametrize("overrides,field", [
    ({"goal": ""}, "goal"),
    ({"title": ""}, "title"),
    ({"due_date": "not a date"}, "due_date"),
    ({"target_quantity": "", "qualitative_standard": ""}, "target_quantity"),  # S2.2, from the action
    ({"target_unit": ""}, "target_quantity"),
    ({"due_date": "2026-01-01"}, "due_date"),  # before the start date
    ({"responsible_leader": "999999"}, "responsible_leader"),
    ({"source": "instruction"}, "instruction_text"),
])
def test_a_form_error_names_the_field_and_creates_nothing(city, today, client, overrides, field):
    client.force_login(city.alice)
    response = client.post("/matters/new/", form_data(city, **overrides))
    assert response.status_code == 400
    html = response.content.decode()
    assert f'data-testid="error-{field}"' in html and 'data-testid="form-errors"' in html
    assert "农村饮水安全巩固提升" in html or field == "title"  # what was typed is kept
    assert Matter.objects.count() == 0


def test_a_co_unit_error_is_shown_on_its_row(city, today, client):
    client.force_login(city.alice)
    response = client.post("/matters/new/", form_data(city, **{"co-0-due_date": "2026-12-31"}))
    assert response.status_code == 400 and 'data-testid="co-error"' in response.content.decode()
    assert Matter.objects.count() == 0


def test_s5_2_classified_is_refused_with_its_message(city, today, client):
    client.force_login(city.alice)
    response = client.post("/matters/new/", form_data(city, classified="on", goal=""))
    html = response.content.decode()
    assert response.status_code == 400 and "涉密" in html
    assert 'data-testid="error-goal"' not in html  # the refusal, not a list of other mistakes
    assert Matter.objects.count() == 0


def test_s1_13_unit_request_by_the_general_office_gets_a_computed_deadline(city, client):
    client.force_login(city.gina)
    form = client.get("/matters/new/").content.decode()
    assert 'value="unit_request" selected' in form
    preview = client.get("/matters/new/deadline/", {"source": "unit_request", "start_date": "2014-09-26"})
    assert 'data-testid="computed-due">2014-09-30<' in preview.content.decode()
    two = client.get("/matters/new/deadline/", {"source": "unit_request", "start_date": "2014-09-26",
                                                  "co-0-unit": str(city.units["czj"].id)})
    assert 'data-testid="computed-due">2014-10-09<' in two.content.decode()
    response = client.post("/matters/new/", form_data(
        city, source="unit_request", start_date="2014-09-26", due_date="", milestones="0",
        **{"co-0-unit": "", "co-0-part": "", "co-0-due_date": ""}))
    assert response.status_code == 302 and response["Location"] == "/matters/"  # drafts are the office's
    matter = Matter.objects.get()
    assert matter.due_date == date(2014, 9, 30) and matter.handling_departments == 1


def test_only_the_offices_may_open_the_form(city, client):
    client.force_login(city.sam)
    assert client.get("/matters/new/").status_code == 403
    assert client.post("/matters/new/", form_data(city)).status_code == 403
    assert Matter.objects.count() == 0


# -- no other origin ----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["alice", "sam", "victor", "gina"])
def test_no_matter_page_refers_to_another_origin(city, matters, client, persona):
    client.force_login(city.people[persona])
    urls = ["/matters/", "/matters/map/", "/matters/dashboard/", "/matters/dashboard/panel/", "/",
            f"/matters/{matters['fund'].id}/", "/matters/?overdue=on"]
    if persona in ("alice", "gina"):
        urls += ["/matters/new/", "/matters/new/deadline/?source=unit_request&start_date=2026-06-15"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert foreign_references(html) == [], url
        assert " style=" not in html and "<script>" not in html, url
