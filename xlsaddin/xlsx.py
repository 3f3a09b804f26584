"""XlsxWriter helpers shared by the template builder and the provincial writer."""

from __future__ import annotations

import functools
import re
import threading
import zipfile
from typing import Any

import xlsxwriter.workbook as _workbook_module
import xlsxwriter.worksheet as _worksheet_module
from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name
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


class ClassicWorksheet(Worksheet):  # type: ignore[misc]  # xlsxwriter ships no types
    """A worksheet that skips XlsxWriter's ~100 regex substitutions per formula.

    XlsxWriter rewrites every formula through about a hundred ``re.sub`` calls
    to prefix newer Excel functions (``_xlfn.``); a formula made only of
    classic functions comes out unchanged apart from its leading "=" and array
    braces, so for those this returns that directly. Anything else goes through
    XlsxWriter's own path.

    Measured (benchmarks/xlsx_overrides.py, docs/performance.md): writing the
    four standard templates takes 0.45x the time of XlsxWriter's path (median
    ratio; 88 against 218 ms CPU, minima, on the project's VM). The only
    XlsxWriter internal xlsaddin relies on for speed; it is kept robust:

    * the hook is optional: XlsxWriter calls it, nothing in xlsaddin does, so a
      version without ``_prepare_formula`` simply never calls this and writes
      every formula its own (public) way;
    * any other arguments are passed through to XlsxWriter unchanged;
    * tests/test_xlsx.py writes the templates with and without it and requires
      the same sheet XML byte for byte.
    """

    def _prepare_formula(self, formula: str, *args: Any, **kwargs: Any) -> Any:
        prepared = _PREPARED.get(formula)
        if prepared is not None:
            return prepared
        if set(_CALL.findall(formula)) <= CLASSIC:
            prepared = formula.removeprefix("{").removeprefix("=").removesuffix("}")
            if len(_PREPARED) >= _PREPARED_MAX:
                _PREPARED.clear()
            _PREPARED[formula] = prepared
            return prepared
        return super()._prepare_formula(formula, *args, **kwargs)

    def _write_cell(self, row: int, col: int, cell: Any) -> None:
        """XlsxWriter's innermost loop, for the three kinds of cell the provincial workbook
        is made of (a number or date, a shared string, a blank, each with its format);
        any other cell, and any cell without a format, goes to XlsxWriter's own.

        XlsxWriter builds a list of attribute pairs, escapes each and dispatches on the
        cell class's name for every cell; for these three kinds what it writes is fixed:
        ``<c r="B7" s="12"><v>3.5</v></c>``, ``<c r="B7" s="12" t="s"><v>41</v></c>``
        (the index into the shared strings), ``<c r="B7" s="12"/>``. Measured
        (benchmarks/xlsx_overrides.py, docs/performance.md): the provincial workbook of
        the demo inbox (~59,000 cells) in about 0.7x the CPU time. Kept robust: where
        XlsxWriter no longer names these cell classes, or its formats no longer have
        ``_get_xf_index``, every cell takes XlsxWriter's path (``_FAST_CELLS`` is
        empty); tests/test_xlsx.py requires the same sheet XML byte for byte as
        XlsxWriter's for generated cells of every kind, and for the provincial workbook.
        """
        how = _FAST_CELLS.get(type(cell))
        fmt = cell.format
        if how is None or not fmt or (how == "s" and self.constant_memory):
            super()._write_cell(row, col, cell)
            return
        ref = f"{_column_name(col)}{row + 1}"
        xf = fmt._get_xf_index()
        if how == "n":
            self.fh.write(f'<c r="{ref}" s="{xf}"><v>{cell.number:.16G}</v></c>')
        elif how == "s":
            self.fh.write(f'<c r="{ref}" s="{xf}" t="s"><v>{cell.string}</v></c>')
        else:
            self.fh.write(f'<c r="{ref}" s="{xf}"/>')

    # Integer-only writers for the provincial workbook's hot path (~65,000 cells).
    # XlsxWriter's public write_* methods are wrapped in a decorator that also accepts
    # "A1" notation; these call the same public methods without it (the standard
    # ``__wrapped__`` of functools.wraps; the decorated method where that is absent).
    # Measured (callgrind, demo inbox): 6 % fewer instructions per provincial workbook
    # (157 of 2,790 million).
    def put_string(self, row: int, col: int, value: str, fmt: Any = None) -> None:
        _WRITE_STRING(self, row, col, value, fmt)

    def put_number(self, row: int, col: int, value: float, fmt: Any = None) -> None:
        _WRITE_NUMBER(self, row, col, value, fmt)

    def put_blank(self, row: int, col: int, fmt: Any = None) -> None:
        _WRITE_BLANK(self, row, col, None, fmt)

    def put_datetime(self, row: int, col: int, value: Any, fmt: Any = None) -> None:
        _WRITE_DATETIME(self, row, col, value, fmt)

    def put_formula(
        self, row: int, col: int, formula: str, fmt: Any = None, value: Any = 0
    ) -> None:
        _WRITE_FORMULA(self, row, col, formula, fmt, value)

    def put_url(self, row: int, col: int, url: str, fmt: Any = None, text: Any = None) -> None:
        _WRITE_URL(self, row, col, url, fmt, text)


def _fast_cells() -> dict[type, str]:
    """XlsxWriter's cell classes that ``_write_cell`` writes itself: "n" number or date,
    "s" shared string, "b" blank (none when XlsxWriter has changed)."""
    names = {
        "CellNumberTuple": "n",
        "CellDatetimeTuple": "n",
        "CellStringTuple": "s",
        "CellBlankTuple": "b",
    }
    found = {getattr(_worksheet_module, name, None): how for name, how in names.items()}
    if None in found or not callable(getattr(Format, "_get_xf_index", None)):
        return {}
    return found  # type: ignore[return-value]


