"""``xlsaddin demo``: build the templates and a realistic inbox of returned files."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import random
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from xlsaddin.core import codes
from xlsaddin.demo import synth, values
from xlsaddin.demo.foreign import write_foreign_sheet
from xlsaddin.demo.mistakes import (
    FOREIGN_LAYOUT,
    GENERIC_TEMPLATE_UNITS,
    LOCK_FILE_UNITS,
    Mistake,
    applicable,
)
from xlsaddin.forms import Filled, build_templates, compute_layout, write_workbook
from xlsaddin.intake.worker import process_context
from xlsaddin.spec.layout import a1
from xlsaddin.spec.models import AppendixSpec, CheckRule, Mappings, Period
from xlsaddin.text.names import strip_diacritics
from xlsaddin.units import Unit, load_units

SEED = 2025
MEETS_ALL_CRITERIA = 47  # as in the real report: "47/96 ... hoàn thành 16/16 tiêu chí"
MANIFEST = "_thoi_gian_nhan.csv"
ANSWER_KEY = "demo_mistakes.json"

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class DemoResult:
    out_dir: Path
    templates: tuple[Path, ...]
    inbox: Path
    files: tuple[Path, ...]
    answer_key: Path


def vi_number(value: float) -> str:
    """1834.5 -> '1.834,5' (how officers type numbers as text)."""
    whole, _, frac = f"{value:.3f}".rstrip("0").rstrip(".").partition(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    return f"{grouped},{frac}" if frac else grouped


def _profile(spec: AppendixSpec, rng: random.Random, period: Period, meets_all: bool) -> Any:
    """Realistic values for the default appendices (None for any other)."""
    if spec.id == "tieu_chi_ha_tang":
        return values.criteria_rows(spec, rng, meets_all)
    if spec.id == "nguon_luc_tai_chinh":
        return values.finance_rows(rng)
    if spec.id == "ket_qua_tthc":
        return values.tthc_rows(rng)
    if spec.id == "nhiem_vu":
        return values.task_rows(rng, period)
    if spec.id == "van_ban":
        return values.document_rows(rng, period)
    if spec.id == "nhan_luc":
        return values.staff_rows(rng)
    if spec.id == "kho_khan":
        return values.difficulty_rows(rng)
    if spec.id == "nhan_xet":
        return values.comment_rows(rng)
    return None


def clean_rows(
    mappings: Mappings, spec: AppendixSpec, unit: Unit, period: Period, meets_all: bool
) -> Any:
    """Valid values of one unit's appendix: a realistic profile where the demo has one,
    completed from the column declarations and repaired until every rule holds."""
    rng = random.Random(f"{SEED}-{unit.code}-{spec.id}")
    profile = _profile(spec, rng, period, meets_all)
    count = rng.randint(3, 8)
    return synth.valid_rows(mappings, spec, rng, period.closing_date, base=profile, count=count)


def _target_rows(mistake: Mistake, rows: Any) -> list[dict[str, Any]]:
    if isinstance(rows, dict):
        return [rows[mistake.row]] if mistake.row in rows else []
    if mistake.row is None:
        return list(rows)
    index = int(mistake.row) - 1
    return [rows[index]] if 0 <= index < len(rows) else []


def _apply(
    mistake: Mistake, rows: Any, spec: AppendixSpec, rng: random.Random, closing: dt.date
) -> None:
    """Change clean values the way the documented mistake says (any appendix).

    File-level mistakes (late, resent, corrupt...) are made by the caller."""
    rule = next((r for r in spec.rules if r.id == mistake.code), None)
    cell_level = (codes.REQUIRED_MISSING.code, codes.NUMBER_AS_TEXT.code, codes.DATE_AS_TEXT.code)
    if mistake.code not in cell_level and not isinstance(rule, CheckRule):
        return
    for row in _target_rows(mistake, rows):
        column = mistake.column
        if mistake.code == codes.REQUIRED_MISSING.code and column:
            row[column] = None
        elif mistake.code == codes.NUMBER_AS_TEXT.code and column:
            row[column] = vi_number(float(row[column]))
        elif mistake.code == codes.DATE_AS_TEXT.code and column:
            if isinstance(row.get(column), dt.date):
                row[column] = row[column].strftime("%d/%m/%Y")
        elif isinstance(rule, CheckRule):
            synth.violate(spec, rule, row, rng, closing)


def _draft(rows: Any) -> Any:
    """An earlier version of ``rows``: the first number of the first row differs."""
    draft = json.loads(json.dumps(rows, default=str))
    first = next(iter(rows.values())) if isinstance(rows, dict) else rows[0]
    for key, value in first.items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            target = next(iter(draft.values())) if isinstance(draft, dict) else draft[0]
            target[key] = value + 100
            break
    # dates went through JSON as text: restore the originals
    pairs = (
        zip(rows.values(), draft.values(), strict=True)
        if isinstance(rows, dict)
        else zip(rows, draft, strict=True)
    )
    for original, copy in pairs:
        for key, value in original.items():
            if isinstance(value, dt.date):
                copy[key] = value
    return draft


def _file_name(spec: AppendixSpec, unit: Unit, rng: random.Random) -> str:
    ascii_name = "".join(strip_diacritics(unit.short_name).split())
    stem = spec.file_name.rsplit(".", 1)[0]
    style = rng.random()
    if style < 0.6:
        return f"{stem}_{unit.code}.xlsx"
    if style < 0.8:
        return f"Bao cao {spec.code} - {unit.name}.xlsx"
    if style < 0.9:
        return f"{spec.code}_{ascii_name}_final.xlsx"
    return f"Copy of {stem}_{unit.code}.xlsx"


def _received_at(
    unit: Unit,
    spec: AppendixSpec,
    period: Period,
    rng: random.Random,
    mistakes: Sequence[Mistake],
) -> dt.datetime:
    late = any(m.code == codes.SUBMISSION_LATE.code for m in mistakes)
    deadline = dt.datetime.combine(period.deadline, dt.time(17, 0))
    if late:
        return deadline + dt.timedelta(days=rng.randint(2, 4), hours=rng.randint(0, 6))
    return deadline - dt.timedelta(days=rng.randint(0, 6), hours=rng.randint(1, 9))


def _locate(mappings: Mappings, m: Mistake) -> str | None:
    if m.appendix is None or m.row is None or m.column is None:
        return None
    rule = next((r for r in mappings.appendix(m.appendix).rules if r.id == m.code), None)
    if isinstance(rule, CheckRule) and rule.cell:
        return _cell(mappings, m.appendix, m.row, rule.cell)
    return _cell(mappings, m.appendix, m.row, m.column)


def _cell(mappings: Mappings, appendix: str, row: str, column: str) -> str:
    spec = mappings.appendix(appendix)
    layout = compute_layout(spec, mappings.header_of(spec))
    return a1(layout.row_of(row).row, layout.column_index(column))


@dataclass(frozen=True)
class _FileJob:
    """What one unit sends for one appendix, decided in order (names, channel, time), so
    that the files themselves can be written anywhere, in any order, byte for byte the
    same: every random draw of a file comes from its own stream, carried here."""

    unit: Unit
    spec_id: str
    period_id: str
    when: dt.datetime
    rng: random.Random  # the file's stream, after its name and time were drawn
    own: tuple[Mistake, ...]
    meets_all: bool
    generic: bool
    photo: Path | None = None  # an image sent instead of the workbook
    foreign: Path | None = None  # the appendix in a foreign layout
    first: Path | None = None  # an earlier version, superseded
    path: Path | None = None  # the unit's workbook
    again: Path | None = None  # the same bytes sent again
    lock: Path | None = None  # Excel's lock file left beside it

    def paths(self) -> list[Path]:
        found = (self.photo, self.foreign, self.first, self.path, self.again, self.lock)
        return [p for p in found if p is not None]


def _plan(
    mappings: Mappings,
    inbox: Path,
    period: Period,
    units: Sequence[Unit],
    meets_all: set[int],
) -> list[_FileJob | None]:
    """One entry per (unit, appendix) in order; None where the unit sends nothing."""
    mistakes = applicable(mappings)
    layouts = {layout.appendix: layout for layout in mappings.layouts}
    planned: set[Path] = set()  # every path an earlier entry creates
    jobs: list[_FileJob | None] = []
    for unit in units:
        # one random stream per unit and per (unit, appendix): adding an appendix to
        # mappings/ changes nothing that the demo generates for the others
        channel = random.Random(f"{SEED}-{unit.code}").choice(["email", "zalo", "email/dot_2"])
        for spec in mappings.appendices:
            rng = random.Random(f"{SEED}-{unit.code}-{spec.id}-file")
            own = tuple(
                m for m in mistakes if m.unit == unit.code and m.appendix in (None, spec.id)
            )
            wanted = {m.code for m in own}
            folder = inbox / channel
            name = _file_name(spec, unit, rng)
            taken = folder / name
            if taken in planned or taken.exists():  # e.g. Ba Tơ and Ba Tô both fold to "BaTo"
                name = f"{spec.file_name.rsplit('.', 1)[0]}_{unit.code}.xlsx"
            when = _received_at(unit, spec, period, rng, own)
            job = _FileJob(
                unit,
                spec.id,
                period.id,
                when,
                rng,
                own,
                unit.code in meets_all,
                unit.code in GENERIC_TEMPLATE_UNITS,
            )
            if codes.FILE_NOT_WORKBOOK.code in wanted:
                job = replace(job, photo=folder / f"Anh chup {spec.code} {unit.short_name}.xlsx")
            if not wanted & {codes.SUBMISSION_MISSING.code, codes.FILE_NOT_WORKBOOK.code}:
                if FOREIGN_LAYOUT in wanted and spec.id in layouts:
                    job = replace(job, foreign=folder / f"Bang {spec.code} {unit.short_name}.xlsx")
                else:
                    stem = spec.file_name.rsplit(".", 1)[0]
                    path = folder / name
                    job = replace(
                        job,
                        path=path,
                        first=folder / f"{stem}_{unit.code}_lan1.xlsx"
                        if codes.SUBMISSION_SUPERSEDED.code in wanted
                        else None,
                        again=inbox / "zalo" / f"{spec.code} {unit.name} (gui lai).xlsx"
                        if codes.SUBMISSION_RESEND.code in wanted
                        else None,
                        lock=path.parent / f"~${path.name}"
                        if unit.code in LOCK_FILE_UNITS
                        else None,
                    )
            planned.update(job.paths())
            jobs.append(job if job.paths() else None)
    return jobs


def _make(mappings: Mappings, job: _FileJob) -> list[tuple[Path, dt.datetime, str]]:
    """Write what ``job`` sends: (file, received at, role) in the order the demo lists them."""
    spec = mappings.appendix(job.spec_id)
    period = mappings.project.period(job.period_id)
    unit, rng, when = job.unit, job.rng, job.when
    made: list[tuple[Path, dt.datetime, str]] = []
    if job.photo is not None:
        job.photo.parent.mkdir(parents=True, exist_ok=True)
        job.photo.write_bytes(
            b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(rng.randrange(256) for _ in range(4000))
        )
        made.append((job.photo, when, "not-workbook"))
    if job.foreign is None and job.path is None:
        return made
    rows = clean_rows(mappings, spec, unit, period, job.meets_all)
    if job.foreign is not None:
        layout = next(la for la in mappings.layouts if la.appendix == spec.id)
        write_foreign_sheet(job.foreign, unit, spec, layout, rows, rng)
        made.append((job.foreign, when, "foreign-layout"))
        return made
    assert job.path is not None
    header: dict[str, Any] = {"reporter": values.person(rng), "phone": values.phone(rng)}
    if job.generic:
        header.update(unit_name=unit.name, unit_code=unit.code)
    if job.first is not None:
        write_workbook(
            mappings,
            spec,
            job.first,
            period_id=period.id,
            unit=unit,
            fill=Filled(header=header, rows=_draft(rows)),
        )
        made.append((job.first, when - dt.timedelta(days=2), "superseded"))
    for m in job.own:
        _apply(m, rows, spec, rng, period.closing_date)
    path = job.path
    write_workbook(
        mappings,
        spec,
        path,
        period_id=period.id,
        unit=None if job.generic else unit,
        fill=Filled(header=header, rows=rows),
    )
    corrupt = any(m.code == codes.FILE_CORRUPT.code for m in job.own)
    made.append((path, when, "corrupt" if corrupt else "report"))
    if corrupt:
        data = path.read_bytes()
        path.write_bytes(data[: len(data) * 3 // 5])
    if job.again is not None:
        job.again.parent.mkdir(parents=True, exist_ok=True)
        job.again.write_bytes(path.read_bytes())
        made.append((job.again, when + dt.timedelta(hours=3), "resend"))
    if job.lock is not None:
        job.lock.write_bytes(b"\x0bNguyen Van A" + b"\x00" * 40)
    return made


#: The mappings a forked (or spawned) demo worker writes with.
_WORKER_MAPPINGS: list[Mappings] = []


def _init_worker(mappings: Mappings) -> None:
    _WORKER_MAPPINGS[:] = [mappings]


def _make_in_worker(job: _FileJob | None) -> list[tuple[Path, dt.datetime, str]]:
    return [] if job is None else _make(_WORKER_MAPPINGS[0], job)


def _templates_in_worker(out_dir: Path, period_id: str) -> tuple[Path, ...]:
    return build_templates(_WORKER_MAPPINGS[0], out_dir, period_id=period_id).paths


def run_demo(
    mappings: Mappings,
    out_dir: Path,
    *,
    period_id: str | None = None,
    progress: Progress | None = None,
    processes: int = 2,
) -> DemoResult:
    """The templates and the inbox under ``out_dir``. Written by ``processes`` worker
    processes (1: in this process); the files are the same bytes either way."""
    period = mappings.project.period(period_id)
    inbox = out_dir / "hop_thu_den"
    inbox.mkdir(parents=True, exist_ok=True)
    units = load_units(mappings.project.province.code)
    mistakes = applicable(mappings)
    # the 47 units that meet every criterion are chosen among those whose criteria file
    # arrives readable and without a deliberate mistake, so the headline reads 47/96
    criteria = next((s.id for s in mappings.appendices if s.id == "tieu_chi_ha_tang"), None)
    spoilt = {m.unit for m in mistakes if m.appendix in (None, criteria)}
    eligible = [u for u in units if u.code not in spoilt]
    count = min(MEETS_ALL_CRITERIA, len(eligible))
    meets_all = {u.code for u in random.Random(SEED).sample(eligible, count)}
    jobs = _plan(mappings, inbox, period, units, meets_all)
    templates_dir = out_dir / "mau_bieu"
    made: list[list[tuple[Path, dt.datetime, str]]] = []
    if processes <= 1:
        templates = build_templates(mappings, templates_dir, period_id=period.id).paths
        for done, job in enumerate(jobs, start=1):
            made.append([] if job is None else _make(mappings, job))
            if progress:
                progress(done, len(jobs))
    else:
        with ProcessPoolExecutor(
            max_workers=processes,
            mp_context=process_context(),
            initializer=_init_worker,
            initargs=(mappings,),
        ) as pool:
            pending = pool.submit(_templates_in_worker, templates_dir, period.id)
            # the heavy files (a 300-row task form) are spread over every chunk of four
            for done, written in enumerate(pool.map(_make_in_worker, jobs, chunksize=4), start=1):
                made.append(written)
                if progress:
                    progress(done, len(jobs))
            templates = pending.result()
    received: list[tuple[Path, dt.datetime]] = []
    files: list[Path] = []
    roles: list[tuple[Path, int, str, str]] = []  # file, unit, appendix, role
    for job, written in zip(jobs, made, strict=True):
        for path, when, role in written:
            assert job is not None
            received.append((path, when))
            files.append(path)
            roles.append((path, job.unit.code, job.spec_id, role))
    manifest = inbox / MANIFEST
    with manifest.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["tep", "thoi_gian_nhan"])
        for path, when in sorted(received, key=lambda item: str(item[0])):
            writer.writerow(
                [path.relative_to(inbox).as_posix(), when.isoformat(timespec="minutes")]
            )
            stamp = when.timestamp()
            os.utime(path, (stamp, stamp))
    key_path = out_dir / ANSWER_KEY
    key = {
        "period": period.id,
        "units_meeting_all_criteria": sorted(meets_all),
        # every file of the inbox: role "report" (the unit's file), "superseded" (an
        # earlier version), "resend" (same bytes again), "corrupt", "not-workbook",
        # "foreign-layout"
        "files": [
            {"file": f.relative_to(inbox).as_posix(), "unit": u, "appendix": a, "role": r}
            for f, u, a, r in sorted(roles, key=lambda item: str(item[0]))
        ],
        "mistakes": [
            {
                "code": m.code,
                "unit": m.unit,
                "appendix": m.appendix,
                "row": m.row,
                "column": m.column,
                "cell": _locate(mappings, m),
                "note": m.note,
            }
            for m in mistakes
        ],
    }
    key_path.write_text(json.dumps(key, ensure_ascii=False, indent=2), encoding="utf-8")
    return DemoResult(out_dir, templates, inbox, tuple(files), key_path)
