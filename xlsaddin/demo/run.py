"""``xlsaddin demo``: build the templates and a realistic inbox of returned files."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xlsaddin.core import codes
from xlsaddin.demo import values
from xlsaddin.demo.foreign import write_department_task_sheet
from xlsaddin.demo.mistakes import (
    GENERIC_TEMPLATE_UNITS,
    LOCK_FILE_UNITS,
    MISTAKES,
    Mistake,
    mistakes_for,
    skipped,
)
from xlsaddin.forms import Filled, build_templates, compute_layout, write_workbook
from xlsaddin.spec.layout import a1
from xlsaddin.spec.models import AppendixSpec, Mappings, Period
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


def _rows_for(spec: AppendixSpec, unit: Unit, period: Period, meets_all: bool) -> Any:
    rng = random.Random(f"{SEED}-{unit.code}-{spec.id}")
    if spec.id == "tieu_chi_ha_tang":
        return values.criteria_rows(spec, rng, meets_all)
    if spec.id == "nguon_luc_tai_chinh":
        return values.finance_rows(rng)
    if spec.id == "ket_qua_tthc":
        return values.tthc_rows(rng)
    if spec.id == "nhiem_vu":
        return values.task_rows(rng, period)
    return generic_rows(spec, rng)


def generic_rows(spec: AppendixSpec, rng: random.Random) -> Any:
    """Values by column type for an appendix the demo has no special knowledge of."""

    def one() -> dict[str, Any]:
        row: dict[str, Any] = {}
        for col in spec.table.columns:
            if not col.is_input:
                continue
            if col.is_numeric:
                row[col.key] = rng.randint(0, 100)
            elif col.type in ("choice", "bool"):
                row[col.key] = rng.choice(col.allowed)
            elif col.type == "date":
                row[col.key] = dt.date(2025, rng.randint(1, 12), rng.randint(1, 28))
            else:
                row[col.key] = "Nội dung mẫu"
        return row

    if isinstance(spec.table.rows, tuple):
        return {r.key: one() for r in spec.table.rows if r.kind == "input"}
    return [one() for _ in range(min(5, spec.table.max_rows))]


def _apply(mistake: Mistake, rows: Any) -> None:
    """Change clean values the way the documented mistake says."""
    code, row = mistake.code, rows.get(mistake.row) if isinstance(rows, dict) else None
    if code == codes.REQUIRED_MISSING.code and row is not None:
        row[mistake.column] = None
    elif code == "allocation-sum-mismatch" and row is not None:
        row["chua_phan_bo"] = row["chua_phan_bo"] + 50
    elif code == "disbursed-over-allocated" and row is not None:
        row["da_giai_ngan"] = row["duoc_phan_bo"] + 120.5
    elif code == "received-split-mismatch" and row is not None:
        row["tiep_nhan"] = row["tiep_nhan"] + 10
    elif code == codes.NUMBER_AS_TEXT.code and row is not None:
        row[mistake.column] = vi_number(row[mistake.column])
    elif code == codes.DATE_AS_TEXT.code and isinstance(rows, list):
        for task in rows:
            task["thoi_han"] = task["thoi_han"].strftime("%d/%m/%Y")


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


def _received_at(unit: Unit, spec: AppendixSpec, period: Period, rng: random.Random) -> dt.datetime:
    late = any(m.code == codes.SUBMISSION_LATE.code for m in mistakes_for(unit.code, spec.id))
    deadline = dt.datetime.combine(period.deadline, dt.time(17, 0))
    if late:
        return deadline + dt.timedelta(days=rng.randint(2, 4), hours=rng.randint(0, 6))
    return deadline - dt.timedelta(days=rng.randint(0, 6), hours=rng.randint(1, 9))


def _locate(mappings: Mappings, m: Mistake) -> str | None:
    if m.appendix is None or m.row is None or m.column is None:
        return None
    spec = mappings.appendix(m.appendix)
    layout = compute_layout(spec, mappings.header_of(spec))
    return a1(layout.row_of(m.row).row, layout.column_index(m.column))


def run_demo(
    mappings: Mappings,
    out_dir: Path,
    *,
    period_id: str | None = None,
    progress: Progress | None = None,
) -> DemoResult:
    period = mappings.project.period(period_id)
    templates = build_templates(mappings, out_dir / "mau_bieu", period_id=period.id).paths
    inbox = out_dir / "hop_thu_den"
    inbox.mkdir(parents=True, exist_ok=True)
    units = load_units(mappings.project.province.code)
    rng = random.Random(SEED)
    meets_all = {u.code for u in rng.sample(list(units), MEETS_ALL_CRITERIA)}
    received: list[tuple[Path, dt.datetime]] = []
    files: list[Path] = []
    total = len(units) * len(mappings.appendices)
    done = 0
    for unit in units:
        channel = rng.choice(["email", "zalo", "email/dot_2"])
        for spec in mappings.appendices:
            done += 1
            if progress:
                progress(done, total)
            own = mistakes_for(unit.code, spec.id)
            wanted = {m.code for m in own}
            folder = inbox / channel
            name = _file_name(spec, unit, rng)
            if (folder / name).exists():  # e.g. Ba Tơ and Ba Tô both fold to "BaTo"
                name = f"{spec.file_name.rsplit('.', 1)[0]}_{unit.code}.xlsx"
            when = _received_at(unit, spec, period, rng)
            if codes.FILE_NOT_WORKBOOK.code in wanted:
                path = folder / f"Anh chup {spec.code} {unit.short_name}.xlsx"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(
                    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"
                    + bytes(rng.randrange(256) for _ in range(4000))
                )
                received.append((path, when))
                files.append(path)
            if skipped(unit.code, spec.id):
                continue
            rows = _rows_for(spec, unit, period, unit.code in meets_all)
            if "foreign-layout" in wanted:
                path = write_department_task_sheet(
                    folder / f"Bang nhiem vu {unit.short_name}.xlsx", unit, rows, rng
                )
                received.append((path, when))
                files.append(path)
                continue
            header: dict[str, Any] = {"reporter": values.person(rng), "phone": values.phone(rng)}
            generic = unit.code in GENERIC_TEMPLATE_UNITS
            if generic:
                header.update(unit_name=unit.name, unit_code=unit.code)
            if codes.SUBMISSION_SUPERSEDED.code in wanted:
                first = folder / f"{spec.file_name.rsplit('.', 1)[0]}_{unit.code}_lan1.xlsx"
                draft = json.loads(json.dumps(rows))
                draft["chi_dau_tu"]["chua_phan_bo"] += 100
                write_workbook(
                    mappings,
                    spec,
                    first,
                    period_id=period.id,
                    unit=unit,
                    fill=Filled(header=header, rows=draft),
                )
                received.append((first, when - dt.timedelta(days=2)))
                files.append(first)
            for m in own:
                _apply(m, rows)
            path = folder / name
            write_workbook(
                mappings,
                spec,
                path,
                period_id=period.id,
                unit=None if generic else unit,
                fill=Filled(header=header, rows=rows),
            )
            received.append((path, when))
            files.append(path)
            if codes.FILE_CORRUPT.code in wanted:
                data = path.read_bytes()
                path.write_bytes(data[: len(data) * 3 // 5])
            if codes.SUBMISSION_RESEND.code in wanted:
                again = inbox / "zalo" / f"{spec.code} {unit.name} (gui lai).xlsx"
                again.parent.mkdir(parents=True, exist_ok=True)
                again.write_bytes(path.read_bytes())
                received.append((again, when + dt.timedelta(hours=3)))
                files.append(again)
            if unit.code in LOCK_FILE_UNITS:
                lock = path.parent / f"~${path.name}"
                lock.write_bytes(b"\x0bNguyen Van A" + b"\x00" * 40)
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
            for m in MISTAKES
        ],
    }
    key_path.write_text(json.dumps(key, ensure_ascii=False, indent=2), encoding="utf-8")
    return DemoResult(out_dir, templates, inbox, tuple(files), key_path)
