"""Entry points for the Excel buttons (xlwings ``RunPython``): one thin function each.

VBA in ``macros/`` only does ``RunPython "import xlsaddin.excel as x; x.<action>()"``.
Each function gets the calling book (``xw.Book.caller()``; tests pass a fake with the
same small surface), reads its inputs from defined names, calls the core, writes
the result back and shows a Vietnamese message. Any error becomes a message box,
never a Python traceback. Consolidation reads files from disk like the CLI; it
never opens the 96 workbooks in Excel.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from xlsaddin.core.failures import OfficerError
from xlsaddin.core.sheets import META_SHEET
from xlsaddin.crash import write_crash_log
from xlsaddin.spec import SpecError, load_mappings
from xlsaddin.spec.models import Mappings

F = TypeVar("F", bound=Callable[..., Any])
TITLE = "xlsaddin"
LIST_HEADER = ("STT", "Mã đơn vị", "Tên đơn vị", "Phụ lục chưa nộp")


def _caller() -> Any:
    import xlwings as xw  # imported here: only the Excel side needs it

    return xw.Book.caller()


def _alert(book: Any, text: str) -> None:
    book.app.alert(text, title=TITLE)


def _status(book: Any, text: str | bool) -> None:
    with contextlib.suppress(Exception):
        book.app.status_bar = text


def button(fn: F) -> F:
    """Run ``fn(book)`` with the calling book; turn every error into a message box."""

    @functools.wraps(fn)
    def wrapper(book: Any = None) -> Any:
        book = book if book is not None else _caller()
        try:
            return fn(book)
        except SpecError as exc:
            _alert(book, f"Cấu hình (mappings) bị lỗi:\n{exc}")
        except OfficerError as exc:  # a folder, a disk, a database: the message says what
            _alert(book, str(exc))
        except Exception as exc:
            log = write_crash_log(exc)  # the traceback goes to a file, never to the officer
            where = f"\nChi tiết lỗi: {log}" if log else ""
            _alert(
                book,
                f"Không thực hiện được: {exc}{where}\n\nHãy báo cho cán bộ CNTT "
                "(chạy 'xlsaddin doctor' để kiểm tra cài đặt).",
            )
        finally:
            _status(book, False)
        return None

    return wrapper  # type: ignore[return-value]


def _mappings() -> Mappings:
    return load_mappings()


def _name_value(book: Any, name: str) -> Any:
    return book.names[name].refers_to_range.value


def _grid(sheet: Any) -> list[list[Any]]:
    value = sheet.used_range.value
    rows = value if isinstance(value, list) else [[value]]
    rows = [r if isinstance(r, list) else [r] for r in rows]
    # used_range starts at the first used cell; our layouts always use A1
    return [[("" if v is None else v) for v in r] for r in rows]


# -- commune workbook: "Kiểm tra" ------------------------------------------------------


@button
def validate(book: Any) -> dict[str, int]:
    """Check the open appendix workbook as it is on screen (saved or not)."""
    from xlsaddin.read.standard import read_standard
    from xlsaddin.validate.engine import validate_table

    _status(book, "xlsaddin: đang kiểm tra...")
    mappings = _mappings()
    sheets = {s.name: _grid(s) for s in book.sheets}
    if META_SHEET not in sheets:
        _alert(book, "Tệp này không phải biểu mẫu chuẩn của tỉnh (thiếu trang _meta).")
        return {"errors": -1, "warnings": 0}
    table = read_standard(sheets, mappings, book.name, "")
    if isinstance(table, list):
        _alert(book, "\n".join(i.message for i in table))
        return {"errors": len(table), "warnings": 0}
    issues = table.issues + validate_table(table, mappings)
    errors = [i for i in issues if i.severity == "error"]
    warnings = [i for i in issues if i.severity == "warning"]
    for issue in issues:
        if issue.sheet and issue.cell:
            colour = (244, 204, 204) if issue.severity == "error" else (252, 228, 214)
            with contextlib.suppress(Exception):
                book.sheets[issue.sheet].range(issue.cell).color = colour
    if errors:
        lines = [f"• {i.cell}: {i.message}" for i in errors[:15]]
        more = f"\n... và {len(errors) - 15} lỗi khác" if len(errors) > 15 else ""
        _alert(
            book, f"Còn {len(errors)} lỗi, {len(warnings)} cảnh báo:\n" + "\n".join(lines) + more
        )
    else:
        _alert(book, "Sẵn sàng gửi" + (f" (còn {len(warnings)} cảnh báo)." if warnings else "."))
    return {"errors": len(errors), "warnings": len(warnings)}


# -- provincial control workbook ---------------------------------------------------------


def _inputs(book: Any, mappings: Mappings) -> tuple[Path, str, dt.date | None, Path]:
    inbox = Path(str(_name_value(book, "ctl_inbox") or "").strip())
    if not str(inbox) or not inbox.is_dir():
        raise OfficerError(f"Thư mục hộp thư đến không tồn tại: '{inbox}'")
    period = str(_name_value(book, "ctl_period") or mappings.project.default_period).strip()
    mappings.project.period(period)
    closing = _name_value(book, "ctl_closing_date")
    if isinstance(closing, dt.datetime):
        closing = closing.date()
    output = Path(str(_name_value(book, "ctl_output") or "").strip() or inbox / "TongHop.xlsx")
    return inbox, period, closing if isinstance(closing, dt.date) else None, output


def _write_missing(book: Any, result: Any) -> int:
    """Units missing at least one appendix, written under the ``ctl_list`` anchor."""
    rows: list[list[object]] = []
    for unit_index, unit in enumerate(result.units):
        missing = [
            a.spec.code for a in result.appendices if a.statuses[unit_index].status == "missing"
        ]
        if missing:
            rows.append([len(rows) + 1, unit.code, unit.name, ", ".join(missing)])
    anchor = book.names["ctl_list"].refers_to_range
    sheet = anchor.sheet
    sheet.range(anchor.offset(1, 0), anchor.offset(200, 3)).value = None  # clear old list
    sheet.range(anchor).value = [list(LIST_HEADER), *rows]
    return len(rows)


def _set_status(book: Any, text: str) -> None:
    book.names["ctl_status"].refers_to_range.value = text


@button
def consolidate(book: Any) -> str:
    """ "Tổng hợp": consolidate the inbox folder into the provincial workbook."""
    from xlsaddin.pipeline import Outputs, run_consolidation

    mappings = _mappings()
    inbox, period, closing, output = _inputs(book, mappings)
    _status(book, "xlsaddin: đang đọc và kiểm tra các tệp...")
    run = run_consolidation(
        [inbox],
        mappings,
        outputs=Outputs(workbook=output),
        period_id=period,
        closing_date=closing,
        progress=lambda done, total: _status(book, f"xlsaddin: {done}/{total} tệp"),
    )
    result, published = run.consolidation, run.published
    assert published is not None
    missing = _write_missing(book, result)
    text = (
        f"Đã tổng hợp {len(result.submissions)} tệp vào {published.workbook.name} lúc "
        f"{dt.datetime.now():%H:%M %d/%m/%Y}; {missing} đơn vị còn thiếu báo cáo."
    )
    _set_status(book, text)
    note = (
        f"\n(Tệp đích đang mở nên đã ghi sang {published.workbook.name}.)" if published.note else ""
    )
    _alert(book, text + note)
    return str(published.workbook)


@button
def missing(book: Any) -> int:
    """ "Danh sách chưa nộp": list units missing a report, writing nothing to disk."""
    from xlsaddin.pipeline import run_consolidation

    mappings = _mappings()
    inbox, period, closing, _ = _inputs(book, mappings)
    _status(book, "xlsaddin: đang kiểm tra hộp thư đến...")
    run = run_consolidation([inbox], mappings, outputs=None, period_id=period, closing_date=closing)
    result = run.consolidation
    count = _write_missing(book, result)
    _set_status(
        book, f"{count} đơn vị còn thiếu báo cáo (kiểm tra lúc {dt.datetime.now():%H:%M %d/%m/%Y})."
    )
    _alert(book, f"{count} xã, phường, đặc khu còn thiếu ít nhất một phụ lục.")
    return count


@button
def report(book: Any) -> str:
    """ "Lập báo cáo": the Word report from the provincial workbook."""
    from xlsaddin.report import make_report

    mappings = _mappings()
    _, _, _, output = _inputs(book, mappings)
    if not output.is_file():
        raise OfficerError(f"Chưa có tệp tổng hợp {output}; hãy bấm 'Tổng hợp' trước.")
    target = Path(
        str(_name_value(book, "ctl_report") or "").strip()
        or output.with_name(output.stem + "_BaoCao.docx")
    )
    _status(book, "xlsaddin: đang lập báo cáo...")
    made = make_report(output, mappings, target)
    todo = " ".join(made.built.warnings)
    _set_status(
        book,
        f"Đã lập báo cáo {made.docx.name} lúc {dt.datetime.now():%H:%M %d/%m/%Y}."
        + (f" Cần điền trước khi ký: {todo}" if todo else ""),
    )
    refused = made.built.refused
    note = "\n\nKhông viết (số liệu không khớp):\n" + "\n".join(refused) if refused else ""
    _alert(book, f"Đã lập báo cáo: {made.docx}" + (f"\n\n{todo}" if todo else "") + note)
    return str(made.docx)
