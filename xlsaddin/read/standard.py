"""Read a workbook made from our template, located by its hidden ``_meta`` sheet.

``_meta`` records where every header field, column and row sits, so a file
built from an older version of the template is still read by position, not
guessed. python-calamine is the fast path (about 7x openpyxl read-only);
nothing here evaluates formulas or touches macros.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from xlsaddin.core import codes
from xlsaddin.core.cells import display_vi, is_blank
from xlsaddin.core.issues import Issue
from xlsaddin.core.sheets import META_SHEET
from xlsaddin.read.entries import beyond_table, outside_columns
from xlsaddin.read.table import Cell, Table
from xlsaddin.spec.layout import a1, col_index, split_ref
from xlsaddin.spec.models import Mappings
from xlsaddin.text.names import fold
from xlsaddin.units import resolve

Grid = Sequence[Sequence[Any]]


def cell_at(grid: Grid, row: int, col: int) -> Any:
    if row < len(grid) and col < len(grid[row]):
        return grid[row][col]
    return None


def read_meta(grid: Grid) -> dict[tuple[str, str], str]:
    out: dict[tuple[str, str], str] = {}
    for line in grid[1:]:
        if len(line) >= 3 and line[0] and line[1]:
            value = line[2]
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            out[(str(line[0]), str(line[1]))] = "" if value is None else str(value)
    return out


def phone_text(value: object) -> object:
    """A phone number read back as text: a cell Excel turned into a number (905111222)
    gets its leading zero again (Vietnamese numbers have 10 digits, landlines 11)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    if float(value) != int(value) or value <= 0:
        return value
    digits = str(int(value))
    return "0" + digits if len(digits) in (9, 10) else digits


#: Official unit codes have five digits; anything outside this is not a unit code.
_UNIT_CODES = range(1, 1_000_000)


def _code_in_range(value: object) -> int | None:
    if isinstance(value, float) and value.is_integer():  # False for NaN and infinities
        value = int(value)
    return value if isinstance(value, int) and value in _UNIT_CODES else None


def _unit_code(meta: dict[tuple[str, str], str], header: dict[str, Cell]) -> int | None:
    code = meta.get(("meta", "unit_code"))
    if code:
        digits = code.isascii() and code.isdigit() and len(code) <= 7
        return _code_in_range(int(code)) if digits else None
    typed = header.get("unit_code")
    if typed is not None and (found := _code_in_range(typed.value)) is not None:
        return found
    name = header.get("unit_name")
    if name is not None and isinstance(name.value, str) and name.value.strip():
        match = resolve(name.value)
        if match.status == "found" and match.unit is not None:
            return match.unit.code
    return None


#: How far a table is looked for when its column numbers are not where ``_meta`` says.
_SEARCH_ROWS, _SEARCH_COLS = 12, 6


def _shifted(grid: Grid, meta: dict[tuple[str, str], str], current: bool) -> tuple[str, str] | None:
    """Why the table is not where ``_meta`` puts it (and the cell to look at), or None.

    Every template has the column numbers "(1)", "(2)", … in the row just above the
    table. ``_meta`` gives each value's cell, so a row or column inserted or deleted
    above or left of the table would have every value read from its neighbour's cell:
    the numbers' row is looked for at its place, then nearby. Found elsewhere: the table
    moved. Found nowhere: for a form of the current template the numbers were removed or
    typed over, and positions cannot be trusted either; a form of an older template may
    never have had them, and is read as before.
    """
    try:
        cols = sorted(col_index(v) for (kind, _), v in meta.items() if kind == "column")
        first = min(int(v) for (kind, _), v in meta.items() if kind == "row") - 1
    except ValueError:
        return None  # no rows or columns recorded: nothing to compare
    number_row = first - 1
    if number_row < 0 or not cols:
        return None
    expected = [(c, f"({k})") for k, c in enumerate(cols, start=1)]

    def holds(dr: int, dc: int) -> bool:
        r = number_row + dr
        return r >= 0 and all(
            c + dc >= 0 and str(cell_at(grid, r, c + dc) or "").strip() == label
            for c, label in expected
        )

    if holds(0, 0):
        return None
    where = a1(number_row, cols[0])
    for dr in range(-_SEARCH_ROWS, _SEARCH_ROWS + 1):
        for dc in range(-_SEARCH_COLS, _SEARCH_COLS + 1):
            if (dr or dc) and holds(dr, dc):
                moved = []
                if dr:
                    moved.append(f"{abs(dr)} dòng {'xuống dưới' if dr > 0 else 'lên trên'}")
                if dc:
                    moved.append(f"{abs(dc)} cột {'sang phải' if dc > 0 else 'sang trái'}")
                found = a1(number_row + dr, cols[0] + dc)
                return (
                    f"bị lệch {' và '.join(moved)} so với biểu mẫu (dòng đánh số cột "
                    f'"(1)" đang ở ô {found}, đúng ra ở ô {where}): có thể đã chèn hoặc '
                    "xóa dòng, cột phía trên hoặc bên trái bảng",
                    found,
                )
    r = number_row
    in_place = any(str(cell_at(grid, r, c) or "").strip() == label for c, label in expected)
    if not current and not in_place:
        return None  # an older template that may never have had the numbers
    return (
        f'không còn đủ dòng đánh số cột "(1)", "(2)", … ở ô {where} và các ô bên phải '
        "như biểu mẫu, nên không xác định được vị trí các cột: có thể đã chèn hoặc xóa cột "
        "trong bảng, hoặc sửa dòng đánh số",
        where,
    )


