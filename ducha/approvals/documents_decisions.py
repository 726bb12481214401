"""The licensing decisions (行政许可法 art. 38): 准予行政许可决定书 and 不予行政许可决定书, in the
GB/T 9704-2012 信函格式 like the window's documents, numbered from the one register through
``documents.issue_document``.

A decision is the organ's: the handling department's seal, or for joint approval (S3.4, 一章通)
one combined decision under the seal ``DUCHA_APPROVAL_JOINT_SEAL`` names, listing every item
reviewed together, each department's review and the one fee sheet. A refusal gives its reasons
and the applicant's right to 行政复议 (60 days) and 行政诉讼 (6 months). Documents are in Chinese
whatever the reader's language: they are the organ's official text.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ducha.approvals.clock import clock_of, joint_versions
from ducha.approvals.documents import APPEAL, BUILDERS, issue_document
from ducha.approvals.joint import INVESTMENT, KEY_CITY, KEY_PROVINCIAL, fee_sheet, seal_unit
from ducha.approvals.models import Application, ApplicationState, Document, DocumentKind, StepRecord
from ducha.documents import DocNumber, OfficialDocument, Paragraph, Table, format_doc_date

__all__ = ["build_grant", "build_refusal", "issue_decision"]

JOINT_REASON_ZH = {KEY_PROVINCIAL: "省级重点项目", KEY_CITY: "市级重点项目", INVESTMENT: "投资额达到联合审批标准",
                   "designated": "经市人民政府确定"}


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in "。！？；" else text + "。"


def _yuan(amount: Any) -> str:
    return f"{amount:,.2f}"


def _opening(app: Application) -> str:
    project = f"（项目：{app.project}）" if app.project else ""
    assert app.accepted_on is not None
    return (f"你（单位）于{format_doc_date(app.received_on)}提交的“{app.version.name}”（事项编码{app.version.item.code}）"
            f"申请{project}，收件编号{app.receipt_number}，本机关于{format_doc_date(app.accepted_on)}依法受理。")


def _period(app: Application, decided: date) -> str:
    """The period the decision was made in, with what was excluded and added (arts. 42, 45)."""
    clock = clock_of(app, decided)
    assert clock is not None
    s = clock.statutory
    text = f"本申请法定办理期限为{clock.statutory_days}个工作日"
    if s.extension:
        text += f"，经{app.extension_approved_by}批准延长{s.extension}个工作日"
    if s.paused:
        text += f"，依法不计算在期限内的时间{s.paused}个工作日"
    return text + f"，本机关于{format_doc_date(decided)}作出本决定。"


def _joint_blocks(app: Application) -> list[Any]:
    versions = joint_versions(app)
    reason = JOINT_REASON_ZH.get(app.joint_reason, app.joint_reason)
    steps = list(StepRecord.objects.filter(application_id=app.pk).select_related("step__department", "step__version")
                 .order_by("step__version_id", "step__order", "id"))
    blocks: list[Any] = [
        Paragraph(f"该项目为{reason}，依照《中华人民共和国行政许可法》第二十六条实行联合审批，"
                  f"由下列{len(versions)}个事项的承办部门并联审查，统一作出本决定。"),
        Table(header=(("序号", "事项编码", "事项名称", "承办部门"),),
              rows=tuple((str(i), v.item.code, v.name, v.lead_department.name) for i, v in enumerate(versions, 1)),
              column_widths=(1, 3, 6, 4)),
    ]
    if steps:
        blocks.append(Table(header=(("序号", "审查部门", "办理环节", "审查意见"),),
                            rows=tuple((str(i), s.step.department.name, s.step.action, s.opinion or "—")
                                       for i, s in enumerate(steps, 1)),
                            column_widths=(1, 4, 4, 6), caption="各部门审查意见"))
    return blocks


def _fees(app: Application) -> list[Any]:
    lines, total = fee_sheet(joint_versions(app))
    if not lines:
        return [Paragraph("本事项不收费。")]
    rows = tuple((str(i), ln.item_name, ln.name, _yuan(ln.amount), ln.basis or "—") for i, ln in enumerate(lines, 1))
    return [Table(header=(("序号", "事项", "收费项目", "金额（元）", "收费依据"),),
                  rows=(*rows, ("", "合计", "", _yuan(total), "")), column_widths=(1, 4, 4, 3, 4),
                  caption="收费清单（一次收取）"),
            Paragraph(f"以上费用合计{_yuan(total)}元，一次收取。")]


def _contact(app: Application) -> Paragraph:
    officer = app.first_officer
    phone = f"，联系电话{officer.phone}" if getattr(officer, "phone", "") else ""
    return Paragraph(f"首问负责人：{officer.name}{phone}。")


def _letter(doc: Document, title: str, body: list[Any]) -> OfficialDocument:
    app = doc.application
    seal = seal_unit(app).name
    return OfficialDocument(kind="letter", issuer=seal, number=DocNumber.parse(doc.number), title=title,
                            recipients=(app.applicant_name,), body=tuple(body), signature=seal, date=doc.issued_on)


def build_grant(doc: Document) -> OfficialDocument:
    """准予行政许可决定书 (art. 38 ¶1); the licence follows within ten working days (art. 44)."""
    app = doc.application
    body: list[Any] = [Paragraph(_opening(app))]
    if app.joint:
        body += _joint_blocks(app)
    body += [
        Paragraph("经审查，该申请符合法定条件、标准。" + _sentence(app.decision_reason)
                  + "根据《中华人民共和国行政许可法》第三十八条第一款的规定，本机关决定准予行政许可。"),
        Paragraph("本机关将自作出本决定之日起十个工作日内向你（单位）颁发、送达行政许可证件"
                  "（《中华人民共和国行政许可法》第四十四条）。"),
    ]
    if app.joint:
        body += _fees(app)
    body += [Paragraph(_period(app, doc.issued_on)), _contact(app)]
    return _letter(doc, "准予行政许可决定书", body)


def build_refusal(doc: Document) -> OfficialDocument:
    """不予行政许可决定书 (art. 38 ¶2): the reasons and the right of appeal."""
    app = doc.application
    body: list[Any] = [Paragraph(_opening(app))]
    if app.joint:
        body += _joint_blocks(app)
    reasons = app.decision_reason.strip().rstrip("。")
    body += [
        Paragraph(f"经审查，该申请不符合法定条件、标准，理由如下：{reasons}。根据《中华人民共和国行政许可法》"
                  "第三十八条第二款的规定，本机关决定不予行政许可。"),
        Paragraph(APPEAL),
        Paragraph(_period(app, doc.issued_on)),
        _contact(app),
    ]
    return _letter(doc, "不予行政许可决定书", body)


BUILDERS.update({DocumentKind.GRANT: build_grant, DocumentKind.REFUSAL: build_refusal})


def issue_decision(app: Application, *, today: date) -> Document:
    """Number and record the decision of a decided application (inside the deciding transaction);
    its files are rendered after the commit."""
    if app.state == ApplicationState.GRANTED:
        return issue_document(app, DocumentKind.GRANT, build_grant, today=today)
    assert app.state == ApplicationState.REFUSED, "a decision document is made for a decided application"
    return issue_document(app, DocumentKind.REFUSAL, build_refusal, today=today)
