"""Write the provincial workbook (XlsxWriter).

Every value that came from a commune is written with ``write_string`` /
``write_number`` / ``write_datetime`` — never ``write()`` — so a text cell that
starts with "=" stays text: formula injection is impossible. Totals rows are
Excel formulas whose cached value is the Python total, next to the Python total
written as a value and an "Đối chiếu" cell comparing the two.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from xlsxwriter.worksheet import Worksheet

from xlsaddin import __version__
from xlsaddin.consolidate.indicators import KIND_KEYS, Headline
from xlsaddin.consolidate.model import AppendixResult, Consolidation
from xlsaddin.consolidate.submissions import SOURCE_VI, STATE_VI, STATUS_VI
from xlsaddin.consolidate.tables import ConsRow, numeric_total
from xlsaddin.core.issues import SEVERITY_VI
from xlsaddin.core.sheets import (
    APPENDIX_PREFIX,
    INFO,
    ISSUES,
    SOURCES,
    STATUS,
    SUMMARY,
    SUMMARY_KEY_COL,
    TASKS,
    appendix_sheet,
    quote,
)
from xlsaddin.report.provenance import HEADER, Traced, lines
from xlsaddin.spec.layout import a1, text_em, width_for, wrapped_lines
from xlsaddin.spec.loader import SpecError
from xlsaddin.spec.models import Chart, Column, Mappings
from xlsaddin.text.dates import DATE_NUM_FORMAT, format_date_vi
from xlsaddin.xlsx import (
    CapturingWorksheet,
    ClassicWorksheet,
    Formats,
    QuickZipWorkbook,
    print_setup,
)

FIXED_CREATED = dt.datetime(2025, 7, 1)
TASK_KIND_VI = {"overdue": "Quá hạn", "completed_late": "Hoàn thành muộn"}
LINE_PT = 15.0  # height of one line of 11 pt text
DATA_PT = 10  # the long data sheets (appendices, tasks, issues) print in 10 pt ...
DATA_LINE_PT = 13.0  # ... 13 pt a line
CHART_LABEL_COL = SUMMARY_KEY_COL + 1  # hidden column G of SUMMARY: a chart's category names
_KIND_NAMES = {suffix: kind.capitalize() for kind, suffix in KIND_KEYS.items()}


def appendix_sheet_name(result: AppendixResult) -> str:
    return appendix_sheet(result.spec.code, result.spec.sheet_name)


class _Book:
    def __init__(self, path: Path, font: str) -> None:
        self.book = QuickZipWorkbook(
            str(path),
            {
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
                "in_memory": True,
            },
        )
        self.font = font
        self.fmt = Formats(self.book, font, size=11).get
        self.footer = ""  # what every printed page says besides its sheet and number

    def fit_row(
        self, ws: Worksheet, row: int, texts: Sequence[tuple[object, float]], size: int = 11
    ) -> None:
        """Give ``row`` the height its wrapped texts need, so nothing prints over the next
        row (rows of one line keep the default height)."""
        lines = max((_lines(t, w, size) for t, w in texts), default=1)
        if lines > 1:
            line = DATA_LINE_PT if size == DATA_PT else LINE_PT
            ws.set_row(row, line * lines + 3)

    def data(self, **props: Any) -> Any:
        """A format of the long data sheets (10 pt)."""
        return self.fmt(font_size=DATA_PT, **props)

    def print_setup(
        self, ws: Worksheet, *, landscape: bool, repeat: tuple[int, int] | None
    ) -> None:
        print_setup(ws, landscape=landscape, repeat=repeat, footer=self.footer, font=self.font)

    def value(self, ws: ClassicWorksheet, row: int, col: int, value: object, fmt: Any) -> None:
        """Commune data: strings stay strings whatever they start with."""
        if value is None or value == "":
            ws.put_blank(row, col, fmt)
        elif isinstance(value, bool):
            ws.put_string(row, col, "Có" if value else "Không", fmt)
        elif isinstance(value, (int, float)):
            if (number := finite(value)) is None:
                ws.put_string(row, col, str(value), fmt)  # never raises, never dropped
            else:
                ws.put_number(row, col, number, fmt)
        elif isinstance(value, (dt.date, dt.datetime)):
            ws.put_datetime(row, col, value, fmt)
        else:
            ws.put_string(row, col, str(value), fmt)

    def header(
        self,
        ws: Worksheet,
        row: int,
        titles: Sequence[str],
        widths: Sequence[float],
        size: int = 11,
    ) -> None:
        head = self.fmt(
            bold=True,
            border=1,
            align="center",
            text_wrap=True,
            bg_color="#D9E1F2",
            font_size=size,
        )
        for i, (title, width) in enumerate(zip(titles, widths, strict=True)):
            ws.set_column(i, i, width)
            ws.write_string(row, i, title, head)
        ws.set_row(row, 32)


def finite(value: float) -> float | None:
    """``value`` as a float Excel can store, or None (NaN, infinities, beyond the float range).

    Validation keeps such values out of consolidation; the writer still never raises on one.
    """
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def _lines(text: object, width: float, size: int = DATA_PT) -> int:
    """Lines a cell's text wraps to (1 for anything but a non-empty text)."""
    return wrapped_lines(text, width, size) if isinstance(text, str) and text else 1


