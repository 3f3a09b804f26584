"""Benchmark: what an officer waits for, as whole processes (interpreter start included).

    python benchmarks/startup.py --demo xlsaddin-demo            # validate + consolidate
    python benchmarks/startup.py --demo xlsaddin-demo --runs 9
    python benchmarks/startup.py --demo D --other /path/to/old/venv/bin/xlsaddin
    python benchmarks/startup.py --demo D --importtime           # + import-time top 10
    python benchmarks/startup.py --only demo --runs 5 --other OLD  # xlsaddin demo itself
    python benchmarks/startup.py --demo D30 --mappings M30     # other mappings (both commands)

``--demo`` is a folder made by ``xlsaddin demo`` (made in a temporary folder when
absent, which takes about half a minute). Each command runs as a new process after
one warm-up run, ``--runs`` times; commands that are compared run in turn (A B A B
...) so a drift of the machine's speed hits both, and the ratio is taken pair by
pair. Wall time from ``time.perf_counter``; CPU time and peak memory (largest single
process: the command or one of its workers) from the kernel's accounting of each
finished child (``os.wait4``). The load average is printed before and after: compare figures
only from runs at similar load. The commands run without ``PYTHONDONTWRITEBYTECODE``,
so the warm-up caches bytecode as any installed package has it.

Pairs measured:
  validate: ``xlsaddin validate ONE.xlsx`` (the first demo file matching ``--file``,
            default ``PL02_*.xlsx``) vs ``--other`` (another installation, e.g. the
            code before a change), vs the obvious hand-written alternative (a Python
            process that opens the file with openpyxl and reads its cells), and vs the
            interpreter alone (``python -c pass``, the floor);
  consolidate: ``xlsaddin consolidate INBOX --out ... --history ...`` (a new output
            folder each run), twice: as a run after an earlier one (every file's outcome
            kept by the earlier run, ``validate/reuse.py``: the office consolidating again
            while files arrive) and as a first run (the kept outcomes deleted before each
            run: every file read), vs ``--other`` (after an earlier run of its own, in a
            cache folder of its own), vs the read floor (a Python process
            that reads every cell of every sheet of every inbox file with
            python-calamine, checking nothing and writing nothing);
  demo:     ``xlsaddin demo --out NEW`` (the README's first command) vs ``--other``.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

CALAMINE_FLOOR = (
    "import sys, pathlib\n"
    "from python_calamine import CalamineWorkbook\n"
    "n = 0\n"
    "for p in sorted(pathlib.Path(sys.argv[1]).rglob('*.xlsx')):\n"
    "    try:\n"
    "        wb = CalamineWorkbook.from_path(str(p))\n"
    "        for name in wb.sheet_names:\n"
    "            n += sum(len(r) for r in wb.get_sheet_by_name(name).to_python())\n"
    "    except Exception:\n"
    "        pass\n"
    "print(n)\n"
)

OPENPYXL_ALTERNATIVE = (
    "import sys, openpyxl\n"
    "wb = openpyxl.load_workbook(sys.argv[1], read_only=True, data_only=True)\n"
    "n = sum(1 for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row)\n"
    "print(n)\n"
)


#: The commands' environment: bytecode may be cached (an editable checkout under
#: PYTHONDONTWRITEBYTECODE=1 would compile xlsaddin's modules on every run).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


@dataclass
class Run:
    wall: float
    cpu: float
    maxrss_mib: float
    code: int


def run_once(argv: list[str], cwd: Path) -> Run:
    """One process: wall time, CPU (user+sys, children included) and peak RSS."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode)


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


def stats(values: list[float]) -> str:
    return f"median {statistics.median(values):.3f}  (min {min(values):.3f}, max {max(values):.3f})"


