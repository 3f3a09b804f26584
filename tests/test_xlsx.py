"""The worksheet classes of xlsaddin/xlsx.py write exactly what XlsxWriter itself writes."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
import xlsxwriter.workbook
from hypothesis import given, settings
from hypothesis import strategies as st
from xlsxwriter.worksheet import Worksheet

from xlsaddin.forms import write_workbook
from xlsaddin.spec import Mappings
from xlsaddin.xlsx import (
    _FAST_CELLS,
    CLASSIC,
    CapturingWorksheet,
    ClassicWorksheet,
    QuickZipWorkbook,
)


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


@pytest.mark.parametrize("override", ["_prepare_formula", "_write_cell"])
def test_templates_are_byte_identical_without_an_override(
    override: str, mappings: Mappings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Neither the shortcut of XlsxWriter's private ``_prepare_formula`` nor the cell
    writer changes anything written: every appendix's template (check sheet: hundreds of
    formulas) is the same XML with ClassicWorksheet's override as with XlsxWriter's own."""
    fast = {}
    for spec in mappings.appendices:
        fast[spec.code] = _parts(write_workbook(mappings, spec, tmp_path / f"a{spec.code}.xlsx"))
    monkeypatch.delattr(ClassicWorksheet, override)
    for spec in mappings.appendices:
        slow = _parts(write_workbook(mappings, spec, tmp_path / f"b{spec.code}.xlsx"))
        assert slow == fast[spec.code], spec.code
        assert any(b"<f>" in part for part in slow.values())  # formulas were written


def test_the_cell_writer_is_in_use() -> None:
    """XlsxWriter still names the cell classes it relies on (else every cell would
    silently take the slow path and the benchmark's figure would no longer hold)."""
    assert set(_FAST_CELLS.values()) == {"n", "s", "b"}


_TEXTS = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12
) | st.sampled_from(["", " a ", "<b>&\"'", "=1+1", "Xã Tịnh Ấn Tây", "a\nb", "\x01\x1f"])
_NUMBERS = st.integers(-(10**18), 10**18) | st.floats(allow_nan=False, allow_infinity=False)
_CELLS = st.one_of(
    st.tuples(st.just("number"), _NUMBERS),
    st.tuples(st.just("string"), _TEXTS),
    st.tuples(st.just("blank"), st.none()),
    st.tuples(
        st.just("date"), st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(9999, 12, 31))
    ),
    st.tuples(st.just("formula"), st.sampled_from(["=SUM(A1:B2)", '=IF(A1>0,"Đạt","")'])),
    st.tuples(st.just("bool"), st.booleans()),
)


@settings(max_examples=60, deadline=None)
@given(
    cells=st.lists(
        st.tuples(st.integers(0, 40), st.integers(0, 30), _CELLS, st.integers(0, 3)),
        max_size=40,
    ),
    row_format=st.booleans(),
    column_format=st.booleans(),
    constant_memory=st.booleans(),
)
def test_cell_writer_writes_what_xlsxwriter_writes(
    cells: list[tuple[int, int, tuple[str, Any], int]],
    row_format: bool,
    column_format: bool,
    constant_memory: bool,
) -> None:
    """Every kind of cell, with a format or without (a row's or a column's format then
    applies), in either of XlsxWriter's modes: the same XML, shared strings included."""
    if constant_memory:  # rows must then come in order
        cells = sorted(cells, key=lambda c: (c[0], c[1]))

    def written(worksheet_class: type[Any]) -> dict[str, bytes]:
        out = io.BytesIO()
        # constant_memory needs temporary files: it is off when in_memory is on
        options = {"in_memory": not constant_memory, "constant_memory": constant_memory}
        book = xlsxwriter.Workbook(out, options)
        assert worksheet_class is Worksheet or book.constant_memory == constant_memory
        ws = book.add_worksheet("Trang", worksheet_class=worksheet_class)
        formats = [None, *(book.add_format({"border": i, "num_format": "0.00"}) for i in (1, 2))]
        formats.append(book.add_format({"num_format": "dd/mm/yyyy"}))
        if row_format:
            ws.set_row(3, None, formats[1])
        if column_format:
            ws.set_column(2, 4, 12, formats[2])
        for row, col, (kind, value), f in cells:
            fmt = formats[f]
            if kind == "number":
                ws.write_number(row, col, value, fmt)
            elif kind == "string":
                ws.write_string(row, col, value, fmt)
            elif kind == "blank":
                ws.write_blank(row, col, None, fmt or formats[1])  # unformatted: not stored
            elif kind == "date":
                ws.write_datetime(row, col, value, fmt or formats[3])
            elif kind == "formula":
                ws.write_formula(row, col, value, fmt, 0)
            else:
                ws.write_boolean(row, col, value, fmt)
        book.close()
        return _parts_of(out)

    assert written(ClassicWorksheet) == written(Worksheet)


