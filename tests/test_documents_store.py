"""Rendering into a row's two files (ducha.documents.store): a failure keeps the document and says
why on the row; rendering again replaces the files instead of piling up copies (S2.8 bulletins,
S1.4 letters and the ledger's 督查通知 all go through it)."""

from __future__ import annotations

import pytest

from ducha.documents.store import render_into
from ducha.reports.bulletin import do_issue_bulletin, render_bulletin_files
from ducha.reports.models import Bulletin
from tests.test_reports_scenario import JUDGED_ON, Q3, build_quarter


@pytest.fixture
def bulletin(city, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    build_quarter(city)
    return do_issue_bulletin(actor=city.alice, period=Q3, today=JUDGED_ON)


def test_a_failed_rendering_keeps_the_row_and_records_why(bulletin, tmp_path):
    def broken():
        raise RuntimeError("no 仿宋 font on this server")

    assert render_into(bulletin, broken, stem="x", docx_field="docx", pdf_field="pdf", label="test") is False
    stored = Bulletin.objects.get(pk=bulletin.pk)
    assert stored.render_error == "no 仿宋 font on this server" == bulletin.render_error
    assert stored.number == bulletin.number  # the document itself is kept


def test_rendering_again_replaces_the_files_and_clears_the_error(bulletin, tmp_path):
    Bulletin.objects.filter(pk=bulletin.pk).update(render_error="earlier failure")
    before = {p.name for p in (tmp_path / "documents" / "bulletins").rglob("*.*")}
    assert render_bulletin_files(Bulletin.objects.get(pk=bulletin.pk))
    after = {p.name for p in (tmp_path / "documents" / "bulletins").rglob("*.*")}
    assert len(after) == len(before) == 2  # .docx and PDF, not four
    stored = Bulletin.objects.get(pk=bulletin.pk)
    assert stored.render_error == "" and stored.docx.name.endswith(".docx") and stored.pdf.name.endswith(".pdf")
