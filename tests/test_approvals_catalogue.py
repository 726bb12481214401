"""The approval catalogue (S3.1, S3.2, S3.5, S4; 行政许可法 art. 30): items versioned with an
effective date, published by the approval service office only when complete, with a flow whose
critical path fits the promised limit and prerequisites that never loop (the message names the
whole cycle); delegation per area; the catalogue in and out of Excel, all or nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, settings

from ducha.approvals.actions_catalogue import (
    CatalogueError,
    NotYours,
    do_create_item,
    do_publish_version,
    do_save_draft_version,
    do_withdraw_version,
)
from ducha.approvals.catalogue import (
    flow_summary,
    handling_unit_for,
    power_list,
    published_catalogue,
    version_in_force,
)
from ducha.approvals.catalogue_checks import DelegationInput, MaterialInput, StepInput, VersionInput
from ducha.approvals.models import Item, ItemVersion, Prerequisite, VersionState
from ducha.audit.models import AuditEvent
from ducha.org.models import Unit, UnitKind, User
from ducha.org.roles import Role
from tests.api_schema import connection_kept, log_in, schema

TODAY = date(2026, 9, 28)  # the Monday before National Day


@pytest.fixture
def office(city):
    return make_office(city)


def make_office(city):
    """The approval service office (市行政审批服务局) with its administrator and a window clerk,
    and two counties to delegate to."""
    xzspj = Unit.objects.create(code="xzspj", name="市行政审批服务局", short_name="审批局", kind=UnitKind.DEPARTMENT)
    for code, name in [("xixia", "西峡县人民政府"), ("dengzhou", "邓州市人民政府")]:
        city.units[code] = Unit.objects.create(code=code, name=name, short_name=name[:3], kind=UnitKind.COUNTY)
    city.units["xzspj"] = xzspj
    city.people["shenpi"] = User.objects.create_user(username="shenpi", password="x", name="审批局管理员",
                                                     role=Role.UNIT_ADMIN, unit=xzspj)
    city.people["chuangkou"] = User.objects.create_user(username="chuangkou", password="x", name="窗口工作人员",
                                                        role=Role.UNIT_STAFF, unit=xzspj)
    return city


def spec(city, name="企业投资项目核准", prereq=(), steps=(), promised=15, statutory=20, **kw) -> VersionInput:
    return VersionInput(
        name=name, kind="01", legal_basis="《企业投资项目核准和备案管理条例》第三条",
        lead_department_id=city.units["fgw"].pk, statutory_days=statutory, promised_days=promised,
        effective_from=kw.pop("effective_from", TODAY),
        materials=kw.pop("materials", [MaterialInput("sqb", "项目申请报告"), MaterialInput("yyzz", "营业执照", form="copy")]),
        prerequisites=list(prereq), steps=list(steps), **kw)


def published(city, code, **kw) -> ItemVersion:
    v = do_create_item(actor=city.shenpi, code=code, data=spec(city, name=kw.pop("name", f"事项{code}"), **kw),
                       today=TODAY)
    return do_publish_version(actor=city.shenpi, version=v, today=TODAY)


def test_s3_1_a_version_is_in_force_from_its_date_and_an_application_keeps_its_own(office, clock):
    clock.set(TODAY)
    city = office
    v1 = published(city, "XK-001")
    assert version_in_force(v1.item, TODAY) == v1 and version_in_force(v1.item, TODAY - timedelta(days=1)) is None
    draft = do_save_draft_version(actor=city.shenpi, item=v1.item,
                                  data=spec(city, promised=10, effective_from=date(2026, 10, 8)), today=TODAY)
    assert draft.version == 2 and version_in_force(v1.item, date(2026, 10, 8)) == v1  # a draft is not in force
    with pytest.raises(CatalogueError):  # one draft at a time
        do_save_draft_version(actor=city.shenpi, item=v1.item, data=spec(city), today=TODAY)
    do_publish_version(actor=city.shenpi, version=draft, today=TODAY)
    assert version_in_force(v1.item, date(2026, 10, 7)) == v1  # National Day: still the old text
    assert version_in_force(v1.item, date(2026, 10, 8)).promised_days == 10
    assert [v.version for v in published_catalogue(date(2026, 10, 8))] == [2]
    with pytest.raises(CatalogueError):  # a published version is never edited
        do_save_draft_version(actor=city.shenpi, item=v1.item, data=spec(city), version=draft, today=TODAY)
    assert AuditEvent.objects.filter(action="approvals.catalogue.publish").count() == 2
    # Withdrawing the version in force takes the earlier ones with it: nothing comes back by itself.
    do_withdraw_version(actor=city.shenpi, version=draft)
    assert set(ItemVersion.objects.values_list("state", flat=True)) == {VersionState.WITHDRAWN}
    assert version_in_force(v1.item, date(2026, 10, 8)) is None


@pytest.mark.parametrize(("change", "field"), [
    ({"promised": 25}, "promised_days"),  # art. 42: the promise is within the statutory limit
    ({"name": " "}, "name"),
    ({"legal_basis": ""}, "legal_basis"),
    ({"materials": []}, "materials"),  # art. 30: the complete list
    ({"materials": [MaterialInput("yyzz", "营业执照"), MaterialInput("yyzz", "营业执照副本")]}, "materials.2.code"),
    ({"effective_from": date(2026, 9, 27)}, "effective_from"),  # no version in force in the past
    ({"steps": [StepInput(1, None, "审查", 5)]}, "steps.1.department"),
])
def test_s3_1_publishing_refuses_an_incomplete_version_and_names_the_field(office, clock, change, field):
    clock.set(TODAY)
    city = office
    v = do_create_item(actor=city.shenpi, code="XK-001", data=spec(city), today=TODAY)
    data = spec(city, **{k: v for k, v in change.items() if k in ("promised", "name", "materials", "effective_from",
                                                                  "steps")})
    if "legal_basis" in change:
        data.legal_basis = change["legal_basis"]
    with pytest.raises(CatalogueError) as e:
        do_save_draft_version(actor=city.shenpi, item=v.item, data=data, version=v, today=TODAY)
        do_publish_version(actor=city.shenpi, version=v, today=TODAY)
    assert field in e.value.errors, e.value.errors
    assert not ItemVersion.objects.filter(state=VersionState.PUBLISHED).exists()


def test_s3_2_the_flow_critical_path_must_fit_the_promised_limit(office, clock):
    clock.set(TODAY)
    city = office
    fgw, czj = city.units["fgw"].pk, city.units["czj"].pk
    steps = [StepInput(1, fgw, "受理审查", 3), StepInput(2, fgw, "核准审查", 8), StepInput(2, czj, "资金审核", 10),
             StepInput(3, fgw, "决定", 3)]
    v = do_create_item(actor=city.shenpi, code="LH-001", data=spec(city, steps=steps, promised=15, joint=True),
                       today=TODAY)
    with pytest.raises(CatalogueError) as e:
        do_publish_version(actor=city.shenpi, version=v, today=TODAY)
    assert "16" in e.value.errors["steps"] and "15" in e.value.errors["steps"]
    v = do_save_draft_version(actor=city.shenpi, item=v.item, version=v, today=TODAY,
                              data=spec(city, steps=steps, promised=16, statutory=45, joint=True))
    do_publish_version(actor=city.shenpi, version=v, today=TODAY)
    flow = flow_summary(v)
    assert (flow.total, flow.limit, flow.fits) == (16, 16, True)
    assert [c.order for c in flow.columns] == [1, 2, 3] and len(flow.columns[1].steps) == 2
    assert flow.columns[1].critical.department_id == czj  # the longer of the two parallel steps


def test_s3_2_a_cycle_is_refused_and_named_whole(office, clock):
    """A → B → C → A: the third link is refused with every item's code and name."""
    clock.set(TODAY)
    city = office
    a = published(city, "A", name="建设用地规划许可")
    published(city, "B", name="建设工程规划许可", prereq=["A"])
    published(city, "C", name="施工许可", prereq=["B"])
    draft = do_save_draft_version(actor=city.shenpi, item=a.item, data=spec(city, name="建设用地规划许可", prereq=["C"]),
                                  today=TODAY)
    with pytest.raises(CatalogueError) as e:
        do_publish_version(actor=city.shenpi, version=draft, today=TODAY)
    message = e.value.errors["prerequisites"]
    assert "A 建设用地规划许可 → C 施工许可 → B 建设工程规划许可 → A 建设用地规划许可" in message
    assert ItemVersion.objects.get(pk=draft.pk).state == VersionState.DRAFT
    with pytest.raises(CatalogueError) as e:  # an item cannot require itself
        do_save_draft_version(actor=city.shenpi, item=a.item, data=spec(city, prereq=["A"]), version=draft,
                              today=TODAY)
    assert "prerequisites.1" in e.value.errors


