"""Build an Excel ``vbaProject.bin`` from VBA source text ([MS-OVBA]), without Excel.

The project is written in the interoperable, version-independent form the spec
prescribes for writers other than Office (1.6, 2.3.4.1): the ``_VBA_PROJECT``
stream is only its 7-byte header with Version 0xFFFF and no PerformanceCache,
module streams hold only compressed source (MODULEOFFSET 0, no p-code) and
there are no SRP streams, so Office ignores every cache and compiles the
modules from source when the workbook is opened.

Layout of the compound file::

    PROJECT           text: ID, Document=/Module= lines, Name, CMG/DPB/GC, ...
    PROJECTwm         module names in MBCS and UTF-16
    VBA/_VBA_PROJECT  CC 61 FF FF 00 01 00
    VBA/dir           compressed: project information, references, modules
    VBA/<module>      compressed source of each module

Use with XlsxWriter (the file name must end in ``.xlsm``)::

    data = build_vba_project({"Macros": source})
    workbook.add_vba_project(io.BytesIO(data), is_stream=True)
    workbook.set_vba_name("ThisWorkbook")
    worksheet.set_vba_name("Sheet1")
"""

from __future__ import annotations

import codecs
import hashlib
import re
import struct
import unicodedata
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from xlsaddin.vba.cfb import build_cfb
from xlsaddin.vba.compression import compress, padding_free

SYSKIND_WIN32 = 1
SYSKIND_WIN64 = 3

#: VB_Base of the workbook document module (the Excel Workbook class).
WORKBOOK_BASE = "0{00020819-0000-0000-C000-000000000046}"
#: VB_Base of a worksheet document module (the Excel Worksheet class).
WORKSHEET_BASE = "0{00020820-0000-0000-C000-000000000046}"
DEFAULT_DOCUMENTS: tuple[str, ...] = ("ThisWorkbook", "Sheet1")

_PROCEDURAL = 0x0021
_DOCUMENT = 0x0022

# Registered references exactly as Excel 2016+ (Office 16) writes them; the path
# is only a hint, VBA resolves a registered type library by GUID and version.
_REFERENCES: dict[int, tuple[tuple[str, str], ...]] = {
    SYSKIND_WIN64: (
        (
            "stdole",
            "*\\G{00020430-0000-0000-C000-000000000046}#2.0#0"
            "#C:\\Windows\\System32\\stdole2.tlb#OLE Automation",
        ),
        (
            "Office",
            "*\\G{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}#2.0#0"
            "#C:\\Program Files\\Common Files\\Microsoft Shared\\OFFICE16\\MSO.DLL"
            "#Microsoft Office 16.0 Object Library",
        ),
    ),
    SYSKIND_WIN32: (
        (
            "stdole",
            "*\\G{00020430-0000-0000-C000-000000000046}#2.0#0"
            "#C:\\Windows\\SysWOW64\\stdole2.tlb#OLE Automation",
        ),
        (
            "Office",
            "*\\G{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}#2.0#0"
            "#C:\\Program Files (x86)\\Common Files\\Microsoft Shared\\OFFICE16\\MSO.DLL"
            "#Microsoft Office 16.0 Object Library",
        ),
    ),
}

#: PROJECTVERSION as written by an Excel 16 project (any value is valid).
_VERSION_MAJOR = 0x6C31A725
_VERSION_MINOR = 5
_LCID = 0x0409
#: 2.3.4.1: Reserved1 0x61CC, Version 0xFFFF, Reserved2 0x00, Reserved3 as in example 3.1.1.
_VBA_PROJECT_STREAM = struct.pack("<HHBH", 0x61CC, 0xFFFF, 0x00, 0x0001)
_VISIBLE = b"\xff"
_HOST_EXTENDER = "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000"
_PROJECT_NAMESPACE = uuid.UUID("6f1b9c1e-5a43-4d0e-9a57-2f8d3c1e7b10")

