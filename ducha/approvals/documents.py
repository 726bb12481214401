"""The approval documents (审批文书) in the GB/T 9704-2012 style, numbered from the one register
under ``DUCHA_APPROVAL_DOC_PREFIX`` (宛审批〔2026〕N号): the window's 受理通知书, 一次性告知书 and
不予受理决定书 here; the decisions reuse ``issue_document``.

Art. 32 asks for a written, sealed and dated receipt of acceptance and of refusal. Each is
addressed to the applicant in the 信函格式 (the organ's letter to one addressee), signed by the
approval service office. The number is taken and the row written inside the action's
transaction; the files are rendered after the commit, so a missing font never loses a
document (``documents.store.render_into`` keeps the reason on the row). Documents are in
Chinese whatever the reader's language: they are the organ's official text.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction

from ducha.approvals.access import service_unit
from ducha.approvals.models import Application, Document, DocumentKind, Event, MaterialState, Notice
from ducha.documents import DocNumber, OfficialDocument, Paragraph, Table, format_doc_date
from ducha.documents.register import take_document_number
from ducha.documents.store import render_into

__all__ = ["BUILDERS", "Build", "build_acceptance", "build_not_accepted", "build_notice", "issue_document",
           "issuer", "render_document"]

Build = Callable[[Document], OfficialDocument]
# How each kind is built again from its row (a render that failed is retried from the page);
# the decisions' module adds its two kinds.
BUILDERS: dict[str, Build] = {}

STATE_ZH = {MaterialState.MISSING: "缺少", MaterialState.WRONG: "不符合法定形式", MaterialState.PENDING: "待审查",
            MaterialState.OK: "齐全"}
APPEAL = ("如不服本决定，可以自收到本决定书之日起六十日内依法申请行政复议，"
          "或者自收到本决定书之日起六个月内依法向人民法院提起行政诉讼。")
EXCLUDED = "依法需要听证、招标、拍卖、检验、检测、检疫、鉴定和专家评审的，所需时间不计算在上述期限内。"


def issuer() -> str:
    unit = service_unit()
    return unit.name if unit is not None else "行政审批服务局"


def _stem(number: str) -> str:
    return number.replace("〔", "-").replace("〕", "-").replace("号", "")


def render_document(doc: Document, build: Build | None = None) -> bool:
    """Render the document's .docx and PDF; True when both exist afterwards."""
    build = build or BUILDERS[doc.kind]
    return render_into(doc, lambda: build(doc), stem=_stem(doc.number), docx_field="docx", pdf_field="pdf",
                       label=f"approval document {doc.number}")


def issue_document(app: Application, kind: str, build: Build, notice: Notice | None = None, *,
                   today: date) -> Document:
    """Number and record a document of ``app`` (inside the caller's transaction) and render it
    once the transaction commits. ``build`` makes the document from its row (number, day)."""
    prefix = settings.DUCHA_APPROVAL_DOC_PREFIX
    number = str(DocNumber(prefix, today.year, take_document_number(prefix, today.year)))
    doc = Document.objects.create(application=app, kind=kind, notice=notice, number=number, issued_on=today)
    BUILDERS.setdefault(kind, build)
    transaction.on_commit(lambda: render_document(doc, build))
    return doc


def _letter(doc: Document, title: str, body: list[Any]) -> OfficialDocument:
    app = doc.application
    office = issuer()
    return OfficialDocument(kind="letter", issuer=office, number=DocNumber.parse(doc.number), title=title,
                            recipients=(app.applicant_name,), body=tuple(body), signature=office,
                            date=doc.issued_on)


def _applied(app: Application) -> str:
    project = f"（项目：{app.project}）" if app.project else ""
    return (f"你（单位）于{format_doc_date(app.received_on)}提交的“{app.version.name}”（事项编码{app.version.item.code}）"
            f"申请{project}，收件编号{app.receipt_number}")


