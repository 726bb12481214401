"""The upload checker every app calls before keeping a file (ASVS 5.2.x).

    from ducha.security.uploads import check_upload
    info = check_upload(request.FILES["file"], allowed={"pdf", "docx", "xlsx", "ofd"})
    # raises django.core.exceptions.ValidationError (a form shows it under the field)

The type is decided by the content (magic bytes, and for the zip-based formats the
entries inside), never by the name or the browser's Content-Type; the name's extension
must agree with it. Zip containers are read entry by entry with limits on the count and
the unpacked size, so a zip bomb is refused without being unpacked. Macro-enabled
Office files and encrypted zip entries are refused.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ducha.audit.gm import SM3

DEFAULT_KINDS = frozenset({"pdf", "ofd", "docx", "xlsx", "png", "jpg"})
EXTENSIONS = {
    "pdf": {".pdf"}, "ofd": {".ofd"}, "docx": {".docx"}, "xlsx": {".xlsx"}, "pptx": {".pptx"},
    "png": {".png"}, "jpg": {".jpg", ".jpeg"}, "gif": {".gif"}, "csv": {".csv"}, "txt": {".txt"},
    "zip": {".zip"},
}
MAGIC = [
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"PK\x03\x04", "zip"),
]
ZIP_MARKERS = [("word/document.xml", "docx"), ("xl/workbook.xml", "xlsx"), ("ppt/presentation.xml", "pptx"),
               ("OFD.xml", "ofd")]
MAX_RATIO = 200  # unpacked/packed for one entry; text XML rarely passes 100


@dataclass(frozen=True)
class CheckedUpload:
    kind: str
    size: int
    sm3: str
    name: str
    entries: int = 0
    unpacked: int = 0


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def _head(file: IO[bytes], n: int = 8192) -> bytes:
    file.seek(0)
    data = file.read(n)
    file.seek(0)
    return data


def _digest(file: IO[bytes]) -> str:
    digest = SM3()
    file.seek(0)
    while chunk := file.read(1 << 20):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def _text_kind(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    # a multi-byte character cut at the end of the sample is fine
    return any(_decodes(head[:-k]) for k in range(1, 4))


def _decodes(data: bytes) -> bool:
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def _inspect_zip(file: IO[bytes], *, max_entries: int, max_unpacked: int) -> tuple[str, int, int]:
    try:
        archive = zipfile.ZipFile(file)
    except zipfile.BadZipFile:
        raise _refuse(_("The file is damaged (not a readable zip container)."), "bad_zip") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > max_entries:
            raise _refuse(_("The file holds too many parts (%(n)d; at most %(max)d).")
                          % {"n": len(infos), "max": max_entries}, "too_many_entries")
        names = {i.filename for i in infos}
        total = 0
        for info in infos:
            if info.flag_bits & 0x1:
                raise _refuse(_("Encrypted files cannot be accepted."), "encrypted")
            if info.filename.lower().endswith("vbaproject.bin"):
                raise _refuse(_("Files with macros cannot be accepted."), "macro")
            # Decompress in chunks and count: the sizes in the headers may lie.
            unpacked = 0
            with archive.open(info) as part:
                while chunk := part.read(1 << 16):
                    unpacked += len(chunk)
                    total += len(chunk)
                    if total > max_unpacked:
                        raise _refuse(_("The file unpacks to more than %(mb)d MB.")
                                      % {"mb": max_unpacked // 2**20}, "too_large_unpacked")
            if info.compress_size and unpacked / info.compress_size > MAX_RATIO and unpacked > 2**20:
                raise _refuse(_("The file is compressed suspiciously well (a zip bomb?)."), "zip_bomb")
    kind = next((k for marker, k in ZIP_MARKERS if marker in names), "zip")
    if kind in ("docx", "xlsx", "pptx") and "[Content_Types].xml" not in names:
        kind = "zip"
    return kind, len(infos), total


def check_upload(
    file: Any,
    *,
    allowed: Iterable[str] = DEFAULT_KINDS,
    max_bytes: int | None = None,
    max_entries: int | None = None,
    max_unpacked: int | None = None,
) -> CheckedUpload:
    """The file's real type, size and SM3 digest; ValidationError when it may not be kept."""
    allowed = frozenset(allowed)
    max_bytes = max_bytes or settings.DUCHA_UPLOAD_MAX_BYTES
    name = PurePath(getattr(file, "name", "") or "").name
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, 2)
        size = file.tell()
    if size == 0:
        raise _refuse(_("The file is empty."), "empty")
    if size > max_bytes:
        raise _refuse(_("The file is larger than %(mb)d MB.") % {"mb": max_bytes // 2**20}, "too_large")
    head = _head(file)
    kind = next((k for magic, k in MAGIC if head.startswith(magic)), None)
    entries = unpacked = 0
    if kind == "zip":
        kind, entries, unpacked = _inspect_zip(
            file, max_entries=max_entries or settings.DUCHA_UPLOAD_MAX_ENTRIES,
            max_unpacked=max_unpacked or settings.DUCHA_UPLOAD_MAX_UNPACKED_BYTES)
        file.seek(0)
    suffix = PurePath(name).suffix.lower()
    if kind is None and ({"csv", "txt"} & allowed) and _text_kind(head):
        kind = "csv" if suffix == ".csv" else "txt"
    if kind is None or kind not in allowed:
        raise _refuse(_("This type of file is not accepted here (accepted: %(kinds)s).")
                      % {"kinds": ", ".join(sorted(allowed))}, "type_not_allowed")
    if suffix not in EXTENSIONS.get(kind, set()):
        raise _refuse(_("The file name's extension does not match its content (%(kind)s).") % {"kind": kind},
                      "extension_mismatch")
    return CheckedUpload(kind=kind, size=size, sm3=_digest(file), name=name, entries=entries, unpacked=unpacked)