def _generated_chain(city, n: int) -> list[Item]:
    """``n`` published items, each requiring the next: a chain with no loop yet."""
    items = Item.objects.bulk_create([Item(code=f"G{i:05d}") for i in range(n)])
    versions = ItemVersion.objects.bulk_create([
        ItemVersion(item=it, version=1, effective_from=TODAY, state=VersionState.PUBLISHED, name=f"生成事项{i}",
                    kind="01", legal_basis="依据", lead_department=city.units["fgw"], statutory_days=20,
                    promised_days=10, created_by=city.shenpi) for i, it in enumerate(items)])
    Prerequisite.objects.bulk_create([Prerequisite(version=versions[i], requires=items[i + 1]) for i in range(n - 1)])
    return items


def test_s3_2_a_long_cycle_in_a_catalogue_of_5000_items_is_named_whole(office, clock):
    clock.set(TODAY)
    city = office
    items = _generated_chain(city, 5000)
    last = items[-1]
    draft = do_save_draft_version(actor=city.shenpi, item=last, data=spec(city, name="最后一项", prereq=["G00000"]),
                                  today=TODAY)
    with pytest.raises(CatalogueError) as e:
        do_publish_version(actor=city.shenpi, version=draft, today=TODAY)
    message = e.value.errors["prerequisites"]
    assert message.count(" → ") == 5000
    assert all(f"G{i:05d} 生成事项{i}" in message for i in range(4999)) and "G04999 最后一项" in message
    assert "G00000 生成事项0 → G00001 生成事项1" in message