_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_VB_NAME = re.compile(r'^[ \t]*Attribute[ \t]+VB_Name[ \t]*=[ \t]*"([^"]*)"', re.IGNORECASE | re.M)
_VB_NAME_LINE = re.compile(r"^[ \t]*Attribute[ \t]+VB_Name[ \t]*=.*$", re.IGNORECASE)
_MODULE_ATTRIBUTE = re.compile(r"^[ \t]*Attribute[ \t]+VB_\w+[ \t]*=", re.IGNORECASE)
_MAX_LINE = 1023  # longest physical line the VBA editor accepts
_RESERVED_NAMES = {"VBA", "EXCEL", "OFFICE", "STDOLE", "MSFORMS"}


@dataclass(frozen=True)
class _Module:
    name: str
    kind: int  # _PROCEDURAL or _DOCUMENT
    source: bytes  # full module text incl. attribute header, CRLF, in the project code page


def _encoding(codepage: int) -> str:
    name = "mac-roman" if codepage == 10000 else f"cp{codepage}"
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise ValueError(f"unsupported VBA code page {codepage}") from None


def _encode_char(char: str, encoding: str) -> bytes | None:
    """``char`` in ``encoding``, else as a base letter plus one combining mark (as Windows
    writes Vietnamese in code page 1258: "ậ" -> "â" + U+0323), else None."""
    try:
        return char.encode(encoding)
    except UnicodeEncodeError:
        pass
    decomposed = unicodedata.normalize("NFD", char)
    for i in range(1, len(decomposed)):
        rest = unicodedata.normalize("NFC", decomposed[:i] + decomposed[i + 1 :])
        try:
            return (rest + decomposed[i]).encode(encoding)
        except UnicodeEncodeError:
            continue
    return None


def _encode(text: str, encoding: str, what: str) -> bytes:
    try:
        return text.encode(encoding)
    except UnicodeEncodeError:
        pass
    out = bytearray()
    for index, char in enumerate(text):
        encoded = _encode_char(char, encoding)
        if encoded is None:
            line = text.count("\n", 0, index) + 1
            raise ValueError(
                f"{what}: {char!r} (line {line}) cannot be written in code page {encoding}; "
                "VBA source is stored in the project's ANSI code page - use ChrW() for "
                "other characters"
            )
        out += encoded
    return bytes(out)


def _check_identifier(name: str, what: str) -> None:
    if not _IDENTIFIER.match(name) or len(name) > 31:
        raise ValueError(
            f"invalid {what} {name!r}: use 1-31 ASCII letters, digits or _, starting with a letter"
        )


def _crlf_lines(text: str) -> list[str]:
    text = text.removeprefix("\ufeff")
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _join(lines: list[str], name: str) -> str:
    while lines and lines[-1] == "":
        lines.pop()
    for number, line in enumerate(lines, start=1):
        if len(line) > _MAX_LINE:
            raise ValueError(
                f"module {name}: line {number} is longer than VBA's {_MAX_LINE} characters"
            )
    return "".join(line + "\r\n" for line in lines)


def _standard_source(name: str, text: str) -> str:
    """Source with exactly one ``Attribute VB_Name`` line, first, naming ``name``."""
    lines = _crlf_lines(text)
    first = next((line.strip().upper() for line in lines if line.strip()), "")
    if first.startswith("VERSION "):
        raise ValueError(f"module {name}: a class module (.cls) cannot be a standard module")
    body = [line for line in lines if not _VB_NAME_LINE.match(line)]
    return _join([f'Attribute VB_Name = "{name}"', *body], name)


def _document_header(name: str, base: str) -> list[str]:
    return [
        f'Attribute VB_Name = "{name}"',
        f'Attribute VB_Base = "{base}"',
        "Attribute VB_GlobalNameSpace = False",
        "Attribute VB_Creatable = False",
        "Attribute VB_PredeclaredId = True",
        "Attribute VB_Exposed = True",
        "Attribute VB_TemplateDerived = False",
        "Attribute VB_Customizable = True",
    ]


