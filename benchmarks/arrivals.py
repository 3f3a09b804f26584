"""Benchmark: consolidating again after a few files arrived (the office's usual run).

    python benchmarks/arrivals.py --demo D --new 8 --runs 9 --other /path/to/old/xlsaddin

Each command gets its own copy of the demo inbox and its own cache folder, and runs once
on it (every file read and kept). Then, ``--runs`` times and in turn (A B A B ...), ``--new``
files arrive (copies of returned forms under new names, in a subfolder ``moi``; those
of the round before are removed) and the command consolidates the whole inbox again:
it reads the new files and reuses what the earlier runs kept for the others. Whole
process, wall time; the load average before each round is printed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def loadavg() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "n/a"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--demo", type=Path, required=True, help="folder made by 'xlsaddin demo'")
    parser.add_argument("--new", type=int, default=8, help="files arriving before each run")
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--other", help="another xlsaddin executable to compare against")
    args = parser.parse_args()
    inbox = args.demo.resolve() / "hop_thu_den"
    forms = sorted(inbox.rglob("PL0*.xlsx"))
    env0 = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    exe = shutil.which("xlsaddin", path=str(Path(sys.executable).parent)) or "xlsaddin"
    commands = {"xlsaddin": [exe]}
    if args.other:
        commands["other"] = [args.other]
    work = Path(tempfile.mkdtemp(prefix="xlsaddin-arrivals-"))
    print(f"# consolidate after {args.new} files arrived — {len(forms)} forms in {inbox}")
    for name, argv in commands.items():
        shutil.copytree(inbox, work / name / "inbox", symlinks=True)
        env = dict(env0, XLSADDIN_CACHE=str(work / name / "cache"))
        first = [*argv, "consolidate", str(work / name / "inbox")]
        subprocess.run(
            [*first, "--out", str(work / name / "0.xlsx")],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
    time.sleep(2.5)  # the copies settle (validate/reuse.py: SETTLED_SECONDS)
    times: dict[str, list[float]] = {name: [] for name in commands}
    loads = []
    for run in range(args.runs):
        loads.append(loadavg())
        arriving = [forms[(run * args.new + i) % len(forms)] for i in range(args.new)]
        for name, argv in commands.items():
            folder = work / name
            new = folder / "inbox" / "moi"
            shutil.rmtree(new, ignore_errors=True)
            new.mkdir()
            for i, form in enumerate(arriving):
                shutil.copyfile(form, new / f"r{run}_{i}_{form.name}")
            out = folder / f"run{run}"
            out.mkdir()
            env = dict(env0, XLSADDIN_CACHE=str(folder / "cache"))
            start = time.perf_counter()
            subprocess.run(
                [*argv, "consolidate", str(folder / "inbox"), "--out", str(out / "T.xlsx")],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=True,
            )
            times[name].append(time.perf_counter() - start)
    print(f"1-min load before each round: {' '.join(loads)}; after: {loadavg()}")
    for name, values in times.items():
        print(
            f"  {name:>9}: median {statistics.median(values):.3f} s "
            f"(min {min(values):.3f}, max {max(values):.3f})"
        )
    if "other" in times:
        ratios = [a / b for a, b in zip(times["xlsaddin"], times["other"], strict=True)]
        print(f"  ratio of pairs xlsaddin / other: median {statistics.median(ratios):.3f}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
