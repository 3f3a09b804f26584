"""One-step consolidation of the demo inbox: status, totals, provenance, safety, history."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from tests.cli_runner import CliRunner
from xlsaddin.cli import app
from xlsaddin.consolidate import Consolidation, consolidate
from xlsaddin.consolidate.tables import numeric_total
from xlsaddin.core.sheets import ISSUES, STATUS
from xlsaddin.demo import DemoResult
from xlsaddin.demo.mistakes import MISTAKES
from xlsaddin.forms import Filled, write_workbook
from xlsaddin.publish import publish
from xlsaddin.report.province_workbook import appendix_sheet_name, write_province_workbook
from xlsaddin.spec import Mappings
from xlsaddin.units import by_code, load_units
from xlsaddin.xlsx import ClassicWorksheet

from .conftest import LibreOffice, demo_file, publish_plain, two_periods
from .engines import libreoffice_recalculate

runner = CliRunner()


@pytest.fixture(scope="module")
def result(demo: DemoResult, mappings: Mappings) -> Consolidation:
    return consolidate([demo.inbox], mappings)


@pytest.fixture(scope="module")
def output(
    result: Consolidation, mappings: Mappings, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    out = tmp_path_factory.mktemp("out")
    return publish_plain(result, mappings, out / "TongHop.xlsx", out / "r.json").workbook


def test_province_workbook_is_the_same_without_the_cell_writer(
    result: Consolidation, mappings: Mappings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ClassicWorksheet's ``_write_cell`` (xlsaddin/xlsx.py) changes nothing in the demo
    inbox's provincial workbook: every part of it is the same as XlsxWriter's own."""
    write_province_workbook(result, tmp_path / "nhanh.xlsx", mappings, run_id="r")
    monkeypatch.delattr(ClassicWorksheet, "_write_cell")
    write_province_workbook(result, tmp_path / "thuong.xlsx", mappings, run_id="r")
    parts = {}
    for name in ("nhanh", "thuong"):
        with zipfile.ZipFile(tmp_path / f"{name}.xlsx") as zf:
            parts[name] = {n: zf.read(n) for n in zf.namelist()}
    assert parts["nhanh"] == parts["thuong"]
    assert sum(p.count(b"<c ") for p in parts["nhanh"].values()) > 50_000


def canonical(path: Path) -> dict[str, list[list[Any]]]:
    book = CalamineWorkbook.from_path(str(path))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def _expected_missing(appendix: str, mappings: Mappings) -> set[int]:
    out = set()
    for m in MISTAKES:
        if m.code in ("submission-missing", "file-corrupt", "file-not-workbook") and (
            m.appendix in (None, appendix)
        ):
            out.add(m.unit)
    return out


def test_status_matches_the_documented_mistakes(
    result: Consolidation, mappings: Mappings, demo: DemoResult
) -> None:
    late_expected = {
        (m.unit, a.id)
        for m in MISTAKES
        if m.code == "submission-late"
        for a in mappings.appendices
        if m.appendix in (None, a.id)
    }
    for appr in result.appendices:
        status = {s.unit.code: s.status for s in appr.statuses}
        assert len(status) == 96
        missing = {u for u, s in status.items() if s == "missing"}
        assert missing == _expected_missing(appr.spec.id, mappings), appr.spec.id
        late = {(u, appr.spec.id) for u, s in status.items() if s == "late"}
        assert late == {x for x in late_expected if x[1] == appr.spec.id}
    replaced = {(s.unit_code, s.appendix, s.state) for s in result.replaced}
    assert replaced == {
        (21205, "nguon_luc_tai_chinh", "superseded"),
        (21025, "tieu_chi_ha_tang", "resend"),
    }
    rejected = {s.result.name: [i.code for i in s.result.issues] for s in result.rejected}
    assert rejected == {
        demo_file(demo, "not-workbook"): ["file-not-workbook"],
        demo_file(demo, "corrupt"): ["file-corrupt"],
    }


