"""The standard workbooks: structure, protection, validation, staleness, rendering."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
import yaml

from xlsaddin.forms import build_templates, build_unit_copies, compute_layout
from xlsaddin.forms.check import check_templates
from xlsaddin.spec import Mappings, load_mappings
from xlsaddin.spec.layout import a1, col_letter
from xlsaddin.units import by_code, load_units

from .conftest import LibreOffice
from .paths import ROOT, SHIPPED_MAPPINGS

WORKBOOKS = ROOT / "workbooks"


def test_col_letter() -> None:
    assert [col_letter(i) for i in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]
    assert a1(0, 0) == "A1" and a1(9, 2, absolute=True) == "$C$10"


def test_committed_workbooks_are_up_to_date() -> None:
    """workbooks/ is built from the shipped mappings/ (run `xlsaddin build` after editing)."""
    assert check_templates(load_mappings(SHIPPED_MAPPINGS), WORKBOOKS) == []


def test_staleness_check_catches_a_changed_label(tmp_path: Path) -> None:
    root = tmp_path / "mappings"
    shutil.copytree(ROOT / "mappings", root)
    spec_file = root / "appendices" / "02_nguon_luc_tai_chinh.yaml"
    data = yaml.safe_load(spec_file.read_text(encoding="utf-8"))
    data["table"]["columns"][2]["label"] = "Dự toán năm"
    spec_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    problems = check_templates(load_mappings(root), WORKBOOKS)
    assert [p.split(":")[0] for p in problems] == [
        str(WORKBOOKS / "PL02_NguonLucTaiChinh.xlsx"),
        str(WORKBOOKS / "PL02_NguonLucTaiChinh.xlsm"),
    ]
    assert all("Dự toán năm" in p for p in problems)


def test_staleness_check_catches_a_changed_criterion(tmp_path: Path) -> None:
    root = tmp_path / "mappings"
    shutil.copytree(ROOT / "mappings", root)
    cat = root / "catalogues" / "tieu_chi_ha_tang.yaml"
    cat.write_text(
        cat.read_text(encoding="utf-8").replace("Máy lấy số xếp hàng tự động", "Máy lấy số thứ tự"),
        encoding="utf-8",
    )
    problems = check_templates(load_mappings(root), WORKBOOKS)
    assert [p.split(":")[0] for p in problems] == [
        str(WORKBOOKS / "PL01_TieuChiHaTang.xlsx"),
        str(WORKBOOKS / "PL01_TieuChiHaTang.xlsm"),
    ]


def test_build_is_byte_reproducible(mappings: Mappings, tmp_path: Path) -> None:
    a = build_templates(mappings, tmp_path / "a").paths
    b = build_templates(mappings, tmp_path / "b").paths
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]


@pytest.fixture(scope="module")
def books(
    mappings: Mappings, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, openpyxl.Workbook]:
    out = tmp_path_factory.mktemp("templates")
    build_templates(mappings, out)
    return {spec.id: openpyxl.load_workbook(out / spec.file_name) for spec in mappings.appendices}


def test_sheets_meta_and_protection(
    mappings: Mappings, books: dict[str, openpyxl.Workbook]
) -> None:
    for spec in mappings.appendices:
        book = books[spec.id]
        assert book.sheetnames == [spec.sheet_name, "Kiểm tra", "_lists", "_meta"]
        ws = book[spec.sheet_name]
        assert ws.sheet_state == "visible" and ws.protection.sheet
        assert book["_meta"].sheet_state == "veryHidden"
        assert book["_lists"].sheet_state == "hidden"
        meta = {(k, key): v for k, key, v in book["_meta"].iter_rows(min_row=2, values_only=True)}
        assert meta[("meta", "template_id")] == spec.id
        assert meta[("meta", "template_version")] == spec.version
        assert meta[("meta", "spec_hash")] == mappings.hashes[spec.id]
        assert meta[("meta", "unit_code")] in ("", None)
        layout = compute_layout(spec, mappings.header_of(spec))
        assert meta[("meta", "first_data_row")] == str(layout.first_data_row + 1)
        assert ws.freeze_panes == a1(layout.first_data_row, 0)
        assert ws.page_setup.paperSize == 9


def test_input_cells_unlocked_everything_else_locked(
    mappings: Mappings, books: dict[str, openpyxl.Workbook]
) -> None:
    for spec in mappings.appendices:
        ws = books[spec.id][spec.sheet_name]
        layout = compute_layout(spec, mappings.header_of(spec))
        for data_row in layout.data_rows:
            for i, col in enumerate(spec.table.columns):
                cell = ws.cell(row=data_row.row + 1, column=i + 1)
                expect_input = col.is_input and not data_row.is_total
                assert cell.protection.locked is not expect_input, (spec.id, cell.coordinate)
        # fixed header values (period, dates, receiving unit) are locked; unit name is input
        row, col = layout.header_cell("closing_date")
        assert ws.cell(row=row + 1, column=col + 1).protection.locked
        row, col = layout.header_cell("unit_name")
        assert not ws.cell(row=row + 1, column=col + 1).protection.locked
        labels = [c.value for c in ws[layout.table_top + 1]]
        assert labels[0] in ("STT", "TT")


def test_data_validation_matches_column_types(
    mappings: Mappings, books: dict[str, openpyxl.Workbook]
) -> None:
    for spec in mappings.appendices:
        ws = books[spec.id][spec.sheet_name]
        layout = compute_layout(spec, mappings.header_of(spec))
        by_col: dict[str, list[object]] = {}
        for dv in ws.data_validations.dataValidation:
            for rng in dv.sqref.ranges:
                by_col.setdefault(col_letter(rng.min_col - 1), []).append(dv)
        for i, col in enumerate(spec.table.columns):
            if not col.is_input:
                continue
            letter = col_letter(i)
            kinds = {
                dv.type
                for dv in by_col.get(letter, [])  # type: ignore[attr-defined]
                if min(r.min_row for r in dv.sqref.ranges) > layout.table_top + 1  # type: ignore[attr-defined]
            }
            expected = {
                "int": "whole",
                "decimal": "decimal",
                "date": "date",
                "choice": "list",
                "bool": "list",
                "text": None,
            }[col.type]
            assert kinds == ({expected} if expected else set()), (spec.id, col.key, kinds)
        choice_cols = [c for c in spec.table.columns if c.type == "choice"]
        for col in choice_cols:
            letter = col_letter(spec.table.columns.index(col))
            formulas = [
                dv.formula1  # type: ignore[attr-defined]
                for dv in by_col[letter]
                if min(r.min_row for r in dv.sqref.ranges) > layout.table_top + 1  # type: ignore[attr-defined]
            ]  # the table's own validations (the header above may have the unit list)
            assert formulas == ['"' + ",".join(col.allowed) + '"']


def test_defined_names_cover_every_input_area(
    mappings: Mappings, books: dict[str, openpyxl.Workbook]
) -> None:
    for spec in mappings.appendices:
        names = books[spec.id].defined_names
        for col in spec.table.columns:
            assert (f"col_{col.key}" in names) is col.is_input
        for field in mappings.header_of(spec):
            assert f"hdr_{field.key}" in names
        assert "data_table" in names


def test_unit_copies_prefill_and_lock_the_unit(mappings: Mappings, tmp_path: Path) -> None:
    unit = by_code(21548)
    paths = build_unit_copies(mappings, tmp_path, [unit]).paths
    assert len(paths) == len(mappings.appendices)
    assert all(p.parent.name == "21548_DackhuLySon" for p in paths)
    spec = mappings.appendices[0]
    ws = openpyxl.load_workbook(paths[0])[spec.sheet_name]
    layout = compute_layout(spec, mappings.header_of(spec))
    name_cell = ws.cell(*(x + 1 for x in layout.header_cell("unit_name")))
    code_cell = ws.cell(*(x + 1 for x in layout.header_cell("unit_code")))
    assert (name_cell.value, code_cell.value) == ("Đặc khu Lý Sơn", 21548)
    assert name_cell.protection.locked and code_cell.protection.locked
    meta = {
        (kind, k): v
        for kind, k, v in openpyxl.load_workbook(paths[0])["_meta"].iter_rows(
            min_row=2, values_only=True
        )
    }
    assert meta[("meta", "unit_code")] == "21548"


def test_all_units_build(mappings: Mappings, tmp_path: Path) -> None:
    units = load_units()
    paths = build_unit_copies(mappings, tmp_path, units).paths
    assert len(paths) == 96 * len(mappings.appendices)
    assert len({p.parent for p in paths}) == 96


@pytest.mark.libreoffice
def test_every_workbook_renders_to_pdf(soffice: LibreOffice, tmp_path: Path) -> None:
    files = sorted(WORKBOOKS.glob("*.xlsx"))
    assert files
    result = soffice.convert(files, tmp_path)
    assert result.returncode == 0, result.stderr
    for f in files:
        pdf = tmp_path / (f.stem + ".pdf")
        assert pdf.is_file() and pdf.stat().st_size > 5000, f.name
        assert pdf.read_bytes().startswith(b"%PDF")
