"""The hidden provenance sheet's lines (``report/provenance.py``): runs of rows, read back
value by value exactly as they were traced."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlsaddin.report.provenance import Source, Traced, expand, lines
from xlsaddin.spec.layout import col_letter

KEYS = ("ket_qua", "so_luong", "ghi_chu")


def _sources(rows: list[Traced]) -> list[Source]:
    return [
        Source(r.sheet, r.row, r.file, r.sha256, r.source_sheet, key, cell)
        for r in rows
        for key, cell in r.cells.items()
    ]


def _form(file: str, first_row: int, source_row: int, n: int, sheet: str = "PL01") -> list[Traced]:
    """``n`` rows of one file typed in the standard form: D, E, F from ``source_row`` on."""
    return [
        Traced(
            sheet,
            first_row + i,
            file,
            "ab" * 32,
            "Tiêu chí hạ tầng",
            {k: f"{col_letter(3 + j)}{source_row + i}" for j, k in enumerate(KEYS)},
        )
        for i in range(n)
    ]


def test_a_file_in_the_standard_form_is_one_line() -> None:
    rows = _form("email/PL01 Xã A.xlsx", 5, 18, 16) + _form("zalo/PL01 Xã B.xlsx", 21, 18, 16)
    out = lines(rows)
    assert out == [
        (
            "PL01",
            5,
            20,
            "email/PL01 Xã A.xlsx",
            "ab" * 32,
            "Tiêu chí hạ tầng",
            "ket_qua=D18:D33; so_luong=E18:E33; ghi_chu=F18:F33",
        ),
        (
            "PL01",
            21,
            36,
            "zalo/PL01 Xã B.xlsx",
            "ab" * 32,
            "Tiêu chí hạ tầng",
            "ket_qua=D18:D33; so_luong=E18:E33; ghi_chu=F18:F33",
        ),
    ]
    assert [s for line in out for s in expand(line)] == _sources(rows)


def test_a_row_that_breaks_the_pattern_starts_a_new_line() -> None:
    rows = _form("a.xlsx", 5, 18, 4)
    skipped = Traced("PL01", 9, "a.xlsx", "ab" * 32, "Tiêu chí hạ tầng", dict(rows[0].cells))
    fewer = Traced("PL01", 10, "a.xlsx", "ab" * 32, "Tiêu chí hạ tầng", {"ket_qua": "D30"})
    odd = Traced("PL01", 11, "a.xlsx", "ab" * 32, "Tiêu chí hạ tầng", {"ket_qua": "$D$31"})
    rows += [skipped, fewer, odd]
    out = lines(rows)
    assert [(line[1], line[2]) for line in out] == [(5, 8), (9, 9), (10, 10), (11, 11)]
    assert out[3][6] == "ket_qua=$D$31"  # anything but a plain cell is kept as read
    assert [s for line in out for s in expand(line)] == _sources(rows)


def test_lines_read_back_from_a_workbook_give_numbers_as_floats() -> None:
    line = ("PL01", 5.0, 7.0, "a.xlsx", "ab" * 32, "S", "ket_qua=D18:D20")
    assert [(s.row, s.cell) for s in expand(line)] == [(5, "D18"), (6, "D19"), (7, "D20")]


@pytest.mark.parametrize(
    "line",
    [
        ("PL01", 5, 7, "a.xlsx", "h", "S", "ket_qua=D18:D19"),  # range shorter than the rows
        ("PL01", 5, 7, "a.xlsx", "h", "S", "ket_qua=D18:E20"),  # two columns
        ("PL01", 5, 7, "a.xlsx", "h", "S", "ket_qua=D18"),  # a cell for three rows
        ("PL01", 7, 5, "a.xlsx", "h", "S", "ket_qua=D18"),  # rows backwards
        ("PL01", "5", 5, "a.xlsx", "h", "S", "ket_qua=D18"),  # a row number as text
    ],
)
def test_a_line_this_module_did_not_write_is_refused(line: tuple[object, ...]) -> None:
    with pytest.raises(ValueError):
        list(expand(line))


_cell = st.one_of(
    st.builds(
        lambda c, r: f"{col_letter(c)}{r}", st.integers(0, 40), st.integers(1, 60)
    ),  # plain cells, often consecutive by chance
    st.sampled_from(["$B$3", "C7:D7", "X", ""]),  # whatever else a source may name
)


@st.composite
def _traced_rows(draw: st.DrawFn) -> list[Traced]:
    rows: list[Traced] = []
    row = 5
    for _ in range(draw(st.integers(0, 6))):  # blocks: one file each
        file = draw(st.sampled_from(["a.xlsx", "b.xlsx", "c d.xlsx"]))
        sheet = draw(st.sampled_from(["PL01", "PL04"]))
        keys = draw(st.lists(st.sampled_from(KEYS), unique=True, max_size=3))
        if draw(st.booleans()):  # a standard form, sometimes broken below
            start = draw(st.integers(1, 40))
            cols = draw(st.lists(st.integers(0, 30), min_size=len(keys), max_size=len(keys)))
            for i in range(draw(st.integers(1, 8))):
                cells = {k: f"{col_letter(c)}{start + i}" for k, c in zip(keys, cols, strict=True)}
                if draw(st.integers(0, 5)) == 0:
                    cells = {k: draw(_cell) for k in draw(st.permutations(keys))}
                rows.append(Traced(sheet, row, file, "h" + file, "S", cells))
                row += 1
        else:
            for _ in range(draw(st.integers(1, 4))):
                cells = {k: draw(_cell) for k in keys}
                rows.append(Traced(sheet, row, file, "h" + file, "S", cells))
                row += draw(st.sampled_from([1, 1, 2]))  # sometimes a row without a source
    return rows


@settings(max_examples=300, deadline=None)
@given(_traced_rows())
def test_every_traced_value_is_read_back_as_it_was_traced(rows: list[Traced]) -> None:
    out = lines(rows)
    assert [s for line in out for s in expand(line)] == _sources(rows)
    assert len(out) <= len(rows)


def test_a_run_never_goes_past_excels_last_row() -> None:
    """(A reviewer's edge: a run joined D1048576 to D1048577, a row no sheet has.)"""
    rows = _form("a.xlsx", 5, 1_048_575, 3)
    out = lines(rows)
    assert [(line[1], line[2], line[6].split(";")[0]) for line in out] == [
        (5, 6, "ket_qua=D1048575:D1048576"),
        (7, 7, "ket_qua=D1048577"),
    ]
    assert [s for line in out for s in expand(line)] == _sources(rows)