def test_cell_writer_leaves_a_falsy_format_to_xlsxwriter() -> None:
    """XlsxWriter treats any false format as none (the row's or column's then applies)."""

    def written(worksheet_class: type[Any]) -> dict[str, bytes]:
        out = io.BytesIO()
        book = xlsxwriter.Workbook(out, {"in_memory": True})
        ws = book.add_worksheet("Trang", worksheet_class=worksheet_class)
        ws.set_column(1, 1, 10, book.add_format({"bold": True}))
        ws.write_number(0, 0, 1, False)
        ws.write_string(0, 1, "chữ", 0)
        book.close()
        return _parts_of(out)

    assert written(ClassicWorksheet) == written(Worksheet)


def _parts_of(data: io.BytesIO) -> dict[str, bytes]:
    with zipfile.ZipFile(data) as zf:
        return {name: zf.read(name) for name in zf.namelist() if name.startswith("xl/")}


@pytest.mark.parametrize(
    "formula",
    [
        "=SUM(A1:A3)",
        '=IF(AND(ISNUMBER(B2),B2>=0),"","Lỗi: số âm")',
        "{=SUM(IF(A1:A3>0,1,0))}",
        '=IFERROR(COUNTIF(A:A,"Đạt")/SUMIF(B:B,">0",C:C),0)',
        '=IF(A1="FILTER(x)",1,0)',  # a future function's name inside a text literal
        "=FILTER(A1:A3,A1:A3>0)",  # a future function: XlsxWriter's path
        "=_xlfn.STDEV.S(A1:A3)",
        "=sum(a1:a3)",
    ],
)
def test_formula_shortcut_equals_xlsxwriter(formula: str) -> None:
    ws = ClassicWorksheet()
    assert ws._prepare_formula(formula) == Worksheet._prepare_formula(ws, formula)
    assert ws._prepare_formula(formula, True) == Worksheet._prepare_formula(ws, formula, True)


def test_classic_functions_are_not_future_functions() -> None:
    """XlsxWriter prefixes none of them (else the shortcut would drop a prefix)."""
    ws = Worksheet()
    for name in CLASSIC:
        assert Worksheet._prepare_formula(ws, f"={name}(A1)", True) == f"{name}(A1)"


def _sheet_xml(worksheet_class: type[Any], use_put: bool) -> tuple[bytes, Any]:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    ws = book.add_worksheet("Trang", worksheet_class=worksheet_class)
    fmt = book.add_format({"border": 1, "num_format": "dd/mm/yyyy"})
    if use_put:
        ws.put_string(0, 0, "=1+1 vẫn là chữ", fmt)
        ws.put_number(0, 1, 2.5, fmt)
        ws.put_blank(0, 2, fmt)
        ws.put_datetime(0, 3, dt.date(2025, 12, 15), fmt)
    else:
        ws.write_string(0, 0, "=1+1 vẫn là chữ", fmt)
        ws.write_number(0, 1, 2.5, fmt)
        ws.write_blank(0, 2, None, fmt)
        ws.write_datetime(0, 3, dt.date(2025, 12, 15), fmt)
    ws.write_formula(1, 0, "=SUM(B1:B1)", fmt, 2.5)
    ws.merge_range(2, 0, 2, 3, "Tiêu đề gộp ô", fmt)
    grid = ws.grid() if isinstance(ws, CapturingWorksheet) else None
    book.close()
    with zipfile.ZipFile(out) as zf:
        return zf.read("xl/worksheets/sheet1.xml"), grid


