"""Identify an incoming file by its content (magic bytes), never by its extension.

Senders rename files freely (a .xls that is really HTML, a photo saved as .xlsx),
so the extension is ignored. Only OOXML spreadsheets (xlsx/xlsm) go on to be
inspected; everything else becomes a refusal Issue.
"""

from __future__ import annotations

import io
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import olefile

from xlsaddin.core import codes
from xlsaddin.core.issues import Issue
from xlsaddin.intake.limits import DEFAULT_LIMITS, MEMORY_ERROR, Limits
from xlsaddin.intake.messages import SAVE_AS_XLSX, issue, vn_int

Container = Literal["ooxml", "ole", "other"]

ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
HEAD_BYTES = 4096

CONTENT_TYPES = "[Content_Types].xml"
WORKBOOK_XML = "xl/workbook.xml"
WORKBOOK_BIN = "xl/workbook.bin"

_EOCD = b"PK\x05\x06"
_EOCD_SIZE = 22
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_EOCD = b"PK\x06\x06"
_MAX_COMMENT = 0xFFFF
#: Central-directory bytes allowed per permitted entry (a record is 46 bytes + name + extras).
CD_BYTES_PER_ENTRY = 1024

_SEND_XLSX = "hãy gửi đúng tệp báo cáo .xlsx"
_UNPACK = "hãy giải nén rồi gửi riêng tệp báo cáo .xlsx"


@dataclass(frozen=True)
class Sniffed:
    """What a file is: its container, and a refusal unless it is an OOXML workbook."""

    container: Container
    issue: Issue | None = None
    archive: zipfile.ZipFile | None = field(default=None, compare=False, repr=False)
    """The opened package (over the bytes in memory) when it is an OOXML workbook."""

    @property
    def is_workbook(self) -> bool:
        return self.container == "ooxml" and self.issue is None


def container_of(head: bytes) -> Container:
    """The container format from the first bytes of a file."""
    if head.startswith(ZIP_MAGICS):
        return "ooxml"
    if head.startswith(OLE_MAGIC):
        return "ole"
    return "other"


def sniff(path: Path, limits: Limits = DEFAULT_LIMITS, data: bytes | None = None) -> Sniffed:
    """Identify ``path`` by content. Never raises; unreadable files become an Issue.

    ``data``: the file's bytes when the caller has already read them (intake
    reads each file exactly once, so the hash covers exactly what is parsed).
    """
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            return Sniffed("other", issue(codes.FILE_UNREADABLE, path, detail=f" ({exc.strerror})"))
    head = data[:HEAD_BYTES]
    container = container_of(head)
    if container == "ole":
        return Sniffed("ole", classify_ole(path))
    if container == "other":
        return Sniffed("other", describe_other(path, head))
    too_many = check_zip_directory(path, limits, data)
    if too_many is not None:
        return Sniffed("ooxml", too_many)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        refused = classify_zip(path, archive)
    except Exception as exc:  # BadZipFile, NotImplementedError, OSError, struct.error, …
        broken = issue(
            codes.FILE_CORRUPT, path, detail=" (cấu trúc nén ZIP hỏng)", value=out_of_memory(exc)
        )
        return Sniffed("ooxml", broken)
    return Sniffed("ooxml", refused, None if refused else archive)