def test_status_sheet_lists_missing_units_by_name(
    output: Path, mappings: Mappings, demo: DemoResult
) -> None:
    rows = canonical(output)[STATUS]
    header = next(i for i, r in enumerate(rows) if r and r[0] == "STT")
    by_name = {r[2]: r for r in rows[header + 1 : header + 97]}
    assert len(by_name) == 96
    for m in MISTAKES:
        if m.code == "submission-missing" and m.appendix is None:
            assert by_name[by_code(m.unit).name][4:8] == ["Chưa nộp"] * 4
    assert by_name["Xã Ba Tơ"][4:8] == ["Nộp muộn"] * 4
    listed = {r[2]: r[3] for r in rows[header + 98 :] if len(r) > 3 and r[2]}
    assert listed[demo_file(demo, "superseded")] == "Bị thay thế bởi bản gửi sau"
    assert listed[demo_file(demo, "corrupt")] == "Bị từ chối"


def test_wrong_total_is_in_the_issue_sheet_with_its_cell(output: Path, demo: DemoResult) -> None:
    key = json.loads(demo.answer_key.read_text(encoding="utf-8"))
    [mistake] = [m for m in key["mistakes"] if m["code"] == "allocation-sum-mismatch"]
    rows = canonical(output)[ISSUES]
    hits = [
        r
        for r in rows
        if len(r) > 7 and r[1] == mistake["unit"] and r[7] == "allocation-sum-mismatch"
    ]
    assert [r[6] for r in hits] == [mistake["cell"]]


def test_missing_units_are_blank_never_zero(output: Path, result: Consolidation) -> None:
    finance = next(a for a in result.appendices if a.spec.id == "nguon_luc_tai_chinh")
    book = openpyxl.load_workbook(output, read_only=True)
    ws = book[appendix_sheet_name(finance)]
    for row in ws.iter_rows(min_row=5, values_only=True):
        if row[1] == 23356:  # Xã Xốp sent nothing
            assert row[3] == "Chưa nộp" and all(v is None for v in row[5:])
            break
    else:
        raise AssertionError("Xã Xốp row not found")


def test_totals_python_excel_and_libreoffice_agree(
    output: Path, result: Consolidation, soffice: LibreOffice, tmp_path: Path
) -> None:
    [converted] = libreoffice_recalculate(soffice.exe, [output], tmp_path / "lo", tmp_path / "p")
    recalculated = canonical(converted)
    for appr in result.appendices:
        rows = recalculated[appendix_sheet_name(appr)]
        formula_row = next(r for r in rows if r and r[0] == "Tổng cộng (công thức Excel)")
        python_row = next(r for r in rows if r and r[0] == "Tổng cộng tính bằng Python")
        check_row = next(r for r in rows if r and r[0] == "Đối chiếu")
        inputs = [c for c in appr.spec.table.columns if c.is_input]
        first = 5 if appr.spec.table.fixed_rows else 4
        for i, col in enumerate(inputs):
            if not col.is_numeric:
                continue
            expected = sum(  # accepted units only, straight from the tables read
                float(r.values[col.key])
                for b in appr.blocks
                for r in b.rows
                if isinstance(r.values.get(col.key), (int, float))
            )
            assert formula_row[first + i] == pytest.approx(expected, abs=1e-6)
            assert python_row[first + i] == pytest.approx(numeric_total(appr.blocks, col.key))
            assert check_row[first + i] == "Khớp"


