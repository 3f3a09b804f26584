"""Golden test: a department task table (the 7-column layout) with 112 tasks.

``tests/golden/nhiem_vu_7_cot_112.csv`` is the golden file: for every task, what the
officer typed (deadlines and completion dates in every format seen in real files:
real date cells, 31/08/2025, 30-06-2025, 2026-01-01, 2025-06-15 00:00:00, 5/12/2025,
Excel serial numbers; statuses with synonyms and stray spaces) next to what it means
(ISO date, canonical status) and the verdict at the closing date 15/12/2025
(``ket_luan``: overdue / completed_late / empty). The expected columns were written
with Python's ``datetime`` from the true dates, not by xlsaddin's parsers.

The sheet also has what real files have: a title, the header a few rows down, a
blank spacer row, the header repeated after a page break, row numbers lost at the
page break, a task whose name was forgotten and a stray text line.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from openpyxl import Workbook

from xlsaddin.consolidate import Consolidation, consolidate
from xlsaddin.read.typed import type_table
from xlsaddin.spec import Mappings, load_mappings
from xlsaddin.validate.run import FileResult, validate_paths

from .conftest import ROOT

GOLDEN = Path(__file__).parent / "golden" / "nhiem_vu_7_cot_112.csv"
CLOSING = dt.date(2025, 12, 15)
HEADERS = ("TT", "Tên nhiệm vụ", "Văn bản giao nhiệm vụ", "Thời hạn", "Kết quả", "Mô tả",
           "Ngày hoàn thành thực tế")  # fmt: skip
REPEAT_AFTER = 60  # the header is repeated after this many tasks (a page break)
SPACER_AFTER = 4  # a blank row after this many tasks
STRAY = "(tiếp theo trang sau)"


def _cell(kind: str, typed: str) -> object:
    if not typed:
        return None
    if kind == "date":
        return dt.date.fromisoformat(typed)  # a real date cell
    if kind == "serial":
        return int(typed)  # an Excel serial number in a General cell
    return typed  # text, as typed


@pytest.fixture(scope="module")
def golden() -> list[dict[str, str]]:
    with GOLDEN.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) > 100
    return rows


@pytest.fixture(scope="module")
def sheet(golden: list[dict[str, str]], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The department's file, and the sheet row of each golden task (1-based)."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Phụ lục 04"
    ws["A1"] = "UBND XÃ BÌNH SƠN"
    ws["A2"] = "BẢNG TỔNG HỢP TÌNH HÌNH THỰC HIỆN NHIỆM VỤ NĂM 2025"
    ws.append([])
    ws.append(list(HEADERS))
    for n, task in enumerate(golden):
        if n == SPACER_AFTER:
            ws.append([])
        if n == REPEAT_AFTER:
            ws.append([STRAY])  # column A only: not an input cell
            ws.append(list(HEADERS))
        ws.append(
            [
                int(task["tt"]) if task["tt"] else None,
                task["ten_nhiem_vu"] or None,
                task["van_ban_giao"],
                _cell(task["thoi_han_kieu"], task["thoi_han_go"]),
                task["ket_qua_go"] or None,
                None,
                _cell(task["ngay_hoan_thanh_kieu"], task["ngay_hoan_thanh_go"]),
            ]
        )
    ws.append([])
    ws.append([None, None, None, None, None, "Ghi chú: số liệu do phòng Văn hóa cung cấp"])
    path = tmp_path_factory.mktemp("golden") / "Bang nhiem vu Binh Son.xlsx"
    book.save(path)
    return path


@pytest.fixture(scope="module", params=[300, 30], ids=["shipped", "old-30-rows"])
def capacity(
    request: pytest.FixtureRequest, mappings: Mappings, tmp_path_factory: pytest.TempPathFactory
) -> Mappings:
    """The shipped mappings, and a copy whose task template holds 30 rows as it used to:
    a foreign layout's entries do not depend on the template's capacity."""
    if request.param == mappings.appendix("nhiem_vu").table.max_rows:
        return mappings
    root = tmp_path_factory.mktemp("m30") / "mappings"
    shutil.copytree(ROOT / "mappings", root)
    spec = root / "appendices" / "04_nhiem_vu.yaml"
    text = spec.read_text(encoding="utf-8")
    spec.write_text(re.sub(r"max_rows: \d+", f"max_rows: {request.param}", text), encoding="utf-8")
    return load_mappings(root)


@pytest.fixture(scope="module")
def validated(sheet: Path, capacity: Mappings) -> FileResult:
    [result] = validate_paths([sheet], capacity, closing_date=CLOSING, processes=1).files
    assert result.table is not None and not result.table.strict
    return result


def _date(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def test_every_task_is_read_typed_and_checked(
    golden: list[dict[str, str]], validated: FileResult, capacity: Mappings
) -> None:
    table = validated.table
    assert table is not None
    assert len(table.rows) == len(golden)  # not 30: every entry, whatever the length
    type_table(table, capacity)
    for n, task in enumerate(golden, start=1):
        values = table.typed[str(n)]
        assert values["thoi_han"] == _date(task["thoi_han"]), (n, task["thoi_han_go"])
        assert values["ngay_hoan_thanh"] == _date(task["ngay_hoan_thanh"]), n
        assert (values["ket_qua"] or "") == task["ket_qua"], (n, task["ket_qua_go"])
        assert (values["ten_nhiem_vu"] or "") == task["ten_nhiem_vu"], n
    # every conversion is a warning, nothing is an error but the forgotten name
    errors = [(i.code, i.row) for i in validated.issues if i.severity == "error"]
    nameless = [n for n, t in enumerate(golden, start=1) if not t["ten_nhiem_vu"]]
    no_status = [n for n, t in enumerate(golden, start=1) if not t["ket_qua"]]
    assert Counter(code for code, _ in errors) == {
        "required-missing": len(nameless) + len(no_status)
    }
    assert {i.code for i in validated.issues} >= {"date-text-converted", "choice-synonym"}
    # the stray note below the table is not a task, and it is named, not dropped
    [stray] = [i for i in validated.issues if i.code == "row-not-read"]
    assert stray.value == "Ghi chú: số liệu do phòng Văn hóa cung cấp" and stray.cell


def test_verdicts_match_the_golden_file(
    golden: list[dict[str, str]], validated: FileResult
) -> None:
    table = validated.table
    assert table is not None
    expected = {(str(n), t["ket_luan"]) for n, t in enumerate(golden, start=1) if t["ket_luan"]}
    kinds = {"task-overdue": "overdue", "task-completed-late": "completed_late"}
    found = {(i.row_key, kinds[i.code]) for i in validated.issues if i.code in kinds}
    assert found == expected
    assert sum(k == "overdue" for _, k in expected) > 20  # most beyond the old 30-row limit
    assert any(int(n) > 30 for n, _ in expected)


@pytest.fixture(scope="module")
def consolidated(sheet: Path, capacity: Mappings) -> Consolidation:
    return consolidate([sheet.parent], capacity, closing_date=CLOSING, processes=1)


def test_consolidation_lists_and_counts_every_golden_verdict(
    golden: list[dict[str, str]], consolidated: Consolidation
) -> None:
    tasks = next(a for a in consolidated.appendices if a.spec.id == "nhiem_vu")
    [block] = [b for b in tasks.blocks if b.accepted]
    assert len(block.rows) == len(golden)
    expected = Counter(t["ket_luan"] for t in golden if t["ket_luan"])
    assert Counter(t.kind for t in consolidated.tasks) == expected
    names = {t.name for t in consolidated.tasks}
    assert names == {t["ten_nhiem_vu"] for t in golden if t["ket_luan"]}
    figures = {h.key: h.value for h in tasks.headlines}
    assert figures["qua_han"] == expected["overdue"]
    assert figures["hoan_thanh_muon"] == expected["completed_late"]
    statuses = Counter(t["ket_qua"] for t in golden)
    assert figures["tong_so"] == len(golden)
    assert figures["da_hoan_thanh"] == statuses["Đã hoàn thành"]
    assert figures["dang_thuc_hien"] == statuses["Đang thực hiện"]
    assert figures["chua_thuc_hien"] == statuses["Chưa thực hiện"]
    assert figures["chua_ghi_ket_qua"] == statuses[""]
    for t in consolidated.tasks:
        row = next(g for g in golden if g["ten_nhiem_vu"] == t.name)
        deadline = _date(row["thoi_han"])
        end = _date(row["ngay_hoan_thanh"]) if t.kind == "completed_late" else CLOSING
        assert t.deadline == deadline and end is not None and deadline is not None
        assert t.days == (end - deadline).days > 0
