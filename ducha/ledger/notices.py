"""The 督查通知 of the September reconciliation as an official document (.docx and PDF).

The content is built from the notice's flags only (the figures as found on the day), so a
document rendered again later, after the unit has reported progress, still says what was
sent. Rendering happens after the numbers are committed: a missing font must not take the
numbers back, it leaves a visible problem and a "render again" button instead.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from ducha.documents import (
    DocNumber,
    HeaderCell,
    Heading,
    OfficialDocument,
    Paragraph,
    Table,
    format_doc_date,
)
from ducha.documents.store import render_into
from ducha.ledger.models import LedgerCheckFlag, SupervisionNotice
from ducha.ledger.planning import notice_issuer
from ducha.org.models import LeaderKind, LeaderPost
from ducha.workcal.provisional import provisional_mark


def _percent(flag: LedgerCheckFlag) -> str:
    return f"{flag.elapsed_share * 100:.1f}%"


def reason_text(flag: LedgerCheckFlag) -> str:
    """滞后情形: which of the seed's two grounds applies ("未按时间节点和标准要求推进")."""
    parts = []
    if "behind_share" in flag.reasons:
        parts.append("完成进度低于时间进度")
    for node in flag.missed_milestones:
        due = date.fromisoformat(node["due"])
        parts.append(f"时间节点“{node['title']}”（{due.month}月{due.day}日）未完成")
    return "；".join(parts)


def notice_document(notice: SupervisionNotice) -> OfficialDocument:
    flags = list(
        LedgerCheckFlag.objects.filter(notice=notice).select_related("matter").order_by("matter__number")
    )
    issuer = notice_issuer()
    # 成文日期 is the day of the reconciliation (the ``today`` the action ran with), normally the
    # same day as issued_at; the figures are as of the cut-off (30 September), or of that day
    # when it ran earlier.
    issued_on: date = flags[0].checked_on if flags else timezone.localdate(notice.issued_at)
    as_of: date = (flags[0].judged_on or issued_on) if flags else issued_on
    table = Table(
        caption=f"{notice.unit.name}进度滞后事项清单",
        header=(
            (HeaderCell("序号", rowspan=2), HeaderCell("编号", rowspan=2), HeaderCell("督查事项", rowspan=2),
             HeaderCell("完成时限", rowspan=2), HeaderCell("进度对比", colspan=2), HeaderCell("滞后情形", rowspan=2)),
            ("完成进度", "时间进度"),
        ),
        rows=tuple(
            (str(i), f.matter.number, f.matter.title, (format_doc_date(f.matter.due_date) + provisional_mark(f.matter.due_provisional))
             if f.matter.due_date else "",
             f"{f.progress}%", _percent(f), reason_text(f))
            for i, f in enumerate(flags, start=1)
        ),
        column_widths=(0.8, 2.0, 3.8, 2.2, 1.4, 1.4, 3.4),
        font_size_pt=10.5,
    )
    leaders = LeaderPost.objects.filter(portfolio=notice.unit, kind=LeaderKind.VICE_MAYOR).select_related("person")
    year = notice.ledger_year.year
    body = (
        Paragraph(
            f"根据{year}年重点工作督查台账9月对账情况，截至{format_doc_date(as_of)}，你单位牵头的"
            f"{len(flags)}项重点工作未按时间节点和标准要求推进。现将有关事项通知如下。"
        ),
        Heading(1, "滞后事项", number=1),
        Paragraph("滞后事项见下表，“滞后情形”列明完成进度低于时间进度或未按期完成的时间节点。时间进度按工作日"
                  f"计算，为事项起始日至{format_doc_date(as_of)}已过工作日占全部工作日的比例。"),
        table,
        Heading(1, "整改要求", number=2),
        Heading(2, "查找滞后原因。", number=1,
                tail="请对照年初确定的工作目标和时间节点，逐项分析进度滞后的原因，明确责任领导和责任人。"),
        Heading(2, "限期整改到位。", number=2,
                tail=f"请于{format_doc_date(notice.rectify_by)}前将整改措施和进展情况书面报送{issuer}，"
                     "并在督查督办系统中更新办理进展。"),
        Heading(2, "严肃督查问责。", number=3,
                tail="逾期未整改或整改不到位的，将在月度通报中予以通报，并按有关规定启动问责程序。"),
    )
    return OfficialDocument(
        kind="notice",
        issuer=issuer,
        number=DocNumber(notice.prefix, notice.doc_year, notice.sequence),
        title=notice.title,
        recipients=(notice.unit.name,),
        body=body,
        signature=issuer,
        date=issued_on,
        reported_to=tuple(f"{p.title}{p.person.name}" for p in leaders),
        printed_by=issuer,
        printed_date=issued_on,
    )


def render_notice_files(notice: SupervisionNotice) -> bool:
    """Write the .docx and PDF under MEDIA_ROOT/documents/; True when both exist afterwards."""
    return render_into(notice, lambda: notice_document(notice), stem=f"{notice.doc_year}-{notice.sequence:04d}-{notice.unit.code}",
                       docx_field="docx_file", pdf_field="pdf_file", label=f"notice {notice.number}")
