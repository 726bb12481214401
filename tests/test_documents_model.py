"""The content model of official documents: 发文字号, dates, headings, tables, validation."""

import ast
import dataclasses
from datetime import date
from pathlib import Path

import pytest

from ducha.documents import (
    DOC_NUMBER_PATTERN,
    DocNumber,
    HeaderCell,
    Heading,
    OfficialDocument,
    Paragraph,
    Table,
    chinese_number,
    format_doc_date,
)
from ducha.documents.model import signature_right_indent_em, text_width_em, title_lines
from ducha.documents.samples import SAMPLES, sample_bulletin, sample_letter, sample_notice

PACKAGE = Path(__file__).resolve().parent.parent / "ducha" / "documents"


# ---------------------------------------------------------------- 发文字号 and 成文日期

def test_doc_number_formats_with_hexagonal_brackets():
    number = DocNumber("宛督", 2026, 12)
    assert str(number) == "宛督〔2026〕12号"
    assert DOC_NUMBER_PATTERN.match(str(number))


def test_doc_number_parses_back():
    assert DocNumber.parse("宛督〔2026〕12号") == DocNumber("宛督", 2026, 12)
    assert DocNumber.parse("宛发改函〔2026〕7号").agency == "宛发改函"


@pytest.mark.parametrize("bad", [
    "宛督[2026]12号",     # square brackets instead of 〔〕
    "宛督〔26〕12号",      # two-digit year
    "宛督〔2026〕012号",   # leading zero
    "〔2026〕1号",         # no 机关代字
    "宛督（2026）12号",    # parentheses
    "宛督〔2026〕第12号",  # 第
    "宛督〔2026〕0号",
    "宛督〔2026〕12",
])
def test_doc_number_rejects_bad_text_and_names_it(bad):
    assert not DocNumber.is_valid(bad)
    with pytest.raises(ValueError, match="not a valid 发文字号") as info:
        DocNumber.parse(bad)
    assert repr(bad) in str(info.value)


@pytest.mark.parametrize(("agency", "year", "seq"), [("wd", 2026, 1), ("宛督", 26, 1), ("宛督", 2026, 0)])
def test_doc_number_constructor_validates(agency, year, seq):
    with pytest.raises(ValueError):
        DocNumber(agency, year, seq)


def test_doc_date_has_no_zero_padding():
    assert format_doc_date(date(2026, 5, 15)) == "2026年5月15日"
    assert format_doc_date(date(2026, 1, 5)) == "2026年1月5日"
    assert format_doc_date(date(2026, 12, 31)) == "2026年12月31日"


# ---------------------------------------------------------------- headings

@pytest.mark.parametrize(("n", "text"), [(1, "一"), (9, "九"), (10, "十"), (12, "十二"), (20, "二十"), (99, "九十九")])
def test_chinese_numbers(n, text):
    assert chinese_number(n) == text


def test_heading_labels_and_fonts_per_level():
    assert Heading(1, "总体情况", number=2).label == "二、"
    assert Heading(2, "压实责任", number=1).label == "（一）"
    assert Heading(3, "x", number=3).label == "3."
    assert Heading(4, "x", number=3).label == "（3）"
    assert Heading(1, "一、已编号").label == ""
    assert [Heading(level, "x").font_role for level in (1, 2, 3, 4)] == ["hei", "kai", "fang", "fang"]
    with pytest.raises(ValueError):
        Heading(5, "x")


# ---------------------------------------------------------------- tables

def test_two_level_header_placements():
    table = sample_bulletin().body[3]
    assert isinstance(table, Table)
    assert table.column_count == 6
    cells = {(p.row, p.col): (p.rowspan, p.colspan, p.text) for p in table.header_placements()}
    assert cells[(0, 0)] == (2, 1, "序号")
    assert cells[(0, 3)] == (1, 3, "办理情况")
    assert cells[(1, 3)] == (1, 1, "已完成")
    assert cells[(1, 5)] == (1, 1, "已逾期")
    assert abs(sum(table.relative_widths()) - 1) < 1e-9


def test_table_rejects_ragged_rows_and_bad_spans():
    with pytest.raises(ValueError, match="cells"):
        Table(header=(("a", "b"),), rows=(("1",),))
    with pytest.raises(ValueError):
        Table(header=((HeaderCell("a", colspan=2),), ("x", "y", "z")), rows=())
    with pytest.raises(ValueError, match="column widths"):
        Table(header=(("a", "b"),), rows=(), column_widths=(1, 2, 3))


