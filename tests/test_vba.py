"""vbaProject.bin from VBA source: compression, CFB, olevba, XlsxWriter, LibreOffice."""

from __future__ import annotations

import io
import os
import re
import signal
import struct
import subprocess
import unicodedata
import uuid
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import olefile
import pytest
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st
from oletools.olevba import VBA_Parser, decompress_stream

from xlsaddin.vba import (
    SYSKIND_WIN32,
    build_vba_project,
    compress,
    decompress,
    read_bas,
    sheet_documents,
)
from xlsaddin.vba.cfb import build_cfb
from xlsaddin.vba.compression import CHUNK_SIZE, padding_free

if TYPE_CHECKING:
    from tests.conftest import LibreOffice

MACROS_BAS = """Attribute VB_Name = "Macros"
Option Explicit

' Xin chao is ASCII on purpose: source is stored in the ANSI code page.
Public Sub SayHello()
    MsgBox "Hello from xlsaddin"
End Sub

Public Sub Fill()
    ThisWorkbook.Worksheets(1).Range("A1").Value = "filled by VBA"
    Sheet1.Range("B2").Value = Twice(21)
End Sub

Public Function Twice(ByVal x As Double) As Double
    Twice = x * 2
End Function
"""

HELPERS_BAS = 'Function Greeting(name)\n    Greeting = "Chao " & name\nEnd Function\n'

WORKBOOK_CODE = """Private Sub Workbook_Open()
    Sheet1.Range("D1").Value = "opened"
End Sub
"""


def normalise(code: str) -> str:
    """Code without Attribute lines, line-ending and trailing-whitespace differences."""
    lines = code.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept = [line.rstrip() for line in lines if not re.match(r"\s*Attribute VB_", line)]
    return "\n".join(kept).strip("\n")


def write_sources(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    macros = folder / "Macros.bas"
    macros.write_text(MACROS_BAS, encoding="utf-8", newline="\r\n")
    helpers = folder / "Helpers.bas"  # no Attribute VB_Name line: name from the stem
    helpers.write_text(HELPERS_BAS, encoding="utf-8")
    return [macros, helpers]


def sample_modules(tmp_path: Path) -> dict[str, str]:
    return dict(read_bas(path) for path in write_sources(tmp_path / "macros"))


def make_xlsm(path: Path, vba: bytes, *, sheets: int = 1, button: bool = False) -> Path:
    workbook = xlsxwriter.Workbook(str(path))
    for index in range(sheets):
        worksheet = workbook.add_worksheet()
        worksheet.set_vba_name(f"Sheet{index + 1}")
        worksheet.write("A3", f"sheet {index + 1}")
        if button and index == 0:
            worksheet.insert_button("C3", {"macro": "SayHello", "caption": "Press me"})
    workbook.set_vba_name("ThisWorkbook")
    workbook.add_vba_project(io.BytesIO(vba), is_stream=True)
    workbook.close()
    return path


def olevba_modules(path: Path) -> dict[str, str]:
    parser = VBA_Parser(str(path))
    try:
        assert parser.detect_vba_macros()
        found: dict[str, str] = {}
        for _container, stream_path, _filename, code in parser.extract_macros():
            found[stream_path.split("/")[-1]] = code
        return found
    finally:
        parser.close()


# --- MS-OVBA 2.4.1 compression ---------------------------------------------------------


def olevba_decompress(data: bytes) -> bytes:
    return bytes(decompress_stream(bytearray(data)))


def expected_after_round_trip(data: bytes) -> bytes:
    """The spec pads an incompressible short final chunk (stored raw) with zeros."""
    if padding_free(data):
        return data
    return data + bytes(-len(data) % CHUNK_SIZE)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=3 * CHUNK_SIZE + 700))
