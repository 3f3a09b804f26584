"""What counts as an entry outside a table's rows, so that no typed value is dropped silently.

Two places need this: a foreign layout, whose entries are found by reading down the
sheet (a row without the key text may still be an entry whose name was forgotten),
and our own template, where anything typed below the last row of the table is not
read as data and must be named in an issue (``row-beyond-capacity``).

A row *looks like an entry* when two or more of its input cells hold something, or
one holds a value of its column's type (a number in a number column, a date in a
date column, an allowed choice) -- a lone free text (a signature, a page footer, a
wrapped line) does not.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from xlsaddin.core import codes
from xlsaddin.core.cells import display_vi, is_blank
from xlsaddin.core.issues import Issue
from xlsaddin.read.typed import synonyms_for, typed_value
from xlsaddin.spec.layout import a1
from xlsaddin.spec.models import AppendixSpec, Mappings


def filled(cells: Mapping[str, object]) -> dict[str, object]:
    return {k: v for k, v in cells.items() if not is_blank(v)}


def looks_like_entry(spec: AppendixSpec, cells: Mapping[str, object], mappings: Mappings) -> bool:
    """``cells``: raw values of the row's input cells by column key."""
    values = filled(cells)
    if len(values) >= 2:
        return True
    synonyms = synonyms_for(mappings)
    for key, value in values.items():
        col = spec.column(key)
        if col.type == "text":
            continue
        if typed_value(col, value, synonyms).value is not None:
            return True
    return False


def quote(cells: Mapping[str, object], limit: int = 120) -> str:
    """The row's content for a message, as the officer typed it: "Tên nhiệm vụ | 31/8/2025
    | 5" (numbers and dates Vietnamese-style, ``core.cells.display_vi``; never "5.0")."""
    text = " | ".join(display_vi(v).strip() for v in filled(cells).values())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def beyond_table(
    grid: Sequence[Sequence[Any]],
    spec: AppendixSpec,
    columns: Mapping[str, int],
    last_data_row: int,
    mappings: Mappings,
) -> list[Issue]:
    """Entries typed below the last row of our template's table (0-based ``last_data_row``).

    The template's own footer lines (the input note, the signature block) are not
    entries. Between the table and the note everything typed is an entry (rows inserted
    there, or the spacer row used), and a label or note typed there without figures is
    named too (``text-below-table``, a warning); from the note down, only what looks like
    an entry (a signer's name or the place and date are not).
    """
    project = mappings.project
    sig = project.signature
    notes = (project.input_note, sig.left_title, sig.left_note, sig.right_title, sig.right_note)
    footer = {" ".join(t.split()) for t in (*notes, sig.place_date)}

    def starts_footer(texts: set[str]) -> bool:
        # the template's own lines, or its place and date as the officer filled them in
        return bool(texts & footer) or any(_PLACE_DATE.search(t.lower()) for t in texts)

    inputs = {c.key: columns[c.key] for c in spec.table.columns if c.is_input and c.key in columns}
    every = dict(sorted(columns.items(), key=lambda kc: kc[1]))  # the table's columns, in order
    issues: list[Issue] = []
    in_footer = False
    for r in range(last_data_row + 1, len(grid)):
        line = grid[r]
        texts = {" ".join(v.split()) for v in line if isinstance(v, str)}
        if starts_footer(texts):
            in_footer = True
            continue
        values = {k: line[c] if c < len(line) else None for k, c in inputs.items()}
        # the whole line as typed, label columns too ("Người lao động tạm thời | 5")
        whole = {k: line[c] if c < len(line) else None for k, c in every.items()}
        if not filled(values):
            # a row's name or a note without figures, between the table and the template's
            # note (the template has nothing there): named; from the note down, labels
            # alone are the note and the signature block, as filled in by the signer
            if not in_footer and filled(whole):
                issues.append(_text_below(spec, r, whole, every))
            continue
        if in_footer and not looks_like_entry(spec, values, mappings):
            continue
        first = next(k for k in values if not is_blank(values[k]))
        issues.append(
            Issue.of(
                codes.ROW_BEYOND_CAPACITY,
                appendix=spec.id,
                cell=a1(r, inputs[first]),
                value=quote(whole),
                row=f"Dòng {r + 1}",
                message=f"Dòng {r + 1} nằm ngoài bảng (bảng có {len(_rows(spec))} dòng, "
                f'đến dòng {last_data_row + 1}): "{quote(whole)}" không được tổng hợp. '
                "Chỉ nhập trong các dòng của bảng.",
            )
        )
    return issues


def _text_below(
    spec: AppendixSpec, r: int, whole: Mapping[str, object], columns: Mapping[str, int]
) -> Issue:
    first = next(k for k in whole if not is_blank(whole[k]))
    text = quote(whole)
    return Issue.of(
        codes.TEXT_BELOW_TABLE,
        appendix=spec.id,
        cell=a1(r, columns[first]),
        value=text,
        row=f"Dòng {r + 1}",
        message=f'Dòng {r + 1} dưới bảng ghi "{text}" nhưng không có số liệu, và không được '
        "tổng hợp. Nếu đây là một dòng của bảng, hãy nhập vào các dòng của bảng.",
    )


#: The place and date line of the signature block, however it was filled in ("Ba Tơ, ngày
#: 15 tháng 12 năm 2025", "......, ngày ..... tháng ..... năm .....").
_PLACE_DATE = re.compile(r"ngày\b.*\btháng\b.*\bnăm\b")


def outside_columns(grid: Sequence[Sequence[Any]], first_row: int, last_col: int) -> list[Issue]:
    """Anything typed right of the table's last column, from the table's first row down:
    never read, so named (one issue per row, quoting what it holds; the template has
    nothing there)."""
    issues: list[Issue] = []
    for r in range(max(0, first_row), len(grid)):
        line = grid[r]
        cells = [(c, line[c]) for c in range(last_col + 1, len(line)) if not is_blank(line[c])]
        if not cells:
            continue
        text = " | ".join(display_vi(v).strip() for _, v in cells)
        text = text if len(text) <= 120 else text[:119] + "…"
        first = a1(r, cells[0][0])
        where = first if len(cells) == 1 else f"{first}:{a1(r, cells[-1][0])}"
        issues.append(
            Issue.of(
                codes.VALUE_OUTSIDE_TABLE,
                cell=first,
                value=text,
                row=f"Dòng {r + 1}",
                message=f'Ô {where} ghi "{text}" nằm ngoài các cột của bảng nên không được '
                "tổng hợp; nếu cần, ghi vào cột Ghi chú của bảng.",
            )
        )
    return issues


def _rows(spec: AppendixSpec) -> list[str]:
    if isinstance(spec.table.rows, tuple):
        return [r.key for r in spec.table.rows]
    return [str(i + 1) for i in range(spec.table.max_rows)]
