"""Hostile input and faults: every command over the whole generated corpus, and each
defence on its own (values, text as data, isolation, output failures, exit codes).

The corpus is built at test time by ``tests/hostile.py`` (``python -m tests.hostile``
prints the figures recorded in docs/validation.md).
"""

from __future__ import annotations

import errno
import io
import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
from rich.console import Console

from tests.cli_runner import CliRunner
from tests.conftest import ROOT, finance_workbook
from tests.hostile import INJECTIONS, live_formulas, run_corpus
from xlsaddin.cli import app
from xlsaddin.core.cells import MAX_ABS_NUMBER
from xlsaddin.core.failures import OfficerError
from xlsaddin.core.untrusted import visible, xml_text
from xlsaddin.intake import Limits, WorkerFailure, explore, inspect_file, isolated_map
from xlsaddin.spec import Mappings
from xlsaddin.text.numbers import NOT_A_NUMBER, format_percent_vi, format_vi, parse_number
from xlsaddin.validate.annotate import annotate_all
from xlsaddin.validate.render import print_validation
from xlsaddin.validate.run import FileResult, validate_paths

runner = CliRunner()
MiB = 1024 * 1024


# --------------------------------------------------------------------------- the corpus


@pytest.mark.skipif(sys.platform == "win32", reason="FIFOs, sockets and symlinks")
def test_every_command_over_the_whole_corpus(tmp_path: Path, mappings: Mappings) -> None:
    figures = run_corpus(tmp_path, mappings)
    assert figures.cases >= 120
    assert figures.unclean == [] and figures.clean == figures.cases
    assert figures.tracebacks == 0
    assert figures.live == [] and figures.injections == 0
    assert figures.peak_mb <= 512
    assert figures.exit_codes == {"validate": 2, "annotate": 2, "consolidate": 0, "report": 0}