def test_compression_round_trip_random_bytes(data: bytes) -> None:
    packed = compress(data)
    assert decompress(packed) == expected_after_round_trip(data)
    if data:
        assert olevba_decompress(packed) == expected_after_round_trip(data)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from([b"a", b"b", b"Sub ", b"End Sub\r\n", b"\x00", b"  "]), max_size=4000)
)
def test_compression_round_trip_repetitive(parts: list[bytes]) -> None:
    data = b"".join(parts)
    packed = compress(data)
    assert padding_free(data)
    assert decompress(packed) == data
    if data:
        assert olevba_decompress(packed) == data


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"x",
        b"\x00" * 50_000,
        b"ab" * 5000,
        bytes(range(256)) * 64,
        os.urandom(CHUNK_SIZE),
        os.urandom(2 * CHUNK_SIZE) + b"z" * 100,
        MACROS_BAS.encode() * 40,
    ],
    ids=["empty", "one", "zeros", "ab", "ramp", "random-chunk", "random-2-chunks", "vba-text"],
)
def test_compression_round_trip_examples(data: bytes) -> None:
    packed = compress(data)
    assert decompress(packed) == data
    if data:
        assert olevba_decompress(packed) == data
    if len(data) > 1000 and data[:64] == data[64:128]:
        assert len(packed) < len(data) // 10  # repetitive input really compresses


def test_compression_spec_examples() -> None:
    # [MS-OVBA] 3.2.1 (no compression possible): byte-exact.
    plain = b"abcdefghijklmnopqrstuv."
    assert compress(plain) == bytes.fromhex(
        "01 19 B0 00 61 62 63 64 65 66 67 68 00 69 6A 6B 6C 6D 6E 6F 70 00 71 72 73 74 75 76 2E"
    )
    # [MS-OVBA] 3.2.3 (copy tokens): Office's bytes decompress to the input. (Our
    # compressor picks the nearest of equally long matches, as the spec's own
    # algorithm says, so its bytes differ slightly from this example.)
    text = b"#aaabcdefaaaaghijaaaaaklaaamnopqaaaaaaaaaaaarstuvwxyzaaa"
    office = bytes.fromhex(
        "01 2F B0 00 23 61 61 61 62 63 64 65 82 66 00 70 61 67 68 69 6A 01 38 08 61 6B 6C 00 30"
        " 6D 6E 6F 70 06 71 02 70 04 10 72 73 74 75 76 10 77 78 79 7A 00 3C"
    )
    assert decompress(office) == text
    assert decompress(compress(text)) == text
    assert len(compress(text)) == len(office)


def test_decompress_rejects_garbage() -> None:
    with pytest.raises(ValueError):
        decompress(b"\x02abc")
    with pytest.raises(ValueError):
        decompress(b"\x01\xff\x0f")  # chunk header with a bad signature / truncated


# --- CFB container ----------------------------------------------------------------------


def tree_names(ole: olefile.OleFileIO, sid: int) -> list[str]:
    """In-order walk of a storage's child tree."""
    if sid == olefile.NOSTREAM:
        return []
    entry = ole.direntries[sid]
    return [*tree_names(ole, entry.sid_left), entry.name, *tree_names(ole, entry.sid_right)]


def black_height(ole: olefile.OleFileIO, sid: int) -> int:
    """Black height of a subtree; asserts the red-black invariants on the way."""
    if sid == olefile.NOSTREAM:
        return 1
    entry = ole.direntries[sid]
    if entry.color == 0:  # red: children must be black
        for child in (entry.sid_left, entry.sid_right):
            assert child == olefile.NOSTREAM or ole.direntries[child].color == 1
    left = black_height(ole, entry.sid_left)
    assert left == black_height(ole, entry.sid_right)
    return left + (1 if entry.color == 1 else 0)


@pytest.mark.parametrize("count", [0, 1, 2, 3, 4, 7, 8, 31, 40])
def test_cfb_streams_and_tree(count: int) -> None:
    streams = {f"Storage/S{i:02d}{'x' * (i % 5)}": os.urandom(i * 211) for i in range(count)}
    streams["Root small"] = b"tiny"
    streams["Root big"] = os.urandom(70_000)
    streams["Storage/Exactly4096"] = b"q" * 4096
    streams["Storage/Almost"] = b"r" * 4095
    data = build_cfb(streams)
    assert len(data) % 512 == 0
    ole = olefile.OleFileIO(io.BytesIO(data), raise_defects=olefile.DEFECT_INCORRECT)
    try:
        listed = {"/".join(path) for path in ole.listdir()}
        assert listed == set(streams)
        for path, content in streams.items():
            assert ole.get_size(path) == len(content)
            assert ole.openstream(path).read() == content
        storage_entry = next(e for e in ole.direntries if e is not None and e.name == "Storage")
        for storage in (ole.root, storage_entry):
            names = tree_names(ole, storage.sid_child)
            key = [(len(n), n.upper()) for n in names]
            assert key == sorted(key)  # a binary search tree in CFB name order
            assert ole.direntries[storage.sid_child].color == 1  # black root
            black_height(ole, storage.sid_child)
    finally:
        ole.close()


