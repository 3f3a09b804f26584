"""The forms as official documents (Decree 09/2019/NĐ-CP): header lines, closing dates,
phone and code cells, what prints; and the official-style helpers they rely on."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import openpyxl
import pytest

from xlsaddin.core.cells import display_vi
from xlsaddin.core.issues import raw
from xlsaddin.core.sheets import CHECK_SHEET
from xlsaddin.forms import Filled, write_workbook
from xlsaddin.forms.checksheet import NO_PRINT_CELL
from xlsaddin.read import read_file
from xlsaddin.rules.checks import countif_matches
from xlsaddin.spec import AppendixSpec, Mappings
from xlsaddin.spec.layout import a1, compute_layout, wrapped_lines
from xlsaddin.text.dates import format_date_vi, place_date_vi
from xlsaddin.text.names import mid_sentence
from xlsaddin.units import by_code

from .paths import ROOT

WORKBOOKS = ROOT / "workbooks"


def test_dates_are_written_as_the_seeds_write_them() -> None:
    # 133 of the 152 numeric dates in ../shared/seeds/: day two digits, month without a zero
    assert format_date_vi(dt.date(2025, 9, 4)) == "04/9/2025"
    assert format_date_vi(dt.date(2024, 12, 9)) == "09/12/2024"
    assert format_date_vi(dt.date(2025, 7, 1)) == "01/7/2025"
    # Decree 30's place-and-date line: day < 10 and months 1, 2 take a zero
    assert (
        place_date_vi("Quảng Ngãi", dt.date(2026, 2, 5)) == "Quảng Ngãi, ngày 05 tháng 02 năm 2026"
    )
    assert place_date_vi("Hà Nội", dt.date(2025, 9, 26)) == "Hà Nội, ngày 26 tháng 9 năm 2025"
    blank = place_date_vi("Quảng Ngãi", None, today=dt.date(2025, 12, 3))
    assert blank == "Quảng Ngãi, ngày      tháng 12 năm 2025"


def test_values_read_as_an_officer_reads_them() -> None:
    assert display_vi(300.0) == "300"
    assert display_vi(1234.5) == "1.234,5"
    assert display_vi(2759865) == "2.759.865"
    assert display_vi(-0.25) == "-0,25"
    assert display_vi(dt.date(2025, 9, 5)) == "05/9/2025"
    assert display_vi(dt.datetime(2025, 9, 5)) == "05/9/2025"
    assert display_vi(dt.datetime(2025, 9, 5, 8, 30)) == "05/9/2025 08:30"
    assert display_vi("1.234,5") == "1.234,5"  # text stays as typed
    assert raw("") is None and raw(12.0) == "12"


def test_unit_names_mid_sentence() -> None:
    assert mid_sentence("Xã Sơn Tịnh") == "xã Sơn Tịnh"
    assert mid_sentence("Phường Nghĩa Lộ") == "phường Nghĩa Lộ"
    assert mid_sentence("Đặc khu Lý Sơn") == "đặc khu Lý Sơn"
    assert mid_sentence("Xãhội") == "Xãhội"


def test_wrapped_lines_estimate() -> None:
    label = "Kết nối mạng truyền số liệu chuyên dùng của cơ quan Đảng, Nhà nước"
    assert wrapped_lines(label, 80) == 1
    assert wrapped_lines(label, 30) == 3  # "Kết nối ... liệu" / "chuyên ... Đảng," / "Nhà nước"
    assert wrapped_lines("a\nb", 30) == 2
    assert wrapped_lines("x" * 100, 10) >= 10  # a word longer than a line breaks anywhere


def test_countif_matches_like_excel() -> None:
    names = ["Xã Ba Tơ", "Xã Ba Tơ Mới", "Phường Kon Tum"]
    assert countif_matches("Xã Ba Tơ", names) == 1
    assert countif_matches("XÃ BA TƠ", names) == 1  # COUNTIF ignores case
    assert countif_matches("=Xã Ba Tơ", names) == 1
    assert countif_matches("Xã Ba Tơ*", names) == 2  # wildcards
    assert countif_matches("Xã Ba Tơ ", names) == 0  # no trimming
    assert countif_matches(None, names) == countif_matches(21484, names) == 0


def test_quarterly_closing_dates_follow_decree_09(mappings: Mappings) -> None:
    """Điều 12: a quarter's data run from the 15th of the month before the period to the 14th
    of the quarter's last month; the closing date is that 14th."""
    quarters = [p for p in mappings.project.periods if "-q" in p.id]
    assert quarters
    for period in quarters:
        year, quarter = int(period.id[:4]), int(period.id[-1])
        assert period.closing_date == dt.date(year, 3 * quarter, 14), period.id
        assert period.deadline > period.closing_date


