"""Every kind of official document, rendered to PNG page by page for people to look at.

Issue #11 item 25: layout regressions are seen, not only asserted. Each document the platform
issues — the 督查通知 of the September reconciliation (S2.4), the monthly 通报 (S2.8) and the
提醒函 (S1.4) — is built by its app from data, plus long variants that fill pages, and every page
goes to test-artifacts/documents/pages/<name>-<n>.png (pdftoppm, 60 dpi) beside the PDF. The test
checks each image is an A4 page with ink on it and a red masthead on page 1.
"""

from __future__ import annotations

import io
from datetime import date

import pytest
from PIL import Image
from pypdf import PdfReader

from ducha.documents import OfficialDocument, render_pdf
from ducha.documents.samples import SAMPLES
from tests.documents_helpers import page_images
from tests.ledger_helpers import build_year, reconcile
from tests.test_documents_layout import letter_of, long_bulletin, notice_with_table


def app_letter(city) -> OfficialDocument:
    """A 提醒函 as ducha.letters builds it from a sent letter and its addressees (S1.4)."""
    from ducha.letters.documents import letter_document
    from ducha.letters.models import Letter, LetterRecipient, RoleChoice

    letter = Letter(
        from_unit=city.units["fgw"], to_unit=city.units["czj"], agency="宛发改函", doc_year=2026, sequence=37,
        number="宛发改函〔2026〕37号", title="关于加快推进“城市更新片区改造”配合工作的提醒函",
        body="按照市政府工作安排，“城市更新片区改造”（督办编号DB2026-0001）由我单位牵头、你单位配合实施。\n\n"
             "截至2026年10月8日，该项工作已超过完成时限10个工作日，影响了整体工作进度。\n\n"
             "请你单位高度重视，于收到本函后5个工作日内加快推进相关工作。\n\n特此函告。",
        sent_on=date(2026, 10, 8),
    )
    recipients = [LetterRecipient(role=RoleChoice.TO, label="市财政局"),
                  LetterRecipient(role=RoleChoice.REPORT, label="市长"),
                  LetterRecipient(role=RoleChoice.REPORT, label="副市长"),
                  LetterRecipient(role=RoleChoice.CC, label="市人民政府督查室")]
    return letter_document(letter, recipients)


@pytest.fixture
def documents(city, settings, tmp_path, clock) -> dict[str, OfficialDocument]:
    from ducha.ledger.models import SupervisionNotice
    from ducha.ledger.notices import notice_document
    from ducha.reports.bulletin import build_bulletin_document
    from ducha.reports.bulletin_data import bulletin_data
    from ducha.rules.periods import Period

    build_year(city, settings, tmp_path, clock)
    reconcile(city, settings, clock)
    notice = SupervisionNotice.objects.filter(unit=city.units["fgw"]).get()
    docs = {f"sample-{kind}": make() for kind, make in SAMPLES.items()}
    docs.update({
        "notice": notice_document(notice),
        "notice-long-table": notice_with_table(12, 2),
        "bulletin": build_bulletin_document(bulletin_data(Period.parse("2026-08"), date(2026, 9, 15)),
                                            "宛督〔2026〕9号", date(2026, 9, 15)),
        "bulletin-long": long_bulletin(city),
        "letter": app_letter(city),
        "letter-full-page": letter_of(6),
    })
    return docs


def test_item_25_every_document_kind_is_rendered_to_png(documents):
    assert {doc.kind for doc in documents.values()} == {"notice", "bulletin", "letter"}
    for name, doc in documents.items():
        pdf = render_pdf(doc)
        pages = page_images(pdf, name)
        assert len(pages) == len(PdfReader(io.BytesIO(pdf)).pages), name
        for i, path in enumerate(pages, start=1):
            img = Image.open(path).convert("RGB")
            assert abs(img.height / img.width - 297 / 210) < 0.01, f"{path.name} is not A4"
            assert img.convert("L").getextrema()[0] < 100, f"{path.name} is blank"
            if i == 1:  # the red masthead (§7.2.3, §10.1)
                colours = img.getcolors(maxcolors=1 << 20) or []
                assert any(r > 180 and g < 110 and b < 110 for _, (r, g, b) in colours), f"{path.name}: no masthead"
