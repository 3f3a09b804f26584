"""Benchmark: what a single-file ``validate`` spends on its isolated worker process.

    python benchmarks/pool.py FILE.xlsx [--runs 15]

Every file is read in a resource-limited worker process (xlsaddin.intake.worker):
a hostile file costs only itself. For one file that isolation is most of the
work; this prints, in this process, medians of ``--runs`` after a warm-up:

  validate_paths([FILE])      the whole check of one file, worker included
  _process(FILE) in-process   the same work without a worker (what isolation adds
                              is the difference; never done by xlsaddin)
  isolated_map(no-op)         starting, using and stopping a one-worker pool
  worker initializer          in a fresh interpreter that has imported what the CLI
                              imports: CPU of the worker's set-up (defusedxml's
                              defuse_stdlib imports 40-odd stdlib modules)
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from xlsaddin.intake.limits import DEFAULT_LIMITS
from xlsaddin.intake.worker import isolated_map
from xlsaddin.spec import load_mappings
from xlsaddin.validate import reading
from xlsaddin.validate import run as validate_run
from xlsaddin.validate.jobs import Job

INITIALIZER = """
import os, time
import xlsaddin.cli, xlsaddin.validate.run, xlsaddin.validate.reading, xlsaddin.validate.render
from xlsaddin.intake.worker import _init_worker
t = time.process_time()
_init_worker(0, os.getppid(), quiet=False)
print(time.process_time() - t)
"""


def median_ms(work: Callable[[], object], runs: int) -> str:
    work()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return (
        f"median {statistics.median(times) * 1000:6.1f} ms "
        f"(min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    print("load:", " ".join(Path("/proc/loadavg").read_text().split()[:3]))
    mappings = load_mappings()
    job = Job(str(args.file), args.file.name, mappings.root, None, DEFAULT_LIMITS)
    print(
        "validate_paths([FILE])    ",
        median_ms(lambda: validate_run.validate_paths([args.file], mappings), args.runs),
    )
    print("_process(FILE) in-process ", median_ms(lambda: reading._process(job), args.runs))
    print("isolated_map(no-op)       ", median_ms(lambda: isolated_map(abs, [1]), args.runs))
    cpu = []
    for _ in range(max(5, args.runs // 3)):
        out = subprocess.run(
            [sys.executable, "-c", INITIALIZER], capture_output=True, text=True, check=True
        )
        cpu.append(float(out.stdout) * 1000)
    print(
        f"worker initializer CPU     median {statistics.median(cpu):6.1f} ms "
        f"(min {min(cpu):.1f}, max {max(cpu):.1f}), fresh process"
    )
    print("load:", " ".join(Path("/proc/loadavg").read_text().split()[:3]))


if __name__ == "__main__":
    main()