_FAST_CELLS = _fast_cells()
_column_name = functools.lru_cache(maxsize=None)(xl_col_to_name)


#: Classic formulas as XlsxWriter stores them, by formula text: the check sheets of one
#: layout hold the same 3,600 formulas in every copy (a bounded memo: cleared when full).
_PREPARED: dict[str, str] = {}
_PREPARED_MAX = 50_000


def _undecorated(method: Any) -> Any:
    return getattr(method, "__wrapped__", method)


_WRITE_STRING = _undecorated(Worksheet.write_string)
_WRITE_NUMBER = _undecorated(Worksheet.write_number)
_WRITE_BLANK = _undecorated(Worksheet.write_blank)
_WRITE_DATETIME = _undecorated(Worksheet.write_datetime)
_WRITE_FORMULA = _undecorated(Worksheet.write_formula)
_WRITE_URL = _undecorated(Worksheet.write_url)


#: zlib's level for the members of a workbook written by :class:`QuickZipWorkbook`.
QUICK_ZIP_LEVEL = 1


class _QuickZipFile(zipfile.ZipFile):
    """A ``ZipFile`` that deflates at QUICK_ZIP_LEVEL unless told a level: members added
    from memory (``writestr``, a ZipInfo carries no level of its own) and from temporary
    files (``write``, which takes the archive's ``compresslevel``) alike."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("compresslevel", QUICK_ZIP_LEVEL)
        super().__init__(*args, **kwargs)

    def writestr(
        self,
        zinfo_or_arcname: Any,
        data: Any,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        level = QUICK_ZIP_LEVEL if compresslevel is None else compresslevel
        super().writestr(zinfo_or_arcname, data, compress_type, level)


_ZIP_SWAP = threading.RLock()


class QuickZipWorkbook(Workbook):  # type: ignore[misc]  # xlsxwriter ships no types
    """An XlsxWriter workbook zipped at zlib level 1 instead of the default 6.

    XlsxWriter has no setting for the level. The provincial workbook is about 2.7 MB of
    XML: level 6 deflates it in ~50 ms, level 1 in ~10 ms, for a file about a quarter
    larger (340 -> 430 KB on the demo inbox; Excel and LibreOffice read any level). Measured
    in benchmarks/xlsx_overrides.py and whole-process, docs/performance.md.

    How: while :meth:`close` runs, the name ``ZipFile`` that XlsxWriter's workbook module
    calls is this module's subclass, which only passes zipfile's public ``compresslevel``.
    The name is the module's, so a plain XlsxWriter workbook closed by another thread at
    that very moment is zipped at level 1 too (its XML is unchanged); closes of this class
    take turns. When XlsxWriter no longer looks the class up by that name, nothing is
    swapped and the workbook is written at XlsxWriter's own level (tests/test_xlsx.py
    notices: it requires level 1 and the same XML member by member as XlsxWriter's path).
    """

    def close(self) -> None:
        with _ZIP_SWAP:
            saved = getattr(_workbook_module, "ZipFile", None)
            if saved is not zipfile.ZipFile:
                super().close()
                return
            _workbook_module.ZipFile = _QuickZipFile
            try:
                super().close()
            finally:
                _workbook_module.ZipFile = saved


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
    shows can be reused without reading the file back (``grid()``).

    Captured at XlsxWriter's public writers with integer (row, col) — the only form
    xlsaddin uses — and ``merge_range`` (its text sits in the first cell).
    """

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[tuple[int, int], Any] = {}

    def put_string(self, row: int, col: int, value: str, fmt: Any = None) -> None:
        self.write_string(row, col, value, fmt)

    def put_number(self, row: int, col: int, value: float, fmt: Any = None) -> None:
        self.write_number(row, col, value, fmt)

    def put_blank(self, row: int, col: int, fmt: Any = None) -> None:
        self.write_blank(row, col, None, fmt)

    def put_datetime(self, row: int, col: int, value: Any, fmt: Any = None) -> None:
        self.write_datetime(row, col, value, fmt)

    def put_formula(
        self, row: int, col: int, formula: str, fmt: Any = None, value: Any = 0
    ) -> None:
        self.write_formula(row, col, formula, fmt, value)

    def put_url(self, row: int, col: int, url: str, fmt: Any = None, text: Any = None) -> None:
        self.write_url(row, col, url, fmt, text)

    def write_string(self, row: int, col: int, string: str, cell_format: Any = None) -> Any:
        self.values[(row, col)] = string
        return super().write_string(row, col, string, cell_format)

    def write_number(self, row: int, col: int, number: Any, cell_format: Any = None) -> Any:
        self.values[(row, col)] = number
        return super().write_number(row, col, number, cell_format)

    def write_datetime(self, row: int, col: int, date: Any, cell_format: Any = None) -> Any:
        self.values[(row, col)] = date
        return super().write_datetime(row, col, date, cell_format)

    def write_formula(
        self, row: int, col: int, formula: str, cell_format: Any = None, value: Any = 0
    ) -> Any:
        self.values[(row, col)] = value
        return super().write_formula(row, col, formula, cell_format, value)

    def merge_range(
        self,
        first_row: int,
        first_col: int,
        last_row: int,
        last_col: int,
        data: Any,
        cell_format: Any = None,
    ) -> Any:
        if data is not None and data != "":
            self.values[(first_row, first_col)] = data
        return super().merge_range(first_row, first_col, last_row, last_col, data, cell_format)

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
