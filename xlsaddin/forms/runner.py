"""Build every standard workbook, or personalised copies for many units."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from xlsaddin.forms.control import CONTROL_FILE, write_control_workbook
from xlsaddin.forms.workbook import write_workbook
from xlsaddin.spec.models import AppendixSpec, Mappings
from xlsaddin.text.names import strip_diacritics
from xlsaddin.units import Unit

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class BuildResult:
    paths: tuple[Path, ...]


def unit_folder(unit: Unit) -> str:
    """ASCII folder name for a unit, e.g. ``21484_XaBaTo`` (safe in e-mail and zip)."""
    ascii_name = "".join(strip_diacritics(unit.name).split())
    return f"{unit.code}_{ascii_name}"


def unit_file_name(spec: AppendixSpec, unit: Unit) -> str:
    stem, _, ext = spec.file_name.rpartition(".")
    return f"{stem}_{unit.code}.{ext}"


def build_templates(
    mappings: Mappings,
    out_dir: Path,
    *,
    period_id: str | None = None,
    progress: Progress | None = None,
) -> BuildResult:
    """The blank standard workbook of every appendix (unit chosen from a drop-down), its
    macro-enabled ``.xlsm`` variant with a "Kiểm tra" button, and the control workbook."""
    paths = []
    total = 2 * len(mappings.appendices) + 1
    for spec in mappings.appendices:
        for suffix in (".xlsx", ".xlsm"):
            name = spec.file_name.rsplit(".", 1)[0] + suffix
            paths.append(write_workbook(mappings, spec, out_dir / name, period_id=period_id))
            if progress:
                progress(len(paths), total)
    paths.append(write_control_workbook(mappings, out_dir / CONTROL_FILE))
    if progress:
        progress(total, total)
    return BuildResult(tuple(paths))


def build_unit_copies(
    mappings: Mappings,
    out_dir: Path,
    units: Sequence[Unit],
    *,
    period_id: str | None = None,
    progress: Progress | None = None,
) -> BuildResult:
    """Personalised copies: unit name and code pre-filled and locked, one folder per unit."""
    paths = []
    total = len(units) * len(mappings.appendices)
    done = 0
    for unit in units:
        folder = out_dir / unit_folder(unit)
        for spec in mappings.appendices:
            path = folder / unit_file_name(spec, unit)
            paths.append(write_workbook(mappings, spec, path, period_id=period_id, unit=unit))
            done += 1
            if progress:
                progress(done, total)
    return BuildResult(tuple(paths))
