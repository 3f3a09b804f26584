"""Pre-flight inspection of one incoming file, before anything parses it.

Only the zip central directory is read first (sizes, names); parts are then
decompressed as streams with byte caps and scanned, never parsed into trees
(except ``[Content_Types].xml``, which is tiny and parsed with defusedxml).
Nothing in the file is executed or evaluated.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import stat
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from xml.etree.ElementTree import Element
from xml.parsers import expat

from defusedxml.ElementTree import fromstring as safe_fromstring

from xlsaddin.core import codes
from xlsaddin.core.codes import Code
from xlsaddin.core.issues import Issue
from xlsaddin.intake.limits import DEFAULT_LIMITS, Limits, MiB
from xlsaddin.intake.messages import issue, vn_int, vn_size
from xlsaddin.intake.parts import (
    is_sheet_part,
    link_element,
    outward_defined_name,
    outward_in_sheet,
    risky_relationships,
)
from xlsaddin.intake.sniff import CONTENT_TYPES, WORKBOOK_XML, sniff

Kind = Literal["xlsx", "xlsm", "rejected"]

CHUNK = 1 * MiB
#: [Content_Types].xml above this is not a real workbook's (they are a few KB).
MAX_CONTENT_TYPES_BYTES = 4 * MiB
#: How far into a worksheet part to look for ``<dimension ref=...>``.
DIMENSION_HEAD_BYTES = 64 * 1024

_DTD_TOKENS: tuple[bytes, ...] = tuple(
    token.encode(encoding)
    for token in ("<!DOCTYPE", "<!ENTITY")
    for encoding in ("ascii", "utf-16-le", "utf-16-be")
)
#: "<!" in UTF-8, UTF-16-LE ("<\0!\0") or UTF-16-BE ("\0<\0!")
_MARKUP_DECL = re.compile(b"<\x00?!")
_DIMENSION_RE = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?dimension\b[^>]*?\bref\s*=\s*([\"'])([^\"'<>]{1,64})\1"
)
_CELL_RE = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")
_XML_SUFFIXES = (".xml", ".rels", ".vml")
WORKBOOK_PART = WORKBOOK_XML
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
SHARED_STRINGS = "xl/sharedstrings.xml"


@dataclass(frozen=True)
class IntakeResult:
    """The verdict on one incoming file."""

    path: Path
    sha256: str
    """Hex digest of the file's bytes ("" when the file could not be read)."""
    size: int
    kind: Kind
    """'xlsx'/'xlsm' for an OOXML workbook (even if refused), 'rejected' for anything else."""
    issues: tuple[Issue, ...]
    readable: bool
    """True only when the file may be handed to a parser."""
    content: bytes | None = field(default=None, compare=False, repr=False)
    """The bytes that were hashed and inspected, for a readable file: parse these, not
    the path again (one read per file, and no window for the file to change between
    the checks and the parse)."""
    parts: dict[str, bytes] | None = field(default=None, compare=False, repr=False)
    """Inflated parts the reader's sheet guard needs (every sheet part, the workbook and
    its relationships), by lower-case entry name, for a readable file."""

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(i.code for i in self.issues)


def inspect_file(path: Path, limits: Limits = DEFAULT_LIMITS) -> IntakeResult:
    """Check an untrusted file before parsing. Never raises: problems become Issues."""
    path = Path(path)
    try:
        st = path.stat()
    except OSError as exc:
        return _refused(
            path, "", 0, issue(codes.FILE_UNREADABLE, path, detail=f" ({exc.strerror})")
        )
    if not stat.S_ISREG(st.st_mode):
        detail = " (không phải là tệp thông thường)"
        return _refused(path, "", 0, issue(codes.FILE_UNREADABLE, path, detail=detail))
    try:
        too_big = st.st_size > limits.max_file_bytes
        data = None if too_big else _read_capped(path, limits, st.st_size)
        if data is None:  # over the cap: hash it in chunks, never hold it in memory
            digest, size = _sha256(path)
        else:
            digest, size = hashlib.sha256(data).hexdigest(), len(data)
    except OSError as exc:
        return _refused(
            path, "", 0, issue(codes.FILE_UNREADABLE, path, detail=f" ({exc.strerror})")
        )
    if data is None:
        too_large = issue(
            codes.FILE_TOO_LARGE,
            path,
            size=vn_size(size),
            limit=vn_size(limits.max_file_bytes),
            value=str(size),
        )
        return _refused(path, digest, size, too_large)
    sniffed = sniff(path, limits, data)
    if sniffed.issue is not None or sniffed.archive is None:
        problem = sniffed.issue or issue(codes.FILE_CORRUPT, path, detail="")
        return _refused(path, digest, size, problem)
    parts: dict[str, bytes] = {}
    try:
        kind, issues = _inspect_zip(path, sniffed.archive, data, limits, parts)
    except Exception as exc:  # zlib.error, BadZipFile (CRC), EOFError, MemoryError, …
        corrupt = issue(codes.FILE_CORRUPT, path, detail="", value=type(exc).__name__)
        return _refused(path, digest, size, corrupt)
    readable = not any(i.severity == "error" for i in issues)
    return IntakeResult(
        path,
        digest,
        size,
        kind,
        tuple(issues),
        readable,
        data if readable else None,
        parts if readable else None,
    )