def test_worksheet_classes_write_what_xlsxwriter_writes() -> None:
    reference, _ = _sheet_xml(Worksheet, use_put=False)
    for cls in (ClassicWorksheet, CapturingWorksheet):
        for use_put in (False, True):
            xml, _ = _sheet_xml(cls, use_put)
            assert xml == reference, (cls.__name__, use_put)


def test_capturing_worksheet_remembers_what_was_written() -> None:
    _, grid = _sheet_xml(CapturingWorksheet, use_put=True)
    assert grid == [
        ["=1+1 vẫn là chữ", 2.5, "", dt.date(2025, 12, 15)],
        [2.5, "", "", ""],
        ["Tiêu đề gộp ô", "", "", ""],
    ]
    _, public = _sheet_xml(CapturingWorksheet, use_put=False)
    assert public == grid


def _book_with_data(cls: type[Any], target: Any, in_memory: bool = True) -> None:
    book = cls(target, {"in_memory": in_memory})
    ws = book.add_worksheet("Số liệu")
    for r in range(400):
        ws.write_string(r, 0, f"Xã số {r % 96} — tiêu chí {r}")
        ws.write_number(r, 1, r * 1.25)
    book.close()


def _deflated_size(data: bytes, level: int) -> int:
    packer = zlib.compressobj(level, zlib.DEFLATED, -15)
    return len(packer.compress(data) + packer.flush())


@pytest.mark.parametrize("in_memory", [True, False])  # parts from memory or temp files
def test_quick_zip_workbook_holds_the_same_xml_deflated_at_level_1(
    tmp_path: Path, in_memory: bool
) -> None:
    _book_with_data(xlsxwriter.Workbook, tmp_path / "thuong.xlsx", in_memory)
    _book_with_data(QuickZipWorkbook, tmp_path / "nhanh.xlsx", in_memory)
    assert _parts(tmp_path / "nhanh.xlsx") == _parts(tmp_path / "thuong.xlsx")
    sheet = "xl/worksheets/sheet1.xml"
    with (
        zipfile.ZipFile(tmp_path / "thuong.xlsx") as usual,
        zipfile.ZipFile(tmp_path / "nhanh.xlsx") as quick,
    ):
        data = quick.read(sheet)
        assert _deflated_size(data, 1) != _deflated_size(data, 6)  # the levels differ here
        assert quick.getinfo(sheet).compress_size == _deflated_size(data, 1)
        assert usual.getinfo(sheet).compress_size == _deflated_size(data, 6)
        assert quick.testzip() is None
    assert xlsxwriter.workbook.ZipFile is zipfile.ZipFile  # put back after close


def test_quick_zip_workbook_puts_zipfile_back_when_close_fails(tmp_path: Path) -> None:
    with pytest.raises(xlsxwriter.exceptions.FileCreateError):
        _book_with_data(QuickZipWorkbook, tmp_path / "khong-co" / "thu-muc.xlsx")
    assert xlsxwriter.workbook.ZipFile is zipfile.ZipFile


def test_quick_zip_workbook_leaves_a_changed_xlsxwriter_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where XlsxWriter's module no longer names zipfile.ZipFile, nothing is swapped: the
    workbook is written XlsxWriter's own way."""

    class OtherZip(zipfile.ZipFile):
        pass

    monkeypatch.setattr(xlsxwriter.workbook, "ZipFile", OtherZip)
    _book_with_data(QuickZipWorkbook, tmp_path / "khac.xlsx")
    assert xlsxwriter.workbook.ZipFile is OtherZip
    with zipfile.ZipFile(tmp_path / "khac.xlsx") as zf:
        data = zf.read("xl/worksheets/sheet1.xml")
        assert zf.getinfo("xl/worksheets/sheet1.xml").compress_size == _deflated_size(data, 6)
