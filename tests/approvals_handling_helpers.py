"""Accepted applications made directly, for the tests of what follows 受理: the approval service
office, items with flows, and an application accepted on a given day with its first order
running (as the window's acceptance leaves it)."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from ducha.approvals.models import (
    Application,
    ApplicationState,
    FlowStep,
    Item,
    ItemKind,
    ItemVersion,
    Material,
    StepRecord,
    StepState,
    VersionState,
)
from ducha.org.models import Unit, UnitKind, User
from ducha.org.roles import Role

SHANGHAI = ZoneInfo("Asia/Shanghai")


def service_office(city) -> dict[str, User]:
    """The approval service office (行政审批服务局, code xzspj) with a window officer and its
    administrator; a third department (自然资源局) with one person and no step anywhere."""
    unit = Unit.objects.create(code="xzspj", name="市行政审批服务局", short_name="审批局", kind=UnitKind.DEPARTMENT)
    zrzy = Unit.objects.create(code="zrzy", name="市自然资源和规划局", short_name="自然资源局", kind=UnitKind.DEPARTMENT)
    city.units.update({"xzspj": unit, "zrzy": zrzy})
    people = {
        "wendy": User.objects.create_user(username="wendy", password="pw-for-tests-only", name="Wendy",
                                          role=Role.UNIT_STAFF, unit=unit),
        "olga": User.objects.create_user(username="olga", password="pw-for-tests-only", name="Olga",
                                         role=Role.UNIT_ADMIN, unit=unit),
        "zoe": User.objects.create_user(username="zoe", password="pw-for-tests-only", name="Zoe",
                                        role=Role.UNIT_STAFF, unit=zrzy),
    }
    city.people.update(people)
    return people


def make_version(city, code: str, *, name: str = "企业投资项目核准", lead: str = "fgw", statutory: int = 20,
                 promised: int = 15, steps: tuple[tuple[int, str, str, int], ...] = (),
                 materials: tuple[tuple[str, str, bool, int], ...] = (), fees: list[dict[str, str]] | None = None,
                 joint: bool = False) -> ItemVersion:
    """A published version; ``steps`` are (order, department code, action, limit), ``materials``
    (code, name, required, copies)."""
    item = Item.objects.create(code=code)
    version = ItemVersion.objects.create(
        item=item, version=1, effective_from=date(2026, 1, 1), state=VersionState.PUBLISHED, name=name,
        kind=ItemKind.LICENSING, legal_basis="《中华人民共和国行政许可法》", lead_department=city.units[lead],
        statutory_days=statutory, promised_days=promised, fees=fees or [], joint=joint, created_by=city.alice)
    for order, unit, action, limit in steps:
        FlowStep.objects.create(version=version, order=order, department=city.units[unit], action=action,
                                limit_days=limit)
    for i, (mcode, mname, required, copies) in enumerate(materials, start=1):
        Material.objects.create(version=version, position=i, code=mcode, name=mname, required=required, copies=copies)
    return version


FLOW = ((1, "fgw", "初审", 5), (2, "fgw", "复审", 3), (2, "czj", "资金审核", 4), (3, "fgw", "审定", 2))


def accepted_application(city, version: ItemVersion, accepted: date, *, number: str = "SP2026-0001",
                         members: list[ItemVersion] | None = None, joint_reason: str = "") -> Application:
    """An application received and accepted on ``accepted``; the first order of each item's flow
    running from that day, the rest waiting."""
    app = Application.objects.create(
        receipt_number=number, version=version, handling_unit=version.lead_department, state=ApplicationState.ACCEPTED,
        applicant_name="南阳市宛城建设有限公司", applicant_id="91411300MA44XXXX0X", applicant_phone="13800000000",
        project="宛城物流园", first_officer=city.wendy, received_on=accepted,
        received_at=datetime.combine(accepted, time(9, 0), tzinfo=SHANGHAI), accepted_on=accepted,
        joint=bool(members), joint_reason=joint_reason, next_check_on=accepted)
    versions = [version]
    if members:
        app.members.set(members)
        versions += members
    for v in versions:
        steps = list(FlowStep.objects.filter(version=v).order_by("order", "id"))
        first = min((s.order for s in steps), default=None)
        for s in steps:
            running = s.order == first
            StepRecord.objects.create(application=app, step=s, state=StepState.RUNNING if running else StepState.WAITING,
                                      started_on=accepted if running else None)
    return app
