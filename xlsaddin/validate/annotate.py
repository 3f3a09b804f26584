"""``--annotate``: a *copy* of each file with offending cells highlighted and commented,
plus an "Lỗi" sheet linking to them. The original is never opened for writing.

Opening a returned file is parsing untrusted input, so every copy is made in a worker
process under the same limits as validation (:func:`~xlsaddin.intake.isolated_map`):
a file that needs too much memory or time costs its own copy, never the others. The
worker parses exactly the bytes validation checked (same sha256) or nothing.

Everything written into the "Lỗi" sheet is a plain string: a value such as
``=HYPERLINK(...)`` or ``=cmd|' /C calc'!A0`` stays text (openpyxl would otherwise store
any string starting with "=" as a formula).
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from xlsaddin.core.issues import Issue
from xlsaddin.core.untrusted import xml_text
from xlsaddin.intake import DEFAULT_LIMITS, Limits, WorkerFailure, isolated_map
from xlsaddin.safe_output import atomic_write
from xlsaddin.validate.run import FileResult

ISSUE_SHEET = "Lỗi"
HEADERS = ("STT", "Mã lỗi", "Mức độ", "Trang", "Ô", "Giá trị", "Nội dung")
SUFFIX = "_kiem_tra.xlsx"
_CELL_REF = re.compile(r"^[A-Z]{1,3}[1-9][0-9]{0,6}$")
_UNSAFE_NAME = re.compile(r"[^\w\- .()]+")
#: Why a copy was not written, for the officer (keys: WorkerFailure reasons and others).
FAILURE_VI = {
    "memory": "tệp cần quá nhiều bộ nhớ",
    "timeout": "mở tệp quá thời gian cho phép",
    "crashed": "tiến trình mở tệp bị dừng đột ngột",
    "changed": "tệp đã thay đổi sau khi kiểm tra; hãy kiểm tra lại",
    "unreadable": "không đọc lại được tệp",
    "error": "tệp có cấu trúc mà bộ ghi bản sao không mở được",
    "too-big": "tệp có quá nhiều ô để tạo bản sao (kết quả kiểm tra ở trên vẫn đầy đủ)",
}
#: Sheet XML above this is not copied: openpyxl needs about a second per 1.5 MB of it,
#: and no report form comes near (the largest template holds some 330 KB).
MAX_SHEET_XML_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class AnnotateJob:
    path: str
    sha256: str
    issues: tuple[Issue, ...]
    target: str


@dataclass(frozen=True)
class Annotated:
    """One file's copy: ``target`` when written, else ``reason`` (Vietnamese)."""

    name: str
    target: Path | None
    reason: str | None = None


def copy_name(name: str) -> str:
    """``xa/bao cao.xlsx`` -> ``xa__bao cao_kiem_tra.xlsx``: one flat, safe file name."""
    stem = name.rsplit(".", 1)[0] if "." in name.rsplit("/", 1)[-1] else name
    flat = _UNSAFE_NAME.sub("_", stem.replace("/", "__").replace("\\", "__")).strip(" .")
    return (flat or "tep")[:150] + SUFFIX


def _text(value: object) -> str | None:
    return None if value is None else xml_text(str(value))


