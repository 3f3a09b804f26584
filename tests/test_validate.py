"""Validation of returned files: demo mistakes, the department's layout, hostile files, CLI."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.cli_runner import CliRunner
from xlsaddin.cli import app
from xlsaddin.demo import DemoResult
from xlsaddin.demo.foreign import write_foreign_sheet
from xlsaddin.forms import Filled, write_workbook
from xlsaddin.spec import Mappings
from xlsaddin.units import by_code
from xlsaddin.validate.run import Validation, validate_paths

from .conftest import demo_file, finance_workbook
from .hostile import build_corpus

runner = CliRunner()


@pytest.fixture(scope="module")
def validation(demo: DemoResult, mappings: Mappings) -> Validation:
    return validate_paths([demo.inbox], mappings)


def test_every_documented_value_mistake_is_found_at_its_cell(
    demo: DemoResult, validation: Validation
) -> None:
    key = json.loads(demo.answer_key.read_text(encoding="utf-8"))
    for m in key["mistakes"]:
        if not m["cell"]:
            continue
        hits = [
            i
            for f in validation.files
            if f.table and f.table.unit_code == m["unit"] and f.table.spec.id == m["appendix"]
            for i in f.issues
            if i.code == m["code"] and i.cell == m["cell"]
        ]
        assert hits, m


def test_dates_as_text_are_found_on_every_row(validation: Validation) -> None:
    [vegiang] = [
        f
        for f in validation.files
        if f.table and f.table.unit_code == 21238 and f.table.spec.id == "nhiem_vu"
    ]
    used_rows = [
        k
        for k, row in vegiang.table.rows.items()  # type: ignore[union-attr]
        if any(c.value not in (None, "") for key, c in row.items() if key != "tt")
    ]
    flagged = {i.row for i in vegiang.issues if i.code == "date-as-text"}
    assert len(flagged) == len(used_rows) >= 8


def test_rejected_files_have_their_own_codes(validation: Validation, demo: DemoResult) -> None:
    rejected = {f.name: [i.code for i in f.issues] for f in validation.files if f.rejected}
    assert rejected == {
        demo_file(demo, "not-workbook"): ["file-not-workbook"],
        demo_file(demo, "corrupt"): ["file-corrupt"],
    }


def test_clean_units_have_no_errors(validation: Validation) -> None:
    dirty = {21496, 21325, 21400, 23401, 21061, 21109, 23293, 21238, 21205, 21040}
    for f in validation.files:
        if f.table is None or f.table.unit_code in dirty:
            continue
        assert f.errors == 0, (
            f.name,
            [(i.code, i.cell) for i in f.issues if i.severity == "error"],
        )
    assert not any(f.table is not None and f.table.unit_code is None for f in validation.files)


def test_lock_files_and_manifest_are_ignored(validation: Validation, demo: DemoResult) -> None:
    names = {f.path.name for f in validation.files}
    assert not any(n.startswith("~$") for n in names)
    assert "_thoi_gian_nhan.csv" not in names
    assert len(validation.files) == len(demo.files)


# -- the department's own 7-column sheet ----------------------------------------------------

TASKS = [  # (deadline, status, completed) with closing date 15/12/2025
    (dt.date(2025, 8, 31), "Đã hoàn thành", dt.date(2025, 8, 20)),  # done on time
    (dt.date(2025, 6, 30), "Đang thực hiện", None),  # overdue
    (dt.date(2026, 1, 1), "Đang thực hiện", None),  # not yet due
    (dt.date(2025, 6, 15), "Đã hoàn thành", dt.date(2025, 7, 2)),  # completed late
    (dt.date(2025, 12, 5), None, None),  # status not reported: required-missing, not overdue
    (dt.date(2025, 11, 30), "hoàn thành", dt.date(2025, 11, 1)),  # synonym, done
    (dt.date(2025, 10, 1), "Chưa thực hiện", None),  # overdue
    (dt.date(2026, 3, 31), "Chưa thực hiện", None),  # not yet due
]


def _department_file(path: Path, mappings: Mappings) -> Path:
    tasks = [
        {
            "ten_nhiem_vu": f"Nhiệm vụ số {i + 1}",
            "van_ban_giao": "Kế hoạch số 02-KH/BCĐTW",
            "thoi_han": deadline,
            "ket_qua": status,
            "mo_ta": "",
            "ngay_hoan_thanh": done,
        }
        for i, (deadline, status, done) in enumerate(TASKS)
    ]
    rng = random.Random(1)
    spec = mappings.appendix("nhiem_vu")
    [layout] = [lo for lo in mappings.layouts if lo.appendix == spec.id]
    write_foreign_sheet(path, by_code(21040), spec, layout, tasks, rng)
    # the writer blanks one random status; put ours back so the table above is the truth
    book = openpyxl.load_workbook(path)
    ws = book.active
    assert ws is not None
    data_rows = [r for r in range(5, ws.max_row + 1) if ws.cell(r, 2).value]
    for r, (_, status, _) in zip(data_rows, TASKS, strict=True):
        ws.cell(r, 5).value = status
    book.save(path)
    return path


def test_department_layout_overdue_tasks_flagged_with_rows(
    mappings: Mappings, tmp_path: Path
) -> None:
    path = _department_file(tmp_path / "Bang nhiem vu.xlsx", mappings)
    result = validate_paths([path], mappings, closing_date=dt.date(2025, 12, 15))
    [f] = result.files
    assert f.table is not None and f.table.unit_code == 21040 and not f.table.strict
    ws = openpyxl.load_workbook(path).active
    assert ws is not None
    sheet_rows = [r for r in range(5, ws.max_row + 1) if ws.cell(r, 2).value]
    assert len(sheet_rows) == len(TASKS) and sheet_rows[-1] - sheet_rows[0] == len(TASKS)  # spacer
    overdue = sorted(int(i.cell[1:]) for i in f.issues if i.code == "task-overdue")
    assert overdue == [sheet_rows[1], sheet_rows[6]]  # a blank status is not "not done"
    late = [int(i.cell[1:]) for i in f.issues if i.code == "task-completed-late"]
    assert late == [sheet_rows[3]]
    missing = [i.cell for i in f.issues if i.code == "required-missing"]
    assert missing == [f"E{sheet_rows[4]}"]
    assert {i.code for i in f.issues} >= {"date-text-converted", "choice-synonym"}
    assert not [i for i in f.issues if i.code in ("date-as-text", "choice-invalid")]


# -- hostile and broken files --------------------------------------------------------------


def test_hostile_corpus_batch_goes_on(mappings: Mappings, tmp_path: Path) -> None:
    expected = build_corpus(tmp_path)
    before = {
        p: hashlib.sha256(p.read_bytes()).hexdigest() for p in tmp_path.rglob("*") if p.is_file()
    }
    steps: list[tuple[int, int]] = []
    result = validate_paths([tmp_path], mappings, progress=lambda d, t: steps.append((d, t)))
    total = len(result.files)
    assert steps[0] == (0, total) and steps[-1] == (total, total)
    assert len(steps) > 3 and [d for d, _ in steps] == sorted(d for d, _ in steps)  # as files end
    by_name = {f.path.name: f for f in result.files}
    for name, code in expected.items():
        f = by_name[name]
        if code is None:  # a sound workbook, but not a report form we know
            assert [i.code for i in f.issues] == ["layout-unknown"], name
        else:
            assert f.rejected and code in [i.code for i in f.issues], (name, f.issues)
    after = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in before}
    assert before == after  # originals never modified


# -- CLI ------------------------------------------------------------------------------------


_filled = finance_workbook


def test_cli_exit_codes_json_and_annotate(mappings: Mappings, tmp_path: Path) -> None:
    good = _filled(mappings, tmp_path / "good.xlsx")
    assert runner.invoke(app, ["validate", str(good)]).exit_code == 0
    bad = _filled(mappings, tmp_path / "bad.xlsx", chua_phan_bo=35, du_toan="1.234,5")
    before = bad.read_bytes()
    out = tmp_path / "annotated"
    result = runner.invoke(app, ["validate", str(bad), "--json", "--annotate", str(out)])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    codes = {(i["code"], i["cell"]) for i in report["issues"]}
    assert ("allocation-sum-mismatch", "F20") in codes and ("number-as-text", "C20") in codes
    assert report["valid"] is False and report["files"][0]["unit_code"] == 21484
    assert bad.read_bytes() == before
    copy = openpyxl.load_workbook(out / "bad_kiem_tra.xlsx")
    assert copy.sheetnames[0] == "Lỗi"
    sheet = copy["Nguồn lực tài chính"]
    assert sheet["F20"].comment is not None and "phân bổ" in sheet["F20"].comment.text
    assert sheet["F20"].fill.fgColor.rgb.endswith("F4CCCC")
    links = [
        c.hyperlink.location or c.hyperlink.target for c in copy["Lỗi"]["E"][1:] if c.hyperlink
    ]
    assert "'Nguồn lực tài chính'!F20" in " ".join(str(x) for x in links)
    junk = tmp_path / "photo.xlsx"
    junk.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 100)
    assert runner.invoke(app, ["validate", str(good), str(junk)]).exit_code == 2


def test_json_names_each_file_one_way(mappings: Mappings, tmp_path: Path) -> None:
    """A file refused at intake and a file with cell issues: every issue names its file
    exactly as the files list does (relative name) and carries the same sha256."""
    folder = tmp_path / "hop_thu"
    (folder / "sub").mkdir(parents=True)
    _filled(mappings, folder / "sub" / "bad.xlsx", chua_phan_bo=35, du_toan="1.234,5")
    (folder / "photo.xlsx").write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 100)
    result = runner.invoke(app, ["validate", str(folder), "--json"])
    report = json.loads(result.stdout)
    files = {(f["file"], f["sha256"]) for f in report["files"]}
    assert {name for name, _ in files} == {"photo.xlsx", "sub/bad.xlsx"}
    assert all(len(sha) == 64 for _, sha in files)
    issued = {(i["file"], i["sha256"]) for i in report["issues"]}
    assert issued == files  # both files have issues, each joined to its entry


def test_cli_closing_date_changes_overdue(mappings: Mappings, tmp_path: Path) -> None:
    spec = mappings.appendix("nhiem_vu")
    path = write_workbook(
        mappings,
        spec,
        tmp_path / "nv.xlsx",
        unit=by_code(21548),
        fill=Filled(
            rows=[
                {
                    "ten_nhiem_vu": "Số hóa hồ sơ",
                    "thoi_han": dt.date(2025, 11, 1),
                    "ket_qua": "Đang thực hiện",
                }
            ]
        ),
    )
    early = runner.invoke(app, ["validate", str(path), "--json", "--closing-date", "2025-10-01"])
    late = runner.invoke(app, ["validate", str(path), "--json", "--closing-date", "2025-11-30"])
    codes = lambda r: [i["code"] for i in json.loads(r.stdout)["issues"]]  # noqa: E731
    assert "task-overdue" not in codes(early) and "task-overdue" in codes(late)
    assert early.exit_code == 0 and late.exit_code == 0  # overdue is a warning
    bad = runner.invoke(app, ["validate", str(path), "--closing-date", "15/12/2025"])
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output


def test_legacy_tcvn3_text_is_converted_and_reported(mappings: Mappings, tmp_path: Path) -> None:
    from xlsaddin.text.legacy import encode

    note = "Đang đề xuất kinh phí bổ sung"
    spec = mappings.appendix("tieu_chi_ha_tang")
    rows = {r.key: {"ket_qua": "Đạt", "so_luong": 2} for r in spec.table.rows}  # type: ignore[union-attr]
    rows["camera"] = {
        "ket_qua": encode("Chưa đạt", "tcvn3"),
        "so_luong": 0,
        "ghi_chu": encode(note, "tcvn3"),
    }
    path = write_workbook(
        mappings, spec, tmp_path / "tcvn3.xlsx", unit=by_code(21484), fill=Filled(rows=rows)
    )
    [f] = validate_paths([path], mappings).files
    legacy = [i for i in f.issues if i.code == "text-legacy-converted"]
    from xlsaddin.forms import compute_layout

    row = compute_layout(spec, mappings.header_of(spec)).row_of("camera").row + 1
    assert [(i.cell, note in i.message) for i in legacy] == [(f"F{row}", True)]
    # a legacy-encoded choice is not a valid choice in Excel either: error, with the reading
    [choice] = [i for i in f.issues if i.code == "choice-invalid"]
    assert choice.cell == f"D{row}" and "Chưa đạt" in choice.message


def test_files_are_dealt_in_chunks_of_even_work_heaviest_first(tmp_path: Path) -> None:
    """Every file once; chunks in falling order of size, none over 48 files nor much over
    an eighth of the work (a folder sorted by name keeps its large forms together)."""
    from xlsaddin.intake import DEFAULT_LIMITS
    from xlsaddin.validate.jobs import Job as _Job
    from xlsaddin.validate.reading import _chunks, _weight

    sizes = [300_000 if i % 50 < 25 else 30_000 for i in range(400)] + [0]
    jobs = []
    for i, size in enumerate(sizes):
        path = tmp_path / f"f{i:03d}.xlsx"
        path.write_bytes(b"x" * size)
        jobs.append(_Job(str(path), path.name, "", None, DEFAULT_LIMITS))
    jobs.append(_Job(str(tmp_path / "gone.xlsx"), "gone.xlsx", "", None, DEFAULT_LIMITS))
    chunks = _chunks(jobs, processes=2)
    flat = [i for chunk in chunks for i in chunk]
    assert sorted(flat) == list(range(len(jobs)))
    assert all(len(chunk) <= 48 for chunk in chunks)
    loads = [sum(_weight(jobs[i]) for i in chunk) for chunk in chunks]
    heaviest = [max(_weight(jobs[i]) for i in chunk) for chunk in chunks]
    assert heaviest == sorted(heaviest, reverse=True)
    eighth = sum(loads) / 8
    assert all(load < eighth + max(heaviest) for load in loads)  # no chunk much over 1/8
    assert len(chunks) < 20


def test_a_form_made_before_a_mapping_edit_says_so_not_version_x_differs_from_x(
    mappings: Mappings, tmp_path: Path
) -> None:
    import shutil

    import yaml

    from xlsaddin.spec import load_mappings

    path = finance_workbook(mappings, tmp_path / "PL02.xlsx")
    edited = tmp_path / "mappings"
    shutil.copytree(mappings.root, edited)
    spec_file = edited / "appendices" / "02_nguon_luc_tai_chinh.yaml"
    data = yaml.safe_load(spec_file.read_text(encoding="utf-8"))
    data["form_name"] += "-B"  # same version, different form
    spec_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = validate_paths([path], load_mappings(edited))
    (outdated,) = [i for i in result.report.issues if i.code == "template-outdated"]
    version = mappings.appendix("PL02").version
    assert f"phiên bản {version} nhưng tạo trước khi cấu hình phụ lục được sửa" in outdated.message
    assert "khác phiên bản hiện hành" not in outdated.message


def test_a_number_typed_as_text_is_checked_by_the_value_read_from_it(
    mappings: Mappings, tmp_path: Path
) -> None:
    """(A fresh-eyed trial: "1.234" typed as text in a TTHC count skipped the rule that
    a row cannot process more than it received, as the workbook's check sheet does, yet
    consolidation used 1234.) Here "1.234,5" disbursed against 60 allocated: the rule is
    reported, said to be judged on the value read from text; the same value typed as a
    number gives the same rule, and a text
    that keeps the rule is not reported."""
    from xlsaddin.validate.engine import RECOVERED_NOTE, check_table

    from .conftest import finance_workbook

    def rules(path: Path) -> list[tuple[str | None, str | None, bool]]:
        found = validate_paths([path], mappings, processes=1)
        return sorted(
            (i.rule and i.rule.split(":")[0], i.cell, i.message.endswith(RECOVERED_NOTE))
            for i in found.report.issues
            if i.rule_kind == "check"
        )

    as_text = finance_workbook(mappings, tmp_path / "text.xlsx", da_giai_ngan="1.234,5")
    as_number = finance_workbook(mappings, tmp_path / "number.xlsx", da_giai_ngan=1234.5)
    within = finance_workbook(mappings, tmp_path / "ok.xlsx", da_giai_ngan="50")
    found = rules(as_text)
    assert [(r, recovered) for r, _, recovered in found] == [("disbursed-over-allocated", True)]
    assert [(r, c) for r, c, _ in rules(as_number)] == [(r, c) for r, c, _ in found]
    assert rules(within) == []
    # the check sheet's twin alone still skips the text, as Excel does
    from xlsaddin.read import read_file

    table = read_file(as_text, mappings, "")
    assert not isinstance(table, list)
    assert not [i for i in check_table(table, mappings) if i.rule_kind == "check"]


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        (lambda ws: ws.insert_rows(1), "bị lệch 1 dòng xuống dưới"),
        (lambda ws: ws.insert_cols(3), None),  # the numbers' row itself split: not found
        (lambda ws: ws.insert_cols(1), "bị lệch 1 cột sang phải"),
        (lambda ws: ws.delete_rows(2), "bị lệch 1 dòng lên trên"),
        (lambda ws: ws.insert_rows(5, 3), "bị lệch 3 dòng xuống dưới"),
    ],
)
def test_a_table_moved_by_an_inserted_row_or_column_is_refused_not_misread(
    mappings: Mappings, tmp_path: Path, edit: Any, words: str | None
) -> None:
    """(A fresh-eyed trial: a row inserted above the PL02 table put the chi đầu tư figures
    under "Chi thường xuyên" and dropped the real ones, with no issue but "number typed as
    text" on the column numbers.) The file is refused with layout-shifted, naming where
    the column numbers are; nothing of it reaches consolidation."""
    from .conftest import finance_workbook

    path = finance_workbook(mappings, tmp_path / "pl02.xlsx")
    assert validate_paths([path], mappings, processes=1).report.stats["rejected"] == 0
    book = openpyxl.load_workbook(path)
    edit(book[mappings.appendix("nguon_luc_tai_chinh").sheet_name])
    book.save(path)
    found = validate_paths([path], mappings, processes=1)
    assert found.report.stats["rejected"] == 1
    shifted = [i for i in found.report.issues if i.code == "layout-shifted"]
    assert len(shifted) == 1 and shifted[0].severity == "error"
    assert found.files[0].table is None
    if words is not None:
        assert words in shifted[0].message, shifted[0].message
    else:
        assert "không còn đủ dòng đánh số cột" in shifted[0].message


@pytest.mark.parametrize("older", [False, True])
def test_a_row_inserted_inside_a_table_of_fixed_rows_is_refused(
    mappings: Mappings, tmp_path: Path, older: bool
) -> None:
    """(A reviewer: a line inserted between PL02's rows moved "Chi thường xuyên" and the
    total down while the column numbers stayed; the new line was read as Chi thường
    xuyên.) Each fixed row's label is looked for where _meta puts it, in a form of the
    current template or an older one. A column inserted inside an older form is refused
    too: its numbers' row is there, only not whole."""
    from .conftest import finance_workbook

    spec = mappings.appendix("nguon_luc_tai_chinh")
    path = finance_workbook(mappings, tmp_path / "pl02.xlsx")
    book = openpyxl.load_workbook(path)
    ws = book[spec.sheet_name]
    first = next(r for r in range(1, 40) if ws.cell(r, 2).value == "Chi thường xuyên")
    ws.insert_rows(first)
    for col, value in enumerate(["", "Chi khác", 5, 5, 5, 0, 0, ""], start=1):
        ws.cell(first, col).value = value
    if older:
        for row in book["_meta"].iter_rows():
            if row[0].value == "meta" and row[1].value == "spec_hash":
                row[2].value = "khac"
    book.save(path)
    found = validate_paths([path], mappings, processes=1)
    shifted = [i for i in found.report.issues if i.code == "layout-shifted"]
    assert found.report.stats["rejected"] == 1 and len(shifted) == 1
    assert 'có dòng "Chi thường xuyên" ở dòng' in shifted[0].message

    path = finance_workbook(mappings, tmp_path / "cot.xlsx")
    book = openpyxl.load_workbook(path)
    book[spec.sheet_name].insert_cols(4)
    for row in book["_meta"].iter_rows():
        if row[0].value == "meta" and row[1].value == "spec_hash":
            row[2].value = "khac"
    book.save(path)
    found = validate_paths([path], mappings, processes=1)
    assert "layout-shifted" in found.report.codes()


def test_a_form_of_an_older_template_without_column_numbers_is_still_read(
    mappings: Mappings, tmp_path: Path
) -> None:
    """Column numbers removed in a form whose template is not the current one: it may
    never have had them, so it is read by position as before (and said to be older)."""
    from .conftest import finance_workbook

    path = finance_workbook(mappings, tmp_path / "pl02.xlsx")
    book = openpyxl.load_workbook(path)
    spec = mappings.appendix("nguon_luc_tai_chinh")
    ws = book[spec.sheet_name]
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and re.fullmatch(r"\(\d+\)", cell.value):
                cell.value = None
    meta = book["_meta"]
    for row in meta.iter_rows():
        if row[0].value == "meta" and row[1].value == "spec_hash":
            row[2].value = "khac"
    book.save(path)
    found = validate_paths([path], mappings, processes=1)
    assert found.report.stats["rejected"] == 0
    assert "template-outdated" in found.report.codes()
    assert "layout-shifted" not in found.report.codes()


def test_an_entry_below_the_table_is_quoted_as_the_officer_typed_it() -> None:
    """(A fresh-eyed trial: row-beyond-capacity quoted 5 as "5.0".)"""
    from xlsaddin.read.entries import quote

    assert quote({"a": 5.0, "b": dt.date(2025, 8, 31), "c": " Nghỉ sinh ", "d": 1234.5}) == (
        "5 | 31/8/2025 | Nghỉ sinh | 1.234,5"
    )


def test_a_total_typed_over_the_formula_and_text_beside_the_table_are_named(
    mappings: Mappings, tmp_path: Path
) -> None:
    """(A fresh-eyed trial: a total typed over the template's sum, and a note typed right
    of the table, were neither read nor named.) Consolidation still adds up the rows;
    each of these is a warning naming its cell and what it holds."""
    from python_calamine import CalamineWorkbook

    from .conftest import finance_workbook

    spec = mappings.appendix("nguon_luc_tai_chinh")
    path = finance_workbook(mappings, tmp_path / "pl02.xlsx")
    meta = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("_meta").to_python()
    where = {(str(r[0]), str(r[1])): r[2] for r in meta[1:] if len(r) > 2}
    total_row = int(where[("row", "tong_cong")])
    du_toan, approved = str(where[("column", "du_toan")]), str(where[("column", "duoc_duyet")])
    last_col = max(str(v) for (k, _), v in where.items() if k == "column")
    beside = f"{chr(ord(last_col) + 2)}{total_row - 1}"
    book = openpyxl.load_workbook(path)
    ws = book[spec.sheet_name]
    ws[f"{du_toan}{total_row}"] = 9999  # the rows add up to 110
    ws[f"{approved}{total_row}"] = "một trăm"
    ws[beside] = "Ghi thêm: 3 người nghỉ sinh"
    ws[f"{chr(ord(last_col) + 4)}{total_row - 1}"] = 3
    below = int(where[("meta", "last_data_row")]) + 1
    ws[f"B{below}"] = "Chi khác"  # a label typed below the table, with its figure
    ws[f"{du_toan}{below}"] = 5
    book.save(path)

    found = validate_paths([path], mappings, processes=1)
    assert found.report.stats["rejected"] == 0
    named = {(i.code, i.cell): i for i in found.report.issues}
    mismatch = named[("total-typed-mismatch", f"{du_toan}{total_row}")]
    assert "ghi 9.999 nhưng cộng các dòng" in mismatch.message and "được 110" in mismatch.message
    assert mismatch.severity == "warning" and mismatch.file == "pl02.xlsx"
    assert "một trăm" in named[("total-typed-mismatch", f"{approved}{total_row}")].message
    outside = named[("value-outside-table", beside)]
    assert outside.value == "Ghi thêm: 3 người nghỉ sinh | 3"  # one issue per row
    assert [i.code for i in found.report.issues].count("value-outside-table") == 1
    assert named[("row-beyond-capacity", f"{du_toan}{below}")].value == "Chi khác | 5"
    # a total that is the sum of its rows is not named
    book = openpyxl.load_workbook(path)
    book[spec.sheet_name][f"{du_toan}{total_row}"] = 110
    book.save(path)
    found = validate_paths([path], mappings, processes=1)
    cells = {i.cell for i in found.report.issues if i.code == "total-typed-mismatch"}
    assert cells == {f"{approved}{total_row}"}


def test_a_label_typed_below_the_table_without_figures_is_named(
    mappings: Mappings, tmp_path: Path
) -> None:
    """(Left from the sixth round: a row's name typed under the table with no figure was
    dropped without a word.) Between the table and the template's note it is named, as a
    warning quoting it; the place and date and the signer's name filled in below are not."""
    from python_calamine import CalamineWorkbook

    from .conftest import finance_workbook

    spec = mappings.appendix("nguon_luc_tai_chinh")
    path = finance_workbook(mappings, tmp_path / "pl02.xlsx")
    meta = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("_meta").to_python()
    where = {(str(r[0]), str(r[1])): r[2] for r in meta[1:] if len(r) > 2}
    below = int(where[("meta", "last_data_row")]) + 1
    book = openpyxl.load_workbook(path)
    ws = book[spec.sheet_name]
    ws[f"B{below}"] = "Chi sự nghiệp khác"  # a row's name, its figures forgotten
    place_row = next(
        r
        for r in range(below + 1, ws.max_row + 1)
        for c in ws[r]
        if isinstance(c.value, str) and c.value.startswith("......, ngày")
    )
    place = next(c for c in ws[place_row] if isinstance(c.value, str) and "ngày" in c.value)
    place.value = "Ba Tơ, ngày 15 tháng 12 năm 2025"
    ws.cell(place_row + 4, place.column).value = "Nguyễn Văn A"
    book.save(path)

    found = validate_paths([path], mappings, processes=1)
    below_issues = [i for i in found.report.issues if i.code == "text-below-table"]
    assert [(i.cell, i.severity, i.value) for i in below_issues] == [
        (f"B{below}", "warning", "Chi sự nghiệp khác")
    ]
    assert "không được tổng hợp" in below_issues[0].message
    assert found.report.stats["rejected"] == 0
    assert not [i for i in found.report.issues if i.code == "row-beyond-capacity"]

    # the note line deleted: the place and date filled in (in an input column) still start
    # the signature block; they were "row-beyond-capacity" before
    book = openpyxl.load_workbook(path)
    ws = book[spec.sheet_name]
    ws[f"B{below}"] = None
    note = [
        c for r in range(below, place_row) for c in ws[r] if c.value == mappings.project.input_note
    ]
    assert len(note) == 1
    note[0].value = None
    book.save(path)
    found = validate_paths([path], mappings, processes=1)
    named = [i.code for i in found.report.issues]
    assert "text-below-table" not in named and "row-beyond-capacity" not in named