def compare(
    title: str, commands: dict[str, list[str]], runs: int, cwd_for: dict[str, Path]
) -> dict[str, list[Run]]:
    """Run every command once as warm-up, then ``runs`` rounds in turn; print figures."""
    print(f"\n## {title}  (load before: {loadavg()})")
    for name, argv in commands.items():
        first = run_once(argv, cwd_for[name])
        print(f"  {name}: {' '.join(argv)}  [exit {first.code}]")
    results: dict[str, list[Run]] = defaultdict(list)
    loads = []
    for _ in range(runs):
        loads.append(loadavg().split()[0])
        for name, argv in commands.items():
            results[name].append(run_once(argv, cwd_for[name]))
    print(f"  load after: {loadavg()}; 1-min load before each round: {' '.join(loads)}")
    print(f"  {runs} counted runs each, seconds")
    for name, rs in results.items():
        print(f"  {name:>24}: wall {stats([r.wall for r in rs])}")
        print(f"  {'':>24}  cpu  {stats([r.cpu for r in rs])}")
        peak = statistics.median([r.maxrss_mib for r in rs])
        print(f"  {'':>24}  peak {peak:.0f} MiB (largest process)")
    names = list(results)
    for other in names[1:]:
        pairs = list(zip(results[names[0]], results[other], strict=True))
        print(f"  ratio wall {names[0]} / {other}: {stats([a.wall / b.wall for a, b in pairs])}")
        print(f"  ratio cpu  {names[0]} / {other}: {stats([a.cpu / b.cpu for a, b in pairs])}")
    return results