def _template(mappings: Mappings, spec: AppendixSpec, folder: Path) -> Path:
    """The blank form as ``xlsaddin build`` writes it (for the shipped appendices the same
    bytes as workbooks/, test_build checks that; an extra appendix has no committed copy)."""
    return write_workbook(mappings, spec, folder / spec.file_name)


def test_form_header_carries_the_issuing_document(mappings: Mappings, tmp_path: Path) -> None:
    text = mappings.project.issued_with
    assert text and text.startswith("(Ban hành kèm theo")
    for spec in mappings.appendices:
        ws = openpyxl.load_workbook(_template(mappings, spec, tmp_path))[spec.sheet_name]
        layout = compute_layout(spec, mappings.header_of(spec))
        row = layout.title_rows[-1] + 1 + (layout.subtitle_row is not None)
        assert ws.cell(row + 1, 1).value == text, spec.id
        assert row < layout.header_lines[0].row  # above the Decree-09 header lines


def test_check_sheet_is_not_printed_but_stays_live(mappings: Mappings, tmp_path: Path) -> None:
    for spec in mappings.appendices:
        book = openpyxl.load_workbook(_template(mappings, spec, tmp_path))
        check = book[CHECK_SHEET]
        ref = a1(*NO_PRINT_CELL, absolute=True)
        assert check.print_area == f"'{CHECK_SHEET}'!{ref}"
        assert check[ref.replace("$", "")].value is None  # nothing to print
        assert check.sheet_state == "visible"  # the commune still reads it
        assert str(check["C3"].value).startswith("=IF(")  # the verdict formula is live
        form = book[spec.sheet_name]
        assert form.print_area and form.print_title_rows  # the form prints, header repeated
        assert form.page_setup.paperSize == 9 and form.sheet_properties.pageSetUpPr.fitToPage
        assert "Trang &P/&N" in form.oddFooter.right.text
        assert mappings.project.period().label in form.oddFooter.left.text


def test_phone_and_code_cells(mappings: Mappings, tmp_path: Path) -> None:
    spec = mappings.appendix("nguon_luc_tai_chinh")
    layout = compute_layout(spec, mappings.header_of(spec))
    ws = openpyxl.load_workbook(WORKBOOKS / spec.file_name)[spec.sheet_name]
    phone = layout.header_cell("phone")
    code = layout.header_cell("unit_code")
    assert ws.cell(phone[0] + 1, phone[1] + 1).number_format == "@"  # typed as text
    assert ws.cell(code[0] + 1, code[1] + 1).number_format == "00000"

    # a phone Excel turned into a number (an old copy, a paste) is read back with its zero
    path = tmp_path / "pl02.xlsx"
    write_workbook(
        mappings,
        spec,
        path,
        unit=by_code(21484),
        fill=Filled(header={"phone": 905111222, "reporter": "Lê Văn A"}),
    )
    table = read_file(path, mappings, hashlib.sha256(path.read_bytes()).hexdigest())
    assert not isinstance(table, list)
    assert table.header["phone"].value == "0905111222"
    assert table.header["reporter"].value == "Lê Văn A"


@pytest.mark.parametrize("unit", [None, 21484])
def test_blank_forms_are_not_ready_to_send(
    mappings: Mappings, tmp_path: Path, unit: int | None
) -> None:
    """The status line of a blank form never says "Sẵn sàng gửi" (cached Python verdict; the
    engines' verdicts are compared in test_agreement)."""
    spec = mappings.appendix("nhiem_vu")
    path = tmp_path / "pl04.xlsx"
    write_workbook(mappings, spec, path, unit=by_code(unit) if unit else None)
    status = openpyxl.load_workbook(path, data_only=True)[CHECK_SHEET]["C3"].value
    assert status == ("Còn 1 lỗi" if unit is None else "Chưa có nhiệm vụ nào (cảnh báo)")