def _contact(app: Application) -> str:
    officer = app.first_officer
    phone = f"，联系电话{officer.phone}" if officer.phone else ""
    return f"首问负责人：{officer.name}{phone}。"


def build_acceptance(doc: Document) -> OfficialDocument:
    """受理通知书: accepted on a day, or accepted by law as of the day the materials came in."""
    app = doc.application
    assert app.accepted_on is not None, "a 受理通知书 is made for an accepted application"
    if app.deemed_accepted:
        decided = (f"本机关未在收到申请材料之日起五个工作日内一次性告知需要补正的全部内容。根据《中华人民共和国"
                   f"行政许可法》第三十二条第一款第（四）项的规定，该申请自{format_doc_date(app.accepted_on)}起即为受理。")
    else:
        decided = ("经审查，申请材料齐全、符合法定形式。根据《中华人民共和国行政许可法》第三十二条第一款第（五）项的规定，"
                   f"本机关决定予以受理，受理日期为{format_doc_date(app.accepted_on)}。")
    from ducha.approvals.clock import limits_of  # a joint application's limits are not its lead item's

    statutory, promised = limits_of(app)
    body = [
        Paragraph(f"{_applied(app)}。{decided}"),
        Paragraph(f"该申请由{app.handling_unit.name}承办。法定办理期限为{statutory}个工作日，"
                  f"承诺办理期限为{promised}个工作日，自受理之日的次一个工作日起计算。{EXCLUDED}"),
        Paragraph(_contact(app)),
    ]
    return _letter(doc, "受理通知书", body)


def build_notice(doc: Document) -> OfficialDocument:
    """一次性告知书: every material to complete, in one table, and the day it was due by."""
    app = doc.application
    notice = doc.notice
    assert notice is not None, "a 一次性告知书 belongs to its notice"
    deadline = next((e["deadline"] for e in Event.objects.filter(application_id=app.pk, kind="notice")
                     .values_list("detail", flat=True) if e.get("sequence") == notice.sequence), None)
    rows = tuple((str(i), item["name"], STATE_ZH.get(item["state"], item["state"]), item.get("problem") or "请补充提交")
                 for i, item in enumerate(notice.items, start=1))
    again = (f"本告知书为第{notice.sequence}次告知，仅涉及前次告知后补正提交的材料。"
             if notice.sequence > 1 else "")
    body: list[Any] = [
        Paragraph(f"{_applied(app)}。经审查，申请材料不齐全或者不符合法定形式。根据《中华人民共和国行政许可法》"
                  f"第三十二条第一款第（四）项的规定，现将需要补正的全部内容一次性告知如下。{again}"),
        Table(header=(("序号", "材料名称", "问题", "补正要求"),), rows=rows, column_widths=(1, 5, 3, 6)),
        Paragraph("以上为需要补正的全部内容（一次性告知）。请补正后提交；补正材料齐全、符合法定形式的，"
                  "以最后一份补正材料提交之日为受理日期。"),
    ]
    if deadline:
        body.append(Paragraph(f"本告知书应当于{format_doc_date(date.fromisoformat(deadline))}前告知；"
                              f"本机关于{format_doc_date(notice.given_on)}告知。"))
    body.append(Paragraph(_contact(app)))
    return _letter(doc, "一次性告知书", body)


def build_not_accepted(doc: Document) -> OfficialDocument:
    """不予受理决定书: the reasons, the article and the right of appeal."""
    app = doc.application
    reasons = app.decision_reason.strip().rstrip("。")
    body = [
        Paragraph(f"{_applied(app)}。经审查，{reasons}。根据《中华人民共和国行政许可法》第三十二条第一款的规定，"
                  "本机关决定不予受理。"),
        Paragraph(APPEAL),
        Paragraph(_contact(app)),
    ]
    return _letter(doc, "不予受理决定书", body)


BUILDERS.update({DocumentKind.ACCEPTANCE: build_acceptance, DocumentKind.NOTICE: build_notice,
                 DocumentKind.NOT_ACCEPTED: build_not_accepted})