def _document_source(name: str, base: str, text: str) -> str:
    """Document module: the standard header, then the code of ``text`` (header stripped).

    ``text`` may be a ``.cls`` export: its ``VERSION``/``BEGIN``...``END``
    preamble and leading ``Attribute VB_*`` lines are replaced by the header.
    """
    lines = _crlf_lines(text)
    if lines and lines[0].strip().upper().startswith("VERSION "):
        lines = lines[1:]
        if lines and lines[0].strip().upper() == "BEGIN":
            end = next((i for i, line in enumerate(lines) if line.strip().upper() == "END"), None)
            if end is not None:
                lines = lines[end + 1 :]
    while lines and _MODULE_ATTRIBUTE.match(lines[0]):
        lines = lines[1:]
    return _join(_document_header(name, base) + lines, name)


def _collect_modules(
    modules: Mapping[str, str], documents: Sequence[str], project_name: str, encoding: str
) -> list[_Module]:
    seen: set[str] = set()
    result: list[_Module] = []

    def claim(name: str, what: str) -> None:
        _check_identifier(name, what)
        key = name.upper()
        if key in seen:
            raise ValueError(f"duplicate module name (VBA names ignore case): {name!r}")
        if key == project_name.upper() or key in _RESERVED_NAMES:
            raise ValueError(f"module name {name!r} clashes with the project or a library name")
        seen.add(key)

    by_upper = {name.upper(): name for name in modules}
    if len(by_upper) != len(modules):
        raise ValueError("duplicate module names (VBA names ignore case)")
    for index, name in enumerate(documents):
        claim(name, "document module name")
        base = WORKBOOK_BASE if index == 0 else WORKSHEET_BASE
        key = by_upper.get(name.upper())
        code = modules[key] if key is not None else ""
        text = _document_source(name, base, code)
        result.append(_Module(name, _DOCUMENT, _encode(text, encoding, f"module {name}")))
    document_keys = {name.upper() for name in documents}
    for name, code in modules.items():
        if name.upper() in document_keys:
            continue
        claim(name, "module name")
        text = _standard_source(name, code)
        result.append(_Module(name, _PROCEDURAL, _encode(text, encoding, f"module {name}")))
    return result


# --- dir stream (2.3.4.2) -------------------------------------------------------------


def _record(record_id: int, data: bytes) -> bytes:
    return struct.pack("<HI", record_id, len(data)) + data


def _text_pair(record_id: int, reserved: int, mbcs: bytes, unicode: str) -> bytes:
    """A record whose MBCS text is followed by a Reserved id and the UTF-16LE text."""
    return _record(record_id, mbcs) + _record(reserved, unicode.encode("utf-16-le"))


