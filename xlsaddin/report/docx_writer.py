"""Render a :class:`~xlsaddin.report.model.ReportDoc` as a Word report (Decree 30/2020/NĐ-CP).

Layout (Nghị định 30/2020/NĐ-CP, Phụ lục I):

* A4 portrait, margins top/bottom 20 mm, left 30 mm, right 15 mm (text width 16.5 cm);
  Times New Roman everywhere, body 14 pt, justified, first-line indent 1 cm, 6 pt after,
  line spacing 1.15.
* Header block: a borderless two-column table - authority / issuer (short rule) / number on the
  left, the national motto (short rule) / place and date on the right.  The number and the
  place-date line share the table's second row so they sit on the same baseline.
* Title, subtitle and a short rule, centred; intro paragraphs; headings numbered I./1./a)
  (level 1 bold, level 2 bold, level 3 italic) with tables ("Bảng n. ...", repeated header
  row, rows kept whole) and pictures; the closing sentence ("Trên đây là báo cáo .../.").
* Closing block: "Nơi nhận:" on the left, signature on the right.
* Each phụ lục after the signature in its own Word section: new page, "Phụ lục I" and its
  title centred in bold, the "(Kèm theo Báo cáo số ... ngày ... của ...)" line in italics
  and a short rule, then its tables. Its pages are numbered on their own, from 1.
* Page numbers: centred, not shown on the first page (of the report, of each phụ lục); in the
  top margin as the decree prescribes (``page_numbers="footer"`` puts them at the bottom).

All text is written exactly as given (the model already holds NFC Vietnamese text and formatted
numbers); the writer never reformats it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from docx import Document as new_document
from docx.document import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_PARAGRAPH_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Length, Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from xlsaddin.report.model import (
    ReportAnnex,
    ReportDoc,
    ReportImage,
    ReportSection,
    ReportTable,
)

__all__ = ["FONT_NAME", "LANDSCAPE_TEXT_WIDTH_CM", "TEXT_WIDTH_CM", "write_docx"]

FONT_NAME = "Times New Roman"
PAGE_WIDTH_MM = 210.0
PAGE_HEIGHT_MM = 297.0
MARGIN_TOP_MM = 20.0
MARGIN_BOTTOM_MM = 20.0
MARGIN_LEFT_MM = 30.0
MARGIN_RIGHT_MM = 15.0
TEXT_WIDTH_CM = (PAGE_WIDTH_MM - MARGIN_LEFT_MM - MARGIN_RIGHT_MM) / 10  # 16.5
LANDSCAPE_TEXT_WIDTH_CM = (PAGE_HEIGHT_MM - MARGIN_LEFT_MM - MARGIN_RIGHT_MM) / 10  # 25.2

BODY_PT = 14.0
TABLE_PT = 12.0
CAPTION_PT = 13.0
LINE_SPACING = 1.15
SPACE_AFTER_PT = 6.0
FIRST_LINE_INDENT_CM = 1.0

# Header block: the national motto (13 pt bold, 9.6 cm in Times New Roman) must stay on one line
# and the issuer (often ~7 cm) should too, so the borderless header table is 17.5 cm wide and
# starts 1 cm into the left margin (x = 2.0 .. 19.5 cm on the page), with 0.05 cm cell margins.
HEADER_WIDTHS_CM = (7.3, 10.2)
HEADER_INDENT_CM = -1.0
HEADER_CELL_MARGIN_CM = 0.05
CLOSING_WIDTHS_CM = (7.0, 9.5)
ISSUER_RULE_CM = 3.0  # 1/3 .. 1/2 of the issuer line
MOTTO_RULE_CM = 6.0  # as long as "Độc lập - Tự do - Hạnh phúc" (6.05 cm)
TITLE_RULE_CM = 3.0
HEADER_SHADING = "D9D9D9"
TOTAL_ROW_LABELS = ("tổng cộng", "cộng", "toàn tỉnh")  # casefolded; such rows are bold

Align = WD_PARAGRAPH_ALIGNMENT
Container = Document | _Cell
PageNumbers = Literal["header", "footer", "none"]


# ---------------------------------------------------------------------------------- public API
def write_docx(doc: ReportDoc, path: Path, *, page_numbers: PageNumbers = "header") -> None:
    """Write ``doc`` to ``path`` (.docx), laid out as a Vietnamese administrative report."""
    document = new_document()
    _setup_styles(document)
    _setup_page(document, page_numbers)
    _set_properties(document, doc)

    _add_header_block(document, doc)
    _add_title(document, doc)
    for text in doc.intro:
        _add_body_paragraph(document, text)
    for section in doc.sections:
        _add_section(document, section)
    if doc.closing:
        _add_body_paragraph(document, doc.closing)
    _add_closing_block(document, doc)

    for annex in doc.annex:
        _add_annex(document, annex, doc.annex_note, page_numbers)

    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))


# ------------------------------------------------------------------------------ document setup
def _element(tag: str, **attrs: str) -> Any:
    """``OxmlElement(tag)`` with ``w:``-namespaced attributes."""
    element = OxmlElement(tag)
    for key, value in attrs.items():
        element.set(qn(f"w:{key}"), value)
    return element


def _set_rfonts(rpr: Any, name: str = FONT_NAME) -> None:
    """Set every script slot of ``<w:rFonts>`` in ``rpr`` to ``name`` (no theme fonts)."""
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = _element("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), name)


def _setup_styles(document: Document) -> None:
    # document defaults: every style (tables, header, footer) inherits Times New Roman
    styles_el = document.styles.element
    rpr_default = styles_el.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    if rpr_default is not None:
        _set_rfonts(rpr_default)
        lang = rpr_default.find(qn("w:lang"))
        if lang is not None:
            lang.set(qn("w:val"), "vi-VN")

    normal: Any = document.styles["Normal"]
    normal.font.name = FONT_NAME
    normal.font.size = Pt(BODY_PT)
    _set_rfonts(normal.element.get_or_add_rPr())
    fmt = normal.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(SPACE_AFTER_PT)
    fmt.line_spacing = LINE_SPACING
    fmt.widow_control = True


def _setup_page(document: Document, page_numbers: PageNumbers) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width = Mm(PAGE_WIDTH_MM)
    section.page_height = Mm(PAGE_HEIGHT_MM)
    section.top_margin = Mm(MARGIN_TOP_MM)
    section.bottom_margin = Mm(MARGIN_BOTTOM_MM)
    section.left_margin = Mm(MARGIN_LEFT_MM)
    section.right_margin = Mm(MARGIN_RIGHT_MM)
    section.header_distance = Mm(10)
    section.footer_distance = Mm(10)
    _number_pages(section, page_numbers)


def _number_pages(section: Any, page_numbers: PageNumbers, *, restart: bool = False) -> None:
    """A centred PAGE field from the section's second page.

    The first section defines the header; a later section (``restart``: a phụ lục) keeps
    that header linked and only counts its pages from 1 again (``<w:pgNumType w:start>``).
    """
    if restart:
        sect_pr = section._sectPr
        old = sect_pr.find(qn("w:pgNumType"))
        if old is not None:
            sect_pr.remove(old)
        number_type = _element("w:pgNumType", start="1")
        anchor = sect_pr.find(qn("w:cols"))  # schema order: ..., pgMar, ..., pgNumType, cols
        if anchor is not None:
            anchor.addprevious(number_type)
        else:
            sect_pr.append(number_type)
    if page_numbers == "none":
        return
    section.different_first_page_header_footer = True  # no number on page 1 ...
    section.first_page_header.is_linked_to_previous = False  # ... an explicit empty header
    section.first_page_footer.is_linked_to_previous = False
    if restart:
        return
    part = section.header if page_numbers == "header" else section.footer
    paragraph = part.paragraphs[0] if part.paragraphs else part.add_paragraph()
    _format(paragraph, Align.CENTER, space_after=0, line_spacing=1.0)
    _add_page_field(paragraph, size=13)


def _set_properties(document: Document, doc: ReportDoc) -> None:
    props = document.core_properties
    props.title = f"{doc.title} {doc.subtitle}".strip()
    props.subject = doc.subtitle
    props.author = doc.issuer
    props.language = "vi-VN"
    props.comments = ""


# ------------------------------------------------------------------------------ text primitives
def _add_run(
    paragraph: Paragraph,
    text: str,
    *,
    size: float = BODY_PT,
    bold: bool = False,
    italic: bool = False,
) -> Run:
    run = paragraph.add_run(text)
    run.font.name = FONT_NAME
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.italic = italic
    _set_rfonts(run._r.get_or_add_rPr())
    return run


def _format(
    paragraph: Paragraph,
    align: WD_PARAGRAPH_ALIGNMENT,
    *,
    space_before: float = 0,
    space_after: float = SPACE_AFTER_PT,
    line_spacing: float = LINE_SPACING,
    first_indent_cm: float = 0.0,
    keep_with_next: bool = False,
) -> None:
    fmt = paragraph.paragraph_format
    fmt.alignment = align
    fmt.space_before = Pt(space_before)
    fmt.space_after = Pt(space_after)
    fmt.line_spacing = line_spacing
    fmt.first_line_indent = Cm(first_indent_cm)
    if keep_with_next:
        fmt.keep_with_next = True


def _add_paragraph(
    container: Container,
    text: str,
    align: WD_PARAGRAPH_ALIGNMENT,
    *,
    size: float = BODY_PT,
    bold: bool = False,
    italic: bool = False,
    **fmt: Any,
) -> Paragraph:
    paragraph = _first_empty_or_new(container)
    _format(paragraph, align, **fmt)
    if text:
        _add_run(paragraph, text, size=size, bold=bold, italic=italic)
    return paragraph


def _first_empty_or_new(container: Container) -> Paragraph:
    """A new table cell holds one untouched empty paragraph: use it before adding more."""
    if isinstance(container, _Cell):
        paragraphs: list[Paragraph] = container.paragraphs
        if len(paragraphs) == 1 and paragraphs[0]._p.pPr is None and not paragraphs[0].runs:
            return paragraphs[0]
    paragraph: Paragraph = container.add_paragraph()  # _Cell.add_paragraph is untyped
    return paragraph


def _add_centered(
    container: Container,
    text: str,
    *,
    size: float = BODY_PT,
    bold: bool = False,
    italic: bool = False,
    space_after: float = 0,
    line_spacing: float = 1.0,
) -> Paragraph:
    return _add_paragraph(
        container,
        text,
        Align.CENTER,
        size=size,
        bold=bold,
        italic=italic,
        space_after=space_after,
        line_spacing=line_spacing,
    )


def _add_body_paragraph(container: Container, text: str) -> Paragraph:
    return _add_paragraph(container, text, Align.JUSTIFY, first_indent_cm=FIRST_LINE_INDENT_CM)


def _add_rule(
    container: Container, length_cm: float, avail_cm: float, *, space_after: float = 0
) -> Paragraph:
    """A short centred horizontal line: an empty paragraph with a bottom border."""
    paragraph = _first_empty_or_new(container)
    _format(paragraph, Align.CENTER, space_after=space_after)
    fmt = paragraph.paragraph_format
    side = max((avail_cm - length_cm) / 2, 0.0)
    fmt.left_indent = Cm(side)
    fmt.right_indent = Cm(side)
    fmt.line_spacing = Pt(3)  # exact: the line sits right under the text above
    ppr = paragraph._p.get_or_add_pPr()
    borders = _element("w:pBdr")
    borders.append(_element("w:bottom", val="single", sz="6", space="1", color="000000"))
    _insert_ppr_child(ppr, borders)
    return paragraph


def _insert_ppr_child(ppr: Any, child: Any) -> None:
    """Insert ``child`` into ``<w:pPr>`` respecting the schema order (before spacing/ind/jc)."""
    for tag in ("w:shd", "w:tabs", "w:spacing", "w:ind", "w:jc", "w:rPr"):
        anchor = ppr.find(qn(tag))
        if anchor is not None:
            anchor.addprevious(child)
            return
    ppr.append(child)


def _add_page_field(paragraph: Paragraph, *, size: float) -> None:
    """``PAGE`` field: begin / instruction / separate / cached result / end."""
    for kind, text in (("begin", None), ("instr", " PAGE "), ("separate", None), ("text", "2")):
        run = _add_run(paragraph, "", size=size)
        if kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        elif kind == "text":
            run.text = text or ""
        else:
            run._r.append(_fld_char(kind))
    _add_run(paragraph, "", size=size)._r.append(_fld_char("end"))


def _fld_char(kind: str) -> Any:
    return _element("w:fldChar", fldCharType=kind)


# ---------------------------------------------------------------------------------- table tools
_TBLPR_ORDER = (
    "w:tblStyle", "w:tblpPr", "w:tblOverlap", "w:bidiVisual", "w:tblStyleRowBandSize",
    "w:tblStyleColBandSize", "w:tblW", "w:jc", "w:tblCellSpacing", "w:tblInd", "w:tblBorders",
    "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription",
)  # fmt: skip


def _put_tblpr(table: Table, element: Any) -> None:
    """Replace or insert ``element`` in ``<w:tblPr>``, keeping the schema's child order."""
    tbl_pr = table._tbl.tblPr
    old = tbl_pr.find(element.tag)
    if old is not None:
        tbl_pr.replace(old, element)
        return
    order = [qn(tag) for tag in _TBLPR_ORDER]
    later = set(order[order.index(element.tag) + 1 :])
    for child in tbl_pr:
        if child.tag in later:
            child.addprevious(element)
            return
    tbl_pr.append(element)