def _rows_moved(
    grid: Grid, meta: dict[tuple[str, str], str], spec: Any, current: bool
) -> tuple[str, str] | None:
    """A table of fixed rows: each row's label where ``_meta`` puts it, or why not.

    A row inserted or deleted inside the table moves the rows below it (and the total)
    while the column numbers above stay: each fixed row's label is looked for at its
    place, then nearby. Found elsewhere: the rows moved. Not found: refused for a form of
    the current template; an older one may word its rows otherwise and is read as before.
    """
    rows = spec.table.rows if isinstance(spec.table.rows, tuple) else ()
    label_key = next((c.key for c in spec.table.columns if c.fixed == "label"), None)
    if not rows or label_key is None or ("column", label_key) not in meta:
        return None
    c = col_index(meta[("column", label_key)])
    try:
        places = {key: int(v) - 1 for (kind, key), v in meta.items() if kind == "row"}
    except ValueError:
        return None

    def same(r: int, label: str) -> bool:
        value = cell_at(grid, r, c) if r >= 0 else None
        return isinstance(value, str) and fold(value) == fold(label)

    for row in rows:
        r = places.get(row.key)
        if r is None or same(r, row.label):
            continue
        steps = [d for step in range(1, _SEARCH_ROWS + 1) for d in (step, -step)]
        moved = next((d for d in steps if same(r + d, row.label)), None)
        if moved is None and not current:
            continue
        where = a1(r, c)
        if moved is not None:
            return (
                f'có dòng "{row.label}" ở dòng {r + moved + 1}, đúng ra ở dòng {r + 1} như biểu '
                "mẫu: có thể đã chèn hoặc xóa dòng trong bảng",
                a1(r + moved, c),
            )
        return (
            f'không có dòng "{row.label}" ở ô {where} như biểu mẫu: có thể đã chèn, xóa dòng '
            "trong bảng hoặc sửa tên dòng",
            where,
        )
    return None


def _typed_totals(
    grid: Grid,
    meta: dict[tuple[str, str], str],
    definitions: Mapping[str, Any],
    picked: Sequence[tuple[str, int]],
    spec: Any,
) -> list[Issue]:
    """A total row's cell that does not hold what the template's sum formula gives.

    Consolidation adds up the rows itself and never reads a total row; a total the
    commune typed over the formula (or a formula summing other cells) that differs from
    the sum of its rows, or text typed there, is named here rather than dropped.
    """
    rows = {key: int(v) - 1 for (kind, key), v in meta.items() if kind == "row"}
    numeric = [(col, c) for col, c in picked if spec.column(col).is_numeric]
    issues: list[Issue] = []
    for key, definition in definitions.items():
        if definition.kind != "total" or key not in rows:
            continue
        r = rows[key]
        parts = [rows[p] for p in definition.sum_of if p in rows]
        labels = ", ".join(definitions[p].label for p in definition.sum_of if p in definitions)
        for col, c in numeric:
            value = cell_at(grid, r, c)
            if is_blank(value):
                continue
            numbers = [cell_at(grid, p, c) for p in parts]
            total = sum(v for v in numbers if _is_number(v))
            label = spec.column(col).label
            if _is_number(value):
                if abs(value - total) <= 1e-6 * max(1.0, abs(total)):
                    continue
                said = (
                    f'Dòng "{definition.label}", cột "{label}" ghi {display_vi(value)} nhưng '
                    f"cộng các dòng {labels} được {display_vi(total)}"
                )
            elif isinstance(value, str) and value.startswith("#"):
                said = (
                    f'Dòng "{definition.label}", cột "{label}" ra lỗi công thức {value} '
                    f"(công thức cộng các dòng {labels} có thể đã hỏng do xóa dòng)"
                )
            else:
                said = (
                    f'Dòng "{definition.label}", cột "{label}" ghi "{display_vi(value)}" '
                    f"thay cho công thức cộng các dòng {labels}"
                )
            issues.append(
                Issue.of(
                    codes.TOTAL_TYPED_MISMATCH,
                    cell=a1(r, c),
                    value=display_vi(value),
                    row=definition.label,
                    column=col,
                    row_key=key,
                    message=f"{said}. Số tổng hợp được cộng từ các dòng, không lấy số ở "
                    "dòng tổng; hãy kiểm tra lại.",
                )
            )
    return issues


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value