def test_s3_5_delegation_decides_who_handles_an_application(office, clock):
    clock.set(TODAY)
    city = office
    fgw, xixia, dengzhou, wancheng = (city.units[c] for c in ("fgw", "xixia", "dengzhou", "wancheng"))
    v = published(city, "XK-001", delegations=[DelegationInput(xixia.pk, "area"), DelegationInput(dengzhou.pk, "none"),
                                               DelegationInput(wancheng.pk, "city")])
    assert handling_unit_for(v, None) == fgw
    assert handling_unit_for(v, xixia) == xixia
    assert handling_unit_for(v, dengzhou) is None
    assert handling_unit_for(v, wancheng) == fgw
    assert handling_unit_for(v, city.units["gxq"]) == fgw  # not listed: the city
    (entry,) = power_list(fgw, TODAY)
    assert entry.lead and entry.delegated == 1
    assert dict((a.code, lv) for a, lv in entry.levels) == {"wancheng": "city", "gxq": "city", "xixia": "area",
                                                            "dengzhou": "none"}
    assert power_list(city.units["czj"], TODAY) == []


def test_s3_1_only_the_service_office_administrator_edits(office, clock):
    clock.set(TODAY)
    city = office
    for who in (city.chuangkou, city.ursula, city.alice, city.mayor):
        with pytest.raises(NotYours):
            do_create_item(actor=who, code="XK-001", data=spec(city), today=TODAY)
    v = do_create_item(actor=city.shenpi, code="XK-001", data=spec(city), today=TODAY)
    with pytest.raises(NotYours):
        do_publish_version(actor=city.chuangkou, version=v, today=TODAY)
    with pytest.raises(CatalogueError) as e:
        do_create_item(actor=city.shenpi, code="XK-001", data=spec(city), today=TODAY)
    assert "code" in e.value.errors