def test_rerun_and_shuffled_order_give_identical_content(
    demo: DemoResult, mappings: Mappings, tmp_path: Path
) -> None:
    files = sorted(p for p in demo.inbox.rglob("*.xlsx") if not p.name.startswith("~$"))
    outputs = []
    for seed in (1, 2):
        order = files[:]
        random.Random(seed).shuffle(order)
        res = consolidate(order, mappings)
        outputs.append(
            publish(
                res,
                mappings,
                out=tmp_path / f"run{seed}.xlsx",
                json_path=None,
                audit_path=tmp_path / "audit.jsonl",
                history=None,
            ).workbook
        )
    assert canonical(outputs[0]) == canonical(outputs[1])
    lines = (tmp_path / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and json.loads(lines[0])["inputs"] == json.loads(lines[1])["inputs"]


def test_formula_text_from_a_commune_stays_text(mappings: Mappings, tmp_path: Path) -> None:
    spec = mappings.appendix("tieu_chi_ha_tang")
    rows = {r.key: {"ket_qua": "Đạt", "so_luong": 1} for r in spec.table.rows}  # type: ignore[union-attr]
    payload = '=HYPERLINK("http://example.invalid","bấm vào đây")'
    rows["camera"]["ghi_chu"] = payload
    inbox = tmp_path / "inbox"
    write_workbook(mappings, spec, inbox / "a.xlsx", unit=by_code(21484), fill=Filled(rows=rows))
    res = consolidate([inbox], mappings)
    out = publish(
        res,
        mappings,
        out=tmp_path / "o.xlsx",
        json_path=None,
        audit_path=tmp_path / "a.jsonl",
        history=None,
    ).workbook
    ws = openpyxl.load_workbook(out)[appendix_sheet_name(res.appendices[0])]
    cells = [c for row in ws.iter_rows() for c in row if c.value == payload]
    assert len(cells) == 1 and cells[0].data_type == "s"


def test_json_report_schema(result: Consolidation, output: Path, demo: DemoResult) -> None:
    report = json.loads((output.parent / "r.json").read_text(encoding="utf-8"))
    assert report["schema"] == "xlsaddin.consolidation/1"
    assert report["units_expected"] == 96
    finance = report["appendices"]["nguon_luc_tai_chinh"]
    assert len(finance["submitted"]) + len(finance["late"]) + len(finance["missing"]) == 96
    assert 23497 in finance["late"] and 23356 in finance["missing"]
    assert {r["file"] for r in report["rejected"]} == {
        demo_file(demo, "not-workbook"),
        demo_file(demo, "corrupt"),
    }
    assert {(s["unit_code"], s["kind"]) for s in report["superseded"]} == {
        (21205, "superseded"),
        (21025, "resend"),
    }
    assert report["overdue_tasks"] and all(t["days"] > 0 for t in report["overdue_tasks"])
    keys = {h["key"] for h in report["appendices"]["ket_qua_tthc"]["headline"]}
    assert {"tiep_nhan", "truc_tuyen", "ty_le_truc_tuyen"} <= keys


def test_overdue_tasks_are_the_validation_verdict_plus_recovered_dates(
    result: Consolidation,
) -> None:
    """Every task the check sheet flags is listed; so are tasks whose deadline was typed as
    text (a date-as-text error there), judged on the recovered date."""
    accepted = {s.result.name for s in result.submissions if s.state == "accepted"}
    flagged = {(i.file, i.row_key) for i in result.issues if i.code == "task-overdue"}
    flagged = {f for f in flagged if f[0] in accepted}
    tasks = next(a for a in result.appendices if a.spec.id == "nhiem_vu")
    rows = {
        (b.status.submission.result.name, r.row_key): r
        for b in tasks.blocks
        if b.status.submission
        for r in b.rows
    }
    listed = {(t.file, t.cell) for t in result.tasks if t.kind == "overdue"}
    assert {(f, rows[(f, k)].sources["ket_qua"]) for f, k in flagged} <= listed
    text_dates = {(i.file, i.row_key) for i in result.issues if i.code == "date-as-text"}
    extra = listed - {(f, rows[(f, k)].sources["ket_qua"]) for f, k in flagged}
    assert extra and all(
        any(f == file and rows[(f, k)].sources["ket_qua"] == cell for f, k in text_dates)
        for file, cell in extra
    )
    assert all(
        t.deadline and t.deadline < result.closing_date for t in result.tasks if t.kind == "overdue"
    )


def test_open_in_excel_gets_a_versioned_name(
    result: Consolidation, mappings: Mappings, tmp_path: Path
) -> None:
    target = tmp_path / "TongHop.xlsx"
    target.write_bytes(b"previous")
    (tmp_path / "~$TongHop.xlsx").write_bytes(b"lock")
    published = publish(
        result, mappings, out=target, json_path=None, audit_path=tmp_path / "a.jsonl", history=None
    )
    assert published.workbook == tmp_path / "TongHop_v2.xlsx" and published.note
    assert target.read_bytes() == b"previous"


KILL_SCRIPT = """
import importlib, sys, os
from pathlib import Path
pub = importlib.import_module("xlsaddin.publish")
from xlsaddin.spec import load_mappings
from xlsaddin.consolidate import consolidate

def dying_writer(result, path, mappings, **_):
    Path(path).write_bytes(b"half a workbook")
    os._exit(9)  # killed mid-write

pub.write_province_workbook = dying_writer
if __name__ == "__main__":
    m = load_mappings()
    res = consolidate([Path(sys.argv[1])], m, processes=1)
    pub.publish(res, m, out=Path(sys.argv[2]), json_path=None,
                audit_path=Path(sys.argv[2]).with_suffix(".jsonl"), history=None)
"""


def test_killed_mid_write_leaves_previous_output(tmp_path: Path, mappings: Mappings) -> None:
    inbox = tmp_path / "inbox"
    spec = mappings.appendix("nguon_luc_tai_chinh")
    write_workbook(mappings, spec, inbox / "x.xlsx", unit=by_code(21548))
    target = tmp_path / "TongHop.xlsx"
    target.write_bytes(b"previous good output")
    script = tmp_path / "kill.py"
    script.write_text(KILL_SCRIPT, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, str(script), str(inbox), str(target)],
        capture_output=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 9, proc.stderr.decode()
    assert target.read_bytes() == b"previous good output"
    assert not (tmp_path / "TongHop.jsonl").exists()  # nothing recorded for a dead run


def test_history_change_vs_previous_period(
    demo: DemoResult, mappings: Mappings, tmp_path: Path
) -> None:
    q3, q4, _ = two_periods(demo, mappings, tmp_path)
    assert q4.previous_period == "2025-q3"
    tthc = next(a for a in q4.appendices if a.spec.id == "ket_qua_tthc")
    before = next(
        h
        for h in next(a for a in q3.appendices if a.spec.id == "ket_qua_tthc").headlines
        if h.key == "tiep_nhan"
    ).value
    now = next(h for h in tthc.headlines if h.key == "tiep_nhan").value
    assert now is not None and before is not None and now > before
    assert (
        tthc.changes["tiep_nhan"].startswith("tăng ")
        and "so với kỳ trước" in tthc.changes["tiep_nhan"]
    )


def test_cli_dry_run_writes_nothing(demo: DemoResult, tmp_path: Path) -> None:
    before = sorted(os.listdir(tmp_path))
    out = tmp_path / "x.xlsx"
    res = runner.invoke(
        app,
        [
            "consolidate",
            str(demo.inbox),
            "--out",
            str(out),
            "--dry-run",
            "--json",
            str(tmp_path / "r.json"),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "Chưa nộp" in res.output or "chưa nộp" in res.output
    assert "Xã Xốp" in res.output
    assert sorted(os.listdir(tmp_path)) == before
    assert len(load_units()) == 96


def test_cli_refuses_a_database_url_for_history(demo: DemoResult, tmp_path: Path) -> None:
    """--history takes a SQLite file path; a SQLAlchemy URL is one Vietnamese line, exit 2."""
    out = tmp_path / "x.xlsx"
    args = ["consolidate", str(demo.inbox), "--out", str(out)]
    res = runner.invoke(app, [*args, "--history", "postgresql://tinh@may-chu/lichsu"])
    assert res.exit_code == 2, res.output
    assert "đường dẫn tệp SQLite" in res.output
    assert "Traceback" not in res.output  # (an exception would propagate out of invoke)
    assert not out.exists()


def test_provenance_leads_every_value_back_to_its_source_cell(
    output: Path, demo: DemoResult, result: Consolidation, mappings: Mappings
) -> None:
    """Every value the hidden `_nguon` sheet traces: the source file has that hash, and
    the value in the provincial sheet is the (typed) value of the named source cell."""
    import datetime as dt
    import hashlib

    from xlsaddin.core.sheets import SOURCES
    from xlsaddin.read.typed import synonyms_for, typed_value
    from xlsaddin.report.provenance import HEADER, expand
    from xlsaddin.spec.layout import split_ref

    book = CalamineWorkbook.from_path(str(output))
    lines = book.get_sheet_by_name(SOURCES).to_python()
    assert tuple(lines[0]) == HEADER
    specs = {appendix_sheet_name(a): a.spec for a in result.appendices}
    grids = {name: book.get_sheet_by_name(name).to_python() for name in specs}
    synonyms = synonyms_for(mappings)
    sources: dict[str, Any] = {}

    def plain(value: object) -> object:
        if isinstance(value, dt.datetime):
            return value.date()
        return None if value == "" else value

    checked = 0
    for line in lines[1:]:
        for src in expand(line):
            spec = specs[src.sheet]
            inputs = [c for c in spec.table.columns if c.is_input]
            first = 5 if spec.table.fixed_rows else 4
            path = demo.inbox / src.file
            if src.file not in sources:
                assert hashlib.sha256(path.read_bytes()).hexdigest() == src.sha256, src.file
                sources[src.file] = CalamineWorkbook.from_path(str(path))
            source = (
                sources[src.file]
                .get_sheet_by_name(src.source_sheet)
                .to_python(skip_empty_area=False)
            )
            index = next(i for i, c in enumerate(inputs) if c.key == src.key)
            r, c = split_ref(src.cell)
            raw = source[r][c] if r < len(source) and c < len(source[r]) else None
            expected = typed_value(inputs[index], raw, synonyms).value
            shown = grids[src.sheet][src.row - 1][first + index]
            assert plain(shown) == plain(expected), (src, raw, shown)
            checked += 1
    # runs: far fewer lines than rows traced (one per file typed in the standard form)
    assert len(lines) - 1 < len({(s.sheet, s.row) for ln in lines[1:] for s in expand(ln)}) / 3
    assert checked > 5000


def test_issue_values_read_as_the_officer_typed_them(output: Path) -> None:
    """The "Lỗi" sheet quotes cell values Vietnamese-style: "300", "1.834,5", "05/9/2025" —
    never Python's "300.0" or "2025-09-05"."""
    rows = canonical(output)[ISSUES]
    header = next(i for i, r in enumerate(rows) if r and r[0] == "STT")
    typed_as_text = (
        "date-as-text",
        "date-text-converted",
        "number-as-text",
        "number-text-converted",
    )
    values = [
        str(r[9])
        for r in rows[header + 1 :]
        if len(r) > 9 and r[9] not in ("", None) and r[7] not in typed_as_text
    ]  # a value typed as text is quoted as typed
    assert values
    for value in values:
        assert not re.fullmatch(r"-?\d+\.0", value), value
        assert not re.fullmatch(r"\d{4}-\d{2}-\d{2}( 00:00:00)?", value), value
    dates = [v for v in values if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", v)]
    assert dates  # task deadlines quoted with the finding


def test_an_identical_copy_sent_after_the_deadline_keeps_the_first_receipt_time(
    tmp_path: Path, mappings: Mappings
) -> None:
    """(A fresh-eyed trial: a copy "(gui lai)" of an on-time file, received after the
    deadline, made the unit "Nộp muộn".) The first copy is the submission, the later one
    a resend; a different later version still replaces it, and is late when it is."""
    from xlsaddin.consolidate.submissions import classify
    from xlsaddin.validate.run import validate_paths

    from .conftest import finance_workbook

    period = mappings.project.period()
    before = dt.datetime.combine(period.deadline, dt.time(9)) - dt.timedelta(days=3)
    after = dt.datetime.combine(period.deadline, dt.time(9)) + dt.timedelta(days=5)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    finance_workbook(mappings, inbox / "pl02.xlsx")
    shutil.copyfile(inbox / "pl02.xlsx", inbox / "pl02 (gui lai).xlsx")
    (inbox / "_thoi_gian_nhan.csv").write_text(
        f"tep,thoi_gian_nhan\npl02.xlsx,{before:%Y-%m-%dT%H:%M:%S}\n"
        f"pl02 (gui lai).xlsx,{after:%Y-%m-%dT%H:%M:%S}\n",
        encoding="utf-8",
    )

    def statuses() -> tuple[list[Any], Any]:
        found = validate_paths([inbox], mappings, processes=1)
        subs, status, _ = classify(found.files, [inbox], mappings, period)
        row = next(s for s in status["nguon_luc_tai_chinh"] if s.submission is not None)
        return subs, row

    subs, row = statuses()
    assert row.status == "submitted"
    assert row.submission.result.name == "pl02.xlsx"
    assert {s.result.name: s.state for s in subs} == {
        "pl02.xlsx": "accepted",
        "pl02 (gui lai).xlsx": "resend",
    }
    # a changed version after the deadline is the report now, and it is late
    book = openpyxl.load_workbook(inbox / "pl02 (gui lai).xlsx")
    book.properties.title = "sửa"
    book.save(inbox / "pl02 (gui lai).xlsx")
    subs, row = statuses()
    assert (row.status, row.submission.result.name) == ("late", "pl02 (gui lai).xlsx")
    # v1, v2, then v1 again after the deadline (a reviewer's case): v1 as sent the last
    # time is the report, late; the first v1 is not what decides
    shutil.copyfile(inbox / "pl02.xlsx", inbox / "pl02 v1 lan 2.xlsx")
    again = after + dt.timedelta(days=1)
    with (inbox / "_thoi_gian_nhan.csv").open("a", encoding="utf-8") as fh:
        fh.write(f"pl02 v1 lan 2.xlsx,{again:%Y-%m-%dT%H:%M:%S}\n")
    subs, row = statuses()
    assert (row.status, row.submission.result.name) == ("late", "pl02 v1 lan 2.xlsx")
    assert {s.result.name: s.state for s in subs} == {
        "pl02.xlsx": "resend",
        "pl02 (gui lai).xlsx": "superseded",
        "pl02 v1 lan 2.xlsx": "accepted",
    }


def test_receipt_times_are_read_for_files_reached_through_links(tmp_path: Path) -> None:
    """The sidecar's paths are matched by their real path (a folder resolved once, a
    link or '..' in full): the same keys as resolving every path."""
    from xlsaddin.consolidate.submissions import read_manifests

    inbox = tmp_path / "inbox"
    (inbox / "email").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "c.xlsx").write_bytes(b"c")
    (inbox / "a.xlsx").write_bytes(b"a")
    (inbox / "email" / "b.xlsx").write_bytes(b"b")
    (inbox / "zalo").symlink_to(inbox / "email", target_is_directory=True)
    (inbox / "link.xlsx").symlink_to(tmp_path / "elsewhere" / "c.xlsx")
    lines = ["a.xlsx", "email/b.xlsx", "zalo/b.xlsx", "link.xlsx", "email/../a.xlsx", "gone.xlsx"]
    (inbox / "_thoi_gian_nhan.csv").write_text(
        "tep,thoi_gian_nhan\n"
        + "".join(f"{t},2025-10-0{i + 1}T08:00:00\n" for i, t in enumerate(lines)),
        encoding="utf-8",
    )
    times = read_manifests([inbox])
    expected: dict[Path, str] = {}
    for i, t in enumerate(lines):
        expected[(inbox / t).resolve()] = f"2025-10-0{i + 1}"
    assert {p: w.date().isoformat() for p, w in times.items()} == expected
    assert (tmp_path / "elsewhere" / "c.xlsx").resolve() in times  # the link's target
    assert (inbox / "email" / "b.xlsx").resolve() in times  # by the folder or its link