def _dir_stream(
    project_name: bytes, modules: list[_Module], codepage: int, syskind: int, encoding: str
) -> bytes:
    out = bytearray()
    # PROJECTINFORMATION (2.3.4.2.1)
    out += _record(0x0001, struct.pack("<I", syskind))  # PROJECTSYSKIND
    out += _record(0x0002, struct.pack("<I", _LCID))  # PROJECTLCID
    out += _record(0x0014, struct.pack("<I", _LCID))  # PROJECTLCIDINVOKE
    out += _record(0x0003, struct.pack("<H", codepage))  # PROJECTCODEPAGE
    out += _record(0x0004, project_name)  # PROJECTNAME
    out += _text_pair(0x0005, 0x0040, b"", "")  # PROJECTDOCSTRING
    out += _record(0x0006, b"") + _record(0x003D, b"")  # PROJECTHELPFILEPATH: none
    out += _record(0x0007, struct.pack("<I", 0))  # PROJECTHELPCONTEXT
    out += _record(0x0008, struct.pack("<I", 0))  # PROJECTLIBFLAGS
    # PROJECTVERSION: Reserved (=4, in the size position), VersionMajor, VersionMinor.
    out += struct.pack("<HIIH", 0x0009, 4, _VERSION_MAJOR, _VERSION_MINOR)
    out += _text_pair(0x000C, 0x003C, b"", "")  # PROJECTCONSTANTS
    # PROJECTREFERENCES (2.3.4.2.2): REFERENCENAME + REFERENCEREGISTERED each.
    for ref_name, libid in _REFERENCES[syskind]:
        out += _text_pair(0x0016, 0x003E, ref_name.encode("ascii"), ref_name)
        lib = libid.encode("ascii")
        registered = struct.pack("<I", len(lib)) + lib + struct.pack("<IH", 0, 0)
        out += _record(0x000D, registered)
    # PROJECTMODULES (2.3.4.2.3)
    out += _record(0x000F, struct.pack("<H", len(modules)))
    out += _record(0x0013, struct.pack("<H", 0xFFFF))  # PROJECTCOOKIE
    for module in modules:
        name = module.name.encode(encoding)
        out += _record(0x0019, name)  # MODULENAME
        out += _record(0x0047, module.name.encode("utf-16-le"))  # MODULENAMEUNICODE
        out += _text_pair(0x001A, 0x0032, name, module.name)  # MODULESTREAMNAME
        out += _text_pair(0x001C, 0x0048, b"", "")  # MODULEDOCSTRING
        out += _record(0x0031, struct.pack("<I", 0))  # MODULEOFFSET: source at 0
        out += _record(0x001E, struct.pack("<I", 0))  # MODULEHELPCONTEXT
        out += _record(0x002C, struct.pack("<H", 0xFFFF))  # MODULECOOKIE
        out += _record(module.kind, b"")  # MODULETYPE (Reserved = 0)
        out += _record(0x002B, b"")  # Terminator, Reserved = 0
    out += _record(0x0010, b"")  # dir Terminator, Reserved = 0
    return bytes(out)


# --- PROJECT stream (2.3.1) and its encrypted fields (2.4.3) -----------------------------


