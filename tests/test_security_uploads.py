"""The upload checker (ASVS 5.2): type by content, extension must agree, size limits, zip limits."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from ducha.security.uploads import check_upload

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 100


def office(kind: str, extra: dict[str, bytes] | None = None, entries: int = 0) -> bytes:
    buf = io.BytesIO()
    main = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}[kind]
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(main, "<x/>")
        for name, data in (extra or {}).items():
            z.writestr(name, data)
        for i in range(entries):
            z.writestr(f"x/{i}.xml", "")
    return buf.getvalue()


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def codes(file, **kw) -> str:
    with pytest.raises(ValidationError) as info:
        check_upload(file, **kw)
    return info.value.code or ""


def test_accepts_real_files_and_reports_type_size_digest():
    pdf = check_upload(upload("通知.pdf", b"%PDF-1.7\n...%%EOF"))
    assert (pdf.kind, pdf.size, len(pdf.sm3), pdf.name) == ("pdf", 17, 64, "通知.pdf")
    assert check_upload(upload("a.docx", office("docx"))).kind == "docx"
    assert check_upload(upload("a.xlsx", office("xlsx"))).kind == "xlsx"
    assert check_upload(upload("photo.JPG", b"\xff\xd8\xff\xe0" + b"\0" * 20)).kind == "jpg"


def test_type_comes_from_content_not_name():
    assert codes(upload("report.pdf", b"MZ\x90\x00 a windows program")) == "type_not_allowed"
    assert codes(upload("image.pdf", PNG)) == "extension_mismatch"
    assert codes(upload("book.docx", office("xlsx"))) == "extension_mismatch"
    assert codes(upload("page.html", b"<html><script>alert(1)</script>")) == "type_not_allowed"
    assert codes(upload("a.png", PNG), allowed={"pdf"}) == "type_not_allowed"


def test_size_limits(settings):
    assert codes(upload("a.pdf", b"")) == "empty"
    assert codes(upload("a.pdf", b"%PDF-" + b"0" * 2000), max_bytes=1000) == "too_large"
    settings.DUCHA_UPLOAD_MAX_BYTES = 100
    assert codes(upload("a.pdf", b"%PDF-" + b"0" * 200)) == "too_large"


def test_zip_bombs_and_entry_counts_are_refused_without_unpacking_everything():
    bomb = office("xlsx", {"xl/big.xml": b"0" * (3 * 2**20)})
    assert codes(upload("a.xlsx", bomb), max_unpacked=2 * 2**20) == "too_large_unpacked"
    assert codes(upload("a.xlsx", office("xlsx", {"xl/big.xml": b"0" * (3 * 2**20)}))) == "zip_bomb"
    assert codes(upload("a.xlsx", office("xlsx", entries=30)), max_entries=20) == "too_many_entries"


def test_macros_and_damaged_containers_are_refused():
    assert codes(upload("a.docx", office("docx", {"word/vbaProject.bin": b"x"}))) == "macro"
    assert codes(upload("a.docx", b"PK\x03\x04 not really a zip")) == "bad_zip"


def test_text_files_when_asked_for():
    assert check_upload(upload("名单.csv", "姓名,单位\n张三,发改委\n".encode("gb18030")), allowed={"csv"}).kind == "csv"
    assert codes(upload("a.csv", b"a,b\x00\x01"), allowed={"csv"}) == "type_not_allowed"
