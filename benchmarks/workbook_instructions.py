"""Benchmark: instructions per provincial workbook, counted by valgrind's callgrind.

Wall times of the provincial workbook swing by tens of percent on the project's VM; the
number of instructions does not. Run this script under callgrind twice, writing the
workbook once and three times; half the difference is one workbook:

    valgrind --tool=callgrind --callgrind-out-file=/dev/null \\
        python benchmarks/workbook_instructions.py --demo D --times 1 [--without X]
    valgrind --tool=callgrind --callgrind-out-file=/dev/null \\
        python benchmarks/workbook_instructions.py --demo D --times 3 [--without X]

(each prints "Collected : N"; run it once without valgrind first, so that the inbox's
files are read and kept: the counted runs then recall them). ``--without`` switches off
one of xlsaddin's XlsxWriter overrides: ``_write_cell`` (XlsxWriter's own cell writer) or
``QuickZipWorkbook`` (XlsxWriter's Workbook, zip level 6). Figures: docs/performance.md.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import xlsxwriter

from xlsaddin.consolidate import consolidate
from xlsaddin.report import province_workbook
from xlsaddin.spec import load_mappings
from xlsaddin.xlsx import ClassicWorksheet


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--demo", type=Path, required=True, help="folder of 'xlsaddin demo'")
    parser.add_argument("--times", type=int, default=1, help="workbooks written")
    parser.add_argument("--without", choices=["_write_cell", "QuickZipWorkbook"])
    args = parser.parse_args()
    mappings = load_mappings()
    result = consolidate([args.demo / "hop_thu_den"], mappings)
    if args.without == "_write_cell":
        delattr(ClassicWorksheet, "_write_cell")
    elif args.without == "QuickZipWorkbook":
        setattr(province_workbook, args.without, xlsxwriter.Workbook)
    out = Path(tempfile.mkdtemp(prefix="xlsaddin-instr-")) / "TongHop.xlsx"
    for _ in range(args.times):
        province_workbook.write_province_workbook(result, out, mappings, run_id="benchmark")
    print(f"wrote {args.times} provincial workbook(s) to {out}")


if __name__ == "__main__":
    main()
