"""Every output, printed: rendered through LibreOffice headless in one batch, read back with
poppler (tests/pdfpages.py).

Asserts, per output: pages per sheet within a budget (and no page of a sheet that must not
print: the check sheets, xlwings.conf, the hidden ones), a footer with the sheet, period and
page number on every page, no column split across pages (every page of a sheet repeats its
header, last printed column included), no word printed over another (rows are as tall as their
wrapped text), and for the Word report the body / Phụ lục page split with each Phụ lục
numbered from 1.

Budgets are for the demo data (deterministic): 96 units, 8 appendices, 927 tasks. An
extra appendix (``XLSADDIN_EXTRA_APPENDIX``) prints under the same rules (footer, no
overprint, no split column); its own sheet has no budget, it adds 2 pages to "Tổng hợp".
How they are derived is in docs/report.md ("Printing and page budget"). LibreOffice
renders with Carlito (Calibri's metric twin: column widths as in Excel) and Liberation Serif
(Times New Roman's); Excel's own pagination was not available to verify.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from xlsaddin.core.sheets import appendix_sheet
from xlsaddin.demo import DemoResult
from xlsaddin.pipeline import Outputs, run_consolidation
from xlsaddin.spec import Mappings, load_mappings
from xlsaddin.spec.layout import wrapped_lines

from .conftest import LibreOffice
from .paths import ROOT, SHIPPED_MAPPINGS
from .pdfpages import Page, overprinted, pages_per_sheet, read_pages

pytestmark = pytest.mark.libreoffice

WORKBOOKS = ROOT / "workbooks"

FORM_BUDGETS = {
    "PL01_TieuChiHaTang": {"Tiêu chí hạ tầng": 1},
    "PL02_NguonLucTaiChinh": {"Nguồn lực tài chính": 1},
    "PL03_KetQuaTTHC": {"Kết quả TTHC": 1},
    "PL04_NhiemVu": {"Nhiệm vụ": 2},
    "BangDieuKhien": {"Điều khiển": 1},
    "filled_PL04": {"Nhiệm vụ": 3},  # a returned PL04: 30 tasks of wrapped text
}
# the provincial workbook: report-facing sheets are short; data sheets are as long as their
# rows (about 70 one-line rows a page portrait, 40 landscape, a little less when text wraps)
PROVINCE_BUDGETS = {
    "Tổng hợp": 14,  # 9 headline tables (5 pages), 6 charts on pages of their own or shared
    "Tình hình nộp báo cáo": 3,  # 96 units at 48 a page, then the refused/replaced files
    "PL01 Tiêu chí hạ tầng": 20,  # 1,536 rows (96 units x 16 criteria), portrait
    "PL02 Nguồn lực tài chính": 8,  # 288 rows with "Nội dung giải ngân"
    "PL03 Kết quả TTHC": 12,  # 288 rows with "Nguyên nhân"
    "PL04 Nhiệm vụ": 36,  # 927 tasks, two lines each mostly
    "PL05 Văn bản": 15,  # ~580 documents, trích yếu on one or two lines
    "PL06 Nhân lực": 5,  # 96 units, one row each
    "PL07 Khó khăn": 19,  # 96 units x 5 outline items, three texts a row
    "PL08 Nhận xét": 16,  # 96 units x 6 items of free text
    "Nhiệm vụ quá hạn": 8,  # 267 overdue or late tasks
    "Lỗi": 10,  # issues
    "Bảng 1": 1,
    "Bảng 2": 1,
    "Bảng 3": 1,
    "Bảng 4": 1,
    "Bảng 5": 13,  # the 267 tasks again, as the Word annex prints them (12 pt)
}
# was 142 (measured the same way, 4 appendices) with 23,512 overprinted word pairs; the four
# outline appendices (PL05-PL08) add their data sheets (~50 pages: every commune's own words)
PROVINCE_TOTAL = 175
TABLES_BUDGETS = {f"Bảng {n}": PROVINCE_BUDGETS[f"Bảng {n}"] for n in range(1, 6)}
# the body; I: who is missing; II: 267 tasks, landscape; III-VI: the communes' own words
REPORT_BUDGET = {"body": 9, "Phụ lục I": 2, "Phụ lục II": 12}
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII")


def _extra_sheets(mappings: Mappings) -> set[str]:
    """Sheets of appendices that are not shipped (``XLSADDIN_EXTRA_APPENDIX``): they print
    with the same footer, their length is theirs, so they have no budget here."""
    shipped = {a.code for a in load_mappings(SHIPPED_MAPPINGS).appendices}
    return {
        appendix_sheet(a.code, a.sheet_name) for a in mappings.appendices if a.code not in shipped
    }


@pytest.fixture(scope="module")
def outputs(
    demo: DemoResult, mappings: Mappings, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("render")
    target = out / "TongHop.xlsx"
    run_consolidation(
        [demo.inbox],
        mappings,
        outputs=Outputs(
            workbook=target,
            report_docx=out / "BaoCao.docx",
            report_xlsx=out / "BangSoLieu.xlsx",
            history=str(out / "history.sqlite"),
        ),
    )
    returned = next(
        p
        for p in sorted(demo.inbox.rglob("*PL04*.xlsx"))
        if "_meta" in CalamineWorkbook.from_path(str(p)).sheet_names
    )
    files = {stem: WORKBOOKS / f"{stem}.xlsx" for stem in list(FORM_BUDGETS)[:4]}
    files["BangDieuKhien"] = WORKBOOKS / "BangDieuKhien.xlsm"
    files["filled_PL04"] = shutil.copy(returned, out / "filled_PL04.xlsx")
    files |= {"TongHop": target, "BangSoLieu": out / "BangSoLieu.xlsx"}
    files["BaoCao"] = out / "BaoCao.docx"
    return files


@pytest.fixture(scope="module")
def rendered(
    outputs: dict[str, Path], soffice: LibreOffice, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, list[Page]]:
    pdf_dir = tmp_path_factory.mktemp("pdf")
    result = soffice.convert(list(outputs.values()), pdf_dir)
    assert result.returncode == 0, result.stderr
    return {stem: read_pages(pdf_dir / f"{path.stem}.pdf") for stem, path in outputs.items()}


def _check_budget(
    pages: list[Page],
    budget: dict[str, int],
    unbudgeted: set[str] = frozenset(),  # type: ignore[assignment]
) -> None:
    counts = pages_per_sheet(pages)
    for sheet in unbudgeted & set(counts):
        del counts[sheet]
    assert set(counts) == set(budget), counts  # nothing else prints, every page has a footer
    over = {sheet: n for sheet, n in counts.items() if n > budget[sheet]}
    assert not over, (over, dict(counts))


def test_forms_print_within_budget_without_their_check_sheet(
    rendered: dict[str, list[Page]], mappings: Mappings
) -> None:
    for stem, budget in FORM_BUDGETS.items():
        _check_budget(rendered[stem], budget)
    period = mappings.project.period().label
    for stem in ("PL01_TieuChiHaTang", "filled_PL04"):
        for page in rendered[stem]:
            assert period in page.text and "Biểu số" in page.text  # the footer says which form


def test_provincial_workbook_prints_within_budget(
    rendered: dict[str, list[Page]], mappings: Mappings
) -> None:
    pages = rendered["TongHop"]
    extra = _extra_sheets(mappings)
    budgets = dict(PROVINCE_BUDGETS)
    budgets["Tổng hợp"] += 2 * len(extra)  # its headline table and a chart page each
    _check_budget(pages, budgets, extra)
    if not extra:  # an extra appendix adds its sheet, its tables and charts
        assert len(pages) <= PROVINCE_TOTAL
    tables = pages_per_sheet(rendered["BangSoLieu"])
    # Bảng 6 on: the text annexes' tables (one per outline item; the documents not issued on
    # schedule are one row each: 57 in the demo, 7 pages)
    budgets = TABLES_BUDGETS | {t: 8 for t in tables if re.fullmatch(r"Bảng (\d+)", t)}
    budgets |= TABLES_BUDGETS
    _check_budget(rendered["BangSoLieu"], budgets)
    for page in [*pages, *rendered["BangSoLieu"]]:
        assert "Quý IV năm 2025" in page.text and re.search(r"Trang \d+/\d+", page.text)


def test_no_word_is_printed_over_another(rendered: dict[str, list[Page]]) -> None:
    for stem, pages in rendered.items():
        for page in pages:
            assert overprinted(page) == [], (stem, page.number, page.sheet)


def _header_words(path: Path) -> dict[str, set[str]]:
    """Per printed sheet with repeated header rows: the words of its last printed column's
    header (every page must show them: the sheet is one page wide and its header repeats)."""
    book = openpyxl.load_workbook(path)
    out = {}
    for ws in book.worksheets:
        if ws.sheet_state != "visible" or not ws.print_title_rows:
            continue
        first, last = (int(n) for n in re.findall(r"\d+", ws.print_title_rows))
        if ws.print_area:
            area = ws.print_area.split("!")[-1].replace("$", "")
            last_col = openpyxl.utils.cell.range_boundaries(area)[2]
        else:  # the whole used width prints
            last_col = max(c.column for r in range(first, last + 1) for c in ws[r] if c.value)
        texts = [ws.cell(r, last_col).value for r in range(first, last + 1)]
        words = {w for t in texts if isinstance(t, str) for w in t.split()}
        if words:
            out[ws.title] = words
    return out


def test_no_column_is_split_across_pages(
    outputs: dict[str, Path], rendered: dict[str, list[Page]]
) -> None:
    checked = 0
    for stem, path in outputs.items():
        if path.suffix == ".docx":
            continue
        headers = _header_words(path)
        for page in rendered[stem]:
            if page.sheet in headers:
                words = {w.text for w in page.words}
                assert headers[page.sheet] <= words, (stem, page.sheet, page.number)
                checked += 1
    assert checked > 100


def test_report_body_and_each_phu_luc_numbered_on_their_own(
    rendered: dict[str, list[Page]],
) -> None:
    pages = rendered["BaoCao"]
    starts: dict[str, int] = {}
    for label in (f"Phụ lục {r}" for r in ROMAN):
        found = [p.number for p in pages if p.text.lstrip().startswith(label + "\n")]
        if not found:
            break
        starts[label] = found[0]
    assert list(starts)[:6] == [f"Phụ lục {r}" for r in ROMAN[:6]], starts
    bounds = [*starts.values(), len(pages) + 1]
    parts = {"body": bounds[0] - 1} | {
        label: bounds[i + 1] - bounds[i] for i, label in enumerate(starts)
    }
    # the text annexes (III-VI) hold what 96 communes wrote: 8 pages each at most
    over = {k: n for k, n in parts.items() if n > REPORT_BUDGET.get(k, 8)}
    assert not over, parts
    assert parts["Phụ lục II"] >= 2  # so that its numbering can be seen to restart
    first_lines = {p.number: p.text.strip().split("\n")[0].strip() for p in pages}
    assert first_lines[2] == "2"  # the report: no number on page 1, then 2, 3 ...
    assert first_lines[starts["Phụ lục II"] + 1] == "2"  # Phụ lục II counts from 1 again
    for label, start in starts.items():  # each phụ lục's first page is unnumbered
        assert first_lines[start] == label, (label, first_lines[start])
    assert "Trên đây là báo cáo" in pages[parts["body"] - 1].text + pages[parts["body"] - 2].text


def test_wrapped_text_has_room(outputs: dict[str, Path]) -> None:
    """Every row holding a text that needs two lines even on a generous estimate (a fifth
    more characters a line than the writer assumes) has an explicit height of two lines."""
    book = openpyxl.load_workbook(outputs["TongHop"])
    missing = []
    for ws in book.worksheets:
        if ws.sheet_state != "visible":
            continue
        widths = {
            openpyxl.utils.get_column_letter(c): d.width
            for d in ws.column_dimensions.values()
            if d.width and d.min
            for c in range(d.min, (d.max or d.min) + 1)
        }
        merged = {cell for r in ws.merged_cells.ranges for cell in r.cells}
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if not isinstance(value, str) or not cell.alignment.wrap_text:
                    continue
                if (cell.row, cell.column) in merged:
                    continue
                width = widths.get(cell.column_letter, 8.43) * 1.2
                size = cell.font.sz or 11
                if wrapped_lines(value, width, size) >= 2:
                    height = ws.row_dimensions[cell.row].height
                    if height is None or height < 2 * size:
                        missing.append((ws.title, cell.coordinate, value[:40]))
    assert not missing, missing[:10]