def test_s3_1_pages_list_guide_history_power_list_and_who_sees_drafts(office, clock):
    clock.set(TODAY)
    city = office
    fgw, czj = city.units["fgw"].pk, city.units["czj"].pk
    v = published(city, "XK-001", name="企业投资项目核准", joint=True, statutory=45, promised=16,
                  steps=[StepInput(1, fgw, "受理", 3), StepInput(2, fgw, "审查", 8), StepInput(2, czj, "审核", 10),
                         StepInput(3, fgw, "决定", 3)],
                  delegations=[DelegationInput(city.units["xixia"].pk, "area")])
    draft = do_save_draft_version(actor=city.shenpi, item=v.item, data=spec(city, name="草稿名称"), today=TODAY)
    sam = Client()
    sam.force_login(city.sam)
    listing = sam.get(reverse("approvals:catalogue-list"), {"q": "投资"}).content.decode()
    assert 'data-item="XK-001"' in listing and "草稿名称" not in listing
    assert 'data-item="XK-001"' not in sam.get(reverse("approvals:catalogue-list"), {"q": "没有"}).content.decode()
    guide = sam.get(reverse("approvals:catalogue-item", args=["XK-001"])).content.decode()
    assert 'data-testid="in-force"' in guide and 'data-material="yyzz"' in guide
    assert guide.count("data-critical") == 3 and 'data-order="2"' in guide and 'data-level="area"' in guide
    assert 'data-testid="publish-form"' not in guide and 'data-testid="edit-draft"' not in guide
    assert sam.get(reverse("approvals:catalogue-item", args=["XK-001"]), {"version": draft.version}).status_code == 404
    history = sam.get(reverse("approvals:catalogue-versions", args=["XK-001"])).content.decode()
    assert 'data-version="1"' in history and 'data-version="2"' not in history
    power = sam.get(reverse("approvals:catalogue-power", args=[czj])).content.decode()
    assert 'data-item="XK-001"' in power  # czj takes a step of the flow
    assert sam.get(reverse("approvals:catalogue-new")).status_code == 404
    assert sam.get(reverse("approvals:catalogue-edit", args=["XK-001"])).status_code == 404
    assert sam.post(reverse("approvals:catalogue-publish", args=["XK-001", draft.version]),
                    {"confirm": "yes"}).status_code == 404
    assert Client().get(reverse("approvals:catalogue-list")).status_code == 302  # the pages need a sign-in
    shenpi = Client()
    shenpi.force_login(city.shenpi)
    page = shenpi.get(reverse("approvals:catalogue-item", args=["XK-001"]), {"version": draft.version}).content.decode()
    assert 'data-testid="publish-effect"' in page and "草稿名称" in page


def _post_form(city, **extra):
    form = {"name": "排水许可", "kind": "01", "legal_basis": "《城镇排水与污水处理条例》第二十一条",
            "lead_department": city.units["fgw"].pk, "service_type": "2", "statutory_days": "20",
            "promised_days": "10", "effective_from": "2026-10-08",
            "mat-1-code": "sqb", "mat-1-name": "排水许可申请表", "mat-1-required": "yes", "mat-1-form": "original",
            "mat-1-copies": "1", "mat-2-code": "", "mat-2-name": "", "mat-2-form": "original",
            "fee-1-name": "", "step-1-order": "1", "step-1-department": city.units["fgw"].pk,
            "step-1-action": "审查", "step-1-limit": "8",
            f"del-{city.units['xixia'].pk}": "area", "prerequisites": ""}
    form.update(extra)
    return form