def read_standard(
    sheets: Mapping[str, Grid], mappings: Mappings, file: str, sha256: str
) -> Table | list[Issue]:
    """``sheets``: sheet name -> full grid (``skip_empty_area=False``)."""
    meta = read_meta(sheets[META_SHEET])
    template_id = meta.get(("meta", "template_id"), "")
    try:
        spec = mappings.appendix(template_id)
    except KeyError:
        return [
            Issue.of(
                codes.TEMPLATE_UNKNOWN,
                file=file,
                value=template_id or None,
                message=f"Biểu mẫu '{template_id}' không có trong cấu hình hiện hành.",
            )
        ]
    sheet = meta.get(("meta", "sheet"), spec.sheet_name)
    if sheet not in sheets:
        return [
            Issue.of(
                codes.SHEET_MISSING,
                file=file,
                sheet=sheet,
                message=f'Không tìm thấy trang "{sheet}" trong tệp '
                "(có thể đã bị đổi tên hoặc xóa).",
            )
        ]
    grid = sheets[sheet]
    current = meta.get(("meta", "spec_hash")) == mappings.hashes[spec.id]
    shifted = _shifted(grid, meta, current) or _rows_moved(grid, meta, spec, current)
    if shifted is not None:
        return [
            Issue.of(
                codes.LAYOUT_SHIFTED,
                appendix=spec.id,
                file=file,
                sheet=sheet,
                cell=shifted[1],
                message=f'Bảng số liệu trên trang "{sheet}" {shifted[0]}. Số liệu của tệp '
                "không được đọc, để không ghi nhầm vào cột, dòng khác; hãy nhập lại vào biểu "
                "mẫu chuẩn rồi gửi lại.",
            )
        ]
    issues: list[Issue] = []
    if not current:
        version = meta.get(("meta", "template_version"))
        differs = (
            f"phiên bản {version}, khác phiên bản hiện hành {spec.version}"
            if str(version) != str(spec.version)
            else f"phiên bản {version} nhưng tạo trước khi cấu hình phụ lục được sửa"
        )
        issues.append(
            Issue.of(
                codes.TEMPLATE_OUTDATED,
                appendix=spec.id,
                file=file,
                message=f"Tệp dùng biểu mẫu {differs}; "
                "số liệu vẫn được đọc theo vị trí ghi trong tệp.",
            )
        )
    columns = {key: col_index(v) for (kind, key), v in meta.items() if kind == "column"}
    known = spec.checked_columns
    inputs = [c.key for c in spec.table.columns if c.is_input]
    header = {}
    phones = {f.key for f in mappings.header_of(spec) if f.type == "phone"}
    for (kind, key), ref in meta.items():
        if kind == "header":
            r, c = split_ref(ref)
            value = cell_at(grid, r, c)
            header[key] = Cell(phone_text(value) if key in phones else value, ref)
    rows: dict[str, dict[str, Cell]] = {}
    labels: dict[str, str] = {}
    definitions = {r.key: r for r in spec.table.rows} if isinstance(spec.table.rows, tuple) else {}
    picked = [(col, c) for col, c in columns.items() if col in known]
    input_cols = [c for col, c in picked if col in inputs]
    for (kind, key), value in meta.items():
        if kind != "row":
            continue
        if definitions and (key not in definitions or definitions[key].kind == "total"):
            continue
        r = int(value) - 1
        if not definitions and all(is_blank(cell_at(grid, r, c)) for c in input_cols):
            continue  # an unused line of a free table is no entry (nor for the check sheet)
        rows[key] = {col: Cell(cell_at(grid, r, c), a1(r, c)) for col, c in picked}
        labels[key] = definitions[key].label if key in definitions else f"Dòng {key}"
    last = meta.get(("meta", "last_data_row"))
    if last and last.isdigit():  # anything typed below the table is named, never dropped
        issues += [
            i.located(file=file, sheet=sheet)
            for i in beyond_table(grid, spec, columns, int(last) - 1, mappings)
        ]
    first_row = min((int(v) - 1 for (k, _), v in meta.items() if k == "row"), default=None)
    if first_row is not None and columns:  # nor anything right of the table's columns
        issues += [
            i.located(file=file, sheet=sheet, appendix=spec.id)
            for i in outside_columns(grid, first_row, max(columns.values()))
        ]
    issues += [
        i.located(file=file, sheet=sheet, appendix=spec.id)
        for i in _typed_totals(grid, meta, definitions, picked, spec)
    ]
    return Table(
        spec=spec,
        file=file,
        sha256=sha256,
        sheet=sheet,
        header=header,
        rows=rows,
        row_labels=labels,
        unit_code=_unit_code(meta, header),
        strict=True,
        template={k: v for (kind, k), v in meta.items() if kind == "meta"},
        issues=issues,
    )