def test_the_injection_scan_sees_a_live_formula(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([INJECTIONS["text_formula_hyperlink"]])  # what annotate used to do
    book.save(tmp_path / "x.xlsx")
    assert live_formulas(tmp_path / "x.xlsx")


# --------------------------------------------------------------------------- values


def test_numbers_no_form_can_hold_are_refused_and_formatting_is_total() -> None:
    for raw in (float("nan"), float("inf"), -float("inf"), 1.7e308, MAX_ABS_NUMBER, 10**400):
        assert parse_number(raw).value is None, raw
    assert parse_number(MAX_ABS_NUMBER - 1).value == MAX_ABS_NUMBER - 1
    assert parse_number("1" * 400).status == "invalid"  # and no 400-digit parse
    assert parse_number("999.999.999.999.999").value == 999_999_999_999_999
    assert parse_number("1.000.000.000.000.000").value is None
    assert format_vi(float("nan")) == format_percent_vi(float("inf")) == NOT_A_NUMBER
    assert format_vi(1e27, 3) == "1" + ".000" * 9 + ",000"
    assert format_vi(10**400).count(".") == 133
    assert format_vi(1.7976931348623157e308).startswith("179.769.313")


def test_a_bad_value_costs_its_cell_not_the_province(mappings: Mappings, tmp_path: Path) -> None:
    from xlsaddin.consolidate import consolidate
    from xlsaddin.publish import publish

    inbox = tmp_path / "hop_thu"
    finance_workbook(mappings, inbox / "a.xlsx", du_toan="9" * 400)
    [result] = validate_paths([inbox], mappings).files
    assert {(i.code, i.cell) for i in result.issues} >= {("number-too-long", "C20")}
    assert result.table is not None and result.table.typed["chi_dau_tu"]["du_toan"] is None
    done = consolidate([inbox], mappings, processes=1)
    out = publish(
        done,
        mappings,
        out=tmp_path / "T.xlsx",
        json_path=tmp_path / "T.json",
        audit_path=tmp_path / "a.jsonl",
        history=None,
    )
    assert out.workbook.is_file() and json.loads(out.json.read_text())["run_id"] == out.run_id


# --------------------------------------------------------------------------- text is data


def test_terminal_never_reads_file_text_as_markup(mappings: Mappings) -> None:
    from xlsaddin.core.issues import Issue, Report
    from xlsaddin.validate.run import Validation

    name = "[/red][bold]x\x1b[2J.xlsx"
    issue = Issue(
        code="number-as-text",
        severity="error",
        message="[/bold] =cmd|'x'!A0",
        file=name,
        sheet="[/x]",
        cell="C20",
    )
    files = [FileResult(Path(name), name, "", 0, None, [issue])]
    console = Console(record=True, width=200, force_terminal=False)
    print_validation(
        Validation(files, Report.of([issue], files=1, rejected=1, tables=0)), console, detail=True
    )
    text = console.export_text()
    assert "[/red][bold]x\\x1b[2J.xlsx" in text and "[/bold] =cmd|'x'!A0" in text
    assert "\x1b" not in text


def test_untrusted_text_helpers() -> None:
    assert visible("a\x1b[31mb\x00") == "a\\x1b[31mb\\x00"
    assert visible(os.fsdecode(b"t\xean.xlsx")) == "t\\xean.xlsx"
    assert xml_text("a\x01b\ufffe") == "a\\x01b\\ufffe"
    assert visible("tab\tand\nnewline") == "tab\tand\nnewline"


def test_annotated_copy_holds_strings_only(mappings: Mappings, tmp_path: Path) -> None:
    path = finance_workbook(
        mappings,
        tmp_path / "a.xlsx",
        noi_dung_giai_ngan=INJECTIONS["text_formula_dde"],
        chua_phan_bo=INJECTIONS["text_formula_hyperlink"],
    )
    [result] = validate_paths([path], mappings).files
    [copy] = annotate_all([result], tmp_path / "out")
    assert copy.target is not None and not live_formulas(copy.target)
    sheet = openpyxl.load_workbook(copy.target)["Lỗi"]
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert INJECTIONS["text_formula_hyperlink"] in values  # shown, as text
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_annotate_runs_isolated_and_a_failure_costs_one_copy(
    mappings: Mappings, tmp_path: Path
) -> None:
    good = finance_workbook(mappings, tmp_path / "a.xlsx")
    other = finance_workbook(mappings, tmp_path / "b.xlsx", chua_phan_bo=35)
    results = validate_paths([good, other], mappings).files
    other.write_bytes(good.read_bytes())  # changed after validation: not the bytes checked
    copies = {c.name: c for c in annotate_all(results, tmp_path / "out")}
    assert copies["a.xlsx"].target is not None
    assert copies["b.xlsx"].target is None and "thay đổi" in (copies["b.xlsx"].reason or "")
    tiny = Limits(worker_timeout_s=0.01)  # no time at all: the copy fails, not the run
    failed = annotate_all(results[:1], tmp_path / "out2", tiny)
    assert failed[0].target is None and failed[0].reason


# --------------------------------------------------------------------------- isolation


def shout_and_die(_: int) -> int:
    os.write(2, b"thread '<unnamed>' panicked: memory allocation failed\n")
    os._exit(134)


def test_a_dying_worker_says_nothing_on_the_terminal(tmp_path: Path) -> None:
    script = (
        "from xlsaddin.intake import isolated_map, Limits\n"
        "from tests.test_hostile import shout_and_die\n"
        "if __name__ == '__main__':\n"
        "    print(isolated_map(shout_and_die, [1], Limits()))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
    )
    assert "panicked" not in done.stderr + done.stdout
    assert "crashed" in done.stdout


def dense_sheet(target_bytes: int) -> bytes:
    """A sheet of random numbers that compresses to about ``target_bytes``."""
    import random

    rng = random.Random(7)
    rows = []
    size = 0
    r = 0
    while size < target_bytes * 3.55:  # these rows compress about 3.6 : 1
        r += 1
        cells = "".join(f'<c r="{c}{r}"><v>{rng.random():.12f}</v></c>' for c in "ABCDEFGHIJ")
        row = f'<row r="{r}">{cells}</row>'
        rows.append(row)
        size += len(row)
    return (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{''.join(rows)}</sheetData></worksheet>"
    ).encode()


def with_dense_sheet(src: bytes, dest: Path, target_bytes: int) -> Path:
    """``src`` (a workbook) plus one more sheet, "Dữ liệu thêm", of random numbers."""
    from tests.hostile import CT_PREFIX, REL_PREFIX, override, rel, rewrite

    name = "xl/worksheets/sheet99.xml"
    return rewrite(
        src,
        dest,
        add={name: dense_sheet(target_bytes)},
        content_types=[override(name, f"{CT_PREFIX}.spreadsheetml.worksheet+xml")],
        workbook_rels=[rel("rIdDense", f"{REL_PREFIX}/worksheet", "worksheets/sheet99.xml")],
        edit={
            "xl/workbook.xml": lambda b: b.replace(
                b"</sheets>",
                b'<sheet name="D\xe1\xbb\xaf li\xe1\xbb\x87u th\xc3\xaam" sheetId="99" '
                b'r:id="rIdDense"/></sheets>',
            )
        },
    )


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss of children, RLIMIT_AS")
def test_a_5_mb_file_costs_at_most_512_mb_and_10_s(tmp_path: Path, mappings: Mappings) -> None:
    from tests.hostile import Figures, _run_cli

    form = finance_workbook(mappings, tmp_path / "mau.xlsx").read_bytes()
    big = with_dense_sheet(form, tmp_path / "lon.xlsx", int(4.8 * MiB))
    assert 4 * MiB < big.stat().st_size <= 5 * MiB
    for name, args in (
        ("validate", ["validate", str(big), "--annotate", "ban_sao"]),
        ("consolidate", ["consolidate", str(big), "--out", "tong_hop/T.xlsx"]),
    ):
        figures = Figures()
        _run_cli(name, args, tmp_path, figures)
        assert figures.tracebacks == 0 and figures.exit_codes[name] == 0, figures
        assert figures.peak_mb <= 512, figures
        assert figures.seconds[name] <= 10, figures  # the whole command, start to end


def hang(_: int) -> int:
    time.sleep(60)
    return 0


def test_a_slow_file_alone_is_not_retried() -> None:
    started = time.monotonic()
    [out] = isolated_map(hang, [1], Limits(worker_timeout_s=1))
    assert isinstance(out, WorkerFailure) and out.reason == "timeout"
    assert time.monotonic() - started < 10


# --------------------------------------------------------------------------- inbox


def test_an_unreadable_subfolder_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = tmp_path / "khoa"
    locked.mkdir()
    (locked / "a.xlsx").write_bytes(b"x")
    (tmp_path / "b.xlsx").write_bytes(b"x")
    real = os.scandir

    def refuse(path: object = ".") -> object:
        if Path(str(path)) == locked:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", refuse)
    found = explore([tmp_path])
    assert [p.name for p in found.files] == ["b.xlsx"]
    assert [(h.path, h.code.code) for h in found.hazards] == [(locked, "inbox-folder-unreadable")]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads anything")
def test_an_unreadable_subfolder_is_reported_for_real(tmp_path: Path, mappings: Mappings) -> None:
    locked = tmp_path / "khoa"
    locked.mkdir()
    (locked / "a.xlsx").write_bytes(b"x")
    locked.chmod(0)
    try:
        files = validate_paths([tmp_path], mappings).files
    finally:
        locked.chmod(0o755)
    assert [(f.name, f.issues[0].code) for f in files] == [("khoa", "inbox-folder-unreadable")]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_intake_never_blocks_on_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "ong.xlsx"
    os.mkfifo(fifo)
    assert inspect_file(fifo).codes == ("file-unreadable",)


# --------------------------------------------------------------------------- output failures


def _consolidate(inbox: Path, out: Path, *extra: str) -> object:
    return runner.invoke(
        app,
        [
            "consolidate",
            str(inbox),
            "--out",
            str(out / "T.xlsx"),
            "--json",
            str(out / "T.json"),
            *extra,
        ],
    )


@pytest.fixture
def one_file_inbox(mappings: Mappings, tmp_path: Path) -> Path:
    folder = tmp_path / "hop_thu"
    finance_workbook(mappings, folder / "a.xlsx")
    return folder


def test_full_disk_is_one_line_and_publishes_nothing(
    one_file_inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "tong_hop"
    assert _consolidate(one_file_inbox, out).exit_code == 0  # type: ignore[attr-defined]
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def full(*_: object, **__: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("xlsaddin.publish.write_province_workbook", full)
    result = _consolidate(one_file_inbox, out)
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert "ổ đĩa đã đầy" in result.output and "T.xlsx" in result.output  # type: ignore[attr-defined]
    assert "Traceback" not in result.output  # type: ignore[attr-defined]
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # nothing changed


def test_read_only_history_is_one_line_and_publishes_nothing(
    one_file_inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "tong_hop"
    db = tmp_path / "lich_su.sqlite"
    assert _consolidate(one_file_inbox, out, "--history", str(db)).exit_code == 0  # type: ignore[attr-defined]
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def read_only(*_: object, **__: object) -> int:  # root ignores file modes: as SQLite says it
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr("xlsaddin.consolidate.history.HistoryStore.record", read_only)
    result = _consolidate(one_file_inbox, out, "--history", str(db))
    assert result.exit_code == 2, result.output  # type: ignore[attr-defined]
    assert "CSDL lịch sử" in result.output and "Traceback" not in result.output  # type: ignore[attr-defined]
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_read_only_output_folder_is_one_line(
    one_file_inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "chi_doc"
    out.mkdir()
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, m: False if Path(p) == out else real(p, m))
    result = _consolidate(one_file_inbox, out)
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert "chi_doc" in result.output and "quyền ghi" in result.output  # type: ignore[attr-defined]
    assert not (out / "T.xlsx").exists() and not (out / "T.json").exists()
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # nothing staged


def test_an_unexpected_error_is_logged_and_exits_3(
    one_file_inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XLSADDIN_LOG_DIR", str(tmp_path / "logs"))

    def bug(*_: object, **__: object) -> None:
        raise RuntimeError("lỗi lập trình")

    monkeypatch.setattr("xlsaddin.validate.run.validate_paths", bug)
    result = runner.invoke(app, ["validate", str(one_file_inbox)])
    assert result.exit_code == 3
    [log] = (tmp_path / "logs").iterdir()
    assert "RuntimeError: lỗi lập trình" in log.read_text(encoding="utf-8")
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and str(log) in lines[0] and "Traceback" not in result.output


def test_the_script_has_a_last_resort(tmp_path: Path) -> None:
    """Outside any command (here: the console itself fails) it still ends in one line."""
    script = (
        "import sys\n"
        "import xlsaddin.cli as cli\n"
        "def broken(): raise OSError('console gone')\n"
        "cli.app = broken\n"
        "sys.argv = ['xlsaddin', 'version']\n"
        "cli.main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT), "XLSADDIN_LOG_DIR": str(tmp_path)},
        check=False,
    )
    assert done.returncode == 3 and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and str(tmp_path) in done.stderr


def test_officer_errors_name_the_path() -> None:
    from xlsaddin.core.failures import output_error

    error = output_error(Path("/x/T.xlsx"), OSError(errno.EROFS, "Read-only file system"))
    assert isinstance(error, OfficerError) and "/x/T.xlsx" in str(error)
    assert "chỉ cho phép đọc" in str(error)


def test_report_reads_any_file_in_a_limited_worker(tmp_path: Path) -> None:
    """A file passed to 'report' may be anything: a sheet whose grid would be 17 billion
    cells costs a worker (memory limit), never the command."""
    from tests.hostile import rewrite
    from xlsaddin.core.sheets import INFO, STATUS, SUMMARY, TASKS

    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    first.title = SUMMARY
    first["A1"] = "x"
    for name in (STATUS, TASKS, INFO):
        book.create_sheet(name)["A1"] = "x"
    plain = io.BytesIO()
    book.save(plain)
    far = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
    hostile = rewrite(
        plain.getvalue(),
        tmp_path / "TINH.xlsx",
        edit={"xl/worksheets/sheet1.xml": lambda b: b.replace(b"</sheetData>", far, 1)},
    )
    started = time.monotonic()
    result = runner.invoke(app, ["report", str(hostile), "--docx", str(tmp_path / "b.docx")])
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    assert "Không đọc được" in result.output and not (tmp_path / "b.docx").exists()
    assert time.monotonic() - started < 15
    # through the real script: the reader's panic in the worker never reaches the terminal
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from xlsaddin.cli import main; main()",
            "report",
            str(hostile),
            "--docx",
            str(tmp_path / "b.docx"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 2 and done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and "panick" not in done.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_special_file_named_on_the_command_line_is_reported(
    tmp_path: Path, mappings: Mappings
) -> None:
    fifo = tmp_path / "ong"
    os.mkfifo(fifo)
    [result] = validate_paths([fifo], mappings).files
    assert [i.code for i in result.issues] == ["inbox-special-file"]