def test_cfb_rejects_bad_names() -> None:
    with pytest.raises(ValueError):
        build_cfb({"A" * 32: b""})
    with pytest.raises(ValueError):
        build_cfb({"VBA/dir": b"1", "VBA/DIR": b"2"})


# --- the VBA project ------------------------------------------------------------------


def dir_records(dir_stream: bytes) -> list[tuple[int, bytes]]:
    records = []
    pos = 0
    while pos < len(dir_stream):
        record_id, size = struct.unpack_from("<HI", dir_stream, pos)
        pos += 6
        if record_id == 0x0009:  # PROJECTVERSION: "size" is Reserved=4, then 6 bytes
            size = 6
        records.append((record_id, dir_stream[pos : pos + size]))
        pos += size
    return records


def decrypt(hex_text: str) -> tuple[int, bytes]:
    """[MS-OVBA] 2.4.3.3 Data Decryption; returns (project key, data)."""
    data = bytes.fromhex(hex_text)
    seed, version_enc, key_enc = data[0], data[1], data[2]
    assert seed ^ version_enc == 2
    key = seed ^ key_enc
    unencrypted, enc1, enc2 = key, key_enc, version_enc
    plain = bytearray()
    for byte_enc in data[3:]:
        byte = byte_enc ^ ((enc2 + unencrypted) & 0xFF)
        plain.append(byte)
        enc2, enc1, unencrypted = enc1, byte_enc, byte
    ignored = (seed & 6) // 2
    (length,) = struct.unpack_from("<I", plain, ignored)
    payload = bytes(plain[ignored + 4 :])
    assert len(payload) == length
    return key, payload


def test_decrypt_matches_a_project_saved_by_excel() -> None:
    # Values from a vbaProject.bin saved by Excel 16 (unprotected, visible).
    project_id = "{E73B243E-09A5-4CB0-B261-A37357B461D3}"
    key = sum(project_id.encode()) & 0xFF
    assert decrypt("DFDD63469DFA78FE78FE78FE78FE") == (key, bytes(4))
    assert decrypt("BEBC02A73E591C5A1C5A1C") == (key, b"\x00")
    assert decrypt("9D9F2184DF62E062E09D") == (key, b"\xff")


