"""The office's documents from oversight (GB/T 9704-2012, numbered from the one register): a
round's findings as a 督查通报 to the units concerned (S2.6), and the announcements, the
half-yearly exposure of typical cases (S1.14) and the accountability announcement (S1.16), to
every unit.

Documents are always in Chinese, whatever the reader's language: they are the office's
official text. The words for the modes and forms are therefore written here, not translated.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from ducha.accountability.announce_models import Announcement, AnnouncementItem, AnnouncementKind
from ducha.accountability.models import Case, Conduct, Form, Record
from ducha.accountability.rounds_models import Finding, Round
from ducha.documents import DocNumber, Heading, OfficialDocument, Paragraph, format_doc_date
from ducha.documents.store import render_into
from ducha.org.models import UnitPost, UnitPostKind, User
from ducha.reports.bulletin import bulletin_recipients, issuer
from ducha.rules.periods import Period

MODES_ZH = {
    "regular": "定期", "irregular": "不定期", "central": "集中", "follow_up": "跟踪",
    "comprehensive": "综合", "special": "专项", "open": "明察", "unannounced": "暗访",
}
CONDUCT_ZH: dict[str, str] = {Conduct.INACTION: "不作为", Conduct.SLOW: "慢作为", Conduct.MISCONDUCT: "乱作为"}
FORM_ZH: dict[str, str] = {Form.NOTICE: "通报", Form.ADMONISHMENT: "诫勉", Form.ORGANISATIONAL: "组织调整或者组织处理",
           Form.DISCIPLINE: "移送纪检监察机关给予处分"}
POST_ZH: dict[str, str] = {UnitPostKind.PRINCIPAL: "主要负责人", UnitPostKind.IN_CHARGE: "分管负责人"}
LEADERS = ("市长", "各副市长")


def _stem(number: str) -> str:
    return number.replace("〔", "-").replace("〕", "-").replace("号", "")


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in "。！？；" else text + "。"


# ---- a round's findings -------------------------------------------------------------------

def round_title(round_: Round) -> str:
    return f"关于{round_.title}发现问题的通报"


def build_round_document(round_: Round, findings: list[Finding], number: str, issued_on: date) -> OfficialDocument:
    """The 督查通报 of a round: how it was done, the problems found per unit (each with its
    rectification date, if one is demanded), and what the units must do."""
    units: dict[int, list[Finding]] = {}
    names: dict[int, str] = {}
    for f in findings:
        units.setdefault(f.unit_id, []).append(f)
        names[f.unit_id] = f.unit.name
    modes = "、".join(MODES_ZH[m] for m in (round_.regularity, round_.focus, round_.breadth, round_.openness))
    theme = f"，主题为“{round_.theme}”" if round_.theme else ""
    scope = round_.units.count()
    office = issuer()
    body: list[Any] = [
        Paragraph(f"{format_doc_date(round_.starts_on)}至{format_doc_date(round_.ends_on)}，{office}采取{modes}方式，"
                  f"对{scope}个单位开展了督查{theme}。现将督查发现的问题通报如下。"),
        Heading(1, "发现的问题", number=1),
    ]
    for i, (unit_id, rows) in enumerate(units.items(), start=1):
        body.append(Heading(2, names[unit_id], number=i))
        for j, f in enumerate(rows, start=1):
            text = f"{j}.{_sentence(f.problem)}"
            if f.matter is not None:
                text += f"（涉及事项：{f.matter.number} {f.matter.title}）"
            if f.rectification_id and f.rectification is not None:
                due = f.rectification.due_date
                text += f"限{f.rectify_workdays}个工作日内整改到位（{format_doc_date(due)}前）。"
            body.append(Paragraph(text))
    body += [
        Heading(1, "整改要求", number=2),
        Paragraph("各有关单位要对照通报的问题，逐项制定整改措施，明确责任人和完成时限，按期整改到位，"
                  "并通过督查督办系统报告整改情况。整改不力、逾期未整改的，将按有关规定启动问责程序。"),
    ]
    return OfficialDocument(
        kind="bulletin", issuer=office, issuer_suffix="文件", number=DocNumber.parse(number),
        title=round_title(round_), recipients=tuple(names[u] for u in units), body=tuple(body),
        signature=office, date=issued_on, reported_to=LEADERS, printed_by=office, printed_date=issued_on,
    )


def render_round_files(round_: Round) -> bool:
    findings = list(round_.findings.select_related("unit", "matter", "rectification").order_by(
        "unit__sort_order", "unit_id", "id"))
    assert round_.issued_at is not None, "a round's document is made when its findings are issued"
    issued_on = timezone.localdate(round_.issued_at)

    def build() -> OfficialDocument:
        return build_round_document(round_, findings, round_.number, issued_on)

    return render_into(round_, build, stem=_stem(round_.number), docx_field="docx", pdf_field="pdf",
                       label=f"round {round_.number}")


# ---- announcements ------------------------------------------------------------------------

def announcement_title(kind: str, period: Period) -> str:
    if kind == AnnouncementKind.EXPOSURE:
        return f"关于{period.label_zh}典型效能问题案例的通报"
    return f"关于{period.label_zh}问责情况的通报"


def default_opening(kind: str, period: Period, count: int) -> str:
    if kind == AnnouncementKind.EXPOSURE:
        return (f"为进一步转变工作作风、提升行政效能，{issuer()}对{period.label_zh}查实的效能问题案件进行了梳理，"
                f"现将其中{count}起典型案例通报如下。")
    return f"{period.label_zh}，全市共对{count}起问题启动问责。现将有关情况通报如下。"


def _posts(unit_id: int, people: list[User]) -> dict[int, str]:
    kinds = dict(UnitPost.objects.filter(unit_id=unit_id, person__in=people).values_list("person_id", "kind"))
    return {p.pk: POST_ZH.get(kinds.get(p.pk, ""), "相关责任人") for p in people}


def people_words(record: Record, *, named: bool) -> str:
    """Who was held to account: by post, and by name only when the item names people."""
    people = list(record.people.order_by("id"))
    posts = _posts(record.unit_id, people)
    if named:
        return "、".join(f"{posts[p.pk]}{p.name}" for p in people)
    return "、".join(dict.fromkeys(posts[p.pk] for p in people))


def unit_words(name: str, *, named: bool) -> str:
    return name if named else "某单位"


def draft_case_text(case: Case, *, name_unit: bool, name_people: bool) -> str:
    """The paragraph the platform proposes for a case; the office edits it before approval."""
    unit = unit_words(case.unit.name, named=name_unit)
    text = f"{unit}{CONDUCT_ZH.get(case.conduct, '')}问题。{_sentence(case.summary)}"
    if case.finding:
        finding = _sentence(case.finding)
        text += finding if finding.startswith("经核查") else f"经核查，{finding}"
    if case.handling:
        text += _sentence(case.handling)
    for record in case.records.filter(revoked=False).order_by("decided_on", "id"):
        text += (f"{record.deciding_body}对{people_words(record, named=name_people)}予以"
                 f"{FORM_ZH.get(record.form, '')}。")
    return text


def draft_record_text(record: Record, *, name_unit: bool, name_people: bool) -> str:
    unit = unit_words(record.unit.name, named=name_unit)
    return (f"{unit}{_sentence(record.reason)}{format_doc_date(record.decided_on)}，{record.deciding_body}"
            f"对该单位{people_words(record, named=name_people)}予以{FORM_ZH.get(record.form, '')}"
            f"（{record.document_number}）。")


def build_announcement_document(ann: Announcement, items: list[AnnouncementItem], number: str,
                                issued_on: date) -> OfficialDocument:
    office = issuer()
    body: list[Any] = [Paragraph(ann.opening)]
    for i, item in enumerate(items, start=1):
        body.append(Heading(2, f"案例{i}。" if ann.kind == AnnouncementKind.EXPOSURE else f"第{i}起。",
                            tail=item.text))
    if ann.kind == AnnouncementKind.EXPOSURE:
        body.append(Paragraph("各地各部门要以案为鉴、举一反三，对照查找本单位在履职尽责、办事效率、服务质量等方面"
                              "存在的问题，切实整改到位，坚决杜绝不作为、慢作为、乱作为。"))
    else:
        body.append(Paragraph("各地各部门要严格落实工作责任，对督查督办事项按期办结，对发现的问题及时整改；"
                              "对推进不力、造成不良影响的，将依规依纪严肃问责。"))
    return OfficialDocument(
        kind="bulletin", issuer=office, issuer_suffix="文件", number=DocNumber.parse(number), title=ann.title,
        recipients=bulletin_recipients(), body=tuple(body), signature=office, date=issued_on,
        reported_to=LEADERS, printed_by=office, printed_date=issued_on,
    )


def render_announcement_files(ann: Announcement) -> bool:
    items = list(ann.items.order_by("position", "id"))
    assert ann.issued_on is not None, "an announcement's document is made when it is issued"
    issued_on = ann.issued_on

    def build() -> OfficialDocument:
        return build_announcement_document(ann, items, ann.number, issued_on)

    return render_into(ann, build, stem=_stem(ann.number), docx_field="docx", pdf_field="pdf",
                       label=f"announcement {ann.number}")
