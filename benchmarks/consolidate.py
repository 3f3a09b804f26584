"""Benchmark: consolidation of N units x 4 appendices, against the obvious alternatives.

    python benchmarks/consolidate.py                 # Quảng Ngãi: 96 units x 4 appendices
    python benchmarks/consolidate.py --units 48      # fewer units (must be <= 96)
    python benchmarks/consolidate.py --national      # 34 provinces, every commune-level unit

Measured in the same run, on the same files:
  (a) xlsaddin: read + intake + validate + consolidate + write the formatted workbook
  (b) naive: pandas.read_excel (openpyxl engine) of every file + concat + openpyxl write
  (c) read floor: python-calamine reading every cell of every sheet of every file
plus the read+validate phase alone (xlsaddin.validate) to compare with (c).
Figures are printed; record them with the machine in docs/performance.md.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape

import pandas as pd
from python_calamine import CalamineWorkbook
from vietnam_provinces import Province

from benchmarks.batch import Job, JobResult, consolidate_many
from xlsaddin.consolidate import consolidate
from xlsaddin.demo.run import _rows_for
from xlsaddin.forms import Filled, write_workbook
from xlsaddin.publish import publish
from xlsaddin.spec import Mappings, load_mappings
from xlsaddin.units import Unit, load_units
from xlsaddin.validate.run import validate_paths


def for_province(base: Path, code: int, work: Path) -> Mappings:
    """A copy of the mappings folder for another province, as that province would keep it."""
    province = next(p for p in Province.iter_all() if int(p.code) == code)
    folder = work / f"mappings_{code}"
    shutil.copytree(base, folder)
    project = folder / "project.yaml"
    text = project.read_text(encoding="utf-8")
    new = f"  code: {code}\n  name: {province.name}"
    text = text.replace("  code: 51\n  name: Quảng Ngãi", new)
    project.write_text(text, encoding="utf-8")
    return load_mappings(folder)


#: The unit a cloned province's seed workbooks are written for: a code and a name that
#: occur nowhere else in a workbook, so re-addressing a copy touches exactly those cells.
SEED_UNIT = Unit(98765, "Xã Mẫu Nhân Bản", "xã", "Mẫu Nhân Bản")


def _clone(seed: bytes, new: Unit) -> bytes:
    """Copy of a seed workbook re-addressed to ``new`` (header code and name, ``_meta``)."""
    edits = {
        "xl/sharedStrings.xml": [
            (f"<t>{SEED_UNIT.code}</t>", f"<t>{new.code}</t>"),
            (f"<t>{escape(SEED_UNIT.name)}</t>", f"<t>{escape(new.name)}</t>"),
        ],
        "xl/worksheets/sheet1.xml": [(f"<v>{SEED_UNIT.code}</v>", f"<v>{new.code}</v>")],
    }
    src = zipfile.ZipFile(io.BytesIO(seed))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            for old, replacement in edits.get(info.filename, []):
                assert data.count(old.encode()) == 1, (info.filename, old)
                data = data.replace(old.encode(), replacement.encode())
            dst.writestr(info, data)
    return out.getvalue()


def generate(mappings: Mappings, units: list[Unit], folder: Path, *, clone: bool) -> list[Path]:
    """4 filled workbooks per unit. ``clone``: fill one seed per appendix, re-address copies."""
    period = mappings.project.period()
    paths: list[Path] = []
    seeds: dict[str, bytes] = {}
    rng = random.Random(1)
    for unit in units:
        for spec in mappings.appendices:
            path = folder / f"{unit.code}_{spec.code}.xlsx"
            if clone:
                if spec.id not in seeds:
                    rows = _rows_for(spec, SEED_UNIT, period, rng.random() < 0.5)
                    seed = folder / "seed.xlsx"
                    write_workbook(mappings, spec, seed, unit=SEED_UNIT, fill=Filled(rows=rows))
                    seeds[spec.id] = seed.read_bytes()
                    seed.unlink()
                path.write_bytes(_clone(seeds[spec.id], unit))
            else:
                rows = _rows_for(spec, unit, period, rng.random() < 0.5)
                write_workbook(mappings, spec, path, unit=unit, fill=Filled(rows=rows))
            paths.append(path)
    return paths


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def xlsaddin_run(mappings: Mappings, inbox: Path, out: Path) -> None:
    result = consolidate([inbox], mappings)
    publish(
        result,
        mappings,
        out=out,
        json_path=None,
        audit_path=out.with_suffix(".jsonl"),
        history=None,
    )


def naive_run(paths: list[Path], out: Path) -> None:
    frames = [pd.read_excel(p, sheet_name=0, header=None, engine="openpyxl") for p in paths]
    merged = pd.concat(frames, ignore_index=True)
    merged.to_excel(out, engine="openpyxl", index=False)


def calamine_floor(paths: list[Path]) -> int:
    cells = 0
    for p in paths:
        book = CalamineWorkbook.from_path(str(p))
        for name in book.sheet_names:
            cells += sum(len(r) for r in book.get_sheet_by_name(name).to_python())
    return cells


def machine_speed() -> float:
    """Seconds for a fixed pure-Python loop: this shared VM's speed drifts by up to 30 %
    within an hour, so every run prints it next to its figures."""
    start = time.perf_counter()
    total = 0
    for i in range(10_000_000):
        total += i
    return time.perf_counter() - start


def cpu_seconds() -> float:
    """User + system CPU of this process and of every finished child process."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