def test_project_streams(tmp_path: Path) -> None:
    modules = sample_modules(tmp_path)
    data = build_vba_project(modules)
    ole = olefile.OleFileIO(io.BytesIO(data), raise_defects=olefile.DEFECT_INCORRECT)
    try:
        names = {"/".join(path) for path in ole.listdir()}
        assert names == {
            "PROJECT",
            "PROJECTwm",
            "VBA/_VBA_PROJECT",
            "VBA/dir",
            "VBA/ThisWorkbook",
            "VBA/Sheet1",
            "VBA/Macros",
            "VBA/Helpers",
        }
        assert ole.openstream("VBA/_VBA_PROJECT").read() == b"\xcc\x61\xff\xff\x00\x01\x00"

        project = ole.openstream("PROJECT").read().decode("cp1252")
        assert project.endswith("\r\n") and "\n" not in project.replace("\r\n", "")
        lines = project.split("\r\n")
        project_id = re.fullmatch(r'ID="(\{[0-9A-F-]{36}\})"', lines[0])
        assert project_id is not None
        assert lines[1:5] == [
            "Document=ThisWorkbook/&H00000000",
            "Document=Sheet1/&H00000000",
            "Module=Macros",
            "Module=Helpers",
        ]
        assert 'Name="VBAProject"' in lines
        assert "[Host Extender Info]" in lines
        fields = dict(
            line.split("=", 1) for line in lines if line.startswith(("CMG=", "DPB=", "GC="))
        )
        key = sum(project_id.group(1).encode()) & 0xFF
        assert decrypt(fields["CMG"].strip('"')) == (key, bytes(4))  # not protected
        assert decrypt(fields["DPB"].strip('"')) == (key, b"\x00")  # no password
        assert decrypt(fields["GC"].strip('"')) == (key, b"\xff")  # visible

        expected_wm = b"".join(
            n.encode() + b"\x00" + n.encode("utf-16-le") + b"\x00\x00"
            for n in ("ThisWorkbook", "Sheet1", "Macros", "Helpers")
        )
        assert ole.openstream("PROJECTwm").read() == expected_wm + b"\x00\x00"

        records = dir_records(decompress(ole.openstream("VBA/dir").read()))
        ids = [record_id for record_id, _ in records]
        assert ids[0] == 0x0001 and records[0][1] == struct.pack("<I", 3)  # SYSKIND Win64
        assert (0x0003, struct.pack("<H", 1252)) in records
        assert (0x0004, b"VBAProject") in records
        assert ids[-1] == 0x0010
        assert ids.count(0x000D) == 2  # stdole + Office registered references
        assert (0x000F, struct.pack("<H", 4)) in records
        assert ids.count(0x0031) == 4
        assert all(data == bytes(4) for rid, data in records if rid == 0x0031)  # MODULEOFFSET
        assert ids.count(0x0022) == 2 and ids.count(0x0021) == 2  # document / procedural
        assert ids.count(0x002B) == 4

        for name, source in modules.items():
            stored = decompress(ole.openstream(f"VBA/{name}").read()).decode("cp1252")
            assert stored.startswith(f'Attribute VB_Name = "{name}"\r\n')
            assert stored.count("Attribute VB_Name") == 1
            assert stored.endswith("\r\n") and "\n" not in stored.replace("\r\n", "")
            assert normalise(stored) == normalise(source)
    finally:
        ole.close()


def test_build_is_deterministic_and_options(tmp_path: Path) -> None:
    modules = sample_modules(tmp_path)
    assert build_vba_project(modules) == build_vba_project(modules)
    fixed = uuid.UUID("12345678-1234-5678-1234-567812345678")
    data = build_vba_project(modules, project_id=fixed, syskind=SYSKIND_WIN32, project_name="Bao")
    ole = olefile.OleFileIO(io.BytesIO(data))
    try:
        project = ole.openstream("PROJECT").read().decode()
        assert project.startswith('ID="{12345678-1234-5678-1234-567812345678}"\r\n')
        assert 'Name="Bao"' in project
        records = dir_records(decompress(ole.openstream("VBA/dir").read()))
        assert records[0] == (0x0001, struct.pack("<I", 1))
    finally:
        ole.close()


def test_attribute_vb_name_is_normalised() -> None:
    sources = {
        "Renamed": 'Attribute VB_Name = "OldName"\nSub A()\nEnd Sub',  # name from the key wins
        "Plain": "Sub B()\r\nEnd Sub\r\n\r\n",
    }
    data = build_vba_project(sources, documents=("ThisWorkbook",))
    ole = olefile.OleFileIO(io.BytesIO(data))
    try:
        renamed = decompress(ole.openstream("VBA/Renamed").read())
        plain = decompress(ole.openstream("VBA/Plain").read())
    finally:
        ole.close()
    assert renamed == b'Attribute VB_Name = "Renamed"\r\nSub A()\r\nEnd Sub\r\n'
    assert plain == b'Attribute VB_Name = "Plain"\r\nSub B()\r\nEnd Sub\r\n'


