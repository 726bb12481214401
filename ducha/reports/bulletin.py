"""The monthly bulletin (督查通报, S2.8) as an official document: built from ``BulletinData``,
numbered from the supervision office's per-year sequence (宛督〔2026〕N号), rendered to .docx
and PDF by ``ducha.documents`` and stored with who issued it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from ducha.audit.api import record
from ducha.documents import (
    DocNumber,
    HeaderCell,
    Heading,
    OfficialDocument,
    Paragraph,
    Table,
    format_doc_date,
)
from ducha.documents.register import take_document_number
from ducha.documents.store import render_into
from ducha.org.models import Unit, UnitKind, User
from ducha.publication.models import Kind
from ducha.publication.publish import publish
from ducha.reports.access import can_issue_bulletin
from ducha.reports.actions import ReportError
from ducha.reports.bulletin_data import OVERDUE_LISTED, BulletinData, bulletin_data
from ducha.reports.models import Bulletin
from ducha.reports.rates import RateRow
from ducha.reports.templatetags.report_tags import period_label
from ducha.rules.periods import Period
from ducha.workcal import service as workcal
from ducha.workcal.provisional import provisional_mark


def doc_prefix() -> str:
    """机关代字 shared by every document of the supervision office (setting DUCHA_NOTICE_DOC_PREFIX)."""
    return settings.DUCHA_NOTICE_DOC_PREFIX


def issuer() -> str:
    return settings.DUCHA_NOTICE_ISSUER


def _pct(row: RateRow, kind: str) -> str:
    rate = getattr(row, kind)
    return "—" if rate.value is None else rate.percent


def _rates_sentence(row: RateRow) -> str:
    parts = []
    for kind, name in (("execution", "督查执行率"), ("reporting", "上报率"), ("rectification", "整改率")):
        rate = getattr(row, kind)
        parts.append(f"{name}{rate.percent}" if rate.value is not None else f"{name}无到期事项")
    return "，".join(parts)


_ZONE_SUFFIXES = ("管理委员会", "管委会")


def bulletin_recipients() -> tuple[str, ...]:
    """主送机关 of the 通报 (S2.8), from the active units as they stand: the counties as a class,
    the zones by name under one 管委会 ("城乡一体化示范区、高新区、鸭河工区、官庄工区管委会"), the
    municipal departments as a class. A zone added or closed is named or dropped without an edit.
    """
    kinds = set(Unit.objects.filter(is_active=True).values_list("kind", flat=True))
    groups: list[str] = []
    if UnitKind.COUNTY in kinds:
        groups.append("各县（市、区）人民政府")
    zones = Unit.objects.filter(is_active=True, kind=UnitKind.ZONE).order_by("sort_order", "id")
    stems, others = [], []
    for zone in zones.values_list("name", flat=True):
        suffix = next((s for s in _ZONE_SUFFIXES if zone.endswith(s) and len(zone) > len(s)), None)
        if suffix:
            stems.append(zone.removesuffix(suffix))
        else:
            others.append(zone)
    if stems:
        groups.append("、".join(stems) + "管委会")
    groups += others
    if UnitKind.DEPARTMENT in kinds:
        groups.append("市直各单位")
    return tuple(groups)


def bulletin_title(period: Period) -> str:
    return f"关于{period.label_zh}全市督查督办工作情况的通报"


def _close_sentence(data: BulletinData) -> str:
    """一月一结账: the bulletin cites the close its figures come from."""
    close = data.closed
    if close is None:
        return ""
    version = f"，第{close.version}版" if close.version > 1 else ""
    return f"各单位数据截至{data.period.label_zh}结账（{format_doc_date(close.as_of)}结账{version}）。"


def build_bulletin_document(data: BulletinData, number: DocNumber | str, issued_on: date) -> OfficialDocument:
    """The 通报 of ``data``: overall figures, the per-unit table, units commended and criticised,
    the overdue matters by name, and what is required next."""
    doc_number = number if isinstance(number, DocNumber) else DocNumber.parse(number)
    label = data.period.label_zh
    office = issuer()
    reports = data.reports
    body: list[Any] = [
        Paragraph("按照“一月一研究、一月一安排、一月一督办、一月一通报、一月一结账”工作要求，"
                  f"{office}对{label}全市督查督办事项推进情况进行了督查，现将有关情况通报如下。"),
        Heading(1, "总体情况", number=1),
        Paragraph(f"{label}，纳入督查督办的事项共{data.total}项，期内完成{data.completed}项，"
                  f"推进中{data.in_progress}项；截至{format_doc_date(data.as_of)}，逾期未完成{data.overdue}项。"
                  f"全市{_rates_sentence(data.overall)}。"
                  f"月度进展报告应报{reports.owed}份，按时报送{reports.on_time}份，逾期报送{reports.late}份，"
                  f"未报送{reports.missing}份。" + _close_sentence(data)),
    ]
    rows = [u for u in data.units if u.total or any(getattr(u.rates, k).due for k in
                                                      ("execution", "reporting", "rectification"))]
    if rows:
        body.append(Table(
            caption=f"{label}各单位督查督办工作情况统计表",
            header=(
                (HeaderCell("序号", rowspan=2), HeaderCell("责任单位", rowspan=2), HeaderCell("承办事项", rowspan=2),
                 HeaderCell("办理情况", colspan=2), HeaderCell("三率", colspan=3)),
                ("已完成", "逾期", "执行率", "上报率", "整改率"),
            ),
            rows=tuple(
                (str(i), u.name, str(u.total), str(u.completed), str(u.overdue), _pct(u.rates, "execution"),
                 _pct(u.rates, "reporting"), _pct(u.rates, "rectification"))
                for i, u in enumerate(rows, start=1)
            ),
            column_widths=(0.8, 4, 1.2, 1.2, 1, 1.4, 1.4, 1.4),
            font_size_pt=10.5,
        ))
    section = 2
    if data.commended:
        body += [Heading(1, "通报表扬", number=section),
                 Paragraph("以下单位到期事项全部按时完成、月度进展按时报送、整改按期到位，予以通报表扬："
                           + "、".join(u.name for u in data.commended) + "。")]
        section += 1
    if data.laggards:
        body.append(Heading(1, "通报批评", number=section))
        body += [Paragraph(f"{u.name}：{_rates_sentence(u.rates)}，逾期未完成事项{u.overdue}项，"
                           f"逾期报送月度进展报告{u.reports.late}份，未报送{u.reports.missing}份。")
                 for u in data.laggards]
        section += 1
    if data.overdue_matters:
        shown = data.overdue_matters[:OVERDUE_LISTED]
        body += [Heading(1, "逾期事项", number=section), Table(
            caption="逾期未完成事项清单",
            header=(("序号", "事项编号", "事项名称", "牵头单位", "完成时限"),),
            rows=tuple((str(i), m.number, m.title, m.unit, format_doc_date(m.due) + provisional_mark(m.due_provisional))
                       for i, m in enumerate(shown, start=1)),
            column_widths=(0.8, 2, 4.5, 3, 2),
            font_size_pt=10.5,
        )]
        if data.overdue > len(shown):
            body.append(Paragraph(f"另有{data.overdue - len(shown)}项逾期事项，详见督查督办系统。"))
        section += 1
    body += [
        Heading(1, "下步要求", number=section),
        Heading(2, "加快推进逾期事项。", number=1,
                tail="各责任单位要逐项分析逾期原因，制定整改措施，明确完成时限，尽快办结。"),
        Heading(2, "按时报送月度进展。", number=2,
                tail="各单位须在每月前5个工作日内通过督查督办系统报送上月工作进展，做到一次填报、数据共用。"),
        Heading(2, "严格落实整改要求。", number=3,
                tail="对退回整改和督查通知事项，要按期整改到位；整改不力的，将按有关规定启动问责程序。"),
    ]
    return OfficialDocument(
        kind="bulletin", issuer=office, issuer_suffix="文件", number=doc_number,
        title=bulletin_title(data.period), recipients=bulletin_recipients(), body=tuple(body),
        signature=office, date=issued_on, reported_to=("市长", "各副市长"),
        printed_by=office, printed_date=issued_on,
    )


def _summary(data: BulletinData) -> dict[str, Any]:
    return {
        "total": data.total, "completed": data.completed, "overdue": data.overdue,
        "as_of": data.as_of.isoformat(),
        "rates": {k: getattr(data.overall, k).percent for k in ("execution", "reporting", "rectification")},
        "laggards": [u.name for u in data.laggards], "commended": [u.name for u in data.commended],
        "reports": {"on_time": data.reports.on_time, "late": data.reports.late, "missing": data.reports.missing},
        "month_close": None if data.closed is None else {"version": data.closed.version,
                                                          "as_of": data.closed.as_of.isoformat()},
    }


def _issued(period: Period) -> str:
    return _("The bulletin of %(period)s has been issued.") % {"period": period_label(period)}


def do_issue_bulletin(*, actor: User, period: Period, today: date | None = None) -> Bulletin:
    """Number and issue the bulletin of a finished period, then render its files.

    The number is taken and the row written in one transaction; the files are rendered after
    it, so a slow PDF does not hold the database's write lock. A rendering failure (a font
    missing on the server) keeps the issued bulletin and records why (see ``render_bulletin_files``).
    """
    today = today or workcal.today()
    if not can_issue_bulletin(actor):
        raise ReportError(_("Only the supervision office issues bulletins."))
    if today <= period.end:
        raise ReportError({"period": _("%(period)s is not over yet; its bulletin is issued after it ends.") % {
            "period": period_label(period)}})
    if Bulletin.objects.filter(period=period.key).exists():
        raise ReportError({"period": _issued(period)})
    data = bulletin_data(period, today)
    try:
        with transaction.atomic():
            seq = take_document_number(doc_prefix(), today.year)
            number = DocNumber(doc_prefix(), today.year, seq)
            bulletin = Bulletin.objects.create(
                period=period.key, number=str(number), title=bulletin_title(period), issued_on=today,
                issued_by=actor, summary=_summary(data),
            )
            record(actor=actor, action="bulletin.issue", obj_type="reports.Bulletin", obj_id=bulletin.pk,
                   before=None, after={"number": bulletin.number, "period": period.key})
    except IntegrityError:
        raise ReportError({"period": _issued(period)}) from None
    render_bulletin_files(bulletin, data)
    bulletin.refresh_from_db()
    with transaction.atomic():
        publish_bulletin(bulletin, data)
    return bulletin


def document_text(doc: OfficialDocument) -> str:
    """An official document's body as plain paragraphs (a table's rows as lines), for the public site."""
    parts: list[str] = []
    for block in doc.body:
        if isinstance(block, Table):
            parts.append("\n".join(" | ".join(row) for row in block.rows))
        elif isinstance(block, Heading | Paragraph):
            parts.append(block.text + getattr(block, "tail", ""))
    return "\n\n".join(p for p in parts if p.strip())


def publish_bulletin(bulletin: Bulletin, data: BulletinData | None = None) -> None:
    """The issued bulletin on the public site (key: its number), with its text as issued and its PDF."""
    period = Period.parse(bulletin.period)
    doc = build_bulletin_document(data or bulletin_data(period, bulletin.issued_on), bulletin.number,
                                  bulletin.issued_on)
    figures = bulletin.summary
    summary = {"zh": f"{period.label_zh}：督办事项{figures.get('total', 0)}项，办结{figures.get('completed', 0)}项，"
                     f"逾期{figures.get('overdue', 0)}项。",
               "en": f"{period.key}: {figures.get('total', 0)} matters, {figures.get('completed', 0)} completed, "
                     f"{figures.get('overdue', 0)} overdue."}
    payload = {"number": bulletin.number, "date": bulletin.issued_on.isoformat(), "period": bulletin.period,
               "summary": summary, "body": document_text(doc), "items": []}
    files = [(f"{bulletin.number}.pdf", Path(bulletin.pdf.path))] if bulletin.pdf else []
    publish(Kind.BULLETIN, bulletin.number, bulletin.title, payload, files=[f for f in files if f[1].is_file()])


def render_bulletin_files(bulletin: Bulletin, data: BulletinData | None = None) -> bool:
    """Write the .docx and PDF under MEDIA_ROOT/documents/bulletins/; True when both exist."""
    def build() -> OfficialDocument:
        return build_bulletin_document(data or bulletin_data(Period.parse(bulletin.period), bulletin.issued_on),
                                       bulletin.number, bulletin.issued_on)

    stem = bulletin.number.replace("〔", "-").replace("〕", "-").replace("号", "")
    return render_into(bulletin, build, stem=stem, docx_field="docx", pdf_field="pdf", label=f"bulletin {bulletin.number}")