def test_s3_1_the_editor_creates_edits_publishes_and_withdraws_with_confirmations(office, clock):
    clock.set(TODAY)
    city = office
    c = Client()
    c.force_login(city.shenpi)
    bad = c.post(reverse("approvals:catalogue-new"), _post_form(city, code="PS-001", promised_days="30",
                                                                **{"mat-2-code": "sqb", "mat-2-name": "重复"}))
    assert bad.status_code == 400 and not Item.objects.exists()
    assert 'data-field="promised_days"' in bad.content.decode() and 'data-field="materials.2.code"' in bad.content.decode()
    assert c.post(reverse("approvals:catalogue-new"), _post_form(city, code="PS-001")).status_code == 302
    v = ItemVersion.objects.get()
    assert (v.state, v.delegations.get().level, v.steps.count(), v.materials.count()) == ("draft", "area", 1, 1)
    assert c.post(reverse("approvals:catalogue-edit", args=["PS-001"]),
                  _post_form(city, promised_days="8")).status_code == 302
    assert ItemVersion.objects.get().promised_days == 8
    publish = reverse("approvals:catalogue-publish", args=["PS-001", 1])
    assert c.post(publish).status_code == 400 and ItemVersion.objects.get().state == "draft"
    assert c.post(publish, {"confirm": "yes"}).status_code == 302
    assert ItemVersion.objects.get().state == "published"
    withdraw = reverse("approvals:catalogue-withdraw", args=["PS-001", 1])
    assert c.post(withdraw).status_code == 400
    assert c.post(withdraw, {"confirm": "yes"}).status_code == 302
    assert ItemVersion.objects.get().state == "withdrawn"
    assert c.get(reverse("approvals:catalogue-edit", args=["PS-001"])).status_code == 200  # a new draft from it


def _api_body(city, **extra):
    body = {"name": "排水许可", "kind": "01", "legal_basis": "《城镇排水与污水处理条例》", "lead_department_id":
            city.units["fgw"].pk, "statutory_days": 20, "promised_days": 10, "effective_from": TODAY.isoformat(),
            "materials": [{"code": "sqb", "name": "申请表"}], "levels": [{"area_id": city.units["xixia"].pk,
                                                                            "level": "area"}]}
    body.update(extra)
    return body


def test_s3_1_the_api_reads_anonymously_and_only_the_office_writes(office, clock):
    clock.set(TODAY)
    city = office
    shenpi, sam, anon = Client(), Client(), Client()
    shenpi.force_login(city.shenpi)
    sam.force_login(city.sam)
    assert sam.post("/api/approvals/catalogue", {"code": "PS-001", **_api_body(city)},
                    content_type="application/json").status_code == 403
    bad = shenpi.post("/api/approvals/catalogue", {"code": "PS-001", **_api_body(city, promised_days=30)},
                      content_type="application/json")
    assert bad.status_code == 400 and "promised_days" in bad.json()["errors"]
    made = shenpi.post("/api/approvals/catalogue", {"code": "PS-001", **_api_body(city)}, content_type="application/json")
    assert made.status_code == 201 and made.json()["state"] == "draft"
    assert anon.get("/api/approvals/catalogue/PS-001").status_code == 404  # a draft is not public
    assert anon.get("/api/approvals/catalogue/PS-001/versions").status_code == 404
    put = shenpi.put("/api/approvals/catalogue/PS-001/draft", _api_body(city, promised_days=9),
                     content_type="application/json")
    assert put.status_code == 200 and put.json()["promised_days"] == 9 and put.json()["version"] == 1
    publish = "/api/approvals/catalogue/PS-001/versions/1/publish"
    unconfirmed = shenpi.post(publish, {}, content_type="application/json")
    assert unconfirmed.status_code == 400 and "confirm" in unconfirmed.json()["errors"]
    assert sam.post(publish, {"confirm": True}, content_type="application/json").status_code == 403
    assert anon.post(publish, {"confirm": True}, content_type="application/json").status_code == 401
    assert shenpi.post(publish, {"confirm": True}, content_type="application/json").json()["state"] == "published"
    page = anon.get("/api/approvals/catalogue", {"limit": 1})
    assert page.status_code == 200 and [i["code"] for i in page.json()["items"]] == ["PS-001"]
    item = anon.get("/api/approvals/catalogue/PS-001").json()
    assert item["promised_days"] == 9 and {lv["area"]["id"]: lv["level"] for lv in item["levels"]}[
        city.units["xixia"].pk] == "area"
    assert [v["version"] for v in anon.get("/api/approvals/catalogue/PS-001/versions").json()] == [1]
    withdraw = "/api/approvals/catalogue/PS-001/versions/1/withdraw"
    assert shenpi.post(withdraw, {}, content_type="application/json").status_code == 400
    assert shenpi.post(withdraw, {"confirm": True}, content_type="application/json").json()[0]["state"] == "withdrawn"
    assert anon.get("/api/approvals/catalogue").json()["items"] == []


