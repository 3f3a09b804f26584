"""Build every standard workbook, or personalised copies for many units."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from xlsaddin.build.workbook import write_workbook
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
    """The blank standard workbook of every appendix (unit chosen from a drop-down)."""
    paths = []
    total = len(mappings.appendices)
    for i, spec in enumerate(mappings.appendices, start=1):
        paths.append(write_workbook(mappings, spec, out_dir / spec.file_name, period_id=period_id))
        if progress:
            progress(i, total)
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