def _read_capped(path: Path, limits: Limits, size: int) -> bytes | None:
    """The whole file, or None when it is larger than the cap.

    ``size`` is the size ``stat`` reported: asking for exactly that much (plus one
    byte, to notice a file that grew) avoids allocating a cap-sized buffer per read.
    """
    cap = limits.max_file_bytes
    with path.open("rb") as fh:
        data = fh.read(min(size, cap) + 1)
        if len(data) > size:  # it grew since stat: read on, up to the cap
            data += fh.read(cap + 1 - len(data))
    return None if len(data) > cap else data


def _refused(path: Path, digest: str, size: int, problem: Issue) -> IntakeResult:
    return IntakeResult(path, digest, size, "rejected", (problem,), readable=False)


def _sha256(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


# --------------------------------------------------------------------------- zip checks


def _inspect_zip(
    path: Path, zf: zipfile.ZipFile, data: bytes, limits: Limits, parts: dict[str, bytes]
) -> tuple[Kind, list[Issue]]:
    """Checks on a zip already sniffed as an OOXML workbook (entry count pre-checked)."""
    with zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        if len(infos) > limits.max_zip_entries:
            too_many = issue(
                codes.FILE_TOO_MANY_PARTS,
                path,
                count=vn_int(len(infos)),
                limit=vn_int(limits.max_zip_entries),
            )
            return "rejected", [too_many]
        names = [i.filename for i in infos]
        twin = _twin(names)
        if twin is not None:
            dup = issue(codes.FILE_DUPLICATE_PARTS, path, part=twin, value=twin)
            return "rejected", [dup]
        if any(i.flag_bits & 0x1 for i in infos):
            return "rejected", [issue(codes.FILE_ENCRYPTED, path, value="zip-encryption")]

        bomb = _declared_bomb(path, infos, limits)
        risky = _risky_by_name(path, names)
        if bomb is not None:
            return _kind(risky), [bomb, *risky.values()]

        issues: list[Issue] = []
        ctypes = _content_types(path, zf, infos, limits, issues)
        if ctypes is not None:
            for code, part in _risky_by_content_type(ctypes).items():
                risky.setdefault(code, _risky_issue(path, code, part))
            found = _scan_parts(path, zf, infos, ctypes, limits, parts)
            for code, part in found.risky.items():  # relationships, DDE/OLE link elements
                risky.setdefault(code, _risky_issue(path, code, part))
            issues.extend(found.issues)
        issues[:0] = risky.values()
        return _kind(risky), _dedupe(issues)


def normalised_name(name: str) -> str:
    """A part name as any reader may look it up: "/" for "\\", case folded.

    python-calamine finds parts ignoring ASCII case and some zip readers turn backslashes
    into slashes, so two entries equal under this are two candidates for one part.
    """
    return name.replace("\\", "/").casefold()


def _twin(names: list[str]) -> str | None:
    """The first entry whose normalised name another entry already has (None if unique)."""
    seen: set[str] = set()
    for name in names:
        key = normalised_name(name)
        if key in seen:
            return name
        seen.add(key)
    return None


def _kind(risky: dict[Code, Issue]) -> Kind:
    return "xlsm" if _MACROS in risky else "xlsx"


def _dedupe(issues: list[Issue]) -> list[Issue]:
    seen: set[tuple[str, str | None]] = set()
    out: list[Issue] = []
    for i in issues:
        if (i.code, i.value) not in seen:
            seen.add((i.code, i.value))
            out.append(i)
    return out


def _declared_bomb(path: Path, infos: list[zipfile.ZipInfo], limits: Limits) -> Issue | None:
    """Zip bomb judged from the central directory alone (nothing decompressed)."""
    total = sum(i.file_size for i in infos)
    if total > limits.max_uncompressed_bytes:
        detail = f"giải nén ra {vn_size(total)}, tối đa {vn_size(limits.max_uncompressed_bytes)}"
        return issue(codes.FILE_ZIP_BOMB, path, detail=detail, value=str(total))
    for info in infos:
        if info.file_size <= limits.ratio_min_bytes:
            continue
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > limits.max_entry_ratio:
            detail = (
                f"{info.filename} nén {vn_int(round(ratio))} lần, "
                f"tối đa {vn_int(round(limits.max_entry_ratio))} lần"
            )
            return issue(codes.FILE_ZIP_BOMB, path, detail=detail, value=info.filename)
    return None


# --------------------------------------------------------------------------- risky parts

_MACROS = codes.FILE_HAS_MACROS
_EMBEDDED = codes.FILE_HAS_EMBEDDED_OBJECTS
_ACTIVEX = codes.FILE_HAS_ACTIVEX
_EXTERNAL = codes.FILE_HAS_EXTERNAL_LINKS
_CONNECTIONS = codes.FILE_HAS_DATA_CONNECTIONS


def _risky_by_name(path: Path, names: list[str]) -> dict[Code, Issue]:
    """Risky parts recognised by their location in the package (first part per code)."""
    found: dict[Code, Issue] = {}
    for name in names:
        code = _risky_code_for_name(name)
        if code is not None and code not in found:
            found[code] = _risky_issue(path, code, name)
    return found


def _risky_code_for_name(name: str) -> Code | None:
    folder, _, base = normalised_name(name).rpartition("/")
    folders = set(folder.split("/"))
    if base.startswith("vbaproject") or "macrosheets" in folders:
        return _MACROS
    if "embeddings" in folders:
        return _EMBEDDED
    if "activex" in folders:
        return _ACTIVEX
    if "externallinks" in folders:
        return _EXTERNAL
    if base == "connections.xml" or "querytables" in folders:
        return _CONNECTIONS
    return None


def _risky_code_for_content_type(ctype: str) -> Code | None:
    ct = ctype.lower()
    if "macroenabled" in ct or "vbaproject" in ct or "macrosheet" in ct:
        return _MACROS
    if "activex" in ct:
        return _ACTIVEX
    if "oleobject" in ct:
        return _EMBEDDED
    if "externallink" in ct:
        return _EXTERNAL
    if "spreadsheetml.connections" in ct or "spreadsheetml.querytable" in ct:
        return _CONNECTIONS
    return None


def _risky_by_content_type(ctypes: dict[str, str]) -> dict[Code, str]:
    """code -> first part whose declared content type is risky (only parts that exist)."""
    found: dict[Code, str] = {}
    for name, ctype in ctypes.items():
        code = _risky_code_for_content_type(ctype)
        if code is not None:
            found.setdefault(code, name)
    return found


def _risky_issue(path: Path, code: Code, part: str) -> Issue:
    return issue(code, path, value=part)


def _content_types(
    path: Path,
    zf: zipfile.ZipFile,
    infos: list[zipfile.ZipInfo],
    limits: Limits,
    issues: list[Issue],
) -> dict[str, str] | None:
    """Part name -> declared content type, for the parts that exist.

    None (with an Issue appended) when ``[Content_Types].xml`` is unsafe or unusable.
    """
    info = zf.getinfo(CONTENT_TYPES)
    cap = min(limits.max_xml_part_bytes, MAX_CONTENT_TYPES_BYTES)
    problem, part = _read_xml(zf, info, cap)
    if problem == "bomb":
        detail = f"{CONTENT_TYPES} lớn hơn {vn_size(cap)}"
        issues.append(issue(codes.FILE_ZIP_BOMB, path, detail=detail, value=CONTENT_TYPES))
        return None
    if problem == "entities":
        issues.append(issue(codes.FILE_XML_ENTITIES, path, part=CONTENT_TYPES, value=CONTENT_TYPES))
        return None
    declared = _declared_types(part)
    if declared is None:
        issues.append(issue(codes.FILE_CORRUPT, path, detail=f" ({CONTENT_TYPES} hỏng)"))
        return None
    defaults, overrides = declared
    ctypes: dict[str, str] = {}
    for i in infos:
        lower = i.filename.lower()
        ctype = overrides.get(lower)
        if ctype is None:
            ctype = defaults.get(_suffix(lower), "")
        ctypes[i.filename] = ctype
    return ctypes


def _suffix(name: str) -> str:
    """Extension without the dot, as ``PurePosixPath(name).suffix`` ('' for '.rels')."""
    base = name.rsplit("/", 1)[-1]
    dot = base.rfind(".")
    return base[dot + 1 :] if 0 < dot < len(base) - 1 else ""


def _declared_types(data: bytes) -> tuple[dict[str, str], dict[str, str]] | None:
    """(extension -> type, part -> type) from ``[Content_Types].xml``; None if malformed.

    Parsed with expat and element handlers only (no tree, no DTD: the part has
    already passed the DTD scan, and a declaration would still stop the parse).
    """
    defaults: dict[str, str] = {}
    overrides: dict[str, str] = {}
    depth = 0

    def start(tag: str, attrs: dict[str, str]) -> None:
        nonlocal depth
        depth += 1
        if depth != 2:  # only the children of <Types>
            return
        local = tag.rsplit("}", 1)[-1]
        ctype = attrs.get("ContentType", "")
        if local == "Default":
            defaults[attrs.get("Extension", "").lower()] = ctype
        elif local == "Override":
            overrides[attrs.get("PartName", "").lstrip("/").lower()] = ctype

    def end(_: str) -> None:
        nonlocal depth
        depth -= 1

    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.StartDoctypeDeclHandler = _forbid
    parser.EntityDeclHandler = _forbid
    parser.UnparsedEntityDeclHandler = _forbid
    try:
        parser.Parse(data, True)
    except (expat.ExpatError, _Forbidden):
        return None
    return defaults, overrides


# --------------------------------------------------------------------------- XML scanning


class _Forbidden(Exception):
    """Raised from expat handlers at the first DTD or entity declaration."""


def _forbid(*_: object) -> None:
    raise _Forbidden


def _read_xml(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> tuple[str | None, bytes]:
    """Decompress one part, returning ``(problem, data)``.

    ``problem`` is None for a clean part, 'bomb' when it declares more than
    ``cap`` bytes (nothing is decompressed), or 'entities' when it holds a
    DOCTYPE/ENTITY declaration. :mod:`zipfile` reads the part (local header, name,
    flags, CRC-32 and size checked): never more than the declared size is
    decompressed, so memory stays within ``cap``.
    """
    if info.file_size > cap:
        return "bomb", b""
    with zf.open(info) as fh:
        data = fh.read(info.file_size + 1)
    if len(data) != info.file_size:
        raise zipfile.BadZipFile(f"size of {info.filename!r} differs from the directory")
    return ("entities", b"") if _declares_dtd(data) else (None, data)


def _declares_dtd(data: bytes) -> bool:
    """A DOCTYPE/ENTITY declaration: byte scan in UTF-8/UTF-16, expat for other encodings.

    XML allows a DOCTYPE only in the prolog, before the root element (an entity
    declaration only inside it), and a parser must refuse one anywhere else. So
    when the prolog of a UTF-8 part can be delimited, only the prolog is scanned;
    otherwise (UTF-16, or anything unusual before the root) the whole part is.
    """
    prolog = None if data.startswith((b"\xff\xfe", b"\xfe\xff")) else _prolog(data)
    region = data if prolog is None else prolog
    # every token starts with "<!" in UTF-8 or UTF-16: a memchr for "!" first,
    # then "<!" itself, and only then the tokens
    if b"!" in region and _MARKUP_DECL.search(region) and any(t in region for t in _DTD_TOKENS):
        return True
    if _byte_scan_suffices(data[:1024]):
        return False
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _forbid
    parser.EntityDeclHandler = _forbid
    parser.UnparsedEntityDeclHandler = _forbid
    try:
        parser.Parse(data, True)
    except _Forbidden:
        return True
    except expat.ExpatError:
        return False  # not our concern here; the reader will complain
    return False


_SPACE = re.compile(rb"[ \t\r\n]*")


def _prolog(data: bytes) -> bytes | None:
    """The bytes before the root element when they hold only the XML declaration,
    processing instructions, comments and white space; None otherwise (a DOCTYPE
    or any other "<!" declaration, text, or no root element)."""
    pos = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    while True:
        match = _SPACE.match(data, pos)
        pos = match.end() if match else pos
        if data.startswith(b"<?", pos):
            end = data.find(b"?>", pos + 2)
            if end < 0:
                return None
            pos = end + 2
        elif data.startswith(b"<!--", pos):
            end = data.find(b"-->", pos + 4)
            if end < 0:
                return None
            pos = end + 3
        elif data.startswith(b"<", pos) and not data.startswith(b"<!", pos):
            return data[:pos]
        else:
            return None


_DECLARED_ENCODING = re.compile(rb"^<\?xml[^>]*encoding=[\"']([A-Za-z0-9._-]+)")


def _byte_scan_suffices(first: bytes) -> bool:
    """True when the byte scan alone sees every DTD token: UTF-8 or UTF-16 text.

    That is every part Excel, LibreOffice and XlsxWriter write; expat (slow: it
    parses the whole part) is kept for any other declared encoding.
    """
    if first.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    match = _DECLARED_ENCODING.match(first.removeprefix(b"\xef\xbb\xbf"))
    if match is None:
        return first.lstrip(b"\xef\xbb\xbf").startswith((b"<", b" ", b"\r", b"\n", b"\t"))
    return match.group(1).lower() in (b"utf-8", b"utf8", b"utf-16", b"utf16")


def _is_xml_part(name: str, ctype: str) -> bool:
    """Parts that are scanned: every part a reader may parse as XML, whatever its type.

    Names ending .xml/.rels/.vml and anything python-calamine opens as a sheet always are
    (the reader finds them by name, not by the declared type); images are not.
    """
    lower = normalised_name(name)
    if lower.endswith(_XML_SUFFIXES) or is_sheet_part(name):
        return True
    ct = ctype.lower()
    if ct.startswith("image/") or "/media/" in f"/{lower}":
        return False
    return "xml" in ct


@dataclass
class _Found:
    """What the part scan found: risky things by code (first part each), and issues."""

    risky: dict[Code, str] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)


def _scan_parts(
    path: Path,
    zf: zipfile.ZipFile,
    infos: list[zipfile.ZipInfo],
    ctypes: dict[str, str],
    limits: Limits,
    kept: dict[str, bytes],
) -> _Found:
    """Scan every part a reader may parse; keep (in ``kept``) what the sheet guard needs."""
    found = _Found()
    sheets: dict[str, str] | None = None

    def sheet_of(part: str) -> str | None:
        nonlocal sheets
        if sheets is None:
            sheets = _sheet_names(zf)
        return sheets.get(part)

    for info in infos:
        name = info.filename
        ctype = ctypes.get(name, "")
        if name == CONTENT_TYPES or not _is_xml_part(name, ctype):
            continue
        problem, part = _read_xml(zf, info, limits.max_xml_part_bytes)
        if problem == "bomb":
            detail = f"{name} lớn hơn {vn_size(limits.max_xml_part_bytes)}"
            found.issues.append(issue(codes.FILE_ZIP_BOMB, path, detail=detail, value=name))
            continue
        if problem == "entities":
            found.issues.append(issue(codes.FILE_XML_ENTITIES, path, part=name, value=name))
            continue
        lower = normalised_name(name)
        if lower in (WORKBOOK_PART, WORKBOOK_RELS) or is_sheet_part(name):
            kept[name.lower()] = part
        if lower.endswith(".rels"):
            for code, target in risky_relationships(part):
                found.risky.setdefault(code, f"{name} -> {target}")
        sheet = is_sheet_part(name)
        if not sheet and lower != SHARED_STRINGS:  # a link part is small; text parts are not
            element = link_element(part)
            if element is not None:
                found.risky.setdefault(_EXTERNAL, f"{name} ({element})")
        if sheet:
            found.issues.extend(_sheet_issues(path, name, part, limits, sheet_of))
        elif lower == WORKBOOK_PART:
            outward = outward_defined_name(part)
            if outward is not None:
                formula, why = outward
                found.issues.append(_outward_issue(path, None, "", formula, why))
    return found


def _sheet_issues(
    path: Path,
    part_name: str,
    part: bytes,
    limits: Limits,
    sheet_of: Callable[[str], str | None],
) -> list[Issue]:
    """Declared extent and outward formulas of one sheet. (Its cells, duplicates and used
    extent are walked when the reader is about to parse it: :mod:`xlsaddin.intake.guard`.)"""
    huge = _huge_dimension(path, part_name, part[:DIMENSION_HEAD_BYTES], limits, sheet_of)
    if huge is not None:
        return [huge]
    outward = outward_in_sheet(part)
    if outward is None:
        return []
    cell, formula, why = outward
    sheet = sheet_of(part_name)
    return [_outward_issue(path, sheet or f"({part_name})", cell, formula, why)]


#: How much of an outward formula a message quotes.
FORMULA_SHOWN = 80


def _outward_issue(path: Path, sheet: str | None, cell: str, formula: str, why: str) -> Issue:
    if sheet is None:
        where = "Một tên vùng (Công thức > Quản lý tên) trong tệp"
    else:
        where = f"Ô {cell} của trang '{sheet}'" if cell else f"Trang '{sheet}'"
    shown = formula if len(formula) <= FORMULA_SHOWN else formula[:FORMULA_SHOWN] + "…"
    found = issue(
        codes.FILE_HAS_EXTERNAL_FORMULAS, path, where=where, why=why, formula=shown, value=formula
    )
    return found.located(
        sheet=sheet if sheet and not sheet.startswith("(") else None, cell=cell or None
    )


def _huge_dimension(
    path: Path,
    part: str,
    head: bytes,
    limits: Limits,
    sheet_of: Callable[[str], str | None],
) -> Issue | None:
    data_at = head.find(b"sheetData")
    match = _DIMENSION_RE.search(head if data_at < 0 else head[:data_at])
    if match is None:
        return None
    ref = match.group(2).decode("ascii", errors="replace")
    cells = dimension_cells(ref)
    if cells is None or cells <= limits.max_sheet_cells:
        return None
    sheet = sheet_of(part)
    huge = issue(
        codes.FILE_HUGE_DIMENSION,
        path,
        sheet=f"'{sheet}'" if sheet else f"({part})",
        ref=ref,
        cells=vn_int(cells),
        limit=vn_int(limits.max_sheet_cells),
        value=part,
    )
    return huge.located(sheet=sheet)


def _sheet_names(zf: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part -> sheet name, from xl/workbook.xml and its relationships.

    Only called for a sheet already refused, after both parts passed the DTD scan;
    best effort ({} when anything is missing or odd).
    """
    try:
        book = _small_xml(zf, WORKBOOK_PART)
        rels = _small_xml(zf, WORKBOOK_RELS)
    except Exception:
        return {}
    targets: dict[str, str] = {}
    for el in rels:
        target = el.get("Target", "")
        resolved = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        targets[el.get("Id", "")] = posixpath.normpath(resolved)
    names: dict[str, str] = {}
    for el in book.iter():
        if el.tag.rsplit("}", 1)[-1] != "sheet":
            continue
        rid = next((v for k, v in el.attrib.items() if k.rsplit("}", 1)[-1] == "id"), "")
        if rid in targets:
            names[targets[rid]] = el.get("name", "")
    return names


def _small_xml(zf: zipfile.ZipFile, name: str) -> Element:
    with zf.open(name) as fh:
        data = fh.read(MAX_CONTENT_TYPES_BYTES + 1)
    if len(data) > MAX_CONTENT_TYPES_BYTES:
        raise ValueError(name)
    root: Element = safe_fromstring(data, forbid_dtd=True)
    return root


def dimension_cells(ref: str) -> int | None:
    """Cells covered by an A1-style range such as 'A1:XFD1048576' (None if unparsable)."""
    corners = []
    for cell in ref.strip().split(":"):
        m = _CELL_RE.match(cell)
        if m is None:
            return None
        col = 0
        for ch in m.group(1).upper():
            col = col * 26 + ord(ch) - ord("A") + 1
        corners.append((int(m.group(2)), col))
    if len(corners) == 1:
        return 1
    if len(corners) != 2:
        return None
    (r1, c1), (r2, c2) = corners
    return (abs(r2 - r1) + 1) * (abs(c2 - c1) + 1)
