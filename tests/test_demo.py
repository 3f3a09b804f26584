"""The demo inbox really contains the documented mistakes, and nothing else is lost."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import zipfile
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from xlsaddin.demo import DemoResult
from xlsaddin.demo.mistakes import GENERIC_TEMPLATE_UNITS, LOCK_FILE_UNITS, MISTAKES
from xlsaddin.demo.run import MANIFEST, vi_number
from xlsaddin.forms import compute_layout
from xlsaddin.spec import Mappings
from xlsaddin.spec.models import DeadlineRule
from xlsaddin.units import load_units
from xlsaddin.validate.run import validate_paths


def _meta(path: Path) -> dict[str, str]:
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("_meta").to_python()
    return {str(key): str(value) for kind, key, value in rows[1:] if kind == "meta"}


def _unit_of(path: Path, mappings: Mappings) -> tuple[int, str]:
    meta = _meta(path)
    if meta["unit_code"]:
        return int(meta["unit_code"]), meta["template_id"]
    # blank template: the unit was chosen in the header drop-down
    spec = mappings.appendix(meta["template_id"])
    layout = compute_layout(spec, mappings.header_of(spec))
    r, c = layout.header_cell("unit_code")
    rows = (
        CalamineWorkbook.from_path(str(path))
        .get_sheet_by_name(spec.sheet_name)
        .to_python(skip_empty_area=False)
    )
    return int(rows[r][c]), spec.id


def _cell(mappings: Mappings, path: Path, appendix: str, cell: str) -> object:
    ws = openpyxl.load_workbook(path)[mappings.appendix(appendix).sheet_name]
    return ws[cell].value


@pytest.fixture(scope="module")
def submissions(demo: DemoResult, mappings: Mappings) -> dict[tuple[int, str], list[Path]]:
    found: dict[tuple[int, str], list[Path]] = {}
    for path in demo.files:
        try:
            key = _unit_of(path, mappings)
        except Exception:  # corrupt, not a workbook, foreign layout: no _meta
            continue
        found.setdefault(key, []).append(path)
    return found


def test_vi_number() -> None:
    assert vi_number(1834.5) == "1.834,5"
    assert vi_number(2417) == "2.417"
    assert vi_number(12) == "12"


def test_every_file_in_the_manifest_once(demo: DemoResult) -> None:
    with (demo.inbox / MANIFEST).open(encoding="utf-8") as fh:
        listed = [row["tep"] for row in csv.DictReader(fh)]
    assert len(listed) == len(set(listed))
    assert sorted(listed) == sorted(p.relative_to(demo.inbox).as_posix() for p in demo.files)
    assert all(p.is_file() for p in demo.files)


def test_missing_and_submitted_units(
    demo: DemoResult, mappings: Mappings, submissions: dict[tuple[int, str], list[Path]]
) -> None:
    units = {u.code for u in load_units()}
    appendices = [s.id for s in mappings.appendices]
    missing_everything = {
        m.unit for m in MISTAKES if m.code == "submission-missing" and not m.appendix
    }
    for code in missing_everything:
        assert not any(unit == code for unit, _ in submissions)
    for m in MISTAKES:
        if m.code == "submission-missing" and m.appendix:
            assert (m.unit, m.appendix) not in submissions
            others = [a for a in appendices if a != m.appendix]
            assert all((m.unit, a) in submissions for a in others)
    # every other unit sent every appendix with a readable standard workbook
    unreadable = {
        (m.unit, m.appendix)
        for m in MISTAKES
        if m.code in ("file-corrupt", "file-not-workbook", "foreign-layout", "submission-missing")
    }
    for code in units - missing_everything:
        for appendix in appendices:
            if (code, appendix) not in unreadable:
                assert (code, appendix) in submissions, (code, appendix)
    generic = {
        u for (u, _), paths in submissions.items() for p in paths if not _meta(p)["unit_code"]
    }
    assert generic == set(GENERIC_TEMPLATE_UNITS)


def test_duplicates(submissions: dict[tuple[int, str], list[Path]]) -> None:
    twice = {k: v for k, v in submissions.items() if len(v) > 1}
    assert set(twice) == {(21205, "nguon_luc_tai_chinh"), (21025, "tieu_chi_ha_tang")}
    resend = twice[(21025, "tieu_chi_ha_tang")]
    assert resend[0].read_bytes() == resend[1].read_bytes()
    superseded = twice[(21205, "nguon_luc_tai_chinh")]
    assert superseded[0].read_bytes() != superseded[1].read_bytes()


def test_late_files_are_after_the_deadline(
    demo: DemoResult, mappings: Mappings, submissions: dict[tuple[int, str], list[Path]]
) -> None:
    deadline = dt.datetime.combine(mappings.project.period().deadline, dt.time(17, 0))
    with (demo.inbox / MANIFEST).open(encoding="utf-8") as fh:
        received = {
            r["tep"]: dt.datetime.fromisoformat(r["thoi_gian_nhan"]) for r in csv.DictReader(fh)
        }
    late = {m.unit for m in MISTAKES if m.code == "submission-late"}
    for (unit, appendix), paths in submissions.items():
        for path in paths:
            when = received[path.relative_to(demo.inbox).as_posix()]
            is_late_mistake = any(
                m.code == "submission-late" and m.unit == unit and m.appendix in (None, appendix)
                for m in MISTAKES
            )
            assert (when > deadline) is is_late_mistake, (unit, appendix, when)
            assert abs(path.stat().st_mtime - when.timestamp()) < 2
    assert late


def test_value_mistakes_are_in_the_documented_cells(
    demo: DemoResult, mappings: Mappings, submissions: dict[tuple[int, str], list[Path]]
) -> None:
    key = json.loads(demo.answer_key.read_text(encoding="utf-8"))
    by_code = Counter(m["code"] for m in key["mistakes"])
    assert by_code["required-missing"] == 3
    located = [m for m in key["mistakes"] if m["cell"]]
    assert located
    for m in located:
        path = submissions[(m["unit"], m["appendix"])][-1]
        value = _cell(mappings, path, m["appendix"], m["cell"])
        if m["code"] == "required-missing":
            assert value is None
        elif m["code"] == "number-as-text":
            # typed as text the Vietnamese way ("2.417", or "660" below a thousand)
            assert isinstance(value, str) and re.fullmatch(r"\d{1,3}(\.\d{3})*(,\d+)?", value)
        # and validation finds exactly that code in exactly that cell
        found = validate_paths([path], mappings).report.issues
        assert (m["code"], m["cell"]) in {(i.code, i.cell) for i in found}, (m, found)


def test_clean_files_of_every_appendix_pass_every_rule(
    demo: DemoResult, mappings: Mappings, submissions: dict[tuple[int, str], list[Path]]
) -> None:
    """Values are generated valid from the declarations (any appendix), mistakes aside."""
    key = json.loads(demo.answer_key.read_text(encoding="utf-8"))
    wrong = {(m["unit"], m["appendix"]) for m in key["mistakes"]}
    wrong |= {
        (m["unit"], a.id) for m in key["mistakes"] if not m["appendix"] for a in mappings.appendices
    }
    deadline_rules = {
        r.id for s in mappings.appendices for r in s.rules if isinstance(r, DeadlineRule)
    }
    checked = 0
    for spec in mappings.appendices:
        clean = [
            paths[-1]
            for (unit, appendix), paths in sorted(submissions.items())
            if appendix == spec.id and (unit, appendix) not in wrong
        ][:6]
        assert clean, spec.id
        for issue in validate_paths(clean, mappings).report.issues:
            assert issue.code in deadline_rules | {"template-outdated"}, issue
        checked += len(clean)
    assert checked >= 6 * len(mappings.appendices)


def test_criteria_headline_is_known(
    demo: DemoResult, mappings: Mappings, submissions: dict[tuple[int, str], list[Path]]
) -> None:
    key = json.loads(demo.answer_key.read_text(encoding="utf-8"))
    meets_all = set(key["units_meeting_all_criteria"])
    assert len(meets_all) == 47
    spec = mappings.appendix("tieu_chi_ha_tang")
    layout = compute_layout(spec, mappings.header_of(spec))
    col = layout.column_index("ket_qua")
    for (unit, appendix), paths in submissions.items():
        if appendix != spec.id or unit == 21496:  # 21496 left two results blank on purpose
            continue
        rows = (
            CalamineWorkbook.from_path(str(paths[-1]))
            .get_sheet_by_name(spec.sheet_name)
            .to_python(skip_empty_area=False)
        )
        results = [rows[r.row][col] for r in layout.data_rows]
        assert (set(results) == {"Đạt"}) is (unit in meets_all), unit


def test_broken_files_are_really_broken(demo: DemoResult, mappings: Mappings) -> None:
    corrupt = [p for p in demo.files if "Anh chup" not in p.name and not zipfile.is_zipfile(p)]
    assert len(corrupt) == 1  # the truncated PL01 (the photo is checked below)
    photo = [p for p in demo.files if p.name.startswith("Anh chup")]
    assert len(photo) == 1 and photo[0].read_bytes()[:3] == b"\xff\xd8\xff"
    locks = list(demo.inbox.rglob("~$*"))
    assert locks and not set(locks) & set(demo.files)
    for lock in locks:  # beside a file of the unit documented to leave them
        owner = lock.with_name(lock.name.removeprefix("~$"))
        assert owner in demo.files and _unit_of(owner, mappings)[0] in LOCK_FILE_UNITS


def test_foreign_task_sheet(demo: DemoResult) -> None:
    [path] = [p for p in demo.files if p.name.startswith("Bang PL04")]
    ws = openpyxl.load_workbook(path).active
    assert ws is not None
    assert [c.value for c in ws[4]] == [
        "TT",
        "Tên nhiệm vụ",
        "Văn bản giao nhiệm vụ",
        "Thời hạn",
        "Kết quả",
        "Mô tả",
        "Ngày hoàn thành thực tế",
    ]
    deadlines = [row[3] for row in ws.iter_rows(min_row=5, values_only=True) if row[1]]
    assert any(isinstance(d, dt.datetime) for d in deadlines)
    assert any(isinstance(d, str) and "/" in d for d in deadlines)
    assert any(isinstance(d, str) and "-" in d for d in deadlines)
    statuses = [row[4] for row in ws.iter_rows(min_row=5, values_only=True) if row[1]]
    assert statuses.count(None) == 1


def test_worker_processes_write_the_same_bytes(tmp_path: Path) -> None:
    """The demo written by two worker processes and in this process alone: the same
    files, bytes, names, order and received times (a smaller task table keeps it quick;
    every kind of file is still there: photo, foreign layout, resend, lock, corrupt)."""
    import shutil

    from xlsaddin.demo import run_demo
    from xlsaddin.spec import load_mappings

    from .paths import SHIPPED_MAPPINGS

    root = tmp_path / "mappings"
    shutil.copytree(SHIPPED_MAPPINGS, root)
    tasks = root / "appendices" / "04_nhiem_vu.yaml"
    text = tasks.read_text(encoding="utf-8")
    tasks.write_text(
        text.replace("max_rows: 300", "max_rows: 12").replace("shown_rows: 30", "shown_rows: 6"),
        encoding="utf-8",
    )
    mappings = load_mappings(root)
    runs = {n: run_demo(mappings, tmp_path / f"p{n}", processes=n) for n in (1, 2)}

    def listing(result: DemoResult) -> list[tuple[str, bytes, int]]:
        return [
            (f.relative_to(result.out_dir).as_posix(), f.read_bytes(), int(f.stat().st_mtime))
            for f in result.files
        ]

    one, two = runs[1], runs[2]
    assert listing(one) == listing(two)
    key = json.loads(one.answer_key.read_text(encoding="utf-8"))
    roles = {entry["role"] for entry in key["files"]}
    assert roles >= {"report", "superseded", "resend", "corrupt", "foreign-layout", "not-workbook"}
    assert any(p.name.startswith("~$") for p in one.inbox.rglob("*"))  # lock files
    for a, b in zip(one.templates, two.templates, strict=True):
        assert a.relative_to(one.out_dir) == b.relative_to(two.out_dir)
        assert a.read_bytes() == b.read_bytes()
    everything = {
        p.relative_to(one.out_dir): p.read_bytes() for p in one.out_dir.rglob("*") if p.is_file()
    }
    assert everything == {
        p.relative_to(two.out_dir): p.read_bytes() for p in two.out_dir.rglob("*") if p.is_file()
    }