def importtime(argv: list[str], cwd: Path, top: int = 10) -> None:
    """``python -X importtime``: modules by self time (xlsaddin's own modules by name,
    everything else summed per top-level package) and the total."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", *argv],
        cwd=cwd,
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    by_package: dict[str, int] = defaultdict(int)
    total = 0
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, _cumulative, name = line[len("import time:") :].split("|")
        module = name.strip()
        key = module if module.startswith("xlsaddin") else module.split(".")[0]
        by_package[key] += int(self_us)
        total += int(self_us)
    print(f"  imports: {total / 1000:.0f} ms self time in {len(by_package)} packages/modules")
    for key, us in sorted(by_package.items(), key=lambda kv: -kv[1])[:top]:
        print(f"    {us / 1000:7.1f} ms  {key}")


def cli_argv(exe: str, *args: str) -> list[str]:
    return [exe, *args]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--demo", type=Path, help="folder made by 'xlsaddin demo'")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--other", help="another xlsaddin executable to compare against")
    parser.add_argument("--importtime", action="store_true", help="print import-time top 10")
    parser.add_argument(
        "--only", choices=["validate", "consolidate", "demo"], help="measure one command only"
    )
    parser.add_argument("--file", default="PL02_*.xlsx", help="validate: demo file pattern")
    parser.add_argument(
        "--other-demo",
        type=Path,
        help="a demo folder made by --other itself: it validates and consolidates its own "
        "files (the code before a change of the forms cannot read the new ones)",
    )
    parser.add_argument(
        "--mappings",
        type=Path,
        help="a mappings folder for both xlsaddin commands (e.g. the task form at 30 rows, "
        "to time today's code on an inbox like the one before issue 11)",
    )
    args = parser.parse_args()
    extra = ["--mappings", str(args.mappings.resolve())] if args.mappings else []

    exe = shutil.which("xlsaddin", path=str(Path(sys.executable).parent)) or "xlsaddin"
    work = Path(tempfile.mkdtemp(prefix="xlsaddin-startup-"))
    cache = work / "cache"  # the commands' kept mappings and outcomes: not the user's own
    ENV["XLSADDIN_CACHE"] = str(cache)
    demo = args.demo
    if demo is None or not (demo / "hop_thu_den").is_dir():
        demo = work / "demo"
        print(f"making the demo in {demo} ...")
        subprocess.run([exe, "demo", "--out", str(demo)], check=True, stdout=subprocess.DEVNULL)
    demo = demo.resolve()
    inbox = demo / "hop_thu_den"
    one = sorted(inbox.rglob(args.file))[0]
    other_inbox, other_one = inbox, one
    if args.other_demo is not None:
        other_inbox = args.other_demo.resolve() / "hop_thu_den"
        other_one = sorted(other_inbox.rglob(args.file))[0]
        print(f"other file: {other_one}\nother inbox: {other_inbox}")
    print(f"# xlsaddin start-up benchmark — {platform.python_version()}, {os.cpu_count()} cpus")
    print(f"python: {sys.executable}\nfile: {one}\ninbox: {inbox}")

    if args.only in (None, "validate"):
        cmds = {"xlsaddin validate": cli_argv(exe, "validate", str(one), *extra)}
        if args.other:
            cmds["other validate"] = cli_argv(args.other, "validate", str(other_one), *extra)
        cmds["openpyxl read (alt.)"] = [sys.executable, "-c", OPENPYXL_ALTERNATIVE, str(one)]
        cmds["python -c pass"] = [sys.executable, "-c", "pass"]
        compare("validate ONE.xlsx", cmds, args.runs, dict.fromkeys(cmds, work))
        if args.importtime:
            print("\n### import time: xlsaddin validate ONE.xlsx")
            importtime(
                ["-c", "from xlsaddin.cli import main; main()", "validate", str(one), *extra],
                work,
            )

    if args.only in (None, "consolidate"):
        counter = iter(range(10**6))

        def out_args(tag: str, source: Path = inbox) -> list[str]:
            # a wrapper shell would add a process; instead every run gets its own folder by
            # pointing --out into a fresh subfolder created here, ahead of the run
            folder = work / f"{tag}-{next(counter)}"
            folder.mkdir()
            return [
                "consolidate",
                str(source),
                "--out",
                str(folder / "TongHop.xlsx"),
                "--history",
                str(folder / "lich-su.sqlite"),
                *extra,
            ]

        # fresh output folders for every run: build the argv lists lazily per run
        def first_run() -> list[str]:
            (cache / "tep-da-doc.sqlite").unlink(missing_ok=True)  # nothing kept: read all
            return [exe, *out_args("first")]

        cmds2: dict[str, Callable[[], list[str]]] = {
            "xlsaddin consolidate": lambda: [exe, *out_args("xlsaddin")],
            "first run (read all)": first_run,
        }
        if args.other:
            # its own cache folder (the first run above deletes this one's store): it runs
            # after an earlier run of its own too. ``env`` replaces itself with the command.
            other = ["env", f"XLSADDIN_CACHE={work / 'cache-other'}", args.other]
            cmds2["other consolidate"] = lambda: [*other, *out_args("other", other_inbox)]
        floor = [sys.executable, "-c", CALAMINE_FLOOR, str(inbox)]
        cmds2["calamine read floor"] = lambda: floor
        n_files = sum(1 for _ in inbox.rglob("*.xlsx"))
        compare_fresh(f"consolidate {inbox.name} ({n_files} files)", cmds2, args.runs, work)
        if args.importtime:
            print("\n### import time: xlsaddin consolidate")
            importtime(
                ["-c", "from xlsaddin.cli import main; main()", *out_args("importtime")], work
            )
    if args.only == "demo":
        counter = iter(range(10**6))

        def demo_args(head: str, tag: str) -> list[str]:
            return [head, "demo", "--out", str(work / f"demo-{tag}-{next(counter)}")]

        cmds3: dict[str, Callable[[], list[str]]] = {
            "xlsaddin demo": lambda: demo_args(exe, "xlsaddin")
        }
        if args.other:
            other_exe = args.other
            cmds3["other demo"] = lambda: demo_args(other_exe, "other")
        compare_fresh("demo --out NEW", cmds3, args.runs, work)
    shutil.rmtree(work, ignore_errors=True)


def compare_fresh(
    title: str, commands: dict[str, Callable[[], list[str]]], runs: int, cwd: Path
) -> None:
    """Like ``compare``, for commands whose argv is made anew for each run (a fresh
    output folder)."""
    print(f"\n## {title}\n  load before: {loadavg()}")
    for name, make in commands.items():  # warm-up
        first = run_once(make(), cwd)
        print(f"  {name}: exit {first.code} (warm-up)")
    results: dict[str, list[Run]] = defaultdict(list)
    loads = []
    for _ in range(runs):
        loads.append(loadavg().split()[0])
        for name, make in commands.items():
            results[name].append(run_once(make(), cwd))
    print(f"  load after: {loadavg()}; 1-min load before each round: {' '.join(loads)}")
    print(f"  {runs} counted runs each, seconds")
    for name, rs in results.items():
        codes = sorted({r.code for r in rs})
        print(f"  {name:>24}: wall {stats([r.wall for r in rs])}  exit {codes}")
        print(f"  {'':>24}  cpu  {stats([r.cpu for r in rs])}")
        print(f"  {'':>24}  peak {statistics.median([r.maxrss_mib for r in rs]):.0f} MiB")
    names = list(results)
    for other in names[1:]:
        pairs = zip(results[names[0]], results[other], strict=True)
        ratios = [a.wall / b.wall for a, b in pairs]
        cpu = [a.cpu / b.cpu for a, b in zip(results[names[0]], results[other], strict=True)]
        print(f"  ratio wall {names[0]} / {other}: {stats(ratios)}")
        print(f"  ratio cpu  {names[0]} / {other}: {stats(cpu)}")


if __name__ == "__main__":
    main()