def _write_copy(job: AnnotateJob) -> str | None:
    """In the worker: None when written, else a key of FAILURE_VI."""
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.hyperlink import Hyperlink

    try:
        data = Path(job.path).read_bytes()
    except OSError:
        return "unreadable"
    if hashlib.sha256(data).hexdigest() != job.sha256:
        return "changed"
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        sheets = sum(
            i.file_size
            for i in package.infolist()
            if i.filename.replace("\\", "/").lower().startswith("xl/worksheets/")
        )
    if sheets > MAX_SHEET_XML_BYTES:
        return "too-big"
    red = PatternFill("solid", fgColor="F4CCCC")
    orange = PatternFill("solid", fgColor="FCE4D6")
    book = openpyxl.load_workbook(io.BytesIO(data))
    located = [
        i
        for i in job.issues
        if i.sheet and i.cell and i.sheet in book.sheetnames and _CELL_REF.match(i.cell)
    ]
    notes: dict[tuple[str, str], list[str]] = {}
    for issue in located:
        assert issue.sheet and issue.cell
        notes.setdefault((issue.sheet, issue.cell), []).append(xml_text(issue.message))
        cell = book[issue.sheet][issue.cell]
        if issue.severity == "error" or cell.fill != red:
            cell.fill = red if issue.severity == "error" else orange
    for (sheet, ref), messages in notes.items():
        book[sheet][ref].comment = Comment("\n".join(messages), "xlsaddin", width=320, height=120)
    if ISSUE_SHEET in book.sheetnames:
        del book[ISSUE_SHEET]
    ws = book.create_sheet(ISSUE_SHEET, 0)
    rows = [HEADERS] + [
        (
            n,
            issue.code,
            "Lỗi" if issue.severity == "error" else "Cảnh báo",
            issue.sheet,
            issue.cell,
            issue.value,
            issue.message,
        )
        for n, issue in enumerate(job.issues, start=1)
    ]
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=c)
            if isinstance(value, str):
                cell.value = _text(value)
                cell.data_type = "s"  # data, never a formula, whatever it starts with
            else:
                cell.value = value
            if r == 1:
                cell.font = Font(bold=True)
    linked = {id(i) for i in located}
    for n, issue in enumerate(job.issues, start=1):
        if id(issue) in linked:
            link = ws.cell(row=n + 1, column=5)
            sheet = (issue.sheet or "").replace("'", "''")
            link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{sheet}'!{issue.cell}")
            link.font = Font(color="0563C1", underline="single")
    for letter, width in zip("ABCDEFG", (6, 30, 10, 20, 8, 18, 80), strict=True):
        ws.column_dimensions[letter].width = width
    book.active = 0
    atomic_write(Path(job.target), lambda tmp: book.save(tmp))
    return None


def annotate_all(
    results: Sequence[FileResult],
    out_dir: Path,
    limits: Limits = DEFAULT_LIMITS,
    *,
    processes: int = 2,
    progress: Callable[[int, int], None] | None = None,
) -> list[Annotated]:
    """Write ``<name>_kiem_tra.xlsx`` for every readable file, each in a limited worker.

    Refused files get no copy (and no entry). A copy that fails costs only itself.
    ``progress(done, total)`` is told as each copy settles.
    """
    readable = [r for r in results if r.table is not None]
    if not readable:
        return []
    out_dir.mkdir(parents=True, exist_ok=True)
    taken: set[str] = set()
    jobs = []
    for r in readable:
        name = copy_name(r.name)
        n = 2
        while name.casefold() in taken:  # two names that flatten alike keep both copies
            name = copy_name(f"{r.name.rsplit('.', 1)[0]}_{n}")
            n += 1
        taken.add(name.casefold())
        jobs.append(AnnotateJob(str(r.path), r.sha256, tuple(r.issues), str(out_dir / name)))
    settled = 0

    def on_done(_index: int) -> None:
        nonlocal settled
        settled += 1
        if progress is not None:
            progress(settled, len(jobs))

    if progress is not None:
        progress(0, len(jobs))
    outcomes = isolated_map(_write_copy, jobs, limits, processes=processes, on_done=on_done)
    done = []
    for r, job, outcome in zip(readable, jobs, outcomes, strict=True):
        if isinstance(outcome, WorkerFailure):
            key = outcome.reason.split(":", 1)[0]
            key = key if key in FAILURE_VI else "crashed"
            done.append(Annotated(r.name, None, FAILURE_VI[key]))
        elif outcome is not None:
            done.append(Annotated(r.name, None, FAILURE_VI.get(outcome, outcome)))
        else:
            done.append(Annotated(r.name, Path(job.target)))
    return done


def annotate(result: FileResult, out_dir: Path) -> Path | None:
    """One file's copy (None when refused or when the copy failed)."""
    found = annotate_all([result], out_dir)
    return found[0].target if found else None
