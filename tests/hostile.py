"""Build the hostile/broken intake corpus at test time (no binaries are committed).

``build_corpus(folder)`` writes every sample and returns ``{file name: expected code}``
(None = a valid workbook that must be readable with no issues). Samples that need
an optional tool (msoffcrypto-tool for a real encrypted workbook) are left out
when the tool is missing; the legacy .xls from LibreOffice is built by the test.
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

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