def check_zip_directory(path: Path, limits: Limits, data: bytes) -> Issue | None:
    """Refuse a zip whose end-of-central-directory record is missing or oversized.

    Read before :class:`zipfile.ZipFile` parses the central directory, which it
    loads entirely into memory: a small file can declare hundreds of thousands
    of entries.
    """
    try:
        found = _read_eocd(data)
    except struct.error:
        found = None
    if found is None:
        return issue(codes.FILE_CORRUPT, path, detail=" (không tìm thấy mục lục của tệp nén ZIP)")
    entries, cd_size = found
    if entries > limits.max_zip_entries or cd_size > limits.max_zip_entries * CD_BYTES_PER_ENTRY:
        shown = max(entries, cd_size // CD_BYTES_PER_ENTRY)
        return issue(
            codes.FILE_TOO_MANY_PARTS,
            path,
            count=vn_int(shown),
            limit=vn_int(limits.max_zip_entries),
            value=str(entries),
        )
    return None


def _read_eocd(data: bytes) -> tuple[int, int] | None:
    """(declared entry count, central directory size) from the zip's end records."""
    size = len(data)
    tail_len = min(size, _EOCD_SIZE + _MAX_COMMENT)
    tail = data[size - tail_len :]
    pos = len(tail) - _EOCD_SIZE  # as zipfile does: no archive comment first, …
    if pos < 0 or tail[pos : pos + 4] != _EOCD or tail[-2:] != b"\x00\x00":
        pos = tail.rfind(_EOCD)  # … else the last signature before the comment
    if pos < 0 or len(tail) - pos < _EOCD_SIZE:
        return None
    _, _, _, _, entries, cd_size, cd_offset, _ = struct.unpack(
        "<4s4H2LH", tail[pos : pos + _EOCD_SIZE]
    )
    if entries != 0xFFFF and cd_size != 0xFFFFFFFF and cd_offset != 0xFFFFFFFF:
        return int(entries), int(cd_size)
    # ZIP64: a locator sits just before the classic record and points at the zip64 record.
    loc = pos - 20
    if loc < 0 or tail[loc : loc + 4] != _ZIP64_LOCATOR:
        return int(entries), int(cd_size)
    _, _, z64_offset, _ = struct.unpack("<4sLQL", tail[loc : loc + 20])
    record = data[z64_offset : z64_offset + 56]
    if len(record) < 56 or record[:4] != _ZIP64_EOCD:
        return None
    fields = struct.unpack("<4sQ2H2L4Q", record)
    return int(fields[7]), int(fields[8])


def classify_zip(path: Path, zf: zipfile.ZipFile) -> Issue | None:
    """None for an OOXML spreadsheet, else why this zip is refused."""
    names = set(zf.namelist())
    if CONTENT_TYPES in names and WORKBOOK_XML in names:
        return None
    if CONTENT_TYPES in names and WORKBOOK_BIN in names:
        return issue(
            codes.FILE_UNSUPPORTED_FORMAT,
            path,
            detail="bảng tính nhị phân Excel (.xlsb)",
            advice=SAVE_AS_XLSX,
            value="xlsb",
        )
    if WORKBOOK_XML in names:
        return issue(codes.FILE_CORRUPT, path, detail=f" (thiếu {CONTENT_TYPES})")
    if "mimetype" in names and _read_small(zf, "mimetype").startswith(
        b"application/vnd.oasis.opendocument.spreadsheet"
    ):
        return issue(
            codes.FILE_UNSUPPORTED_FORMAT,
            path,
            detail="bảng tính OpenDocument (.ods)",
            advice="hãy chọn Lưu thành .xlsx (Excel Workbook) rồi gửi lại",
            value="ods",
        )
    if "word/document.xml" in names:
        detail, value = "nội dung là văn bản Word .docx", "docx"
    elif "ppt/presentation.xml" in names:
        detail, value = "nội dung là trình chiếu PowerPoint .pptx", "pptx"
    elif "mimetype" in names:
        detail, value = "nội dung là tài liệu OpenDocument không phải bảng tính", "odf"
    else:
        detail, value = "nội dung là tệp nén ZIP", "zip"
        return issue(codes.FILE_NOT_WORKBOOK, path, detail=detail, advice=_UNPACK, value=value)
    return issue(codes.FILE_NOT_WORKBOOK, path, detail=detail, advice=_SEND_XLSX, value=value)


def _read_small(zf: zipfile.ZipFile, name: str, cap: int = 256) -> bytes:
    try:
        with zf.open(name) as fh:
            return fh.read(cap)
    except Exception:
        return b""


def out_of_memory(exc: BaseException) -> str | None:
    """The value of a verdict reached because memory ran out: it depends on the moment,
    not on the file, and is never kept for a later run (``validate/reuse.py``)."""
    return MEMORY_ERROR if isinstance(exc, MemoryError) else None


def classify_ole(path: Path) -> Issue:
    """Every OLE (Compound File) container is refused; say why."""
    try:
        with olefile.OleFileIO(str(path)) as ole:
            top = {entry[0].lower() for entry in ole.listdir(streams=True, storages=True)}
    except Exception as exc:
        detail = " (tệp Office dạng OLE bị hỏng)"
        return issue(codes.FILE_CORRUPT, path, detail=detail, value=out_of_memory(exc))
    if "encryptioninfo" in top or "encryptedpackage" in top:
        return issue(codes.FILE_ENCRYPTED, path, value="ole-encrypted-package")
    if "workbook" in top or "book" in top:
        return issue(codes.FILE_LEGACY_XLS, path, value="xls")
    if "worddocument" in top:
        detail, value = "nội dung là văn bản Word .doc", "doc"
    elif "powerpoint document" in top:
        detail, value = "nội dung là trình chiếu PowerPoint .ppt", "ppt"
    else:
        detail, value = "nội dung là tài liệu Office dạng OLE không phải bảng tính", "ole"
    return issue(codes.FILE_NOT_WORKBOOK, path, detail=detail, advice=_SEND_XLSX, value=value)


_BINARY_KINDS: tuple[tuple[bytes, str, str, str], ...] = (
    (b"%PDF", "nội dung là tài liệu PDF", "pdf", _SEND_XLSX),
    (b"\xff\xd8\xff", "nội dung là ảnh JPEG", "jpeg", _SEND_XLSX),
    (b"\x89PNG\r\n\x1a\n", "nội dung là ảnh PNG", "png", _SEND_XLSX),
    (b"GIF8", "nội dung là ảnh GIF", "gif", _SEND_XLSX),
    (b"Rar!\x1a\x07", "nội dung là tệp nén RAR", "rar", _UNPACK),
    (b"7z\xbc\xaf\x27\x1c", "nội dung là tệp nén 7z", "7z", _UNPACK),
    (b"\x1f\x8b", "nội dung là tệp nén gzip", "gzip", _UNPACK),
    (b"{\\rtf", "nội dung là văn bản RTF", "rtf", _SEND_XLSX),
)


def describe_other(path: Path, head: bytes) -> Issue:
    """Refusal for a file that is neither a zip nor an OLE container."""
    advice = _SEND_XLSX
    if not head:
        detail, value = "tệp rỗng, 0 byte", "empty"
    else:
        for magic, text, kind, how in _BINARY_KINDS:
            if head.startswith(magic):
                detail, value, advice = text, kind, how
                break
        else:
            if head[4:8] == b"ftyp":
                detail, value = "nội dung là ảnh hoặc video chụp từ điện thoại", "media"
            else:
                detail, value, advice = _describe_text(head)
    return issue(codes.FILE_NOT_WORKBOOK, path, detail=detail, advice=advice, value=value)


def _describe_text(head: bytes) -> tuple[str, str, str]:
    text = _as_text(head)
    if text is None:
        return "không xác định được loại tệp", "unknown", _SEND_XLSX
    lower = text.lstrip().lower()
    if "urn:schemas-microsoft-com:office:spreadsheet" in lower:
        return "nội dung là bảng tính XML 2003", "xml-spreadsheet", SAVE_AS_XLSX
    if lower.startswith(("<!doctype html", "<html")) or "<html" in lower[:1024]:
        return "nội dung là trang web HTML, thường do phần mềm xuất ra", "html", SAVE_AS_XLSX
    return "nội dung là tệp văn bản hoặc CSV", "text", SAVE_AS_XLSX


def _as_text(head: bytes) -> str | None:
    """Decode the head of a text file (UTF-8 or UTF-16 with BOM), None for binary."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="ignore")
    if b"\x00" in head:
        return None
    return head.decode("utf-8", errors="replace")
