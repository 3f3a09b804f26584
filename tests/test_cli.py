"""The CLI is thin: exit codes and messages over the core."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
import yaml

from tests.cli_runner import CliRunner
from xlsaddin.cli import app
from xlsaddin.demo import DemoResult
from xlsaddin.spec import Mappings

from .paths import MAPPINGS

runner = CliRunner()


def test_build_writes_the_templates(tmp_path: Path, mappings: Mappings) -> None:
    result = runner.invoke(app, ["build", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.glob("*.xlsx")) == sorted(
        s.file_name for s in mappings.appendices
    )
    assert sorted(p.name for p in tmp_path.glob("*.xlsm")) == sorted(
        [s.file_name.removesuffix(".xlsx") + ".xlsm" for s in mappings.appendices]
        + ["BangDieuKhien.xlsm"]
    )
    check = runner.invoke(app, ["build", "--check", "--out", str(tmp_path)])
    assert check.exit_code == 0


def test_build_check_fails_on_stale_workbooks(tmp_path: Path) -> None:
    root = tmp_path / "mappings"
    shutil.copytree(MAPPINGS, root)
    project = root / "project.yaml"
    project.write_text(
        project.read_text(encoding="utf-8").replace("NGƯỜI LẬP BIỂU", "CÁN BỘ LẬP BIỂU"),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["build", "--check", "--mappings", str(root)])
    assert result.exit_code == 1
    assert "CÁN BỘ LẬP BIỂU" in result.output


def test_build_units_and_period(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["build", "--unit", "21484,21523", "--period", "2026-q1", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["21484_XaBaTo", "21523_XaBaTo"]


def test_bad_unit_and_period_are_refused(tmp_path: Path) -> None:
    bad_unit = runner.invoke(app, ["build", "--unit", "99999", "--out", str(tmp_path)])
    assert bad_unit.exit_code == 2 and "Mã đơn vị không hợp lệ" in bad_unit.output
    bad_period = runner.invoke(app, ["build", "--period", "2031-q9", "--out", str(tmp_path)])
    assert bad_period.exit_code == 2 and "2031-q9" in bad_period.output
    assert not list(tmp_path.iterdir())


def test_broken_mapping_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    root = tmp_path / "mappings"
    shutil.copytree(MAPPINGS, root)
    spec = root / "appendices" / "02_nguon_luc_tai_chinh.yaml"
    data = yaml.safe_load(spec.read_text(encoding="utf-8"))
    data["rules"][0]["expr"] = "duoc_phan_boo + chua_phan_bo == duoc_duyet"
    spec.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(app, ["build", "--mappings", str(root), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1
    assert "02_nguon_luc_tai_chinh.yaml" in lines[0] and "rules[0].expr" in lines[0]
    assert "duoc_phan_boo" in lines[0]


def test_demo_prints_where_the_files_are(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "hop_thu_den" in result.output and "mau_bieu" in result.output
    assert (tmp_path / "demo_mistakes.json").is_file()


def test_mappings_export_writes_a_copy_that_checks_clean(tmp_path: Path) -> None:
    target = tmp_path / "cau_hinh"
    exported = runner.invoke(app, ["mappings", "export", str(target)])
    assert exported.exit_code == 0, exported.output
    assert (target / "project.yaml").read_bytes() == (MAPPINGS / "project.yaml").read_bytes()
    assert sorted(p.name for p in (target / "appendices").glob("*.yaml")) == sorted(
        p.name for p in (MAPPINGS / "appendices").glob("*.yaml")
    )
    checked = runner.invoke(app, ["mappings", "check", str(target)])
    assert checked.exit_code == 0, checked.output
    again = runner.invoke(app, ["mappings", "export", str(target)])
    assert again.exit_code == 2  # never over an existing, non-empty folder


def test_mappings_check_prints_one_line_per_problem(tmp_path: Path) -> None:
    root = tmp_path / "mappings"
    shutil.copytree(MAPPINGS, root)
    finance = root / "appendices" / "02_nguon_luc_tai_chinh.yaml"
    data = yaml.safe_load(finance.read_text(encoding="utf-8"))
    data["rules"][1]["expr"] = "da_giai_ngan <= noi_dung_giai_ngan"  # number vs text
    finance.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    tasks = root / "appendices" / "04_nhiem_vu.yaml"
    data = yaml.safe_load(tasks.read_text(encoding="utf-8"))
    data["table"]["columns"][1]["type"] = "chu"
    data["table"]["max_rows"] = 0
    tasks.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(app, ["mappings", "check", str(root)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    lines = [ln for ln in result.output.splitlines() if "mapping error" in ln]
    assert len(lines) == 3, result.output
    assert any("02_nguon_luc_tai_chinh.yaml › rules[1].expr" in ln for ln in lines)
    assert any("04_nhiem_vu.yaml › table.columns[1].type" in ln for ln in lines)
    assert any("04_nhiem_vu.yaml › table.max_rows" in ln for ln in lines)


def test_an_output_that_cannot_be_what_was_asked_is_refused_first(
    tmp_path: Path, mappings: Mappings
) -> None:
    """A folder, a wrong extension, or the input itself as an output: one Vietnamese line,
    exit 2, nothing staged (a staged set could never be published and would block the
    folder), the input untouched."""
    from .conftest import finance_workbook

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    finance_workbook(mappings, inbox / "pl02.xlsx")
    out = tmp_path / "out"
    (out / "odir").mkdir(parents=True)
    for target, words in (
        (out / "odir", "đây là một thư mục"),
        (out / "TongHop.docx", "phải có đuôi .xlsx"),
    ):
        result = runner.invoke(app, ["consolidate", str(inbox), "--out", str(target)])
        assert result.exit_code == 2 and words in result.output, result.output
        assert sorted(p.name for p in out.iterdir()) == ["odir"]  # nothing staged
    good = out / "TongHop.xlsx"
    assert runner.invoke(app, ["consolidate", str(inbox), "--out", str(good)]).exit_code == 0
    before = good.read_bytes()
    result = runner.invoke(app, ["report", str(good), "--docx", str(good)])
    assert result.exit_code == 2 and "chính là tệp đầu vào" in result.output
    assert good.read_bytes() == before
    result = runner.invoke(
        app, ["report", str(good), "--docx", str(out / "r.docx"), "--xlsx", str(good)]
    )
    assert result.exit_code == 2 and good.read_bytes() == before


def test_an_output_under_a_file_is_refused_before_anything_is_written(
    tmp_path: Path, mappings: Mappings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """(A fresh-eyed trial: --json or --audit-log under a path that is a file ended with
    exit 3 and a crash log, and left an empty history file behind; report --xlsx there
    wrote the .docx first.) Each is one Vietnamese line, exit 2, nothing written."""
    from .conftest import finance_workbook

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    finance_workbook(mappings, inbox / "pl02.xlsx")
    blocker = tmp_path / "tep"
    blocker.write_text("x")
    for extra in (["--json", str(blocker / "x.json")], ["--audit-log", str(blocker / "a.jsonl")]):
        out = tmp_path / f"out{len(extra[0])}"
        args = ["consolidate", str(inbox), "--out", str(out / "TongHop.xlsx"), *extra]
        result = runner.invoke(app, args)
        assert result.exit_code == 2, result.output
        assert "là một tệp, không phải thư mục" in result.output, result.output
        assert not out.exists()  # no history file, nothing staged
    good = tmp_path / "ok" / "TongHop.xlsx"
    assert runner.invoke(app, ["consolidate", str(inbox), "--out", str(good)]).exit_code == 0
    docx = tmp_path / "bao_cao" / "BaoCao.docx"
    args = ["report", str(good), "--docx", str(docx), "--xlsx", str(blocker / "b.xlsx")]
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and "là một tệp, không phải thư mục" in result.output
    assert not docx.exists()

    # a failure while writing the second file publishes neither
    import xlsaddin.report.tables_xlsx as tables

    def broken(*_: object, **__: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tables, "write_tables_xlsx", broken)
    result = runner.invoke(
        app, ["report", str(good), "--docx", str(docx), "--xlsx", str(docx.with_suffix(".xlsx"))]
    )
    assert result.exit_code == 2, result.output
    assert not docx.parent.exists() or sorted(docx.parent.iterdir()) == []


def test_an_unwritable_folder_is_named_once_before_the_run(
    tmp_path: Path, mappings: Mappings
) -> None:
    """--annotate into a folder that cannot be made (a file is in the way; root ignores
    permission bits): one line naming the folder, not one misleading line per file."""
    from .conftest import finance_workbook

    good = finance_workbook(mappings, tmp_path / "pl02.xlsx")
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("x")
    result = runner.invoke(app, ["validate", str(good), "--annotate", str(blocker / "copies")])
    assert result.exit_code == 2
    assert result.output.count("Không ghi được thư mục") == 1 and "copies" in result.output
    result = runner.invoke(app, ["consolidate", str(tmp_path), "--out", str(blocker / "T.xlsx")])
    assert result.exit_code == 2 and "là một tệp, không phải thư mục" in result.output
    assert result.output.count("\n") == 1


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["--help"], 0, ["Cách dùng: xlsaddin", "Lệnh:", "Tùy chọn:", "validate", "consolidate"]),
        ([], 2, ["Cách dùng: xlsaddin", "Lệnh:"]),  # nothing asked: what can be asked
        (["validate", "--help"], 0, ["Cách dùng: xlsaddin validate", "Tham số:", "--chi-tiet"]),
        (["mappings"], 2, ["export", "check"]),
        (["validate"], 2, ["xlsaddin validate: lỗi: thiếu TỆP", "xlsaddin validate --help"]),
        (["report", "x.xlsx"], 2, ["lỗi: thiếu --docx"]),
        (["kiemtra"], 2, ["lỗi: không có 'kiemtra'; chọn: 'build'"]),
        (["validate", "a.xlsx", "--jsn"], 2, ["lỗi: không hiểu: --jsn"]),
        (["consolidate", "hop_thu", "--out"], 2, ["lỗi: --out cần một giá trị"]),
        # an error after a command names that command's usage and help
        (["validate", "--foo", "a.xlsx"], 2, ["xlsaddin validate: lỗi: không hiểu: --foo"]),
        (["version", "thua"], 2, ["xlsaddin version: lỗi: không hiểu: thua"]),
        (["--mappings", "M", "validate"], 2, ["tùy chọn --mappings đặt sau tên lệnh"]),
        (["build", "--out="], 2, ["--out: đường dẫn trống"]),  # not the current folder
        (["validate", ""], 2, ["TỆP: đường dẫn trống"]),
        (["build", "--unit", "21484,abc"], 2, ["Mã đơn vị không hợp lệ: abc"]),
        (["build", "--unit", "99999"], 2, ["không có xã, phường, đặc khu nào mang mã này"]),
    ],
)
def test_help_and_usage_errors_speak_vietnamese(
    args: list[str], code: int, words: list[str]
) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == code, result.output
    for word in words:
        assert word in result.output, result.output
    for english in ("Usage", "usage:", "options", "show this help", "error:", "required"):
        assert english not in result.output, result.output


def test_mappings_export_onto_a_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "cau_hinh.xlsx"
    target.write_bytes(b"x")
    result = runner.invoke(app, ["mappings", "export", str(target)])
    assert result.exit_code == 2 and "là một tệp, không phải thư mục" in result.output
    assert target.read_bytes() == b"x"


@pytest.mark.parametrize("as_json", [True, False])
def test_a_reader_that_stops_reading_is_not_a_crash(
    demo: DemoResult, tmp_path: Path, as_json: bool
) -> None:
    """``xlsaddin validate DIR [--json] | head -1``: exit 141, no crash log, nothing
    printed (the text goes through rich, whose own handler would exit with 1)."""
    import subprocess
    import sys

    env = {**os.environ, "XLSADDIN_LOG_DIR": str(tmp_path / "logs")}
    env["XLSADDIN_CACHE"] = str(tmp_path / "cache")  # a first run: no message on stderr
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from xlsaddin.cli import main; main()",
            "validate",
            str(demo.inbox),
            *(["--json"] if as_json else []),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.read(1)
    assert first == b"{" if as_json else first.strip() != b""
    proc.stdout.close()  # as head does after its first line
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=300) == 141, stderr
    assert stderr == "" and not (tmp_path / "logs").exists()


def test_validate_with_nothing_to_check_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "trong").mkdir()
    result = runner.invoke(app, ["validate", str(tmp_path / "trong")])
    assert result.exit_code == 2 and "Không có tệp Excel (.xlsx) nào" in result.output


def test_the_script_ends_without_teardown_yet_delivers_everything(
    demo: DemoResult, tmp_path: Path
) -> None:
    """``main`` ends the process once the command is done (crash.leave): the output is
    whole, the exit code is the command's, the outputs are on disk and the exit handlers
    still ran (one registered before the command writes a file)."""
    import subprocess
    import sys

    marker = tmp_path / "handler-ran"
    script = (
        "import atexit, pathlib, sys\n"
        f"atexit.register(pathlib.Path({str(marker)!r}).write_text, 'x')\n"
        "from xlsaddin.cli import main\n"
        "main()\n"
    )
    out = tmp_path / "TongHop.xlsx"
    # buffered output, as an officer's shell has it (not this suite's PYTHONUNBUFFERED)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    env["XLSADDIN_CACHE"] = str(tmp_path / "cache")
    args = ["consolidate", str(demo.inbox), "--out", str(out), "--json", str(tmp_path / "r.json")]
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().endswith(f"Báo cáo JSON: {tmp_path / 'r.json'}")
    assert out.is_file() and json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert marker.read_text() == "x"
    one = next(demo.inbox.rglob("PL02_*.xlsx"))
    printed = subprocess.run(  # print() into a pipe is buffered: flushed before the end
        [sys.executable, "-c", script, "validate", str(one), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert printed.returncode in (0, 1) and json.loads(printed.stdout)["stats"]["files"] == 1
    wrong = subprocess.run(
        [sys.executable, "-c", script, "validate", str(tmp_path / "none.xlsx")],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert wrong.returncode == 2 and "Không tìm thấy" in wrong.stderr


def test_messages_whose_reader_left_do_not_cost_the_output(
    demo: DemoResult, tmp_path: Path
) -> None:
    """``xlsaddin validate DIR 2>&1 >out.txt | true``: the messages (the line on outcomes
    reused, the progress) have nowhere to go; stdout and the exit code are as without
    the pipe (rich's own handler sent stdout to /dev/null and exited with 120)."""
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    env["XLSADDIN_CACHE"] = str(tmp_path / "cache")
    env["XLSADDIN_LOG_DIR"] = str(tmp_path / "logs")
    argv = [sys.executable, "-c", "from xlsaddin.cli import main; main()"]
    argv += ["validate", str(demo.inbox)]
    first = subprocess.run(argv, capture_output=True, env=env, timeout=300, check=False)
    assert "Dùng lại" not in first.stderr.decode()
    with open(tmp_path / "out.txt", "wb") as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.PIPE, env=env)
        assert proc.stderr is not None
        proc.stderr.close()  # the reader of the messages is gone before the first one
        code = proc.wait(timeout=300)
    assert code == first.returncode
    assert (tmp_path / "out.txt").read_bytes() == first.stdout
    assert not (tmp_path / "logs").exists()


@pytest.mark.parametrize(
    ("closed", "args", "code"),
    [(1, ["version"], 0), (2, ["version"], 0), (2, ["validate", "x.xlsx"], 2)],
)
def test_a_stream_closed_from_the_start_changes_no_exit_code(
    tmp_path: Path, closed: int, args: list[str], code: int
) -> None:
    """``xlsaddin version >&-`` or ``2>&-``: Python has no sys.stdout (or stderr) at all;
    the command's own exit code, no crash log."""
    import subprocess
    import sys

    env = {**os.environ, "XLSADDIN_LOG_DIR": str(tmp_path / "logs")}
    done = subprocess.run(
        [sys.executable, "-c", "from xlsaddin.cli import main; main()", *args],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL if closed == 2 else None,
        stderr=subprocess.DEVNULL if closed == 1 else None,
        preexec_fn=lambda: os.close(closed),
        timeout=120,
        check=False,
    )
    assert done.returncode == code
    assert not (tmp_path / "logs").exists()
