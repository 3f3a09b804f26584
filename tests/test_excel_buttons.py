"""Button functions (xlsaddin.excel) on a fake book: same results as the CLI, no tracebacks."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import docx
import pytest
from python_calamine import CalamineWorkbook

from tests.cli_runner import CliRunner
from xlsaddin import excel
from xlsaddin.cli import app
from xlsaddin.demo import DemoResult
from xlsaddin.spec import Mappings

from .conftest import finance_workbook
from .fake_xlwings import FakeBook, FakeSheet
from .paths import ROOT

runner = CliRunner()
CONTROL = "Điều khiển"


def test_every_runpython_target_exists() -> None:
    targets = []
    for bas in (ROOT / "macros").glob("*.bas"):
        targets += re.findall(r'RunPython "import (\S+) as x; x\.(\w+)\(\)"', bas.read_text())
    assert {t for _, t in targets} == {"validate", "consolidate", "report", "missing"}
    for module, func in targets:
        assert callable(getattr(importlib.import_module(module), func)), func


_finance = finance_workbook


def test_validate_button_matches_the_cli(mappings: Mappings, tmp_path: Path) -> None:
    bad = _finance(mappings, tmp_path / "bad.xlsx", chua_phan_bo=35, du_toan="1.234,5")
    cli = json.loads(runner.invoke(app, ["validate", str(bad), "--json"]).stdout)
    book = FakeBook.from_file(bad)
    counts = excel.validate(book)
    assert counts == {"errors": cli["stats"]["errors"], "warnings": cli["stats"]["warnings"]}
    assert book.app.alerts[-1].startswith(f"Còn {counts['errors']} lỗi")
    coloured = {(s.name, r, c) for s in book.sheets for (r, c) in s.colors}
    assert ("Nguồn lực tài chính", 19, 5) in coloured  # F20, the allocation mismatch
    good = FakeBook.from_file(_finance(mappings, tmp_path / "good.xlsx"))
    assert excel.validate(good) == {"errors": 0, "warnings": 0}
    assert good.app.alerts == ["Sẵn sàng gửi."]
    assert good.app.status_history[-1] is False  # status bar handed back to Excel


def _control(inbox: Path, output: Path) -> FakeBook:
    sheet = FakeSheet(CONTROL)
    book = FakeBook("BangDieuKhien.xlsm", [sheet])
    for name, ref, value in (
        ("ctl_inbox", "B4", str(inbox)),
        ("ctl_period", "B5", "2025-q4"),
        ("ctl_closing_date", "B6", None),
        ("ctl_output", "B7", str(output)),
        ("ctl_report", "B8", str(output.with_name("BaoCao.docx"))),
        ("ctl_status", "B11", None),
        ("ctl_list", "A14", None),
    ):
        book.define(name, CONTROL, ref)
        book.names[name].refers_to_range.value = value
    return book


def _canonical(path: Path) -> dict[str, list[list[object]]]:
    wb = CalamineWorkbook.from_path(str(path))
    return {n: wb.get_sheet_by_name(n).to_python() for n in wb.sheet_names}


@pytest.fixture(scope="module")
def buttons_run(
    demo: DemoResult, tmp_path_factory: pytest.TempPathFactory
) -> tuple[FakeBook, Path]:
    out = tmp_path_factory.mktemp("btn") / "TongHop.xlsx"
    book = _control(demo.inbox, out)
    excel.consolidate(book)
    return book, out


def test_consolidate_button_matches_the_cli(
    buttons_run: tuple[FakeBook, Path], demo: DemoResult, tmp_path: Path
) -> None:
    book, out = buttons_run
    cli_out = tmp_path / "cli.xlsx"
    result = runner.invoke(
        app,
        [
            "consolidate",
            str(demo.inbox),
            "--out",
            str(cli_out),
            "--history",
            str(tmp_path / "h.sqlite"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert _canonical(out) == _canonical(cli_out)
    status = book.names["ctl_status"].refers_to_range.value
    assert status.startswith(f"Đã tổng hợp {len(demo.files)} tệp")
    listed = book.sheets[CONTROL].range("A15:D40").value
    names = [row[2] for row in listed if row[2]]
    assert {"Xã Xốp", "Xã Mô Rai", "Xã Cà Đam", "Xã Sơn Tây Hạ", "Xã Kon Đào"} <= set(names)
    assert book.app.alerts and "đơn vị còn thiếu báo cáo" in book.app.alerts[-1]


def test_missing_button_writes_nothing(demo: DemoResult, tmp_path: Path) -> None:
    out = tmp_path / "never.xlsx"
    book = _control(demo.inbox, out)
    count = excel.missing(book)
    expected: set[str] = set()
    data = runner.invoke(app, ["consolidate", str(demo.inbox), "--dry-run"])
    assert data.exit_code == 0
    for line in data.output.splitlines():
        if "chưa nộp:" in line:
            expected |= {n.strip() for n in line.split(":", 1)[1].split(";")}
    listed = {row[2] for row in book.sheets[CONTROL].range("A15:D40").value if row[2]}
    assert count == len(listed) and listed == {n for n in expected if n}
    assert not out.exists()


def test_report_button_matches_the_cli(buttons_run: tuple[FakeBook, Path], tmp_path: Path) -> None:
    book, out = buttons_run
    made = Path(excel.report(book))
    cli_docx = tmp_path / "cli.docx"
    assert runner.invoke(app, ["report", str(out), "--docx", str(cli_docx)]).exit_code == 0

    def text(p: Path) -> list[str]:
        return [para.text for para in docx.Document(str(p)).paragraphs]

    assert text(made) == text(cli_docx)
    assert "Đã lập báo cáo" in book.names["ctl_status"].refers_to_range.value


def test_errors_become_a_message_not_a_traceback(tmp_path: Path) -> None:
    book = _control(tmp_path / "khong_co", tmp_path / "o.xlsx")
    assert excel.consolidate(book) is None
    assert "Thư mục hộp thư đến không tồn tại" in book.app.alerts[-1]
    assert excel.report(book) is None  # a mistake of the officer: said plainly, no log
    assert book.app.alerts[-1].startswith("Thư mục hộp thư đến không tồn tại")


def test_a_bug_behind_a_button_is_logged_not_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XLSADDIN_LOG_DIR", str(tmp_path / "logs"))
    book = _control(tmp_path / "hop_thu", tmp_path / "o.xlsx")
    (tmp_path / "hop_thu").mkdir()

    def bug(*_: object, **__: object) -> None:
        raise RuntimeError("lỗi lập trình")

    monkeypatch.setattr("xlsaddin.pipeline.run_consolidation", bug)
    assert excel.consolidate(book) is None
    [log] = (tmp_path / "logs").iterdir()
    assert "Traceback" in log.read_text(encoding="utf-8")
    assert str(log) in book.app.alerts[-1] and "Traceback" not in book.app.alerts[-1]


def test_doctor_says_buttons_need_excel_and_the_rest_works() -> None:
    result = runner.invoke(app, ["doctor"])
    assert result.exit_code == 0, result.output
    assert "cần Microsoft Excel trên Windows hoặc macOS" in result.output
    assert "Mọi chức năng dòng lệnh sẵn sàng." in result.output
    from xlsaddin.doctor import run_checks

    windows = {c.label: c for c in run_checks("Windows")}
    assert windows["Nút bấm Excel"].ok


def test_doctor_names_the_mappings_folder_in_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from tests.paths import MAPPINGS
    from xlsaddin.doctor import run_checks

    own = tmp_path / "CauHinhTinh"
    shutil.copytree(MAPPINGS, own)
    monkeypatch.setenv("XLSADDIN_MAPPINGS", str(own))
    [line] = [c for c in run_checks() if c.label.startswith("Cấu hình")]
    assert line.ok and str(own) in line.label