# Sums the resident memory of a process and all its descendants every 0.1 s, from /proc,
# until its stdin closes; prints the peak in MiB. A separate process, not a thread: a
# thread in the benchmark would change how xlsaddin starts its workers.
_SAMPLER = r"""
import os, select, sys
root, me = int(sys.argv[1]), os.getpid()
def children(pid):
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                out += [int(c) for c in fh.read().split()]
    except OSError:
        pass
    return out
def rss(pid):
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, IndexError, ValueError):
        return 0
peak = 0
while not select.select([sys.stdin], [], [], 0.1)[0]:
    todo, total = [root], 0
    while todo:
        pid = todo.pop()
        if pid != me:
            total += rss(pid)
        todo += children(pid)
    peak = max(peak, total)
print(peak / 2**20)
"""


def tree_memory_sampler() -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", _SAMPLER, str(os.getpid())],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def peak_rss_mib() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def province_bench(units: int, work: Path) -> None:
    mappings = load_mappings()
    chosen = list(load_units())[:units]
    inbox = work / "inbox"
    inbox.mkdir()
    t_gen = timed(lambda: generate(mappings, chosen, inbox, clone=False))
    paths = sorted(inbox.glob("*.xlsx"))
    print(f"generated {len(paths)} files ({units} units x 4) in {t_gen:.1f} s")
    validate_paths([inbox], mappings)  # warm-up: imports, babel locale data, page cache
    rounds = 3
    a = min(timed(lambda: xlsaddin_run(mappings, inbox, work / "a.xlsx")) for _ in range(rounds))
    v = min(timed(lambda: validate_paths([inbox], mappings)) for _ in range(rounds))
    c = min(timed(lambda: calamine_floor(paths)) for _ in range(rounds))
    b = timed(lambda: naive_run(paths, work / "b.xlsx"))
    print(f"(a) xlsaddin consolidate end to end : {a:6.2f} s")
    print(f"    read + intake + validate phase   : {v:6.2f} s  ({v / c:.1f}x the read floor)")
    print(f"(b) pandas read_excel + openpyxl     : {b:6.2f} s  (xlsaddin is {b / a:.1f}x faster)")
    print(f"(c) calamine read floor (all cells)  : {c:6.2f} s")
    print(f"peak RSS (this process or a worker) : {peak_rss_mib():.0f} MiB")


def national_bench(work: Path, parallel: int, rounds: int = 1) -> None:
    """All 34 provinces: files generated first, then timed runs of every consolidation."""
    base = Path(load_mappings().root)
    provinces = sorted(int(p.code) for p in Province.iter_all())
    jobs: list[Job] = []
    total_units = 0
    start = time.perf_counter()
    for code in provinces:
        mappings = for_province(base, code, work)
        units = list(load_units(code))
        inbox = work / f"p{code}"
        inbox.mkdir()
        generate(mappings, units, inbox, clone=True)
        total_units += len(units)
        jobs.append(
            Job(
                (inbox,),
                Path(mappings.root),
                work / f"TongHop_{code}.xlsx",
                work / f"audit_{code}.jsonl",
            )
        )
    total_files = 4 * total_units
    print(
        f"generated {total_files} files for {total_units} units in "
        f"{time.perf_counter() - start:.0f} s"
    )
    for _ in range(rounds):
        print(f"machine speed: 10M-step Python loop in {machine_speed():.2f} s")
        cpu_before = cpu_seconds()
        sampler = tree_memory_sampler()
        start = time.perf_counter()
        results: list[JobResult] = consolidate_many(jobs, parallel=parallel)
        run = time.perf_counter() - start
        cpu = cpu_seconds() - cpu_before
        tree_peak = float(sampler.communicate("")[0] or 0)
        failed = [r for r in results if not r.ok]
        assert not failed, failed
        assert sum(r.files for r in results) == total_files
        # every file read and every unit counted: nothing was cheaply rejected
        assert all(r.submitted == r.expected and not r.rejected for r in results), [
            (r.job.out.name, r.submitted, r.expected, r.rejected) for r in results
        ]
        print(
            f"(a) xlsaddin, {len(provinces)} provincial workbooks, {parallel} at a time: "
            f"{run:.1f} s ({1000 * run / total_files:.2f} ms per file)"
        )
        print(f"    CPU of all processes: {cpu:.1f} s ({cpu / run:.2f} cores busy on average)")
        print(f"    peak memory of all processes together: {tree_peak:.0f} MiB")
    print(f"peak RSS of one process: {peak_rss_mib():.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=96)
    parser.add_argument("--national", action="store_true")
    parser.add_argument(
        "--parallel", type=int, default=2, help="--national: provinces consolidated side by side"
    )
    parser.add_argument("--rounds", type=int, default=1, help="--national: timed runs")
    args = parser.parse_args()
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
    with tempfile.TemporaryDirectory(prefix="xlsaddin-bench-") as tmp:
        if args.national:
            national_bench(Path(tmp), args.parallel, args.rounds)
        else:
            province_bench(args.units, Path(tmp))


if __name__ == "__main__":
    main()
