"""The ranking bulletin (考核结果通报, S6.3): the performance office's numbered document (GB/T
9704) publishing a category's ranks and grades for a period. Always in Chinese: it is the
office's official text."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.utils import timezone

from ducha.documents import DocNumber, Heading, OfficialDocument, Paragraph, Table
from ducha.documents.register import next_document_number, take_document_number
from ducha.documents.store import render_into
from ducha.evaluation.models import EvaluationPeriod, SnapshotLine
from ducha.rules.periods import Period

GRADES_ZH = {"excellent": "优秀", "good": "良好", "fair": "一般", "poor": "较差"}


def number_for(today: date) -> str:
    prefix = settings.DUCHA_EVALUATION_DOC_PREFIX
    return str(DocNumber(prefix, today.year, take_document_number(prefix, today.year)))


def next_number(today: date) -> str:
    prefix = settings.DUCHA_EVALUATION_DOC_PREFIX
    return str(DocNumber(prefix, today.year, next_document_number(prefix, today.year)))


def title_of(evaluation: EvaluationPeriod) -> str:
    return f"关于{Period.parse(evaluation.period).label_zh}{evaluation.category.name}绩效考评结果的通报"


def build_ranking_document(evaluation: EvaluationPeriod, lines: list[SnapshotLine], number: str,
                           issued_on: date) -> OfficialDocument:
    office = settings.DUCHA_EVALUATION_ISSUER
    label = Period.parse(evaluation.period).label_zh
    counts = {g: sum(1 for line in lines if line.grade == g) for g in GRADES_ZH}
    grade_text = "，".join(f"{GRADES_ZH[g]}{n}个" for g, n in counts.items() if n)
    body: list[Paragraph | Heading | Table] = [
        Paragraph(f"根据{evaluation.indicator_set.year}年度绩效考评指标体系，经审核、报市政府批准，现将{label}"
                  f"{evaluation.category.name}绩效考评结果通报如下。"),
        Heading(1, "考评结果", number=1),
        Paragraph(f"本期参加考评的单位共{len(lines)}个，其中{grade_text}。"),
        Table(caption=f"{label}{evaluation.category.name}绩效考评结果",
              header=(("名次", "单位", "得分", "等次"),),
              rows=tuple((str(line.rank), line.unit.name, str(line.total), GRADES_ZH.get(line.grade, line.grade))
                         for line in lines),
              column_widths=(1, 5, 1.5, 1.5), font_size_pt=10.5),
        Heading(1, "有关要求", number=2),
        Paragraph("各单位可在督查督办系统中查看本单位各项指标得分及计分依据。对考评结果有异议的，请在规定时限内"
                  "通过系统提出，逾期不予受理。各单位要对照失分指标，认真查找差距，切实改进工作。"),
    ]
    return OfficialDocument(
        kind="bulletin", issuer=office, issuer_suffix="文件", number=DocNumber.parse(number),
        title=title_of(evaluation), recipients=(f"各{evaluation.category.name}单位",),
        body=tuple(body), signature=office, date=issued_on, reported_to=("市长", "各副市长"),
        printed_by=office, printed_date=issued_on)


def render_ranking_files(evaluation: EvaluationPeriod) -> bool:
    from ducha.evaluation.summary import current_lines

    lines = list(current_lines(evaluation).select_related("unit"))
    issued_on = timezone.localdate(evaluation.published_at) if evaluation.published_at else None
    assert issued_on is not None, "the bulletin is made when the period is published"

    def build() -> OfficialDocument:
        return build_ranking_document(evaluation, lines, evaluation.number, issued_on)

    stem = evaluation.number.replace("〔", "-").replace("〕", "-").replace("号", "")
    return render_into(evaluation, build, stem=stem, docx_field="docx", pdf_field="pdf",
                       label=f"evaluation {evaluation.number}")