def test_document_module_code_from_cls_export() -> None:
    cls = (
        "VERSION 1.0 CLASS\nBEGIN\n  MultiUse = -1  'True\nEND\n"
        'Attribute VB_Name = "ThisWorkbook"\n'
        'Attribute VB_Base = "0{00020819-0000-0000-C000-000000000046}"\n'
        "Attribute VB_Exposed = True\n" + WORKBOOK_CODE
    )
    data = build_vba_project({"ThisWorkbook": cls}, documents=sheet_documents(2))
    ole = olefile.OleFileIO(io.BytesIO(data))
    try:
        text = decompress(ole.openstream("VBA/ThisWorkbook").read()).decode()
        sheet2 = decompress(ole.openstream("VBA/Sheet2").read()).decode()
    finally:
        ole.close()
    assert text.count("Attribute VB_Name") == 1 and "VERSION" not in text
    assert text.count("Attribute VB_Base") == 1
    assert 'Attribute VB_Base = "0{00020819-0000-0000-C000-000000000046}"' in text
    assert text.endswith(WORKBOOK_CODE.replace("\n", "\r\n"))
    assert 'Attribute VB_Base = "0{00020820-0000-0000-C000-000000000046}"' in sheet2
    assert "Attribute VB_PredeclaredId = True" in sheet2