def _encrypt(project_id: str, data: bytes, salt: str) -> str:
    """2.4.3.2 Data Encryption, hex-encoded; seed and ignored bytes derived deterministically."""
    digest = hashlib.sha256(f"{project_id}|{salt}".encode()).digest()
    noise = [b or 0x5A for b in digest]  # non-zero, like Office's random bytes
    seed = noise[0]
    project_key = sum(project_id.encode("ascii")) & 0xFF
    version_enc = seed ^ 2
    key_enc = seed ^ project_key
    out = bytearray([seed, version_enc, key_enc])
    unencrypted, enc1, enc2 = project_key, key_enc, version_enc
    ignored = bytes(noise[1 : 1 + (seed & 6) // 2])
    for byte in ignored + struct.pack("<I", len(data)) + data:
        byte_enc = byte ^ ((enc2 + unencrypted) & 0xFF)
        out.append(byte_enc)
        enc2, enc1, unencrypted = enc1, byte_enc, byte
    return out.hex().upper()


def _project_stream(
    project_id: str, project_name: str, modules: list[_Module], encoding: str
) -> bytes:
    lines = [f'ID="{project_id}"']
    for module in modules:
        if module.kind == _DOCUMENT:
            lines.append(f"Document={module.name}/&H00000000")
        else:
            lines.append(f"Module={module.name}")
    lines += [
        f'Name="{project_name}"',
        'HelpContextID="0"',
        'VersionCompatible32="393222000"',
        f'CMG="{_encrypt(project_id, bytes(4), "CMG")}"',  # ProjectProtectionState: none
        f'DPB="{_encrypt(project_id, bytes(1), "DPB")}"',  # ProjectPassword: none
        f'GC="{_encrypt(project_id, _VISIBLE, "GC")}"',  # ProjectVisibilityState: visible
        "",
        "[Host Extender Info]",
        _HOST_EXTENDER,
    ]
    return _encode("".join(line + "\r\n" for line in lines), encoding, "PROJECT stream")


def _projectwm_stream(modules: list[_Module], encoding: str) -> bytes:
    out = bytearray()
    for module in modules:
        out += module.name.encode(encoding) + b"\x00"
        out += module.name.encode("utf-16-le") + b"\x00\x00"
    return bytes(out + b"\x00\x00")


def _default_project_id(project_name: str, modules: list[_Module]) -> uuid.UUID:
    """Deterministic: the same sources give the same bytes (reproducible builds)."""
    h = hashlib.sha256(project_name.encode())
    for module in modules:
        h.update(b"\x00" + module.name.encode() + b"\x00" + module.source)
    return uuid.uuid5(_PROJECT_NAMESPACE, h.hexdigest())


# --- public API ---------------------------------------------------------------------


def build_vba_project(
    modules: Mapping[str, str],
    *,
    project_name: str = "VBAProject",
    codepage: int = 1252,
    documents: Sequence[str] = DEFAULT_DOCUMENTS,
    syskind: int = SYSKIND_WIN64,
    project_id: uuid.UUID | None = None,
) -> bytes:
    """Return the bytes of a ``vbaProject.bin`` holding ``modules``.

    ``modules`` maps a module name to VBA source (the body of a ``.bas`` file,
    with or without its ``Attribute VB_Name`` line; LF or CRLF). Each becomes a
    standard module, except a name listed in ``documents``: its code goes into
    that document module. ``documents`` are the document modules, the first
    for the workbook and the rest for worksheets, in sheet order; they must
    match the code names in the workbook (XlsxWriter: ``set_vba_name``;
    default ``ThisWorkbook``, ``Sheet1``, ``Sheet2``...).

    ``codepage`` is the project's ANSI code page: every module name and source
    character must exist in it (ValueError otherwise). ``syskind`` is recorded
    as the platform the project was saved on; Office recompiles from source on
    any platform, so it only picks matching reference paths.
    """
    if syskind not in _REFERENCES:
        raise ValueError(f"syskind must be {SYSKIND_WIN32} (Win32) or {SYSKIND_WIN64} (Win64)")
    if not documents:
        raise ValueError("an Excel project needs at least the workbook document module")
    _check_identifier(project_name, "project name")
    encoding = _encoding(codepage)
    collected = _collect_modules(modules, documents, project_name, encoding)
    pid = "{" + str(project_id or _default_project_id(project_name, collected)).upper() + "}"

    dir_data = _dir_stream(project_name.encode(encoding), collected, codepage, syskind, encoding)
    streams: dict[str, bytes] = {
        "PROJECT": _project_stream(pid, project_name, collected, encoding),
        "PROJECTwm": _projectwm_stream(collected, encoding),
        "VBA/_VBA_PROJECT": _VBA_PROJECT_STREAM,
        "VBA/dir": compress(dir_data),
    }
    for module in collected:
        if not padding_free(module.source):  # pragma: no cover - impossible for text
            raise ValueError(f"module {module.name}: source does not compress losslessly")
        streams[f"VBA/{module.name}"] = compress(module.source)
    return build_cfb(streams)


def sheet_documents(sheet_count: int, workbook: str = "ThisWorkbook") -> tuple[str, ...]:
    """Document module names for ``sheet_count`` worksheets, as XlsxWriter names them."""
    return (workbook, *(f"Sheet{i}" for i in range(1, sheet_count + 1)))


def read_bas(path: Path, encoding: str | None = None) -> tuple[str, str]:
    """Return (module name, source text) of a ``.bas`` file.

    The name comes from its ``Attribute VB_Name`` line, else the file stem.
    Without ``encoding`` the file is read as UTF-8 (BOM allowed), falling back
    to cp1252 for files exported by the VBA editor.
    """
    raw = Path(path).read_bytes()
    if encoding is not None:
        text = raw.decode(encoding)
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("cp1252")
    text = text.removeprefix("\ufeff")
    match = _VB_NAME.search(text)
    name = match.group(1).strip() if match else Path(path).stem
    return name, text
