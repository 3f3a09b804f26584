"""xlsaddin.report.docx_writer: a Decree 30 report that Word and LibreOffice both lay out."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import unicodedata
import zlib
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Length

from xlsaddin.report.docx_writer import (
    FONT_NAME,
    LANDSCAPE_TEXT_WIDTH_CM,
    TEXT_WIDTH_CM,
    write_docx,
)
from xlsaddin.report.model import ReportAnnex, ReportDoc, ReportImage, ReportSection, ReportTable

MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)*%?")

COMMUNES = [
    "Phường Cẩm Thành", "Phường Nghĩa Lộ", "Phường Trương Quang Trọng", "Xã Tịnh Khê",
    "Xã Bình Sơn", "Xã Vạn Tường", "Đặc khu Lý Sơn", "Phường Kon Tum", "Xã Đăk Tô",
    "Xã Sa Thầy", "Xã Ba Tơ", "Xã Minh Long", "Xã Sơn Hà", "Xã Trà Bồng", "Xã Mộ Đức",
    "Phường Đức Phổ", "Xã Nghĩa Hành", "Xã Tư Nghĩa", "Phường Sa Huỳnh", "Xã Ngọc Hồi",
    "Xã Đăk Glei", "Xã Kon Plông", "Xã Đăk Hà", "Xã Ia H'Drai", "Xã Sơn Tây", "Xã Tây Trà",
    "Xã Ba Vì", "Xã Long Phụng", "Xã Thạch Trụ", "Xã Lân Phong",
]  # fmt: skip


# ------------------------------------------------------------------------------------ fixtures
def _vi_int(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _vi_pct(value: float) -> str:
    return f"{value:.1f}%".replace(".", ",")


def write_png(path: Path, width: int = 480, height: int = 240) -> Path:
    """A small bar-chart-like RGB PNG written with zlib/struct only."""
    bars = [(60, 0.55, (31, 119, 180)), (170, 0.85, (255, 127, 14)), (280, 0.7, (44, 160, 44))]

    def pixel(x: int, y: int) -> tuple[int, int, int]:
        if y == height - 20 and 30 <= x < width - 30:
            return (0, 0, 0)  # axis
        for left, frac, colour in bars:
            if left <= x < left + 80 and height - 20 - int(frac * (height - 40)) <= y < height - 20:
                return colour
        return (255, 255, 255)

    raw = b"".join(
        b"\x00" + bytes(c for x in range(width) for c in pixel(x, y)) for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
    png += chunk(b"pHYs", struct.pack(">IIB", 3780, 3780, 1))  # 96 dpi
    png += chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    path.write_bytes(png)
    return path


def sample_report(tmp: Path) -> ReportDoc:
    """A realistic quarterly report: 2 sections, a 30-row table, a chart, an annex."""
    rows: list[list[str]] = []
    for index, name in enumerate(COMMUNES, start=1):
        received = 1_200 + (index * 7_919) % 9_000
        on_time = received - (index * 37) % 150
        rate = _vi_pct(100 * on_time / received)
        rows.append([str(index), name, _vi_int(received), _vi_int(on_time), rate])
    rows.append(["", "Tổng cộng (96 đơn vị)", "2.759.865", "2.533.556", "91,8%"])
    table = ReportTable(
        number=1,
        title="Kết quả giải quyết thủ tục hành chính cấp xã, Quý IV năm 2025",
        headers=["STT", "Đơn vị hành chính", "Hồ sơ tiếp nhận", "Giải quyết đúng hạn", "Tỷ lệ"],
        rows=rows,
        source="Nguồn: tổng hợp từ báo cáo của 93/96 xã, phường, đặc khu",
        widths_cm=[1.3, 6.2, 3.2, 3.4, 2.4],
        numeric_columns=[0, 2, 3, 4],
    )
    annex_table = ReportTable(
        number=2,
        title="Danh sách đơn vị chưa gửi báo cáo",
        headers=["STT", "Đơn vị", "Lý do"],
        rows=[
            ["1", "Xã Ia H'Drai", "Đường truyền bị gián đoạn do mưa lũ"],
            ["2", "Xã Tây Trà", "Chưa bố trí được công chức phụ trách"],
            ["3", "Xã Đăk Glei", "Đang hoàn thiện số liệu, dự kiến gửi ngày 05/01/2026"],
        ],
        widths_cm=[1.5, 6.0, 12.0],  # wider than the page: scaled down
        numeric_columns=[0],
    )
    chart = ReportImage(
        path=write_png(tmp / "bieu_do.png"),
        caption="Biểu đồ 1. Tỷ lệ hồ sơ giải quyết đúng hạn theo quý năm 2025",
        width_cm=12.0,
    )
    return ReportDoc(
        authority="UBND tỉnh Quảng Ngãi",
        issuer="Sở Khoa học và Công nghệ",
        number="Số:      /BC-SKHCN",
        place_date="Quảng Ngãi, ngày      tháng 12 năm 2025",
        title="BÁO CÁO",
        subtitle="Kết quả vận hành chính quyền địa phương hai cấp Quý IV năm 2025",
        intro=[
            "Thực hiện Công văn số 1234/UBND-KGVX ngày 15/11/2025 của Ủy ban nhân dân tỉnh về "
            "việc báo cáo kết quả vận hành chính quyền địa phương hai cấp, Sở Khoa học và Công "
            "nghệ báo cáo như sau:",
        ],
        sections=[
            ReportSection(
                heading="1. Hạ tầng phục vụ chính quyền địa phương hai cấp",
                paragraphs=[
                    "Đến ngày 15/12/2025, 96/96 xã, phường, đặc khu đã kết nối mạng truyền số "
                    "liệu chuyên dùng; tốc độ đường truyền trung bình đạt 120 Mbps, tăng 35,5% "
                    "so với Quý III năm 2025.",
                    "Tổng số máy tính phục vụ bộ phận một cửa là 1.152 bộ, trong đó 87 bộ cần "
                    "thay thế trong năm 2026 (chiếm 7,6%).",
                ],
                images=[chart],
            ),
            ReportSection(
                heading="2. Kết quả giải quyết thủ tục hành chính",
                paragraphs=[
                    "Trong Quý IV, các đơn vị cấp xã tiếp nhận 2.759.865 hồ sơ, đã giải quyết "
                    "đúng hạn 2.533.556 hồ sơ, đạt tỷ lệ 91,8%. Chi tiết tại Bảng 1.",
                ],
                tables=[table],
            ),
        ],
        closing="Trên đây là báo cáo kết quả vận hành chính quyền địa phương hai cấp Quý IV năm "
        "2025 của Sở Khoa học và Công nghệ./.",
        annex=[
            ReportAnnex(
                label="Phụ lục I",
                title="ĐƠN VỊ CHƯA GỬI BÁO CÁO ĐÚNG HẠN",
                paragraphs=["Có 3/96 đơn vị chưa gửi báo cáo đúng hạn, cụ thể như sau:"],
                tables=[annex_table],
            ),
            ReportAnnex(
                label="Phụ lục II",
                title="NHIỆM VỤ QUÁ HẠN",
                tables=[
                    ReportTable(
                        number=3,
                        title="Nhiệm vụ quá hạn",
                        headers=["STT", "Đơn vị", "Nhiệm vụ"],
                        rows=[["1", "Xã Ba Tơ", "Triển khai nền tảng họp trực tuyến"]],
                        widths_cm=[1.4, 5.0, 18.8],
                    )
                ],
                landscape=True,
            ),
        ],
        annex_note="(Kèm theo Báo cáo số      /BC-SKHCN ngày      /12/2025 của Sở Khoa học và "
        "Công nghệ)",
        recipients=[
            "- UBND tỉnh (b/c);",
            "- Sở Nội vụ;",
            "- Giám đốc, các PGĐ Sở;",
            "- Lưu: VT, CĐS.",
        ],
        signer_role="KT. GIÁM ĐỐC",
        signer_title="PHÓ GIÁM ĐỐC",
        signer_name="Nguyễn Văn An",
    )


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[ReportDoc, Path]:
    tmp = tmp_path_factory.mktemp("docx")
    model = sample_report(tmp)
    out = tmp / "bao_cao.docx"
    write_docx(model, out)
    return model, out


# ------------------------------------------------------------------------------------- helpers
def _all_paragraphs(document: Any) -> list[Any]:
    paragraphs = list(document.paragraphs)
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                paragraphs.extend(cell.paragraphs)
    return paragraphs


def _full_text(document: Any) -> str:
    return "\n".join(p.text for p in _all_paragraphs(document))


def _model_strings(model: ReportDoc) -> list[str]:
    strings = [model.authority, model.issuer, model.number, model.place_date, model.title]
    strings += [model.subtitle, *model.intro, *model.recipients, model.closing]
    tables = []
    for section in model.sections:
        strings += [section.heading, *section.paragraphs]
        tables += section.tables
        strings += [image.caption for image in section.images]
    for annex in model.annex:
        strings += [annex.label, annex.title, model.annex_note, *annex.paragraphs]
        tables += annex.tables
    for table in tables:
        strings += [table.title, *(table.source or "",), *table.headers]
        strings += [cell for row in table.rows for cell in row]
    return strings


def _grid_cm(table: Any) -> list[float]:
    return [int(col.get(qn("w:w"))) / 567 for col in table._tbl.tblGrid.findall(qn("w:gridCol"))]


def _mm(length: Length | None) -> float:
    assert length is not None
    return float(length.mm)


# --------------------------------------------------------------------------------------- tests
def test_page_setup(report: tuple[ReportDoc, Path]) -> None:
    document = docx.Document(str(report[1]))
    assert len(document.sections) == 3  # the report, then one section per phụ lục
    section = document.sections[0]
    assert _mm(section.page_width) == pytest.approx(210, abs=0.5)
    assert _mm(section.page_height) == pytest.approx(297, abs=0.5)
    assert _mm(section.top_margin) == pytest.approx(20, abs=0.5)
    assert _mm(section.bottom_margin) == pytest.approx(20, abs=0.5)
    assert _mm(section.left_margin) == pytest.approx(30, abs=0.5)
    assert _mm(section.right_margin) == pytest.approx(15, abs=0.5)
    # a PAGE field, hidden on page 1
    assert section.different_first_page_header_footer
    assert "PAGE" in "".join(section.header._element.itertext())


def test_times_new_roman_everywhere(report: tuple[ReportDoc, Path]) -> None:
    document = docx.Document(str(report[1]))
    normal = document.styles["Normal"]
    assert normal.font.name == FONT_NAME
    assert normal.font.size.pt == 14
    rfonts = normal.element.rPr.find(qn("w:rFonts"))
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        assert rfonts.get(qn(attr)) == FONT_NAME
    defaults = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    assert defaults[0].find(qn("w:rFonts")).get(qn("w:eastAsia")) == FONT_NAME
    runs = [run for p in _all_paragraphs(document) for run in p.runs if run.text]
    assert runs
    for run in runs:
        assert run.font.name == FONT_NAME, run.text
        assert run._r.rPr.rFonts.get(qn("w:cs")) == FONT_NAME, run.text
    body = [p for p in document.paragraphs if p.paragraph_format.first_line_indent]
    assert body and all(
        p.paragraph_format.first_line_indent.cm == pytest.approx(1, abs=0.01) for p in body
    )


def test_header_block(report: tuple[ReportDoc, Path]) -> None:
    model, path = report
    document = docx.Document(str(path))
    header = document.tables[0]
    left = "\n".join(c.text for c in header.columns[0].cells)
    right = "\n".join(c.text for c in header.columns[1].cells)
    assert "UBND TỈNH QUẢNG NGÃI" in left
    assert "SỞ KHOA HỌC VÀ CÔNG NGHỆ" in left
    assert model.number in left
    assert MOTTO in right
    assert "Độc lập - Tự do - Hạnh phúc" in right
    assert model.place_date in right
    place_runs = [r for c in header.columns[1].cells for p in c.paragraphs for r in p.runs]
    assert any(r.text == model.place_date and r.italic for r in place_runs)
    # short rules are paragraph bottom borders, not underscores
    assert len(header._tbl.xpath(".//w:pBdr/w:bottom")) == 2
    assert "___" not in _full_text(document)
    titles = [p.text for p in document.paragraphs]
    assert model.title in titles and model.subtitle in titles


def test_tables(report: tuple[ReportDoc, Path]) -> None:
    model, path = report
    document = docx.Document(str(path))
    # header block + 3 report tables + closing block
    assert len(document.tables) == 5
    data = [t for t in document.tables if t.rows[0].cells[0].text == "STT"]
    assert len(data) == 3
    for table in data[:2]:  # data tables fit the text width (the annex one is scaled down)
        assert sum(_grid_cm(table)) <= TEXT_WIDTH_CM + 0.01
    assert sum(_grid_cm(data[1])) == pytest.approx(TEXT_WIDTH_CM, abs=0.01)
    # a landscape phụ lục has the long side of the page for its table
    assert sum(_grid_cm(data[2])) == pytest.approx(LANDSCAPE_TEXT_WIDTH_CM, abs=0.01)
    # the header block may use the margins so that the national motto stays on one line,
    # but it stays on the page (2.0 .. 19.5 cm of 21 cm)
    header = _grid_cm(document.tables[0])
    assert header[1] >= 10.0 and sum(header) <= 18.0
    spec = model.sections[1].tables[0]
    main = data[0]
    assert len(main.rows) == 1 + len(spec.rows)
    assert len(main.rows[0]._tr.xpath("./w:trPr/w:tblHeader")) == 1
    assert not main.rows[1]._tr.xpath("./w:trPr/w:tblHeader")
    assert all(row._tr.xpath("./w:trPr/w:cantSplit") for row in main.rows)
    assert main._tbl.xpath("./w:tblPr/w:tblLayout[@w:type='fixed']")
    header_cell = main.rows[0].cells[2]
    assert header_cell._tc.xpath("./w:tcPr/w:shd/@w:fill") == ["D9D9D9"]
    assert all(r.bold for p in header_cell.paragraphs for r in p.runs)
    for row, values in zip(main.rows[1:], spec.rows, strict=True):
        assert [c.text for c in row.cells] == values
        assert row.cells[2].paragraphs[0].alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.RIGHT
        assert row.cells[1].paragraphs[0].alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.LEFT
        assert row.cells[1].paragraphs[0].runs[0].font.size.pt == 12
    total = main.rows[-1].cells
    assert total[1].text.startswith("Tổng cộng") and total[2].paragraphs[0].runs[0].bold
    assert not main.rows[1].cells[1].paragraphs[0].runs[0].bold
    texts = [p.text for p in document.paragraphs]
    assert f"Bảng 1. {spec.title}" in texts
    assert spec.source in texts
    assert len(document.inline_shapes) == 1
    assert document.inline_shapes[0].width.cm == pytest.approx(12.0, abs=0.01)


def test_text_and_numbers_verbatim(report: tuple[ReportDoc, Path]) -> None:
    model, path = report
    text = _full_text(docx.Document(str(path)))
    for string in _model_strings(model):
        if model.authority == string or model.issuer == string:
            string = string.upper()
        assert string.strip() in text, string
    numbers = {n for s in _model_strings(model) for n in NUMBER_RE.findall(s)}
    assert {"2.759.865", "91,8%", "35,5%", "1.152"} <= numbers
    for number in numbers:
        assert number in text, number


def test_annex_and_closing(report: tuple[ReportDoc, Path]) -> None:
    model, path = report
    document = docx.Document(str(path))
    body = document.element.body
    closing = document.tables[2]
    left, right = closing.rows[0].cells
    assert left.paragraphs[0].text == "Nơi nhận:"
    assert left.paragraphs[0].runs[0].bold and left.paragraphs[0].runs[0].italic
    assert [p.text for p in left.paragraphs[1:]] == model.recipients
    lines = [p.text for p in right.paragraphs]
    assert lines[:2] == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"]
    assert lines[-1] == "Nguyễn Văn An"
    # the closing sentence ends the text, before the signature block
    texts = [p.text for p in document.paragraphs]
    closing_line = next(p for p in document.paragraphs if p.text == model.closing)
    assert body.index(closing_line._p) < body.index(closing._tbl)
    # each phụ lục follows the signature in a section of its own (new page), numbered
    # from 1, with its label, title and "Kèm theo" line centred
    for n, annex in enumerate(model.annex, start=1):
        label = next(p for p in document.paragraphs if p.text == annex.label)
        assert body.index(label._p) > body.index(closing._tbl)
        at = texts.index(annex.label)
        assert texts[at + 1 : at + 3] == [annex.title, model.annex_note]
        assert label.runs[0].bold and document.paragraphs[at + 2].runs[0].italic
        section = document.sections[n]
        assert section.start_type == docx.enum.section.WD_SECTION.NEW_PAGE
        assert section._sectPr.xpath("./w:pgNumType/@w:start") == ["1"]
    assert not document.sections[0]._sectPr.xpath("./w:pgNumType")
    wide = document.sections[2]
    assert wide.orientation == docx.enum.section.WD_ORIENT.LANDSCAPE
    assert wide.page_width > wide.page_height


def test_bad_table_rejected(tmp_path: Path) -> None:
    model = sample_report(tmp_path)
    model.sections[1].tables[0].rows[3] = ["4", "Xã thiếu cột"]
    with pytest.raises(ValueError, match="row 4"):
        write_docx(model, tmp_path / "bad.docx")
    model = sample_report(tmp_path)
    model.sections[1].tables[0].widths_cm = [2.0, 3.0]
    with pytest.raises(ValueError, match="widths_cm"):
        write_docx(model, tmp_path / "bad.docx")


def test_minimal_report(tmp_path: Path) -> None:
    model = ReportDoc(
        authority="UBND TỈNH QUẢNG NGÃI",
        issuer="SỞ NỘI VỤ",
        number="Số: 12/BC-SNV",
        place_date="Quảng Ngãi, ngày 01 tháng 12 năm 2025",
        title="BÁO CÁO",
        subtitle="",
    )
    out = tmp_path / "sub" / "min.docx"
    write_docx(model, out, page_numbers="none")
    document = docx.Document(str(out))
    assert len(document.tables) == 2
    assert len(document.sections) == 1
    assert "Nơi nhận:" not in _full_text(document)
    assert not document.sections[0].different_first_page_header_footer


@pytest.mark.libreoffice
def test_libreoffice_pdf(report: tuple[ReportDoc, Path], soffice: Any, tmp_path: Path) -> None:
    if shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None:
        pytest.skip("poppler-utils (pdftotext, pdfinfo) not installed")
    result = soffice.convert([report[1]], tmp_path, fmt="pdf")
    pdf = tmp_path / "bao_cao.pdf"
    assert result.returncode == 0 and pdf.exists(), result.stderr
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))  # type: ignore[union-attr]
    assert pages >= 2
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=False)
    if fonts.returncode == 0:  # Times New Roman or its metric-compatible substitute
        assert re.search(r"Times|Liberation ?Serif|Tinos", fonts.stdout), fonts.stdout
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    text = unicodedata.normalize("NFC", text)
    assert MOTTO in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "2.759.865" in text
    assert "Nguyễn Văn An" in text