# ---------------------------------------------------------------- the document

def test_samples_are_valid_documents():
    for make in SAMPLES.values():
        doc = make()
        assert DocNumber.is_valid(str(doc.number))


def test_letter_has_no_printing_line_and_reports_upwards():
    letter = sample_letter()
    kinds = [kind for kind, _ in letter.imprint_lines()]
    assert kinds == ["report", "cc"]
    assert letter.imprint_lines()[1][1] == "抄送：南阳市人民政府督查室。"
    assert letter.masthead == "南阳市发展和改革委员会"
    with pytest.raises(ValueError, match=r"§10\.1"):
        dataclasses.replace(letter, printed_by="南阳市发展和改革委员会", printed_date=date(2026, 5, 15))


def test_ordinary_imprint_lines_end_with_printing_date():
    lines = sample_notice().imprint_lines()
    assert lines[0] == ("report", "报：张副市长、李市长。")
    assert lines[-1] == ("printed", "南阳市人民政府督查室\t2026年9月28日印发")


def test_recipients_and_attachments_follow_the_standard():
    notice = sample_notice()
    assert notice.recipients_line == "市发展和改革委员会、市财政局："
    assert notice.masthead == "南阳市人民政府督查室文件"
    assert notice.attachment_lines() == ["附件：1. 2026年度重点工作滞后事项清单", "2. 整改情况报送表"]
    single = dataclasses.replace(notice, attachments=("清单。",))
    assert single.attachment_lines() == ["附件：清单"]


@pytest.mark.parametrize(("field", "value"), [
    ("copy_number", "123"), ("urgency", "急"), ("kind", "memo"), ("issuer_suffix", "公文"),
])
def test_document_validation(field, value):
    with pytest.raises(ValueError):
        dataclasses.replace(sample_notice(), **{field: value})


def test_printing_organ_and_date_go_together():
    with pytest.raises(ValueError, match="印发"):
        dataclasses.replace(sample_notice(), printed_date=None)


def test_body_accepts_only_known_blocks():
    with pytest.raises(TypeError):
        dataclasses.replace(sample_notice(), body=(Paragraph("x"), "plain string"))


def test_signature_is_centred_over_the_date():
    doc = sample_letter()
    sig, dat = signature_right_indent_em(doc)
    assert dat == 4
    sig_centre = sig + text_width_em(doc.signature) / 2
    date_centre = dat + text_width_em(doc.date_text) / 2
    assert sig_centre == pytest.approx(date_centre)


def test_long_titles_break_into_balanced_lines_without_splitting_numbers():
    lines = title_lines("关于2026年8月份全市重点工作推进情况的通报")
    assert "".join(lines) == "关于2026年8月份全市重点工作推进情况的通报"
    assert len(lines) == 2
    assert all(text_width_em(line) <= 20 for line in lines)
    # Even lines, and the break between phrases rather than inside 重点工作.
    assert abs(text_width_em(lines[0]) - text_width_em(lines[1])) <= 2
    assert lines == ["关于2026年8月份全市", "重点工作推进情况的通报"]
    assert title_lines("短标题") == ["短标题"]
    assert title_lines("第一行\n第二行") == ["第一行", "第二行"]


def test_document_is_immutable():
    doc = sample_notice()
    with pytest.raises(dataclasses.FrozenInstanceError):
        doc.title = "x"  # type: ignore[misc]
    assert isinstance(OfficialDocument(kind="letter", issuer="某局", number=DocNumber("某函", 2026, 1),
                                       title="t", date=date(2026, 1, 1), signature="某局",
                                       body=[Paragraph("x")]).body, tuple)  # type: ignore[arg-type]


# The package's Django parts: the document-number register (a table and its app) and the store
# that renders into a row's file fields; the renderer stays plain Python, fed plain values.
REGISTER_MODULES = {"apps.py", "models.py", "register.py", "store.py"}


def test_documents_renderer_does_not_import_django():
    for path in PACKAGE.glob("*.py"):
        if path.name in REGISTER_MODULES:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] != "django", f"{path.name} imports {name}"
                assert not name.startswith("ducha.") or name.startswith("ducha.documents"), path.name
