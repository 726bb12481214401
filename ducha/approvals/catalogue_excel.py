"""The approval catalogue in Excel (S3.1): the published catalogue out, a catalogue file in.

A file has six sheets, one row per thing, each naming its item by 事项编码: 事项 (the items),
收费 (fees), 材料 (materials), 层级 (the handling level per area), 前置 (prerequisites) and 流程
(flow steps). Units are named by code, full name or short name; choices by their Chinese words.

Import is all or nothing: every row is checked with the editor's own checks
(``catalogue_checks``), and the prerequisites of the whole file together with the catalogue's
for circular chains, before anything is written; the report names each problem's sheet, row and
column. An item whose content differs from its version in force gets a new **published** version
(the file is the office's reviewed catalogue, and the command line offers ``check`` first), in
force from the file's 生效日期 (today when blank); an unchanged item is left alone.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from ducha.approvals.actions_catalogue import (
    create_version,
    lock_catalogue,
    reference_sets,
    snapshot,
    unpublished_prerequisites,
    version_input_of,
)
from ducha.approvals.catalogue import live_versions, names_of, prerequisite_graph, published_catalogue
from ducha.approvals.catalogue_checks import (
    DelegationInput,
    FeeInput,
    MaterialInput,
    StepInput,
    VersionInput,
    code_error,
    cycle_message,
    draft_errors,
    find_catalogue_cycle,
    publish_errors,
)
from ducha.approvals.models import Item, ItemVersion, VersionState
from ducha.approvals.publish import publish_item
from ducha.audit.api import record as audit
from ducha.inbox.notify import notify_units
from ducha.ledger.import_file import LedgerFileError, check_archive
from ducha.org.models import Unit, User

KIND_ZH = {"01": "行政许可", "02": "行政处罚", "03": "行政强制", "04": "行政征收", "05": "行政给付", "06": "行政检查",
           "07": "行政确认", "08": "行政奖励", "09": "行政裁决", "10": "其他行政权力", "20": "公共服务"}
SERVICE_ZH = {"1": "即办件", "2": "承诺件"}
FORM_ZH = {"original": "原件", "copy": "复印件", "both": "原件及复印件", "electronic": "电子件"}
LEVEL_ZH = {"city": "市级办理", "area": "下放县区办理", "none": "不办理"}
YES, NO = "是", "否"

# (sheet, [(header, key)]); the first column of every sheet is the item's code.
SHEETS: list[tuple[str, list[tuple[str, str]]]] = [
    ("事项", [("事项编码", "code"), ("事项名称", "name"), ("事项类型", "kind"), ("设定依据", "legal_basis"),
             ("实施部门", "lead_department"), ("受理条件", "conditions"), ("办件类型", "service_type"),
             ("法定时限", "statutory_days"), ("承诺时限", "promised_days"), ("联合审批", "joint"),
             ("生效日期", "effective_from"), ("版本", "version"), ("变更说明", "note")]),
    ("收费", [("事项编码", "code"), ("收费项目", "name"), ("金额（元）", "amount"), ("收费依据", "basis")]),
    ("材料", [("事项编码", "code"), ("材料编码", "mcode"), ("材料名称", "name"), ("必要", "required"),
             ("形式", "form"), ("份数", "copies"), ("样表", "sample"), ("备注", "note")]),
    ("层级", [("事项编码", "code"), ("地区", "area"), ("办理层级", "level")]),
    ("前置", [("事项编码", "code"), ("前置事项编码", "requires")]),
    ("流程", [("事项编码", "code"), ("顺序", "order"), ("部门", "department"), ("办理环节", "action"),
             ("时限", "limit_days")]),
]
HEADERS = {sheet: dict(cols) for sheet, cols in SHEETS}
COLUMN_OF = {sheet: {key: header for header, key in cols} for sheet, cols in SHEETS}
LIST_SHEET = {"fees": "收费", "materials": "材料", "delegations": "层级", "prerequisites": "前置", "steps": "流程"}
FIELD_KEY = {"code": "mcode", "area": "area", "department": "department", "lead_department": "lead_department"}


def _unit_label(unit: Unit | None) -> str:
    return unit.name if unit else ""


def export_catalogue(path: str | Path, *, on: date) -> int:
    """Write the catalogue in force on ``on``; returns the number of items."""
    versions = list(published_catalogue(on).prefetch_related(
        "materials", "delegations__area", "prerequisites__requires", "steps__department"))
    wb = Workbook(write_only=True)
    sheets = {name: wb.create_sheet(name) for name, _cols in SHEETS}
    for name, cols in SHEETS:
        sheets[name].append([h for h, _k in cols])
    for v in versions:
        code = v.item.code
        sheets["事项"].append([code, v.name, KIND_ZH.get(v.kind, v.kind), v.legal_basis, _unit_label(v.lead_department),
                             v.conditions, SERVICE_ZH.get(v.service_type, v.service_type), v.statutory_days,
                             v.promised_days, YES if v.joint else NO, v.effective_from, v.version, v.note])
        for f in v.fees:
            sheets["收费"].append([code, f.get("name", ""), f.get("amount", ""), f.get("basis", "")])
        for m in sorted(v.materials.all(), key=lambda m: m.position):
            sheets["材料"].append([code, m.code, m.name, YES if m.required else NO, FORM_ZH.get(m.form, m.form),
                                 m.copies, m.sample, m.note])
        for d in v.delegations.all():
            sheets["层级"].append([code, d.area.name, LEVEL_ZH.get(d.level, d.level)])
        for p in v.prerequisites.all():
            sheets["前置"].append([code, p.requires.code])
        for s in sorted(v.steps.all(), key=lambda s: (s.order, s.pk)):
            sheets["流程"].append([code, s.order, s.department.name, s.action, s.limit_days])
    wb.save(str(path))
    return len(versions)


@dataclass(frozen=True)
class RowProblem:
    sheet: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("Sheet %(sheet)s, row %(row)d, %(column)s: %(message)s") % {
            "sheet": self.sheet, "row": self.row, "column": self.column or "—", "message": self.message}


class CatalogueFileRefused(ValueError):
    def __init__(self, problems: list[RowProblem]) -> None:
        self.problems = problems
        super().__init__(_("%(n)d problems; nothing was imported.") % {"n": len(problems)})


@dataclass
class FileItem:
    code: str
    row: int
    data: VersionInput
    rows: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))  # list → sheet rows


@dataclass
class ImportPlan:
    items: list[FileItem]
    new: list[str]
    changed: list[str]
    unchanged: list[str]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _int(value: Any) -> int | None:
    text = _text(value)
    return int(text) if text.isdigit() and len(text) < 6 else None


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(_text(value).replace("/", "-"))
    except ValueError:
        return None


def _choice(value: Any, table: dict[str, str]) -> str:
    text = _text(value)
    return text if text in table else next((k for k, zh in table.items() if zh == text), f"?{text}")


class _Reader:
    def __init__(self, today: date) -> None:
        self.today = today
        self.problems: list[RowProblem] = []
        units = list(Unit.objects.filter(is_active=True))
        self.units: dict[str, int] = {}
        for u in units:
            for key in (u.code, u.name, u.short_name):
                if key:
                    self.units.setdefault(key, u.pk)

    def bad(self, sheet: str, row: int, key: str, message: str) -> None:
        self.problems.append(RowProblem(sheet, row, COLUMN_OF[sheet].get(key, key), message))

    def unit(self, sheet: str, row: int, key: str, value: Any) -> int | None:
        text = _text(value)
        if text not in self.units:
            self.bad(sheet, row, key, _("No unit %(name)s.") % {"name": text or "—"})
            return None
        return self.units[text]


def _sheet_rows(wb: Any, name: str, reader: _Reader, required: bool) -> list[tuple[int, dict[str, Any]]]:
    if name not in wb.sheetnames:
        if required:
            reader.bad(name, 1, "code", _("The file has no sheet %(sheet)s.") % {"sheet": name})
        return []
    rows = wb[name].iter_rows(values_only=True)
    header = [_text(h) for h in next(rows, ())]
    keys = [HEADERS[name].get(h) for h in header]
    for h, k in HEADERS[name].items():
        if k not in keys and k != "version":
            reader.problems.append(RowProblem(name, 1, h, _("This column is missing.")))
    out = []
    for n, values in enumerate(rows, start=2):
        if not any(_text(v) for v in values):
            continue
        out.append((n, {k: v for k, v in zip(keys, values, strict=False) if k}))
    return out


def read_file(path: Path, *, today: date) -> tuple[list[FileItem], list[RowProblem]]:
    """The file's items, each as the editor's input, and every problem of reading them."""
    check_archive(path)
    reader = _Reader(today)
    try:
        wb = load_workbook(str(path), read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many kinds on a damaged file
        raise LedgerFileError(_("This is not an Excel (.xlsx) file.")) from e
    items: dict[str, FileItem] = {}
    for n, r in _sheet_rows(wb, "事项", reader, required=True):
        code = _text(r.get("code"))
        if code_error(code):
            reader.bad("事项", n, "code", code_error(code) or "")
            continue
        if code in items:
            reader.bad("事项", n, "code", _("Item %(code)s is also on row %(row)d.") % {"code": code, "row": items[code].row})
            continue
        data = VersionInput(
            name=_text(r.get("name")), kind=_choice(r.get("kind"), KIND_ZH), legal_basis=_text(r.get("legal_basis")),
            lead_department_id=reader.unit("事项", n, "lead_department", r.get("lead_department")),
            statutory_days=_int(r.get("statutory_days")), promised_days=_int(r.get("promised_days")),
            service_type=_choice(r.get("service_type"), SERVICE_ZH), conditions=_text(r.get("conditions")),
            effective_from=_date(r.get("effective_from")) if _text(r.get("effective_from")) else today,
            joint=_text(r.get("joint")) == YES, note=_text(r.get("note")))
        if data.effective_from is None:
            reader.bad("事项", n, "effective_from", _("Give a date such as 2026-10-08."))
        items[code] = FileItem(code=code, row=n, data=data)

    def owner(sheet: str, n: int, r: dict[str, Any]) -> FileItem | None:
        item = items.get(_text(r.get("code")))
        if item is None:
            reader.bad(sheet, n, "code", _("Item %(code)s is not on sheet 事项.") % {"code": _text(r.get("code")) or "—"})
        return item

    for n, r in _sheet_rows(wb, "收费", reader, required=False):
        if (it := owner("收费", n, r)) is not None:
            it.data.fees.append(FeeInput(_text(r.get("name")), _text(r.get("amount")) or "0", _text(r.get("basis"))))
            it.rows["fees"].append(n)
    for n, r in _sheet_rows(wb, "材料", reader, required=False):
        if (it := owner("材料", n, r)) is not None:
            it.data.materials.append(MaterialInput(
                _text(r.get("mcode")), _text(r.get("name")), _text(r.get("required")) != NO,
                _choice(r.get("form"), FORM_ZH), _int(r.get("copies")) if _text(r.get("copies")) else 1,
                _text(r.get("sample")), _text(r.get("note"))))
            it.rows["materials"].append(n)
    for n, r in _sheet_rows(wb, "层级", reader, required=False):
        if (it := owner("层级", n, r)) is not None:
            area = reader.unit("层级", n, "area", r.get("area"))
            it.data.delegations.append(DelegationInput(area or 0, _choice(r.get("level"), LEVEL_ZH)))
            it.rows["delegations"].append(n)
    for n, r in _sheet_rows(wb, "前置", reader, required=False):
        if (it := owner("前置", n, r)) is not None:
            it.data.prerequisites.append(_text(r.get("requires")))
            it.rows["prerequisites"].append(n)
    for n, r in _sheet_rows(wb, "流程", reader, required=False):
        if (it := owner("流程", n, r)) is not None:
            dept = reader.unit("流程", n, "department", r.get("department"))
            it.data.steps.append(StepInput(_int(r.get("order")), dept, _text(r.get("action")),
                                           _int(r.get("limit_days"))))
            it.rows["steps"].append(n)
    wb.close()
    if not items and not reader.problems:
        reader.bad("事项", 2, "code", _("The file lists no items."))
    return list(items.values()), reader.problems


def _place(item: FileItem, key: str) -> tuple[str, int, str]:
    """Where an error of ``catalogue_checks`` sits in the file: sheet, row, column."""
    parts = key.split(".")
    if parts[0] in LIST_SHEET and len(parts) > 1 and parts[1].isdigit():
        sheet = LIST_SHEET[parts[0]]
        rows = item.rows[parts[0]]
        i = int(parts[1]) - 1
        col = FIELD_KEY.get(parts[2], parts[2]) if len(parts) > 2 else ("requires" if sheet == "前置" else "code")
        if sheet == "收费" and len(parts) > 2:
            col = parts[2]
        return sheet, rows[i] if i < len(rows) else item.row, COLUMN_OF[sheet].get(col, col)
    if parts[0] in LIST_SHEET:
        col = "promised_days" if parts[0] == "steps" else parts[0]
        return "事项", item.row, COLUMN_OF["事项"].get(col, LIST_SHEET[parts[0]])
    return "事项", item.row, COLUMN_OF["事项"].get(FIELD_KEY.get(parts[0], parts[0]), parts[0])


def plan_import(path: Path, *, today: date) -> ImportPlan:
    """Read and check the whole file against the catalogue; raise ``CatalogueFileRefused`` with
    every problem, or return what importing would do. Writes nothing."""
    items, problems = read_file(path, today=today)
    refs = reference_sets({i.code for i in items})
    current = {v.item.code: v for v in live_versions(today).filter(item__code__in=[i.code for i in items])
               .select_related("item").prefetch_related("materials", "delegations", "prerequisites__requires", "steps")
               .order_by("version")}
    file_codes = {i.code for i in items}
    drafts = set(ItemVersion.objects.filter(state=VersionState.DRAFT, item__code__in=[i.code for i in items])
                 .values_list("item__code", flat=True))
    existing = set(Item.objects.values_list("code", flat=True))
    placed = {(p.sheet, p.row, p.column) for p in problems}
    new: list[str] = []
    changed: list[str] = []
    unchanged: list[str] = []
    for it in items:
        errors = draft_errors(it.data, own_code=it.code, **refs)
        old = current.get(it.code)
        if old is not None and snapshot(version_input_of(old)) == snapshot(it.data):
            unchanged.append(it.code)
        else:
            errors.update({k: v for k, v in publish_errors(it.data, today=today).items() if k not in errors})
            errors.update({k: v for k, v in unpublished_prerequisites(it.data.prerequisites, today, file_codes).items()
                           if k not in errors})
            if it.code in drafts:
                errors["code"] = _("Item %(code)s has a draft being edited: publish or discard it first.") % {
                    "code": it.code}
            (changed if it.code in existing else new).append(it.code)
        for key, message in errors.items():
            sheet, row, column = _place(it, key)
            if (sheet, row, column) not in placed:  # a unit not found is reported once, when read
                problems.append(RowProblem(sheet, row, column, message))
    if not problems:
        graph = prerequisite_graph(today)
        for it in items:
            graph[it.code] = graph.get(it.code, set()) | set(it.data.prerequisites)
        cycle = find_catalogue_cycle(graph)
        if cycle:
            by_code = {i.code: i for i in items}
            names = names_of(cycle, today, {i.code: i.data.name for i in items if i.code in cycle})
            first = next((c for c in cycle if c in by_code and by_code[c].rows["prerequisites"]), None)
            where = by_code[first] if first else items[0]
            row = where.rows["prerequisites"][0] if first else where.row
            problems.append(RowProblem("前置" if first else "事项", row, "前置事项编码" if first else "事项编码",
                                       cycle_message(cycle, names)))
    if problems:
        problems.sort(key=lambda p: ([s for s, _c in SHEETS].index(p.sheet) if p.sheet in HEADERS else 9, p.row))
        raise CatalogueFileRefused(problems)
    return ImportPlan(items=items, new=new, changed=changed, unchanged=unchanged)


def import_catalogue(path: Path, *, actor: User, today: date) -> ImportPlan:
    """Check the file, then publish a version of each new or changed item, all in one transaction."""
    with transaction.atomic():
        lock_catalogue()  # the check reads the whole catalogue: nothing may move it meanwhile
        plan = plan_import(path, today=today)
        todo = [i for i in plan.items if i.code in set(plan.new) | set(plan.changed)]
        Item.objects.bulk_create([Item(code=c) for c in plan.new])
        by_code = {i.code: i for i in Item.objects.filter(code__in=[t.code for t in todo]).select_for_update()}
        units: set[int] = set()
        for it in todo:
            v = create_version(actor=actor, item=by_code[it.code], data=it.data, today=today,
                               state=VersionState.PUBLISHED)
            units.add(v.lead_department_id)
            units.update(s.department_id for s in it.data.steps if s.department_id)
            audit(actor=actor, action="approvals.catalogue.import", obj_type="approvals.ItemVersion", obj_id=v.pk,
                  before=None, after={"code": it.code, "version": v.version, "effective_from": v.effective_from,
                                      "file": path.name})
            publish_item(it.code, today)
        if todo:
            title = _("Approval catalogue updated")
            body = _("%(n)d items were published from a catalogue file; see the power list of your department.") % {
                "n": len(todo)}
            transaction.on_commit(lambda: notify_units(sorted(units), title=title, body=body))
    return plan