def _twips(cm: float) -> str:
    return str(round(Cm(cm).twips))


def _set_table_widths(
    table: Table, widths_cm: Sequence[float], *, indent_cm: float | None = None
) -> None:
    """Fixed layout, explicit grid and cell widths (Word reads tcW, LibreOffice gridCol).

    The table is centred, or placed at ``indent_cm`` from the left margin (may be negative).
    """
    table.autofit = False
    widths = [Cm(w) for w in widths_cm]
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
    _put_tblpr(table, _element("w:tblW", w=_twips(sum(widths_cm)), type="dxa"))
    if indent_cm is None:
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
    else:
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        _put_tblpr(table, _element("w:tblInd", w=_twips(indent_cm), type="dxa"))


def _set_cell_margins(table: Table, left_cm: float, right_cm: float) -> None:
    margins = _element("w:tblCellMar")
    margins.append(_element("w:left", w=_twips(left_cm), type="dxa"))
    margins.append(_element("w:right", w=_twips(right_cm), type="dxa"))
    _put_tblpr(table, margins)


def _set_table_borders(table: Table, value: str) -> None:
    """``value`` = "single" for a grid, "nil" for none."""
    borders = _element("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        if value == "nil":
            borders.append(_element(f"w:{edge}", val="nil"))
        else:
            borders.append(_element(f"w:{edge}", val=value, sz="4", space="0", color="000000"))
    _put_tblpr(table, borders)


def _set_row_flags(table: Table, *, header_rows: int) -> None:
    """Rows never split across pages; the first ``header_rows`` repeat on every page."""
    for index, row in enumerate(table.rows):
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(_element("w:cantSplit"))
        if index < header_rows:
            tr_pr.append(_element("w:tblHeader"))


def _shade(cell: _Cell, fill: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    shd = _element("w:shd", val="clear", color="auto", fill=fill)
    anchor = tc_pr.find(qn("w:vAlign"))
    if anchor is not None:
        anchor.addprevious(shd)
    else:
        tc_pr.append(shd)


def _fit_widths(
    widths_cm: Sequence[float] | None, ncols: int, text_width: float = TEXT_WIDTH_CM
) -> list[float]:
    """Requested widths scaled down to the text width, or the text width spread evenly."""
    if widths_cm is None:
        return [text_width / ncols] * ncols
    if len(widths_cm) != ncols:
        raise ValueError(f"widths_cm has {len(widths_cm)} entries for {ncols} columns")
    if any(w <= 0 for w in widths_cm):
        raise ValueError(f"widths_cm must be positive: {list(widths_cm)}")
    total = sum(widths_cm)
    scale = min(1.0, text_width / total)
    return [w * scale for w in widths_cm]


def _borderless_table(
    document: Document, rows: int, widths_cm: Sequence[float], *, indent_cm: float | None = None
) -> Table:
    table: Table = document.add_table(rows=rows, cols=len(widths_cm))
    _set_table_borders(table, "nil")
    _set_table_widths(table, widths_cm, indent_cm=indent_cm)
    return table


# ------------------------------------------------------------------------------- header / title
def _add_header_block(document: Document, doc: ReportDoc) -> None:
    left_w, right_w = HEADER_WIDTHS_CM
    table = _borderless_table(document, 2, HEADER_WIDTHS_CM, indent_cm=HEADER_INDENT_CM)
    _set_cell_margins(table, HEADER_CELL_MARGIN_CM, HEADER_CELL_MARGIN_CM)
    left_w -= 2 * HEADER_CELL_MARGIN_CM
    right_w -= 2 * HEADER_CELL_MARGIN_CM
    left, right = table.rows[0].cells
    _add_centered(left, doc.authority.upper(), size=13)
    _add_centered(left, doc.issuer.upper(), size=13, bold=True)
    _add_rule(left, ISSUER_RULE_CM, left_w)
    _add_centered(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=13, bold=True)
    _add_centered(right, "Độc lập - Tự do - Hạnh phúc", size=14, bold=True)
    _add_rule(right, MOTTO_RULE_CM, right_w)

    number, place_date = table.rows[1].cells
    _add_paragraph(number, doc.number, Align.CENTER, size=13, space_before=6, space_after=0)
    _add_paragraph(
        place_date, doc.place_date, Align.CENTER, size=14, italic=True, space_before=6,
        space_after=0,
    )  # fmt: skip


def _add_title(document: Document, doc: ReportDoc) -> None:
    _add_paragraph(
        document, doc.title, Align.CENTER, bold=True, space_before=18, space_after=0,
        line_spacing=1.0,
    )  # fmt: skip
    if doc.subtitle:
        _add_centered(document, doc.subtitle, bold=True)
    _add_rule(document, TITLE_RULE_CM, TEXT_WIDTH_CM, space_after=12)


# ------------------------------------------------------------------------------------ sections
def _add_section(document: Document, section: ReportSection) -> None:
    italic = section.level >= 3
    _add_paragraph(
        document, section.heading, Align.JUSTIFY, bold=not italic, italic=italic,
        space_before=6, keep_with_next=True, first_indent_cm=FIRST_LINE_INDENT_CM,
    )  # fmt: skip
    for text in section.paragraphs:
        _add_body_paragraph(document, text)
    for table in section.tables:
        _add_report_table(document, table)
    for image in section.images:
        _add_image(document, image)


def _add_report_table(
    document: Document, spec: ReportTable, text_width: float = TEXT_WIDTH_CM
) -> None:
    ncols = len(spec.headers)
    if ncols == 0:
        raise ValueError(f"table {spec.number} has no header")
    for index, row in enumerate(spec.rows, start=1):
        if len(row) != ncols:
            raise ValueError(
                f"table {spec.number}, row {index}: {len(row)} cells, expected {ncols}"
            )
    numeric = set(spec.numeric_columns)
    if bad := sorted(c for c in numeric if not 0 <= c < ncols):
        raise ValueError(f"table {spec.number}: numeric_columns out of range: {bad}")

    _add_paragraph(
        document, f"Bảng {spec.number}. {spec.title}", Align.CENTER, size=CAPTION_PT, bold=True,
        space_before=6, space_after=6, line_spacing=1.0, keep_with_next=True,
    )  # fmt: skip

    table: Table = document.add_table(rows=1 + len(spec.rows), cols=ncols)
    table.style = document.styles["Table Grid"]
    _set_table_borders(table, "single")
    _set_table_widths(table, _fit_widths(spec.widths_cm, ncols, text_width))
    _set_row_flags(table, header_rows=1)

    size = spec.font_pt
    for cell, text in zip(table.rows[0].cells, spec.headers, strict=True):
        _fill_cell(cell, text, Align.CENTER, bold=True, size=size)
        _shade(cell, HEADER_SHADING)
    for table_row, values in zip(table.rows[1:], spec.rows, strict=True):
        bold = _is_total_row(values)
        for col, (cell, text) in enumerate(zip(table_row.cells, values, strict=True)):
            align = Align.RIGHT if col in numeric else Align.LEFT
            _fill_cell(cell, text, align, bold=bold, size=size)

    if spec.source:
        _add_paragraph(
            document, spec.source, Align.JUSTIFY, size=TABLE_PT, italic=True, space_before=3
        )
    else:
        _add_paragraph(document, "", Align.LEFT, size=TABLE_PT, space_after=0, line_spacing=1.0)


def _is_total_row(values: Sequence[str]) -> bool:
    """A total row ("Tổng cộng ...", "Cộng", "Toàn tỉnh") is set in bold."""
    label = next((v.strip().casefold() for v in values if v.strip()), "")
    return label.startswith(TOTAL_ROW_LABELS)


def _fill_cell(
    cell: _Cell,
    text: str,
    align: WD_PARAGRAPH_ALIGNMENT,
    *,
    bold: bool = False,
    size: float = TABLE_PT,
) -> None:
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    pad = 2 if size >= TABLE_PT else 1
    _add_paragraph(
        cell, text, align, size=size, bold=bold, space_before=pad, space_after=pad,
        line_spacing=1.0,
    )  # fmt: skip


def _add_image(document: Document, image: ReportImage) -> None:
    width: Length = Cm(min(image.width_cm, TEXT_WIDTH_CM))
    paragraph = _add_paragraph(
        document, "", Align.CENTER, space_before=6, space_after=3, line_spacing=1.0,
        keep_with_next=True,
    )  # fmt: skip
    paragraph.add_run().add_picture(str(image.path), width=width)
    if image.caption:
        _add_centered(document, image.caption, size=TABLE_PT, italic=True, space_after=6)


# ------------------------------------------------------------------------------------ phụ lục
def _add_annex(
    document: Document, annex: ReportAnnex, note: str, page_numbers: PageNumbers
) -> None:
    """A phụ lục on new pages, in its own Word section whose page numbers start at 1."""
    section = document.add_section(WD_SECTION.NEW_PAGE)
    long_side, short_side = Mm(PAGE_HEIGHT_MM), Mm(PAGE_WIDTH_MM)
    if annex.landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = long_side, short_side
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = short_side, long_side
    width = LANDSCAPE_TEXT_WIDTH_CM if annex.landscape else TEXT_WIDTH_CM
    _number_pages(section, page_numbers, restart=True)
    _add_centered(document, annex.label, bold=True)
    _add_centered(document, annex.title, bold=True)
    if note:
        _add_centered(document, note, italic=True)
    _add_rule(document, TITLE_RULE_CM, width, space_after=12)
    for text in annex.paragraphs:
        _add_body_paragraph(document, text)
    for table in annex.tables:
        _add_report_table(document, table, width)


# ------------------------------------------------------------------------------- closing block
def _recipient_line(text: str) -> str:
    stripped = text.strip()
    return stripped if stripped.startswith(("-", "–", "+")) else f"- {stripped}"


def _add_closing_block(document: Document, doc: ReportDoc) -> None:
    spacer = document.add_paragraph()
    _format(spacer, Align.LEFT, space_after=0, line_spacing=1.0)
    table = _borderless_table(document, 1, CLOSING_WIDTHS_CM)
    _set_row_flags(table, header_rows=0)  # keep the signature block on one page
    left, right = table.rows[0].cells
    if doc.recipients:
        _add_paragraph(
            left, "Nơi nhận:", Align.LEFT, size=12, bold=True, italic=True, space_after=0,
            line_spacing=1.0,
        )  # fmt: skip
        for line in doc.recipients:
            _add_paragraph(
                left, _recipient_line(line), Align.LEFT, size=11, space_after=0, line_spacing=1.0
            )
    for text in (doc.signer_role, doc.signer_title):
        if text:
            _add_centered(right, text, bold=True)
    for _ in range(4):
        _add_centered(right, "")
    if doc.signer_name:
        _add_centered(right, doc.signer_name, bold=True)
