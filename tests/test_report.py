"""The Word report: official sentences, numbers equal to the workbook, templates as data."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest

from xlsaddin.consolidate import consolidate
from xlsaddin.demo import DemoResult
from xlsaddin.forms import Filled, write_workbook
from xlsaddin.report import ReportResult, make_report
from xlsaddin.report.build import ReportOptions
from xlsaddin.report.templates import Figure
from xlsaddin.spec import Mappings, load_mappings
from xlsaddin.text.numbers import format_vi
from xlsaddin.units import load_units

from .conftest import LibreOffice, publish_plain, two_periods
from .paths import MAPPINGS

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
                "cham_tiep_nhan",
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
    return publish_plain(result, mappings, out).workbook


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
    shutil.copytree(MAPPINGS, root)
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


def test_native_charts_and_print_ready_tables(
    province: Path, report: ReportResult, mappings: Mappings
) -> None:
    with zipfile.ZipFile(province) as zf:
        charts = [n for n in zf.namelist() if n.startswith("xl/charts/chart")]
    returned = ("tieu_chi_ha_tang", "ket_qua_tthc")  # the only appendices in this inbox
    # an appendix nobody returned has no data: its chart is left out
    assert len(charts) == sum(len(mappings.appendix(a).charts) for a in returned)
    assert report.xlsx is not None
    tables = openpyxl.load_workbook(report.xlsx)
    assert tables.sheetnames[:3] == ["Bảng 1", "Bảng 2", "Bảng 3"]
    assert str(tables["Bảng 1"]["A1"].value).startswith("Bảng 1.")
    # the same tables, print-ready, inside the provincial workbook itself; the communes' own
    # words (phụ lục III on) are not copied there: they are on its appendix sheets
    province_book = openpyxl.load_workbook(province)
    words = {f"Bảng {t.number}" for a in report.built.doc.annex[2:] for t in a.tables}
    in_province = [n for n in province_book.sheetnames if n.startswith("Bảng ")]
    assert in_province == [n for n in tables.sheetnames if n not in words]
    for name in in_province:
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


# --- Decree 30/2020/NĐ-CP layout of the report ---------------------------------------------
DATE_RE = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/(\d{4})(?![\d/])")


def _body_paragraphs(path: Path) -> list[str]:
    return [p.text for p in docx.Document(str(path)).paragraphs]


def _closing_block(document: Any) -> Any:
    """The borderless table holding "Nơi nhận:" (left) and the signature (right)."""
    return next(t for t in document.tables if t.rows[0].cells[0].text.startswith("Nơi nhận:"))


def _with_report_yaml(tmp_path: Path, edit: str) -> Mappings:
    root = tmp_path / "mappings"
    shutil.copytree(MAPPINGS, root)
    spec = root / "report.yaml"
    spec.write_text(spec.read_text(encoding="utf-8") + edit, encoding="utf-8")
    return load_mappings(root)


def test_a_report_without_signer_request_or_date_is_written_with_warnings(
    report: ReportResult,
) -> None:
    warnings = report.built.warnings
    assert len(warnings) == 3
    for field, option in (("request", "--request"), ("report_date", "--date")):
        assert any(f'"{field}"' in w and option in w for w in warnings), field
    assert any('"signer_name"' in w and "--signer" in w for w in warnings)
    paragraphs = _body_paragraphs(report.docx)
    assert any(p.startswith("Theo Công văn số … ngày … của …;") for p in paragraphs)
    signature = _closing_block(docx.Document(str(report.docx))).rows[0].cells[1].paragraphs
    assert [p.text for p in signature][-1] == ""  # the name line is left for the signer


def test_signer_request_and_date_from_report_yaml(province: Path, tmp_path: Path) -> None:
    mappings = _with_report_yaml(
        tmp_path,
        "\nsigner_name: Nguyễn Văn An\nreport_date: 2026-01-05\n"
        "request: {kind: Công văn, number: 2045-CV/TU, date: 2025-09-05, "
        "issuer: Ban Thường vụ Tỉnh ủy, about: báo cáo chuyên đề Kế hoạch số 02-KH/BCĐTW}\n",
    )
    made = make_report(province, mappings, tmp_path / "r.docx")
    assert made.built.warnings == []
    document = docx.Document(str(made.docx))
    paragraphs = [p.text for p in document.paragraphs]
    assert any(
        p.startswith(
            "Theo Công văn số 2045-CV/TU ngày 05/9/2025 của Ban Thường vụ Tỉnh ủy về việc báo "
            "cáo chuyên đề Kế hoạch số 02-KH/BCĐTW; Sở Khoa học và Công nghệ tổng hợp"
        )
        for p in paragraphs
    )
    header = "\n".join(c.text for c in document.tables[0].columns[1].cells)
    assert "Quảng Ngãi, ngày 05 tháng 01 năm 2026" in header  # Decree 30: "05", "01"
    signature = [p.text for p in _closing_block(document).rows[0].cells[1].paragraphs]
    assert signature[-1] == "Nguyễn Văn An"
    note = "(Kèm theo Báo cáo số …/BC-SKHCN ngày 05/1/2026 của Sở Khoa học và Công nghệ)"
    assert paragraphs.count(note) == 6  # under each phụ lục's title (I-VI)

    # the command line wins over report.yaml
    options = ReportOptions(signer_name="Trần Thị B", request="Kế hoạch số 9/KH-UBND")
    made = make_report(province, mappings, tmp_path / "r2.docx", options=options)
    document = docx.Document(str(made.docx))
    assert _closing_block(document).rows[0].cells[1].paragraphs[-1].text == "Trần Thị B"
    assert any(p.text.startswith("Theo Kế hoạch số 9/KH-UBND;") for p in document.paragraphs)


def test_report_structure_follows_decree_30(report: ReportResult) -> None:
    document = docx.Document(str(report.docx))
    paragraphs = [p.text for p in document.paragraphs]
    # headings numbered I./1./a) like the real reports, in order
    headings = [p for p in paragraphs if re.match(r"^(?:[IVX]+\.|\d+\.|[a-z]\)) \S", p)]
    # the outline: I. 1-4 (3. a) b)), II. tasks, III. comments 1-2
    numbering = ["I.", "1.", "2.", "3.", "a)", "b)", "4.", "II.", "III.", "1.", "2."]
    assert [h.split(" ")[0] for h in headings] == numbering
    # the closing line ends the text with "./." before the signature block
    closing = [p for p in paragraphs if p.startswith("Trên đây là báo cáo")]
    assert len(closing) == 1 and closing[0].endswith("./.")
    # "Nơi nhận": every line ends with ";", the last one with "."
    recipients = [p.text for p in _closing_block(document).rows[0].cells[0].paragraphs[1:]]
    assert recipients and all(r.startswith("- ") for r in recipients)
    assert all(r.endswith(";") for r in recipients[:-1]) and recipients[-1].endswith(".")
    # each phụ lục: its own section from a new page, numbered from 1, label, title, note
    annexes = report.built.doc.annex
    assert [a.label for a in annexes] == [
        f"Phụ lục {r}" for r in ("I", "II", "III", "IV", "V", "VI")
    ]
    assert len(document.sections) == 1 + len(annexes)
    for n, annex in enumerate(annexes, start=1):
        at = paragraphs.index(annex.label)
        assert paragraphs[at + 1] == annex.title
        assert paragraphs[at + 2].startswith("(Kèm theo Báo cáo số ")
        assert document.sections[n]._sectPr.xpath("./w:pgNumType/@w:start") == ["1"]
    # this province returned no task table: its section says so instead of a sentence
    # that would point at Phụ lục II
    assert "Chưa có số liệu: chưa có xã, phường, đặc khu nào gửi PL04." in paragraphs
    # nor a PL07: its phụ lục (the communes' difficulties) says so, not "Không."
    difficulties = paragraphs.index("Phụ lục III")
    pl07 = "Chưa có số liệu: chưa có xã, phường, đặc khu nào gửi PL07."
    assert pl07 in paragraphs[difficulties : difficulties + 6]
    # unit names mid-sentence: the unit-type word in lower case
    lists = [p.split(": ", 1)[1] for p in paragraphs if p.startswith("Hiện còn ")]
    for names in lists:
        for name in names.rstrip(".").split("; "):
            assert name.startswith(("xã ", "phường ", "đặc khu ")), name
    # every date in the official style: day with two digits, month without a zero
    text = _text(report.docx)
    dates = DATE_RE.findall(text)
    assert dates
    for day, month, _year in dates:
        assert len(day) == 2 and not month.startswith("0"), (day, month)


def test_print_ready_tables_hold_numbers_and_the_period(
    demo: DemoResult, mappings: Mappings, tmp_path: Path
) -> None:
    _, q4, out = two_periods(demo, mappings, tmp_path)
    made = make_report(out, mappings, tmp_path / "r.docx", tmp_path / "r.xlsx")
    assert made.xlsx is not None
    book = openpyxl.load_workbook(made.xlsx)
    sheet = book["Bảng 3"]  # TTHC: every figure has a previous period to compare with
    assert sheet["A2"].value == "Kỳ báo cáo: Quý IV năm 2025 — số liệu chốt đến ngày 14/12/2025"
    assert [c.value for c in sheet[3]] == ["Chỉ tiêu", "Giá trị", "Đơn vị tính", "So với kỳ trước"]
    values = [row for row in sheet.iter_rows(min_row=4, values_only=False) if row[0].value]
    figures = [r for r in values if isinstance(r[1].value, (int, float))]
    assert len(figures) >= 6
    for row in figures:
        assert row[1].number_format in ("#,##0", '0.0"%"'), row[1].number_format
        assert row[3].value and "kỳ trước" in str(row[3].value)  # the change is filled
    tthc = next(a for a in q4.appendices if a.spec.id == "ket_qua_tthc")
    received = next(r for r in figures if r[0].value == "Tổng số hồ sơ tiếp nhận")
    assert received[1].value == next(h.value for h in tthc.headlines if h.key == "tiep_nhan")
    assert "Trang &P/&N" in sheet.oddFooter.right.text
    assert sheet.print_title_rows == "$3:$3"


def test_no_change_column_without_a_previous_period(report: ReportResult) -> None:
    assert report.xlsx is not None
    book = openpyxl.load_workbook(report.xlsx)
    [sheet] = [ws for ws in book if "thủ tục hành chính" in str(ws["A1"].value)]
    assert [c.value for c in sheet[3]] == ["Chỉ tiêu", "Giá trị", "Đơn vị tính"]


KIOSK = "Ki-ốt tra cứu thông tin thủ tục hành chính"


def test_chart_categories_are_distinct_and_whole(province: Path) -> None:
    from xlsaddin.report.charts import _label

    figures = [
        Figure("ty_le_giai_ngan.xa", "Tỷ lệ giải ngân (...) (xã)", 62.4, "%", 1, True),
        Figure("ty_le_giai_ngan.dac_khu", "Tỷ lệ giải ngân (...) (đặc khu)", 53.2, "%", 1, True),
        Figure("met.kiosk", f"{KIOSK}: số đơn vị đạt", 5, "", 0, False),
    ]  # fmt: skip
    assert [_label(f) for f in figures[:2]] == ["Xã", "Đặc khu"]
    assert _label(figures[2]).replace("\n", " ") == KIOSK  # wrapped, never cut with "…"
    # the workbook's native charts take their categories from the short names in column G
    with zipfile.ZipFile(province) as zf:
        xml = zf.read("xl/charts/chart1.xml").decode()
    assert "('Tổng hợp'!$G$" in xml and "plotVisOnly" not in xml  # hidden cells plotted
