"""The Word report: official sentences, numbers equal to the workbook, templates as data."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest

from xlsaddin.consolidate import consolidate
from xlsaddin.demo import DemoResult
from xlsaddin.forms import Filled, write_workbook
from xlsaddin.publish import publish
from xlsaddin.report import ReportResult, make_report
from xlsaddin.report.templates import Figure
from xlsaddin.spec import Mappings, load_mappings
from xlsaddin.text.numbers import format_vi
from xlsaddin.units import load_units

from .conftest import ROOT, LibreOffice, two_periods

RECEIVED, ONLINE = 2_759_865, 2_532_413


def _split(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


@pytest.fixture(scope="module")
def province(mappings: Mappings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """96 units: 47 meet all 16 criteria; TTHC dossiers sum to 2.759.865 (2.532.413 online)."""
    inbox = tmp_path_factory.mktemp("inbox")
    units = load_units()
    infra = mappings.appendix("tieu_chi_ha_tang")
    tthc = mappings.appendix("ket_qua_tthc")
    criteria = [r.key for r in infra.table.rows]  # type: ignore[union-attr]
    received = _split(RECEIVED, len(units))
    online = _split(ONLINE, len(units))
    for n, unit in enumerate(units):
        rows = {k: {"ket_qua": "Đạt", "so_luong": 2} for k in criteria}
        if n >= 47:
            rows[criteria[n % len(criteria)]] = {"ket_qua": "Chưa đạt", "so_luong": 0}
        write_workbook(
            mappings, infra, inbox / f"pl01_{unit.code}.xlsx", unit=unit, fill=Filled(rows=rows)
        )
        person = received[n] - online[n]
        zero = dict.fromkeys(
            (
                "ky_truoc_chuyen_sang",
                "cham_cap_nhat",
                "qua_han_da_giai_quyet",
                "qua_han_dang_xu_ly",
                "qua_han_luy_ke",
            ),
            0,
        )
        trows = {
            "toan_trinh": {
                "so_tthc": 120,
                "tiep_nhan": online[n],
                "tiep_nhan_truc_tuyen": online[n],
                "tiep_nhan_truc_tiep": 0,
                "dung_han": online[n],
                **zero,
            },
            "mot_phan": {
                "so_tthc": 80,
                "tiep_nhan": person,
                "tiep_nhan_truc_tuyen": 0,
                "tiep_nhan_truc_tiep": person,
                "dung_han": person,
                **zero,
            },
            "truc_tiep": {
                "so_tthc": 10,
                "tiep_nhan": 0,
                "tiep_nhan_truc_tuyen": 0,
                "tiep_nhan_truc_tiep": 0,
                "dung_han": 0,
                **zero,
            },
        }
        write_workbook(
            mappings, tthc, inbox / f"pl03_{unit.code}.xlsx", unit=unit, fill=Filled(rows=trows)
        )
    result = consolidate([inbox], mappings)
    out = tmp_path_factory.mktemp("out") / "TongHop.xlsx"
    return publish(
        result,
        mappings,
        out=out,
        json_path=None,
        audit_path=out.with_suffix(".jsonl"),
        history=None,
    ).workbook


@pytest.fixture(scope="module")
def report(province: Path, mappings: Mappings) -> ReportResult:
    return make_report(
        province, mappings, province.with_name("BaoCao.docx"), province.with_name("Bang.xlsx")
    )


def _text(path: Path) -> str:
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def test_headline_sentences_are_exact(report: ReportResult) -> None:
    text = _text(report.docx)
    assert "47/96 xã, phường, đặc khu hoàn thành 16/16 tiêu chí, tỷ lệ 49%" in text
    assert (
        "Tổng số hồ sơ đã tiếp nhận 2.759.865 hồ sơ, trong đó: trực tuyến 2.532.413 hồ sơ, "
        "trực tiếp 227.452 hồ sơ; tỷ lệ nộp trực tuyến 91,8%"
    ) in text


def _cell_value(book: openpyxl.Workbook, ref: str) -> object:
    sheet, _, cell = ref.rpartition("!")
    return book[sheet.strip("'")][cell].value


def _expected_text(fig: Figure, value: float, placeholder: str, units_total: int) -> str:
    fmt = placeholder.strip("{}").partition(":")[2]
    if fmt.startswith("pct"):
        return f"{format_vi(100 * value / units_total, int(fmt[3:] or 1))}%"
    return format_vi(value, fig.decimals) + ("%" if fig.percent else "")


def test_every_number_equals_its_workbook_cell(report: ReportResult, province: Path) -> None:
    book = openpyxl.load_workbook(province)
    text = _text(report.docx)
    used = [u for u in report.built.context.used if not u[0].endswith((":change}", ":names}"))]
    assert len(used) > 30
    for placeholder, written, fig in used:
        value = _cell_value(book, fig.cell)
        assert isinstance(value, (int, float)), (placeholder, fig.cell)
        assert written == _expected_text(fig, float(value), placeholder, 96), placeholder
        assert written in text, placeholder
    # and no figure in the sentences comes from anywhere else
    numbers = set(re.findall(r"(?<![\d/.,])\d{1,3}(?:\.\d{3})+(?:,\d+)?%?", text))
    produced = {w for _, w, _ in report.built.context.used}
    assert numbers <= produced | {w.rstrip("%") for w in produced}


def test_changing_a_template_changes_the_report(province: Path, tmp_path: Path) -> None:
    root = tmp_path / "mappings"
    shutil.copytree(ROOT / "mappings", root)
    spec = root / "report.yaml"
    spec.write_text(
        spec.read_text(encoding="utf-8").replace(
            "Tổng số hồ sơ đã tiếp nhận", "Toàn tỉnh đã tiếp nhận tổng cộng"
        ),
        encoding="utf-8",
    )
    made = make_report(province, load_mappings(root), tmp_path / "r.docx")
    text = _text(made.docx)
    assert "Toàn tỉnh đã tiếp nhận tổng cộng 2.759.865 hồ sơ" in text
    assert "Tổng số hồ sơ đã tiếp nhận" not in text


def test_native_charts_and_print_ready_tables(province: Path, report: ReportResult) -> None:
    with zipfile.ZipFile(province) as zf:
        charts = [n for n in zf.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 2  # no finance appendix returned: its chart has no data, left out
    assert report.xlsx is not None
    tables = openpyxl.load_workbook(report.xlsx)
    assert tables.sheetnames[:3] == ["Bảng 1", "Bảng 2", "Bảng 3"]
    assert str(tables["Bảng 1"]["A1"].value).startswith("Bảng 1.")
    # the same tables, print-ready, inside the provincial workbook itself
    province_book = openpyxl.load_workbook(province)
    for name in tables.sheetnames:
        theirs = [[c.value for c in row] for row in province_book[name].iter_rows()]
        ours = [[c.value for c in row] for row in tables[name].iter_rows()]
        assert theirs == ours, name
    images = [i.caption for s in report.built.doc.sections for i in s.images]
    # no finance appendix in this province's inbox: its chart has no data and is left out
    assert [c.split(". ")[0] for c in images] == ["Biểu đồ 1", "Biểu đồ 2"]


@pytest.mark.libreoffice
def test_report_renders_to_pdf(report: ReportResult, soffice: LibreOffice, tmp_path: Path) -> None:
    result = soffice.convert([report.docx], tmp_path)
    assert result.returncode == 0, result.stderr
    pdf = tmp_path / "BaoCao.pdf"
    assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF")


def test_change_versus_previous_period_reaches_the_report(
    demo: DemoResult, mappings: Mappings, tmp_path: Path
) -> None:
    _, q4, out = two_periods(demo, mappings, tmp_path)
    made = make_report(out, mappings, tmp_path / "r.docx")
    text = _text(made.docx)
    tthc = next(a for a in q4.appendices if a.spec.id == "ket_qua_tthc")
    change = tthc.changes["tiep_nhan"]
    assert change.startswith("tăng ") and change.endswith("hồ sơ so với kỳ trước")
    assert f"So với kỳ trước, tổng số hồ sơ tiếp nhận {change}." in text
