"""Where everything sits on an appendix sheet, computed from the spec alone.

The builder writes by this layout and the ``_meta`` sheet records it, so a reader
never has to guess where a value is. Rows and columns are 0-based here; helpers
give A1 references for Excel.
"""

from __future__ import annotations

import functools
import math
import unicodedata
from dataclasses import dataclass

from xlsaddin.spec.models import AppendixSpec, HeaderField, RowDef


@functools.lru_cache(maxsize=1024)
def col_letter(col: int) -> str:
    """0-based column index -> Excel letters (0 -> A, 27 -> AB)."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def line_count(text: str, width: float) -> int:
    """Lines a wrapped text needs in a column ``width`` characters wide (an estimate)."""
    chars_per_line = max(1.0, width * 1.05)
    return sum(max(1, math.ceil(len(part) / chars_per_line)) for part in text.split("\n"))


# Excel column widths count characters of the default font (Calibri 11): 7 px each plus 5 px
# of padding. Advance widths of Times New Roman (= Liberation Serif, its metric twin) in
# thousandths of an em; a Vietnamese letter is as wide as its base letter (ơ, ư a bit wider).
_PX_PER_UNIT = 7.0
_EM_WIDTHS = {
    180: "'", 200: "|", 250: " ,.", 278: "/:;\\ijlt", 333: "!()-I[]`fr", 389: "Js",
    408: '"', 444: "?acez", 469: "^", 480: "{}", 500: "#$*0123456789_bdghknopquvxyđ",
    529: "ơ", 541: "~ư", 556: "FPS", 564: "+<=>", 611: "ELTZ", 667: "BCR",
    722: "ADGHKNOQUVXYwĐƠ", 776: "Ư", 778: "&m", 833: "%", 889: "M", 921: "@", 944: "W",
}  # fmt: skip
_WIDTH = {ch: width / 1000 for width, chars in _EM_WIDTHS.items() for ch in chars}


def text_em(text: str) -> float:
    """Width of ``text`` on one line, in ems of Times New Roman."""
    return _em(text)


@functools.lru_cache(maxsize=4096)
def _em(word: str) -> float:
    total = 0.0
    for ch in word:
        width = _WIDTH.get(ch)
        if width is None:
            base = unicodedata.normalize("NFD", ch)[0]
            width = _WIDTH.get(base, 0.55)
        total += width
    return total


def width_for(em: float, font_pt: float = 11.0) -> float:
    """The column width (Excel units) that holds ``em`` ems of ``font_pt`` text on a line."""
    return (em * font_pt * 96 / 72 * 1.04 + 1) / _PX_PER_UNIT + 0.25


@functools.lru_cache(maxsize=8192)  # a provincial workbook asks ~25,000 times, 5 % distinct
def wrapped_lines(text: str, width: float, font_pt: float = 11.0) -> int:
    """Lines ``text`` takes when wrapped at spaces in a column ``width`` units wide, set in
    Times New Roman ``font_pt`` (an estimate from the font's advance widths with a 4 %
    margin, never below 1); a word longer than a line breaks anywhere, as Excel does."""
    room = (_PX_PER_UNIT * width + 5 - 6) / (font_pt * 96 / 72) / 1.04  # in em
    room = max(room, 0.6)
    space = _WIDTH[" "]
    lines = 0
    for part in str(text).split("\n"):
        used, count = 0.0, 1
        for word in part.split():
            size = _em(word)
            if size > room:  # broken across lines
                whole, rest = divmod(size + (used + space if used else 0.0), room)
                count += int(whole)
                used = rest
                continue
            need = size if not used else used + space + size
            if need <= room:
                used = need
            else:
                count += 1
                used = size
        lines += count
    return max(1, lines)


def col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch.upper()) - 64)
    return n - 1


def split_ref(ref: str) -> tuple[int, int]:
    """'C12' -> (11, 2) zero-based."""
    i = next(i for i, ch in enumerate(ref) if ch.isdigit())
    return int(ref[i:]) - 1, col_index(ref[:i])


@functools.lru_cache(maxsize=1 << 16)
def a1(row: int, col: int, absolute: bool = False) -> str:
    """0-based (row, col) -> A1 reference, optionally absolute ($A$1)."""
    if absolute:
        return f"${col_letter(col)}${row + 1}"
    return f"{col_letter(col)}{row + 1}"


@dataclass(frozen=True)
class HeaderLine:
    field: HeaderField
    row: int
    label_cols: tuple[int, int]
    value_cols: tuple[int, int]


@dataclass(frozen=True)
class DataRow:
    """A row of the data table: a fixed row definition, or ``None`` for a free row."""

    row: int
    index: int  # 1-based number shown in the STT column
    definition: RowDef | None

    @property
    def key(self) -> str:
        return self.definition.key if self.definition else str(self.index)

    @property
    def is_total(self) -> bool:
        return self.definition is not None and self.definition.kind == "total"


@dataclass(frozen=True)
class Layout:
    spec: AppendixSpec
    ncols: int
    title_rows: tuple[int, ...]
    subtitle_row: int | None
    header_lines: tuple[HeaderLine, ...]
    status_row: int
    unit_row: int | None
    group_row: int | None
    label_row: int
    number_row: int
    data_rows: tuple[DataRow, ...]
    note_row: int
    signature_row: int

    @property
    def first_data_row(self) -> int:
        return self.data_rows[0].row

    @property
    def last_data_row(self) -> int:
        return self.data_rows[-1].row

    @property
    def last_row(self) -> int:
        return self.signature_row + 2

    @property
    def table_top(self) -> int:
        return self.group_row if self.group_row is not None else self.label_row

    def header_cell(self, key: str) -> tuple[int, int]:
        for line in self.header_lines:
            if line.field.key == key:
                return line.row, line.value_cols[0]
        raise KeyError(key)

    def column_index(self, key: str) -> int:
        for i, col in enumerate(self.spec.table.columns):
            if col.key == key:
                return i
        raise KeyError(key)

    def row_of(self, key: str) -> DataRow:
        for data_row in self.data_rows:
            if data_row.key == key:
                return data_row
        raise KeyError(key)


def compute_layout(spec: AppendixSpec, header: tuple[HeaderField, ...]) -> Layout:
    ncols = len(spec.table.columns)
    row = 0
    title_rows = tuple(range(row, row + len(spec.title)))
    row += len(spec.title)
    subtitle_row = None
    if spec.subtitle:
        subtitle_row = row
        row += 1
    row += 1  # spacer

    label_end = max(0, min(1, ncols - 2))
    value_start = label_end + 1
    value_end = max(value_start, ncols - 1)
    lines = []
    for field in header:
        lines.append(HeaderLine(field, row, (0, label_end), (value_start, value_end)))
        row += 1
    status_row = row
    row += 2  # status line, spacer

    unit_row = None
    if spec.unit_of_measure:
        unit_row = row
        row += 1
    group_row = None
    if any(c.group for c in spec.table.columns):
        group_row = row
        row += 1
    label_row = row
    number_row = row + 1
    row += 2

    data_rows = []
    if isinstance(spec.table.rows, tuple):
        for i, definition in enumerate(spec.table.rows):
            data_rows.append(DataRow(row + i, i + 1, definition))
    else:
        for i in range(spec.table.max_rows):
            data_rows.append(DataRow(row + i, i + 1, None))
    row += len(data_rows)
    note_row = row + 1
    signature_row = note_row + 2
    return Layout(
        spec=spec,
        ncols=ncols,
        title_rows=title_rows,
        subtitle_row=subtitle_row,
        header_lines=tuple(lines),
        status_row=status_row,
        unit_row=unit_row,
        group_row=group_row,
        label_row=label_row,
        number_row=number_row,
        data_rows=tuple(data_rows),
        note_row=note_row,
        signature_row=signature_row,
    )
