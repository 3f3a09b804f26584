"""Benchmark: what each XlsxWriter override in ``xlsaddin/xlsx.py`` saves.

    python benchmarks/xlsx_overrides.py --demo xlsaddin-demo [--runs 9]

``ClassicWorksheet`` and ``QuickZipWorkbook`` override XlsxWriter internals for speed.
Each is switched off in turn (the class attribute removed, the shortcut routed through
the public method, or XlsxWriter's own Workbook used) and the same work timed in this
process, variants in turn (A B A B ...), median of ``--runs`` after a warm-up, ratio pair
by pair (on a busy machine the minimum CPU time is the steadier figure: it is printed
too):

  _prepare_formula  writing the four standard templates (check sheets: ~1,000
                    formulas) — with the override vs XlsxWriter's own formula path;
  _write_cell       writing the provincial workbook of the demo inbox (~65,000 cells);
  put_*             the same, hot writes through ``put_*`` vs the public ``write_*``;
  QuickZipWorkbook  the same, zipped at level 1 vs XlsxWriter's Workbook (level 6).

The provincial figures are also set against the whole ``xlsaddin consolidate``
command (see benchmarks/startup.py) in docs/performance.md.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from xlsaddin.consolidate import consolidate
from xlsaddin.forms import write_workbook
from xlsaddin.report import province_workbook
from xlsaddin.report.province_workbook import write_province_workbook
from xlsaddin.spec import load_mappings
from xlsaddin.xlsx import ClassicWorksheet


@contextmanager
def without(name: str) -> Iterator[None]:
    """``ClassicWorksheet`` without one override (put_*: routed through write_*); for
    "QuickZipWorkbook", the provincial workbook written by XlsxWriter's own Workbook."""
    if name == "QuickZipWorkbook":
        saved_class = getattr(province_workbook, name)
        setattr(province_workbook, name, xlsxwriter.Workbook)
        try:
            yield
        finally:
            setattr(province_workbook, name, saved_class)
        return
    saved = {k: v for k, v in vars(ClassicWorksheet).items() if k.startswith(name)}
    if not saved:
        # override already gone (the code dropped it): nothing to switch off
        yield
        return
    if name == "put_":
        public: dict[str, Callable[..., Any]] = {
            "put_string": lambda self, r, c, v, f=None: self.write_string(r, c, v, f),
            "put_number": lambda self, r, c, v, f=None: self.write_number(r, c, v, f),
            "put_blank": lambda self, r, c, f=None: self.write_blank(r, c, None, f),
            "put_datetime": lambda self, r, c, v, f=None: self.write_datetime(r, c, v, f),
            "put_formula": lambda self, r, c, v, f=None, x=0: self.write_formula(r, c, v, f, x),
            "put_url": lambda self, r, c, u, f=None, t=None: self.write_url(r, c, u, f, t),
        }
        for key in saved:
            setattr(ClassicWorksheet, key, public[key])
    else:
        for key in saved:
            delattr(ClassicWorksheet, key)
    try:
        yield
    finally:
        for key, value in saved.items():
            setattr(ClassicWorksheet, key, value)


def timed(work: Callable[[], None]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def compare(title: str, work: Callable[[], None], override: str, runs: int) -> None:
    variants: dict[str, list[tuple[float, float]]] = {"with": [], "without": []}
    for _ in range(runs + 1):  # the first round is the warm-up
        variants["with"].append(timed(work))
        with without(override):
            variants["without"].append(timed(work))
    walls = {k: [w for w, _ in v[1:]] for k, v in variants.items()}
    cpus = {k: [c for _, c in v[1:]] for k, v in variants.items()}
    ratios = [a / b for a, b in zip(walls["with"], walls["without"], strict=True)]
    med = {k: statistics.median(v) for k, v in walls.items()}
    print(f"\n## {title}: override {override}")
    for k in variants:
        print(
            f"  {k:>8}: wall median {med[k] * 1000:7.1f} ms "
            f"(min {min(walls[k]) * 1000:.1f}, max {max(walls[k]) * 1000:.1f}); "
            f"cpu median {statistics.median(cpus[k]) * 1000:.1f} ms, min {min(cpus[k]) * 1000:.1f}"
        )
    best = {k: min(v) for k, v in cpus.items()}
    print(
        f"  gain {(med['without'] - med['with']) * 1000:.1f} ms wall (medians), "
        f"{(best['without'] - best['with']) * 1000:.1f} ms cpu (minima); ratio with/without: "
        f"median {statistics.median(ratios):.3f} (min {min(ratios):.3f}, max {max(ratios):.3f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--demo", type=Path, required=True, help="folder of 'xlsaddin demo'")
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    print("XlsxWriter internals present:", hasattr(Worksheet, "_prepare_formula"))
    mappings = load_mappings()
    work = Path(tempfile.mkdtemp(prefix="xlsaddin-xlsx-"))

    def templates() -> None:
        for spec in mappings.appendices:
            write_workbook(mappings, spec, work / f"{spec.code}.xlsx")

    compare("four standard templates", templates, "_prepare_formula", args.runs)

    result = consolidate([args.demo / "hop_thu_den"], mappings)

    def province() -> None:
        write_province_workbook(result, work / "TongHop.xlsx", mappings)

    compare("provincial workbook (demo inbox)", province, "_write_cell", args.runs)
    compare("provincial workbook (demo inbox)", province, "put_", args.runs)
    compare("provincial workbook (demo inbox)", province, "QuickZipWorkbook", args.runs)


if __name__ == "__main__":
    main()