def test_s3_1_the_api_pages_the_catalogue_by_keyset(office, clock):
    clock.set(TODAY)
    city = office
    for i in range(5):
        published(city, f"XK-{i:03d}")
    anon = Client()
    seen, after = [], None
    while True:
        body = anon.get("/api/approvals/catalogue", {"limit": 2, **({"after": after} if after else {})}).json()
        seen += [i["code"] for i in body["items"]]
        after = body["next_after"]
        if after is None:
            break
    assert seen == [f"XK-{i:03d}" for i in range(5)]


def test_s3_4_demo_catalogue_has_the_four_joint_stages_adding_up_to_120_working_days(db, clock):
    from ducha.approvals.demo_catalogue import build_demo_catalogue
    from ducha.org.demo import build_demo_organisation

    clock.set(TODAY)
    build_demo_organisation()
    assert build_demo_catalogue() is True
    assert build_demo_catalogue() is False  # idempotent
    in_force = list(published_catalogue(TODAY))
    assert 28 <= len(in_force) <= 40
    assert len({v.lead_department_id for v in in_force}) >= 10
    stages = [v for v in in_force if v.item.code.startswith("GCJS-")]
    assert [v.joint for v in stages] == [True] * 4
    flows = [flow_summary(v) for v in stages]
    assert sum(f.total for f in flows) == 120 and all(f.fits for f in flows)
    assert all(len({s.department_id for c in f.columns for s in c.steps}) >= 3 for f in flows)
    chain = {v.item.code: list(v.prerequisites.values_list("requires__code", flat=True)) for v in stages}
    assert chain == {"GCJS-01": [], "GCJS-02": ["GCJS-01"], "GCJS-03": ["GCJS-02"], "GCJS-04": ["GCJS-03"]}
    xixia, dengzhou = Unit.objects.get(code="xixia"), Unit.objects.get(code="dengzhou")
    levels = {v.item.code: (v.delegations.filter(area=xixia).values_list("level", flat=True).first(),
                            v.delegations.filter(area=dengzhou).values_list("level", flat=True).first())
              for v in in_force}
    assert {k for k, (x, _d) in levels.items() if x == "area"} != {k for k, (_x, d) in levels.items() if d == "area"}
    assert any("none" in pair for pair in levels.values())
    assert User.objects.get(username="shenpi").unit.code == "xzspj"
    assert User.objects.get(username="chuangkou").role == Role.UNIT_STAFF


@pytest.fixture
def catalogue_session(office, clock, client, settings):
    clock.set(TODAY)
    city = office
    published(city, "A", name="立项用地规划许可", delegations=[DelegationInput(city.units["xixia"].pk, "area")])
    published(city, "B", name="工程建设许可", prereq=["A"],
              steps=[StepInput(1, city.units["fgw"].pk, "审查", 5), StepInput(1, city.units["czj"].pk, "审核", 7)])
    do_save_draft_version(actor=city.shenpi, item=Item.objects.get(code="B"), data=spec(city), today=TODAY)
    with connection_kept():
        yield log_in(client, city.shenpi, settings)


@schema.include(path_regex="^/api/approvals/catalogue").parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.django_db
def test_approvals_catalogue_api_conforms_with_data(case, catalogue_session):
    """S3.1: 0 server errors, 0 responses that break the schema, on a catalogue with a draft."""
    case.call_and_validate()


def test_s3_2_a_prerequisite_must_be_in_the_published_catalogue(office, clock):
    clock.set(TODAY)
    city = office
    draft_only = do_create_item(actor=city.shenpi, code="DRAFT", data=spec(city), today=TODAY)
    v = do_create_item(actor=city.shenpi, code="NEEDS", data=spec(city, prereq=["DRAFT"]), today=TODAY)
    with pytest.raises(CatalogueError) as e:
        do_publish_version(actor=city.shenpi, version=v, today=TODAY)
    assert "DRAFT" in e.value.errors["prerequisites.1"]
    do_publish_version(actor=city.shenpi, version=draft_only, today=TODAY)
    assert do_publish_version(actor=city.shenpi, version=v, today=TODAY).state == VersionState.PUBLISHED