def _title(b: _Book, ws: Worksheet, text: str, result: Consolidation, ncols: int) -> None:
    ws.merge_range(0, 0, 0, max(ncols - 1, 1), text, b.fmt(bold=True, font_size=13, align="center"))
    ws.set_row(0, 20)
    sub = (
        f"Kỳ báo cáo: {result.period.label} — số liệu chốt đến ngày "
        f"{format_date_vi(result.closing_date)}"
    )
    ws.merge_range(1, 0, 1, max(ncols - 1, 1), sub, b.fmt(italic=True, align="center"))


# columns holding words (they wrap, their width and row heights follow their texts): a
# choice such as "Chưa ban hành theo tiến độ" as much as a free text
WORDS = frozenset({"text", "choice", "bool"})


def _number_format(col: Column) -> dict[str, Any]:
    if col.type == "int":
        return {"num_format": "#,##0"}
    if col.type == "decimal":
        return {"num_format": "#,##0.0##"}
    if col.type == "date":
        return {"num_format": DATE_NUM_FORMAT, "align": "center"}
    return {"text_wrap": True}


def fit_columns(
    widths: list[float],
    texts: dict[int, list[object]],
    size: int = DATA_PT,
    printed: int | None = None,
) -> list[float]:
    """Widths of the text columns ``texts`` (column -> its cell texts) sized so that nine texts
    in ten fit on one line, never narrower than given, and the first ``printed`` columns
    within MAX_SHEET_CHARS in all.

    A long data sheet prints one page wide: a row of one line costs far fewer pages than a
    row wrapped on three, even when the page is scaled down a little to make room. When the
    sheet would be too wide, the widest columns give way first (their texts wrap), so short
    texts keep their single line.
    """
    out = list(widths)
    for col, values in texts.items():
        lengths = sorted(text_em(v) for v in values if isinstance(v, str) and v)
        if lengths:
            wanted = width_for(lengths[(len(lengths) - 1) * 9 // 10], size)
            out[col] = max(out[col], min(wanted, MAX_TEXT_CHARS))
    counted = range(len(out) if printed is None else printed)
    excess = sum(out[c] for c in counted) - MAX_SHEET_CHARS
    grown = [c for c in texts if c in counted and out[c] > widths[c]]
    if excess > 0 and grown:  # lower a common ceiling on the grown columns until it fits
        low, high = 0.0, max(out[c] for c in grown)
        for _ in range(40):
            ceiling = (low + high) / 2
            saved = sum(out[c] - max(ceiling, widths[c]) for c in grown if out[c] > ceiling)
            low, high = (ceiling, high) if saved > excess else (low, ceiling)
        for c in grown:
            out[c] = min(out[c], max(low, widths[c]))
    return out


def _block_status(block: Any) -> str:
    status = STATUS_VI[block.status.status]
    return status + (f" — {block.status.errors} lỗi" if block.status.errors else "")


# landscape A4 between our margins is 27.4 cm: about 148 characters at 100 %. A data sheet up
# to MAX_SHEET_CHARS wide prints at 74 % or more (10 pt text at 7.4 pt or more).
MAX_SHEET_CHARS = 200.0
MAX_TEXT_CHARS = 70.0  # no column wider than this: longer texts wrap


# up to this many characters wide a sheet prints portrait (at 70 % or more: 11 pt text
# stays above 7.5 pt); wider sheets print landscape
PORTRAIT_CHARS = 150


def _appendix_sheet(
    b: _Book, result: Consolidation, app: AppendixResult, src: list[Traced]
) -> None:
    spec = app.spec
    name = appendix_sheet_name(app)
    ws = b.book.add_worksheet(name, worksheet_class=ClassicWorksheet)
    inputs = [c for c in spec.table.columns if c.is_input]
    fixed = spec.table.fixed_rows
    titles = [*APPENDIX_PREFIX, *(["Nội dung"] if fixed else [])]
    widths: list[float] = [5.0, 7.0, 12.0, 9.0] + ([12.0] if fixed else [])
    first_value_col = len(titles)
    titles += [c.heading for c in inputs]
    widths += [12.0 if c.type == "text" else max(10.0, c.width) for c in inputs]
    column_texts: dict[int, list[object]] = {2: [blk.status.unit.name for blk in app.blocks]}
    column_texts[3] = [_block_status(blk) for blk in app.blocks]
    if fixed:
        column_texts[4] = [r.row_label for blk in app.blocks for r in blk.rows]
    for i, input_col in enumerate(inputs):
        if input_col.type in WORDS:
            values = [r.values.get(input_col.key) for blk in app.blocks for r in blk.rows]
            column_texts[first_value_col + i] = values
    widths = fit_columns(widths, column_texts)
    _title(b, ws, f"{spec.code}. {' '.join(spec.title[1:]) or spec.title[0]}", result, len(titles))
    if spec.unit_of_measure:
        ws.write_string(
            2,
            len(titles) - 1,
            f"Đơn vị tính: {spec.unit_of_measure}",
            b.fmt(italic=True, align="right"),
        )
    head_row = 3
    b.header(ws, head_row, titles, widths, DATA_PT)
    ws.set_default_row(DATA_LINE_PT)
    cell = b.data(border=1)
    label_fmt = b.data(border=1, text_wrap=True)
    code_fmt = b.data(border=1, num_format="00000")
    formats = {c.key: b.data(border=1, **_number_format(c)) for c in inputs}
    # the hot loop (~6,600 rows, ~59,000 cells on the demo inbox): what is the same for
    # every row of a block or of the sheet is looked up once
    value_cols = [(first_value_col + i, c.key, formats[c.key]) for i, c in enumerate(inputs)]
    wrapped = [
        (c.key, widths[first_value_col + i]) for i, c in enumerate(inputs) if c.type in WORDS
    ]
    put_number, put_string, value = ws.put_number, ws.put_string, b.value
    row = head_row + 1
    n = 0
    for block in app.blocks:
        unit = block.status.unit
        status = _block_status(block)
        # a row is as tall as its tallest wrapped text (fit_row); the unit's name and
        # status are in every row of the block
        block_lines = max(_lines(unit.name, widths[2]), _lines(status, widths[3]))
        sub = block.status.submission.result if block.status.submission is not None else None
        rows: list[ConsRow | None] = list(block.rows) or [None]
        for cons in rows:
            n += 1
            put_number(row, 0, n, cell)
            put_number(row, 1, unit.code, code_fmt)
            put_string(row, 2, unit.name, label_fmt)
            put_string(row, 3, status, label_fmt)
            if cons is None:
                if fixed:
                    value(ws, row, 4, None, label_fmt)
                for c, _key, fmt in value_cols:
                    value(ws, row, c, None, fmt)
                row += 1
                continue
            entered = cons.values
            lines = block_lines
            if fixed:
                value(ws, row, 4, cons.row_label, label_fmt)
                lines = max(lines, _lines(cons.row_label, widths[4]))
            for key, width in wrapped:
                lines = max(lines, _lines(entered.get(key), width))
            if lines > 1:
                ws.set_row(row, DATA_LINE_PT * lines + 3)
            for c, key, fmt in value_cols:
                value(ws, row, c, entered.get(key), fmt)
            if sub is not None:
                table = sub.table
                src.append(
                    Traced(
                        name,
                        row + 1,
                        sub.name,
                        sub.sha256,
                        table.sheet if table else "",
                        cons.sources,
                    )
                )
            row += 1
    first, last = head_row + 1, row - 1
    bold = b.data(bold=True, border=1)
    labels = (
        ("Tổng cộng (công thức Excel)", 0),
        ("Tổng cộng tính bằng Python", 1),
        ("Đối chiếu", 2),
    )
    for text, offset in labels:
        ws.merge_range(row + offset, 0, row + offset, first_value_col - 1, text, bold)
    for i, col in enumerate(inputs):
        c = first_value_col + i
        if not col.is_numeric:
            for offset in range(3):
                ws.write_blank(row + offset, c, None, bold)
            continue
        total = finite(numeric_total(app.blocks, col.key))
        fmt = b.data(bold=True, border=1, **_number_format(col))
        rng = f"{a1(first, c)}:{a1(last, c)}" if last >= first else a1(first, c)
        ws.write_formula(row, c, f"=SUM({rng})", fmt, "" if total is None else total)
        b.value(ws, row + 1, c, total, fmt)
        ws.write_formula(
            row + 2,
            c,
            f'=IF(ABS({a1(row, c)}-{a1(row + 1, c)})<0.001,"Khớp","Lệch")',
            b.data(bold=True, border=1, align="center"),
            "Khớp",
        )
    ws.freeze_panes(head_row + 1, 3)
    ws.autofilter(head_row, 0, max(head_row, last), len(titles) - 1)
    b.print_setup(ws, landscape=sum(widths) > PORTRAIT_CHARS, repeat=(head_row, head_row))


def _status_sheet(b: _Book, result: Consolidation) -> None:
    """One row per unit (portrait, about 3 pages for 96 units), then the refused, replaced
    and duplicate files in the same columns (merged where a text needs more room), so no
    column is sized for the second table at the expense of the first."""
    ws = b.book.add_worksheet(STATUS, worksheet_class=CapturingWorksheet)
    apps = result.appendices
    n = len(apps)
    titles = ["STT", "Mã đơn vị", "Tên đơn vị", "Loại"] + [a.spec.code for a in apps] + ["Số lỗi"]
    widths = [5.0, 8.0, 24.0, 9.0] + [11.0] * n + [13.0]
    _title(b, ws, "TÌNH HÌNH NỘP BÁO CÁO CỦA CÁC XÃ, PHƯỜNG, ĐẶC KHU", result, len(titles))
    total = len(result.units)
    row = 3
    bold = b.fmt(bold=True)
    for app in apps:
        counts = Counter(s.status for s in app.statuses)
        parts = [
            f"{STATUS_VI[k]} {counts[k]}/{total} ({100 * counts[k] / total:.0f}%)".replace(".", ",")
            for k in ("submitted", "late", "missing")
        ]
        ws.write_string(row, 0, f"{app.spec.code}: " + "; ".join(parts), bold)
        row += 1
    row += 1
    head_row = row
    b.header(ws, row, titles, widths)
    row += 1
    cell = b.fmt(border=1)
    code_fmt = b.fmt(border=1, num_format="00000")
    missing = b.fmt(border=1, bg_color="#F4CCCC")
    late = b.fmt(border=1, bg_color="#FCE4D6")
    for number, unit in enumerate(result.units, start=1):
        ws.write_number(row, 0, number, cell)
        ws.write_number(row, 1, unit.code, code_fmt)
        ws.write_string(row, 2, unit.name, cell)
        ws.write_string(row, 3, unit.kind, cell)
        errors = 0
        for i, app in enumerate(apps):
            status = app.statuses[number - 1]
            fmt = (
                missing if status.status == "missing" else late if status.status == "late" else cell
            )
            ws.write_string(row, 4 + i, STATUS_VI[status.status], fmt)
            errors += status.errors
        ws.write_number(row, 4 + n, errors, cell)
        row += 1
    row += 1
    ws.write_string(row, 0, "Tệp bị từ chối, bị thay thế hoặc gửi trùng", bold)
    row += 1
    # the file list in the same grid: Tệp in C, Tình trạng over D(:E), Lý do over the
    # appendix columns, Nhận lúc in the last column
    state = (3, 3 if n < 3 else 4)
    reason = (state[1] + 1, max(state[1] + 1, 3 + n))
    received = 4 + n
    spans = [(0, 0), (1, 1), (2, 2), state, reason, (received, received)]
    head = b.fmt(bold=True, border=1, align="center", text_wrap=True, bg_color="#D9E1F2")
    wrap = b.fmt(border=1, text_wrap=True, valign="top")
    names = ["STT", "Mã đơn vị", "Tệp", "Tình trạng", "Lý do", "Nhận lúc"]
    for (c0, c1), text in zip(spans, names, strict=True):
        _merged(ws, row, c0, c1, text, head)
    ws.set_row(row, 32)
    row += 1
    listed = sorted(result.rejected + result.replaced, key=lambda s: s.result.name)
    for number, sub in enumerate(listed, start=1):
        why = "; ".join(i.message for i in sub.result.issues if i.severity == "error")
        if sub.state != "rejected":
            why = f"Bản dùng: {sub.replaced_by}"
        when = (
            f"{format_date_vi(sub.received_at.date())} {sub.received_at:%H:%M} "
            f"({SOURCE_VI[sub.received_source]})"
        )
        texts: list[object] = [number, sub.unit_code, sub.result.name, STATE_VI[sub.state], why]
        texts.append(when)
        for (c0, c1), value in zip(spans, texts, strict=True):
            if c1 > c0:
                ws.merge_range(row, c0, row, c1, "", wrap)
            b.value(ws, row, c0, value, code_fmt if c0 == 1 else wrap)
        b.fit_row(
            ws,
            row,
            [
                (text, sum(widths[c0 : c1 + 1]))
                for (c0, c1), text in zip(spans, texts, strict=True)
                if isinstance(text, str)
            ],
        )
        row += 1
    ws.freeze_panes(head_row + 1, 3)
    b.print_setup(ws, landscape=False, repeat=(head_row, head_row))


def _merged(ws: Worksheet, row: int, c0: int, c1: int, text: str, fmt: Any) -> None:
    if c1 > c0:
        ws.merge_range(row, c0, row, c1, text, fmt)
    else:
        ws.write_string(row, c0, text, fmt)


def headline_format(h: Headline, n_units: int) -> str:
    """Number format showing a headline value as the report writes it ("47/96", "61,4%")."""
    if h.text.endswith(f"/{n_units}"):
        return f'0"/{n_units}"'
    digits = "0" if h.decimals == 0 else "0." + "0" * h.decimals
    if h.text.endswith("%"):
        return f'{digits}"%"'
    return "#,##" + digits


def chart_rows(keys: tuple[str, ...], rows: dict[str, int]) -> list[int]:
    """Sheet rows of the headlines a chart shows (``prefix.*`` expands in sheet order)."""
    out = []
    for key in keys:
        if key.endswith(".*"):
            out += [r for k, r in rows.items() if k.startswith(key[:-1])]
        elif key in rows:
            out.append(rows[key])
    return out


def _keys(keys: tuple[str, ...], rows: dict[str, int]) -> list[str]:
    return [
        k for k in rows if any(k == w or (w.endswith(".*") and k.startswith(w[:-1])) for w in keys)
    ]


def _summary_sheet(b: _Book, result: Consolidation) -> None:
    ws = b.book.add_worksheet(SUMMARY, worksheet_class=CapturingWorksheet)
    _title(b, ws, "TỔNG HỢP KẾT QUẢ BÁO CÁO CỦA CÁC XÃ, PHƯỜNG, ĐẶC KHU", result, 5)
    widths = SUMMARY_WIDTHS
    for i, width in enumerate(widths):
        ws.set_column(i, i, width)
    ws.set_column(SUMMARY_KEY_COL, SUMMARY_KEY_COL, 24, None, {"hidden": True})
    ws.set_column(CHART_LABEL_COL, CHART_LABEL_COL, 24, None, {"hidden": True})
    row = 3
    bold = b.fmt(bold=True, font_size=12)
    wrap = b.fmt(text_wrap=True, border=1, valign="top")
    total = len(result.units)
    ws.write_string(
        row,
        0,
        f"{len(result.submissions)} tệp nhận được, {len(result.rejected)} tệp bị từ chối, "
        f"{len(result.replaced)} tệp gửi trùng hoặc bị thay thế.",
        b.fmt(italic=True),
    )
    row += 2
    charts: list[tuple[Chart, list[int]]] = []
    for app in result.appendices:
        ws.write_string(row, 0, f"{app.spec.code}. {' '.join(app.spec.title[1:])}", bold)
        row += 1
        submitted = total - app.count("missing")
        ws.write_string(
            row,
            0,
            f"Số đơn vị đã nộp: {submitted}/{total} "
            f"(nộp muộn {app.count('late')}, chưa nộp {app.count('missing')})",
            b.fmt(),
        )
        ws.write_number(row, 1, submitted, b.fmt(bold=True, num_format=f'0"/{total}"'))
        ws.write_string(row, SUMMARY_KEY_COL, f"{app.spec.id}:_submitted")
        row += 1
        b.header(ws, row, ["Chỉ tiêu", "Giá trị", "Đơn vị", "So với kỳ trước", "Ghi chú"], widths)
        row += 1
        rows: dict[str, int] = {}
        for h in app.headlines:
            label = f"{h.row}: {h.label.lower()}" if h.row else h.label
            names = "; ".join(h.names)
            change = app.changes.get(h.key, "")
            b.fit_row(ws, row, [(label, widths[0]), (change, widths[3]), (names, widths[4])])
            ws.write_string(row, 0, label, wrap)
            fmt = b.fmt(border=1, align="right", bold=True, num_format=headline_format(h, total))
            if h.value is None or finite(h.value) is None:
                ws.write_string(row, 1, h.text, fmt)
            else:
                ws.write_number(row, 1, h.value, fmt)
            unit = "" if h.unit == "%" else h.unit or ("đơn vị" if "/" in h.text else "")
            ws.write_string(row, 2, unit, wrap)
            ws.write_string(row, 3, change, wrap)
            ws.write_string(row, 4, names, wrap)
            ws.write_string(row, SUMMARY_KEY_COL, f"{app.spec.id}:{h.key}")
            ws.write_string(row, CHART_LABEL_COL, chart_label(h))
            rows[h.key] = row
            row += 1
        # a chart without data (no figure, or only zeros) is left out
        values = {h.key: h.value for h in app.headlines}
        known = {k: r for k, r in rows.items() if values.get(k) is not None}
        for c in app.spec.charts:
            shown = chart_rows(c.indicators, known)
            charts.append((c, shown if any(values[k] for k in _keys(c.indicators, known)) else []))
        row += 1
    if result.previous_period:
        ws.write_string(
            row, 0, f"Kỳ trước dùng để so sánh: {result.previous_period}", b.fmt(italic=True)
        )
        row += 1
    # charts after the tables, on pages of their own, inside the printed width (columns A-E)
    breaks: list[int] = []
    if any(shown for _, shown in charts):
        breaks.append(row + 1)
        ws.write_string(row + 1, 0, "BIỂU ĐỒ", bold)
    chart_at, used = row + 3, 2 * LINE_PT
    for spec_chart, shown in charts:
        height = _chart_height(spec_chart, shown)
        if shown and used + height * PRINT_SCALE * 0.75 > LANDSCAPE_HEIGHT_PT and used > 60:
            breaks.append(chart_at)  # the chart would be cut by the page end: next page,
            chart_at += 1  # one row below the break: LibreOffice draws a chart anchored on
            used = LINE_PT  # the break row on the page before too, over its footer
        chart_at = _native_chart(b, ws, spec_chart, shown, chart_at)
        used += (height + 40) * PRINT_SCALE * 0.75 if shown else 0
    ws.set_h_pagebreaks(breaks)
    b.print_setup(ws, landscape=True, repeat=None)
    ws.activate()


def chart_label(h: Headline) -> str:
    """A chart category: the unit type of a per-type figure, the row of a per-row one."""
    suffix = h.key.rpartition(".")[2] if "." in h.key else ""
    if suffix in _KIND_NAMES:
        return _KIND_NAMES[suffix]
    return h.row or h.label


def _ref_list(sheet: str, col: str, rows: list[int]) -> str:
    if rows == list(range(rows[0], rows[0] + len(rows))):
        return f"={sheet}!${col}${rows[0] + 1}:${col}${rows[-1] + 1}"
    return "=(" + ",".join(f"{sheet}!${col}${r + 1}" for r in rows) + ")"


SUMMARY_WIDTHS = (46.0, 14.0, 11.0, 28.0, 54.0)
LANDSCAPE_HEIGHT_PT = 500.0  # printable height of landscape A4 with our margins and footer
# the summary prints one page wide: its columns (7 px a character) scaled into 27 cm
PRINT_SCALE = min(1.0, 27.0 / 2.54 * 72 / (sum(SUMMARY_WIDTHS) * 7 * 0.75))


def _chart_height(spec: Chart, rows: list[int]) -> int:
    return max(300, 22 * len(rows) + 80) if spec.type == "bar" else 300


def _native_chart(b: _Book, ws: Worksheet, spec: Chart, rows: list[int], at: int) -> int:
    """An Excel chart over headline rows, placed below the tables; returns the next free row.

    Its categories are the short names of hidden column G ("Xã", "Phường", "Đặc khu"; the
    criterion), so bars never share a label; hidden cells are plotted.
    """
    if not rows:
        return at
    kind = {"bar": "bar", "column": "column", "pie": "pie"}[spec.type]
    chart = b.book.add_chart({"type": kind})
    chart.show_hidden_data()
    sheet = quote(SUMMARY)
    label_col = chr(ord("A") + CHART_LABEL_COL)
    categories = ",".join(f"{sheet}!${label_col}${r + 1}" for r in rows)
    values = ",".join(f"{sheet}!$B${r + 1}" for r in rows)
    chart.add_series(
        {
            "name": spec.title,
            "categories": f"=({categories})" if len(rows) > 1 else f"={categories}",
            "values": f"=({values})" if len(rows) > 1 else f"={values}",
            "data_labels": {"value": True},
        }
    )
    chart.set_title({"name": spec.title, "name_font": {"size": 11, "name": b.font}})
    chart.set_legend({"position": "bottom"} if kind == "pie" else {"none": True})
    if kind == "bar":  # first category on top, as in the table
        chart.set_y_axis({"reverse": True, "num_font": {"size": 9, "name": b.font}})
    height = _chart_height(spec, rows)
    chart.set_size({"width": 900, "height": height})
    ws.insert_chart(at, 0, chart)
    return at + height // 20 + 2


def _tasks_sheet(b: _Book, result: Consolidation) -> None:
    """Overdue and late tasks: landscape; the file and cell (where each task was read) stay
    on screen but outside the print area."""
    ws = b.book.add_worksheet(TASKS, worksheet_class=CapturingWorksheet)
    titles = [
        "STT",
        "Mã đơn vị",
        "Đơn vị",
        "Tên nhiệm vụ",
        "Văn bản giao",
        "Thời hạn",
        "Kết quả",
        "Ngày hoàn thành",
        "Tình trạng",
        "Số ngày quá hạn",
        "Tệp",
        "Ô",
    ]
    printed = 10  # columns A..J
    tasks = result.tasks
    widths = fit_columns(
        [5, 7, 12, 20, 16, 10, 11, 10, 10, 7, 30, 6],
        {
            2: [t.unit.name for t in tasks],
            3: [t.name for t in tasks],
            4: [t.assigned_by for t in tasks],
            6: [t.status for t in tasks],
            8: [TASK_KIND_VI[t.kind] for t in tasks],
            10: [t.file for t in tasks],  # on screen only: wide enough not to add lines
        },
        printed=printed,
    )
    _title(b, ws, "NHIỆM VỤ QUÁ HẠN VÀ HOÀN THÀNH MUỘN", result, printed)
    b.header(ws, 3, titles, widths, DATA_PT)
    ws.set_default_row(DATA_LINE_PT)
    ws.set_row(3, 47)
    cell = b.data(border=1, text_wrap=True, valign="top")
    code_fmt = b.data(border=1, num_format="00000", valign="top")
    date = b.data(border=1, num_format=DATE_NUM_FORMAT, align="center", valign="top")
    for n, t in enumerate(result.tasks, start=1):
        r = 3 + n
        ws.write_number(r, 0, n, cell)
        ws.write_number(r, 1, t.unit.code, code_fmt)
        ws.write_string(r, 2, t.unit.name, cell)
        b.value(ws, r, 3, t.name, cell)
        b.value(ws, r, 4, t.assigned_by, cell)
        b.value(ws, r, 5, t.deadline, date)
        b.value(ws, r, 6, t.status, cell)
        b.value(ws, r, 7, t.completed_on, date)
        ws.write_string(r, 8, TASK_KIND_VI[t.kind], cell)
        b.value(ws, r, 9, t.days, cell)
        ws.write_string(r, 10, t.file, cell)
        b.value(ws, r, 11, t.cell, cell)
        texts = [t.unit.name, t.name, t.assigned_by, t.status, TASK_KIND_VI[t.kind], t.file]
        cols = [widths[i] for i in (2, 3, 4, 6, 8, 10)]
        b.fit_row(ws, r, list(zip(texts, cols, strict=True)), DATA_PT)
    ws.freeze_panes(4, 3)
    ws.autofilter(3, 0, 3 + len(result.tasks), len(titles) - 1)
    ws.print_area(0, 0, 3 + len(result.tasks), printed - 1)
    b.print_setup(ws, landscape=True, repeat=(3, 3))


def _issues_sheet(b: _Book, result: Consolidation) -> None:
    """Every issue, one row each, landscape; values as the officer reads them."""
    ws = b.book.add_worksheet(ISSUES, worksheet_class=ClassicWorksheet)
    titles = [
        "STT",
        "Mã đơn vị",
        "Đơn vị",
        "Phụ lục",
        "Tệp",
        "Trang",
        "Ô",
        "Mã lỗi",
        "Mức độ",
        "Giá trị",
        "Nội dung",
    ]
    names = {u.code: u.name for u in result.units}
    found = result.issues
    widths = fit_columns(
        [5, 7, 12, 6, 14, 8, 5, 14, 8, 10, 30],
        {
            2: [names.get(i.unit_code or 0) for i in found],
            4: [i.file for i in found],
            5: [i.sheet for i in found],
            7: [i.code for i in found],
            9: [i.value for i in found],
            10: [i.message for i in found],
        },
    )
    _title(b, ws, "DANH SÁCH LỖI VÀ CẢNH BÁO", result, len(titles))
    b.header(ws, 3, titles, widths, DATA_PT)
    ws.set_default_row(DATA_LINE_PT)
    cell = b.data(border=1, text_wrap=True, valign="top")
    code_fmt = b.data(border=1, num_format="00000", valign="top")
    red = b.data(border=1, font_color="#C00000", valign="top")
    codes = {a.spec.id: a.spec.code for a in result.appendices}
    ordered = sorted(
        result.issues,
        key=lambda i: (
            i.unit_code or 0,
            i.appendix or "",
            i.file or "",
            i.severity,
            i.code,
            i.cell or "",
        ),
    )
    for n, issue in enumerate(ordered, start=1):
        r = 3 + n
        ws.write_number(r, 0, n, cell)
        b.value(ws, r, 1, issue.unit_code, code_fmt)
        b.value(ws, r, 2, names.get(issue.unit_code or 0), cell)
        b.value(ws, r, 3, codes.get(issue.appendix or ""), cell)
        b.value(ws, r, 4, issue.file, cell)
        b.value(ws, r, 5, issue.sheet, cell)
        b.value(ws, r, 6, issue.cell, cell)
        ws.write_string(r, 7, issue.code, cell)
        ws.write_string(
            r, 8, SEVERITY_VI[issue.severity], red if issue.severity == "error" else cell
        )
        b.value(ws, r, 9, issue.value, cell)
        ws.write_string(r, 10, issue.message, cell)
        texts = [
            names.get(issue.unit_code or 0),
            issue.file,
            issue.sheet,
            issue.code,
            issue.value,
            issue.message,
        ]
        cols = [widths[i] for i in (2, 4, 5, 7, 9, 10)]
        b.fit_row(ws, r, list(zip(texts, cols, strict=True)), DATA_PT)
    ws.freeze_panes(4, 0)
    ws.autofilter(3, 0, 3 + len(ordered), len(titles) - 1)
    b.print_setup(ws, landscape=True, repeat=(3, 3))


def _info_sheet(b: _Book, result: Consolidation) -> None:
    """Machine-readable facts about the run (read back by ``xlsaddin report``)."""
    ws = b.book.add_worksheet(INFO, worksheet_class=CapturingWorksheet)
    facts = [
        ("period_id", result.period.id),
        ("period_label", result.period.label),
        ("closing_date", result.closing_date.isoformat()),
        ("deadline", result.period.deadline.isoformat()),
        ("units_total", str(len(result.units))),
        ("previous_period", result.previous_period or ""),
    ]
    for r, (key, value) in enumerate(facts):
        ws.write_string(r, 0, key)
        ws.write_string(r, 1, value)
    ws.hide()


def _sources_sheet(b: _Book, rows: list[Traced]) -> None:
    """Provenance, one line per run of rows from one source (``report/provenance.py``)."""
    ws = b.book.add_worksheet(SOURCES, worksheet_class=ClassicWorksheet)
    ws.write_row(0, 0, HEADER)
    for r, (sheet, first, last, file, sha, source_sheet, refs) in enumerate(lines(rows), 1):
        ws.put_string(r, 0, sheet)
        ws.put_number(r, 1, first)
        ws.put_number(r, 2, last)
        ws.put_string(r, 3, file)
        ws.put_string(r, 4, sha)
        ws.put_string(r, 5, source_sheet)
        ws.put_string(r, 6, refs)
    ws.hide()


def write_province_workbook(
    result: Consolidation, path: Path, mappings: Mappings, *, run_id: str | None = None
) -> None:
    """Write to ``path`` (the caller handles temp files and renaming). ``run_id``: the
    publishing run, kept as the document property ``xlsaddin_run_id`` (not in any cell)."""
    b = _Book(path, mappings.project.font_name)
    b.footer = f"Tổng hợp báo cáo cấp xã — {result.period.label}"  # as print_texts()
    b.book.set_properties(
        {
            "title": f"Tổng hợp báo cáo {result.period.label}",
            "author": "xlsaddin",
            "comments": f"xlsaddin {__version__}",
            "created": FIXED_CREATED,
        }
    )
    if run_id:
        b.book.set_custom_property("xlsaddin_run_id", run_id)
    sources: list[Traced] = []
    _summary_sheet(b, result)
    _status_sheet(b, result)
    for app in result.appendices:
        _appendix_sheet(b, result, app, sources)
    _tasks_sheet(b, result)
    _issues_sheet(b, result)
    _sources_sheet(b, sources)
    _info_sheet(b, result)
    _report_tables(b, mappings)
    b.book.close()


def _report_tables(b: _Book, mappings: Mappings) -> None:
    """The report's numbered tables, print-ready, from the values just written."""
    from xlsaddin.report.build import summary_tables
    from xlsaddin.report.source import source_from_grids
    from xlsaddin.report.spec import load_report_spec
    from xlsaddin.report.tables_xlsx import add_table_sheets, print_texts

    try:
        spec = load_report_spec(mappings.root)
    except SpecError:
        return  # report wording is broken or absent: 'xlsaddin report' will say so
    grids = {ws.name: ws.grid() for ws in b.book.worksheets() if isinstance(ws, CapturingWorksheet)}
    source = source_from_grids(grids, mappings)
    tables = summary_tables(source, spec, mappings)
    subtitle, footer = print_texts(
        source.info.get("period_label", ""), format_date_vi(source.closing_date)
    )
    add_table_sheets(b.book, tables, mappings.project.font_name, subtitle=subtitle, footer=footer)