@pytest.mark.parametrize(
    ("modules", "message"),
    [
        ({"1Bad": ""}, "invalid module name"),
        ({"Has Space": ""}, "invalid module name"),
        ({"M" * 32: ""}, "invalid module name"),
        ({"Dup": "", "DUP": ""}, "duplicate"),
        ({"VBAProject": ""}, "clashes"),
        ({"Sheet1x": 'MsgBox "Quảng Ngãi"'}, "ChrW"),
        ({"Long": "' " + "x" * 1022}, "longer than"),
        ({"Cls": "VERSION 1.0 CLASS\nBEGIN\nEND\n"}, "class module"),
    ],
)
def test_invalid_input(modules: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build_vba_project(modules)


def test_codepage_1258_accepts_vietnamese() -> None:
    data = build_vba_project({"Vn": 'Const T = "Quảng Ngãi, Bình Sơn, ậ"'}, codepage=1258)
    ole = olefile.OleFileIO(io.BytesIO(data))
    try:
        stored = decompress(ole.openstream("VBA/Vn").read()).decode("cp1258")
    finally:
        ole.close()
    assert '"Quảng Ngãi, Bình Sơn, ậ"' in unicodedata.normalize("NFC", stored)


def test_read_bas(tmp_path: Path) -> None:
    macros, helpers = write_sources(tmp_path)
    name, text = read_bas(macros)
    assert name == "Macros" and "Public Sub SayHello()" in text
    assert read_bas(helpers) == ("Helpers", HELPERS_BAS)
    exported = tmp_path / "Export.bas"  # as the VBA editor writes it: cp1252, CRLF
    exported.write_bytes(b'Attribute VB_Name = "Caf\xe9"\r\nSub X()\r\nEnd Sub\r\n')
    assert read_bas(exported)[0] == "Café"
    bom = tmp_path / "Bom.bas"
    bom.write_bytes(b"\xef\xbb\xbfSub Y()\nEnd Sub\n")
    assert read_bas(bom) == ("Bom", "Sub Y()\nEnd Sub\n")


# --- XlsxWriter + olevba ----------------------------------------------------------------


def test_xlsm_olevba_extracts_exact_sources(tmp_path: Path) -> None:
    modules = sample_modules(tmp_path)
    modules["ThisWorkbook"] = WORKBOOK_CODE
    xlsm = make_xlsm(tmp_path / "book.xlsm", build_vba_project(modules))
    found = olevba_modules(xlsm)
    assert set(found) == {"ThisWorkbook", "Sheet1", "Macros", "Helpers"}
    for name, source in modules.items():
        assert normalise(found[name]) == normalise(source)
    assert normalise(found["Sheet1"]) == ""
    assert 'Attribute VB_Base = "0{00020820-0000-0000-C000-000000000046}"' in found["Sheet1"]
    with zipfile.ZipFile(xlsm) as package:
        assert package.read("xl/vbaProject.bin") == build_vba_project(modules)
        assert b'codeName="ThisWorkbook"' in package.read("xl/workbook.xml")
        assert b'codeName="Sheet1"' in package.read("xl/worksheets/sheet1.xml")


def test_xlsm_large_module(tmp_path: Path) -> None:
    """A module whose compressed stream is above the 4096-byte mini-stream cutoff."""
    source = "".join(
        f"Public Function Calc{i}(ByVal a As Long) As Long\n"
        f"    Calc{i} = a * {i * 7919 % 10007} + {i * 104729 % 65521}\nEnd Function\n\n"
        for i in range(600)
    )
    vba = build_vba_project({"Big": source, "Small": HELPERS_BAS})
    ole = olefile.OleFileIO(io.BytesIO(vba), raise_defects=olefile.DEFECT_INCORRECT)
    try:
        assert ole.get_size("VBA/Big") > 4096 > ole.get_size("VBA/Small")
    finally:
        ole.close()
    found = olevba_modules(make_xlsm(tmp_path / "big.xlsm", vba))
    assert normalise(found["Big"]) == normalise(source)
    assert normalise(found["Small"]) == normalise(HELPERS_BAS)


def test_xlsm_document_modules_match_code_names(tmp_path: Path) -> None:
    vba = build_vba_project(sample_modules(tmp_path), documents=sheet_documents(3))
    xlsm = make_xlsm(tmp_path / "three.xlsm", vba, sheets=3)
    found = olevba_modules(xlsm)
    with zipfile.ZipFile(xlsm) as package:
        code_names = [
            re.search(rb'codeName="([^"]+)"', package.read(f"xl/worksheets/sheet{i}.xml"))
            for i in (1, 2, 3)
        ]
    assert [m.group(1).decode() for m in code_names if m] == ["Sheet1", "Sheet2", "Sheet3"]
    assert {"ThisWorkbook", "Sheet1", "Sheet2", "Sheet3"} <= set(found)


def test_xlsm_with_button(tmp_path: Path) -> None:
    xlsm = make_xlsm(
        tmp_path / "button.xlsm", build_vba_project(sample_modules(tmp_path)), button=True
    )
    with zipfile.ZipFile(xlsm) as package:
        assert package.testzip() is None
        vml = package.read("xl/drawings/vmlDrawing1.vml").decode()
        assert "[0]!SayHello" in vml
        types = package.read("[Content_Types].xml").decode()
        assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in types
        assert "application/vnd.ms-office.vbaProject" in types
    found = olevba_modules(xlsm)
    assert "Public Sub SayHello()" in found["Macros"]


# --- LibreOffice ----------------------------------------------------------------------


@pytest.mark.libreoffice
def test_xlsm_opens_in_libreoffice(soffice: LibreOffice, tmp_path: Path) -> None:
    modules = sample_modules(tmp_path)
    modules["ThisWorkbook"] = WORKBOOK_CODE
    xlsm = make_xlsm(tmp_path / "lo.xlsm", build_vba_project(modules), button=True)
    out = tmp_path / "out"
    result = soffice.convert([xlsm], out, "pdf")
    assert result.returncode == 0, result.stderr
    assert (out / "lo.pdf").stat().st_size > 0
    # LibreOffice's own VBA importer must find every module, with its type and code.
    result = soffice.convert([xlsm], out, "ods")
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(out / "lo.ods") as package:
        basic = {
            Path(name).stem: package.read(name).decode()
            for name in package.namelist()
            if name.startswith("Basic/VBAProject/") and not name.endswith("script-lb.xml")
        }
    assert set(basic) == {"ThisWorkbook", "Sheet1", "Macros", "Helpers"}
    assert 'script:moduleType="document"' in basic["ThisWorkbook"]
    assert 'script:moduleType="normal"' in basic["Macros"]
    for name, source in modules.items():
        body = re.search(r"<script:module[^>]*>(.*)</script:module>", basic[name], re.S)
        assert body is not None
        code = body.group(1).replace("&quot;", '"').replace("&amp;", "&")
        code = code.replace("&lt;", "<").replace("&gt;", ">").replace("&apos;", "'")
        kept = [
            line
            for line in code.split("\n")
            if not line.startswith(("Rem Attribute VBA_ModuleType", "Option VBASupport"))
        ]
        assert normalise("\n".join(kept)) == normalise(source)


_PROBE = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">
<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Probe"
 script:language="StarBasic">
Sub Run(sIn As String, sOut As String, sScript As String)
  Dim args(1) As New com.sun.star.beans.PropertyValue
  args(0).Name = &quot;MacroExecutionMode&quot;
  args(0).Value = 4
  args(1).Name = &quot;Hidden&quot;
  args(1).Value = True
  oDoc = StarDesktop.loadComponentFromURL(ConvertToURL(sIn), &quot;_blank&quot;, 0, args())
  oDoc.getScriptProvider().getScript(sScript).invoke(Array(), Array(), Array())
  oDoc.calculateAll()
  oSheet = oDoc.Sheets.getByIndex(0)
  s = oSheet.getCellRangeByName(&quot;A1&quot;).getString()
  s = s &amp; &quot;|&quot; &amp; oSheet.getCellRangeByName(&quot;B2&quot;).getString()
  s = s &amp; &quot;|&quot; &amp; oSheet.getCellRangeByName(&quot;C1&quot;).getString()
  n = FreeFile
  Open sOut For Output As #n
  Print #n, s
  Close #n
  oDoc.close(True)
End Sub
</script:module>
"""

_SETTINGS = """
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop
 oor:name="MacroSecurityLevel" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Filter/Import/VBA"><prop oor:name="Executable"
 oor:op="fuse"><value>true</value></prop></item>
"""


_DTD = '<!DOCTYPE library:{0} PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "{1}.dtd">'
_LIBRARIES = f"""<?xml version="1.0" encoding="UTF-8"?>
{_DTD.format("libraries", "libraries")}
<library:libraries xmlns:library="http://openoffice.org/2000/library"
 xmlns:xlink="http://www.w3.org/1999/xlink">
 <library:library library:name="Standard" xlink:href="$(USER)/basic/Standard/script.xlb/"
  xlink:type="simple" library:link="false"/>
</library:libraries>
"""
_LIBRARY = f"""<?xml version="1.0" encoding="UTF-8"?>
{_DTD.format("library", "library")}
<library:library xmlns:library="http://openoffice.org/2000/library" library:name="Standard"
 library:readonly="false" library:passwordprotected="false">
 <library:element library:name="Probe"/>
</library:library>
"""


def run_soffice(args: list[str], timeout: float = 180) -> None:
    """Run LibreOffice in its own process group, killed if it outlives ``timeout``."""
    proc = subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"LibreOffice did not finish: {args[-1]}")


def probe_profile(exe: str, root: Path) -> Path:
    """A LibreOffice user profile with VBA execution on and a Basic macro that runs one.

    LibreOffice initialises a new profile on first start (replacing the user
    Basic library), so start it once before adding the settings and macro.
    """
    run_soffice(
        [
            exe,
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{root}",
            "--terminate_after_init",
        ]
    )
    settings_file = root / "user" / "registrymodifications.xcu"
    text = settings_file.read_text(encoding="utf-8")
    settings_file.write_text(text.replace("</oor:items>", _SETTINGS + "</oor:items>"), "utf-8")
    basic = root / "user" / "basic"
    (basic / "Standard").mkdir(parents=True, exist_ok=True)
    (basic / "script.xlc").write_text(_LIBRARIES)
    (basic / "Standard" / "script.xlb").write_text(_LIBRARY)
    (basic / "Standard" / "Probe.xba").write_text(_PROBE)
    return root


@pytest.mark.libreoffice
def test_macros_run_in_libreoffice(soffice: LibreOffice, tmp_path: Path) -> None:
    """LibreOffice's VBA runtime compiles and runs the modules from our vbaProject.bin.

    This is no proof for Excel, but it executes the code from source exactly as
    Excel must (there is no p-code), including the Sheet1 document code name.
    """
    xlsm = tmp_path / "run.xlsm"
    workbook = xlsxwriter.Workbook(str(xlsm))
    worksheet = workbook.add_worksheet()
    worksheet.write_formula("C1", "=Twice(5)", None, 0)  # a VBA UDF used in a cell
    workbook.add_vba_project(
        io.BytesIO(build_vba_project(sample_modules(tmp_path))), is_stream=True
    )
    workbook.close()
    out = tmp_path / "probe.txt"
    script = "vnd.sun.star.script:VBAProject.Macros.Fill?language=Basic&location=document"
    profile = probe_profile(soffice.exe, tmp_path / "profile")
    run_soffice(
        [
            soffice.exe,
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{profile}",
            f'macro:///Standard.Probe.Run("{xlsm}","{out}","{script}")',
        ]
    )
    assert out.read_text().strip() == "filled by VBA|42|10"
