"""The prefilled wording of a letter, in the register of a government 函: the facts first (the
matter, the part, the time limit, how many working days late), then the request, then 特此函告.

Only a draft: the sending unit edits it before sending. Dates are written as on documents
(2026年10月8日).
"""

from __future__ import annotations

from datetime import date

from ducha.documents import format_doc_date
from ducha.letters.facts import PartFacts, RequestFacts
from ducha.org.models import Unit
from ducha.rules.escalation import LetterReason
from ducha.workcal.provisional import provisional_mark


def _short(unit: Unit) -> str:
    return unit.short_name or unit.name


def co_unit_title(facts: PartFacts) -> str:
    return f"关于加快推进“{facts.matter.title}”配合工作的提醒函"[:200]


def co_unit_body(facts: PartFacts, today: date, reply_days: int) -> str:
    m, part = facts.matter, facts.part
    lines = [
        f"按照市政府工作安排，“{m.title}”（督办编号{m.number}）由我单位牵头、你单位配合实施，"
        f"你单位承担“{part.part.strip()}”工作，完成时限为{format_doc_date(part.due_date)}。"
    ]
    findings = []
    if LetterReason.OVERDUE.value in facts.reasons:
        findings.append(f"该项工作已超过完成时限{facts.overdue}个工作日，目前完成进度为{part.progress}%，尚未完成")
    if LetterReason.NO_UPDATE.value in facts.reasons:
        since = (f"自{format_doc_date(facts.last_update)}以来" if facts.last_update
                 else f"自{format_doc_date(facts.assigned_on or m.start_date)}交办以来")
        findings.append(f"{since}已连续{facts.silent}个工作日未报送工作进展")
    if findings:
        lines.append(f"截至{format_doc_date(today)}，" + "；".join(findings) + "，影响了整体工作进度。")
    lines.append(
        f"请你单位高度重视，加强协调配合，于收到本函后{reply_days}个工作日内加快推进相关工作，"
        "并将办理进展情况书面反馈我单位，同时在督查督办系统中更新进展。"
    )
    lines.append("特此函告。")
    return "\n\n".join(lines)


def request_title(facts: RequestFacts) -> str:
    return f"关于商请加快办理“{facts.matter.title}”的提醒函"[:200]


def request_body(facts: RequestFacts, today: date, requester: Unit, reply_days: int) -> str:
    m = facts.matter
    ref = f"（{m.source_ref}）" if m.source_ref else ""
    limit = ""
    if m.due_date is not None:
        # A provisional date (暂定) is never printed without saying so: the letter goes out to others.
        limit = (f"按照“一个部门办理的3个工作日内办结、多个部门办理的一周内办结”的要求，应于{format_doc_date(m.due_date)}"
                 f"{provisional_mark(m.due_provisional)}前办结")
        if m.handling_departments:
            limit += f"（{m.handling_departments}个部门办理）"
    lines = [
        f"我单位于{format_doc_date(m.start_date)}报请市政府研究的“{m.title}”{ref}，由{_short(m.lead_unit)}牵头办理，"
        + (limit + "。" if limit else "目前尚未明确办理时限。"),
    ]
    if facts.overdue:
        lines.append(f"截至{format_doc_date(today)}，该事项已超过办理时限{facts.overdue}个工作日，尚未办结，影响了相关工作的推进。")
    lines.append(
        f"恳请市政府办公室协调有关部门加快办理，并于{reply_days}个工作日内将办理进展告知我单位。"
    )
    lines.append("特此函告。")
    return "\n\n".join(lines)


def paragraphs(body: str) -> list[str]:
    """The body as paragraphs: blank lines or single line breaks both start a new one."""
    return [p.strip() for p in body.replace("\r\n", "\n").split("\n") if p.strip()]
