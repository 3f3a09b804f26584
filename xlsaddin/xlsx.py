"""XlsxWriter helpers shared by the template builder and the provincial writer."""

from __future__ import annotations

import re
from typing import Any

from xlsxwriter.utility import xl_rowcol_to_cell_fast
from xlsxwriter.worksheet import Worksheet

# Functions our formulas use; none needs XlsxWriter's "_xlfn." future-function prefixes.
CLASSIC = frozenset(
    {
        "IF",
        "AND",
        "OR",
        "NOT",
        "ISNUMBER",
        "LEN",
        "TRIM",
        "ABS",
        "INT",
        "DATE",
        "IFERROR",
        "SUM",
        "SUMIF",
        "COUNTIF",
    }
)
_CALL = re.compile(r"([A-Z][A-Z0-9._]*)\(")
#: XlsxWriter's cell tuple types that ClassicWorksheet serialises itself.
_FAST_CELLS = frozenset({"String", "Number", "Datetime", "Blank"})


class ClassicWorksheet(Worksheet):  # type: ignore[misc]  # xlsxwriter ships no types
    """A worksheet that skips XlsxWriter's ~100 regex substitutions per formula.

    XlsxWriter rewrites every formula through about a hundred ``re.sub`` calls
    to prefix newer Excel functions; for formulas made only of classic
    functions that is half the time of writing a check sheet. Anything else
    goes through the normal path.
    """

    def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> Any:
        names = set(_CALL.findall(formula))
        if names <= CLASSIC:
            formula = formula.removeprefix("{").removeprefix("=").removesuffix("}")
            return formula
        return super()._prepare_formula(formula, expand_future_functions)

    # Writers for integer (row, col) only. XlsxWriter's public write_* methods first run
    # a decorator that also accepts "A1" notation; these call the same internal writers
    # directly (the hot path of the provincial workbook: ~60,000 cells).
    def put_string(self, row: int, col: int, value: str, fmt: Any = None) -> None:
        self._write_string(row, col, value, fmt)

    def put_number(self, row: int, col: int, value: float, fmt: Any = None) -> None:
        self._write_number(row, col, value, fmt)

    def put_blank(self, row: int, col: int, fmt: Any = None) -> None:
        self._write_blank(row, col, None, fmt)

    def put_datetime(self, row: int, col: int, value: Any, fmt: Any = None) -> None:
        self._write_datetime(row, col, value, fmt)

    def _write_cell(self, row: int, col: int, cell: Any) -> None:
        """The XML of a string, number, date or blank cell, written directly.

        Byte for byte what XlsxWriter writes (a test compares the two), without
        its per-attribute escaping: a cell reference, a format index and a
        shared-string index or number never need it. Everything else (cells that
        inherit a row or column format, formulas, rich and inline strings) goes
        through XlsxWriter.
        """
        fmt = cell.format
        kind = type(cell).__name__
        if self.constant_memory or kind not in _FAST_CELLS:
            super()._write_cell(row, col, cell)
            return
        if fmt is not None:
            style = f' s="{fmt._get_xf_index()}"'
        elif row in self.row_info or col in self.col_info:
            super()._write_cell(row, col, cell)  # may inherit a row or column format
            return
        else:
            style = ""
        ref = xl_rowcol_to_cell_fast(row, col)
        if kind == "String":
            self.fh.write(f'<c r="{ref}"{style} t="s"><v>{cell.string}</v></c>')
        elif kind == "Blank":
            self.fh.write(f'<c r="{ref}"{style}/>')
        else:  # Number, Datetime
            self.fh.write(f'<c r="{ref}"{style}><v>{cell.number:.16G}</v></c>')


class Formats:
    """XlsxWriter formats are workbook-bound: create each combination once."""

    def __init__(self, book: Any, font: str, size: int = 12) -> None:
        self._book = book
        self._base = {"font_name": font, "font_size": size, "valign": "vcenter"}
        self._cache: dict[tuple[tuple[str, Any], ...], Any] = {}

    def get(self, **props: Any) -> Any:
        key = tuple(sorted(props.items()))
        if key not in self._cache:
            self._cache[key] = self._book.add_format({**self._base, **props})
        return self._cache[key]


class CapturingWorksheet(ClassicWorksheet):
    """Remembers every value written (formulas: their cached value), so what a sheet
    shows can be reused without reading the file back (``grid()``)."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[tuple[int, int], Any] = {}

    def _write_string(self, row: int, col: int, string: str, cell_format: Any = None) -> Any:
        self.values[(row, col)] = string
        return super()._write_string(row, col, string, cell_format)

    def _write_number(self, row: int, col: int, num: Any, cell_format: Any = None) -> Any:
        self.values[(row, col)] = num
        return super()._write_number(row, col, num, cell_format)

    def _write_datetime(self, row: int, col: int, date: Any, cell_format: Any = None) -> Any:
        self.values[(row, col)] = date
        return super()._write_datetime(row, col, date, cell_format)

    def _write_formula(
        self, row: int, col: int, formula: str, cell_format: Any = None, value: Any = 0
    ) -> Any:
        self.values[(row, col)] = value
        return super()._write_formula(row, col, formula, cell_format, value)

    def grid(self) -> list[list[Any]]:
        if not self.values:
            return []
        rows = max(r for r, _ in self.values) + 1
        cols = max(c for _, c in self.values) + 1
        out: list[list[Any]] = [[""] * cols for _ in range(rows)]
        for (r, c), v in self.values.items():
            out[r][c] = v
        return out


A4 = 9  # XlsxWriter's paper code for A4


def footer_code(text: str, font: str, size: int = 9) -> str:
    """A page footer: ``text`` and the sheet name on the left, "Trang n/N" on the right.

    The sheet name (``&A``) tells which sheet a loose page comes from (and lets the render
    test attribute every page of a PDF to its sheet).
    """
    face = f'&"{font}"&{size}'
    left = text.replace("&", "&&")
    return f"&L{face}{left} — &A&R{face}Trang &P/&N"


def print_setup(
    ws: Worksheet,
    *,
    landscape: bool,
    repeat: tuple[int, int] | None,
    footer: str,
    font: str,
) -> None:
    """Print like an official document: A4, one page wide (columns never split across
    pages), the table's header rows repeated on every page, page numbers and the period in
    the footer, centred between the margins."""
    ws.set_paper(A4)
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.5, right=0.4, top=0.5, bottom=0.6)
    ws.center_horizontally()
    if repeat is not None:
        ws.repeat_rows(*repeat)
    ws.set_footer(footer_code(footer, font), {"margin": 0.25})
