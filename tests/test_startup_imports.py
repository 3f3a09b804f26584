"""Each command imports only what it uses (a guard, not a timing test).

``validate`` is what an officer waits for after pressing a button; ``consolidate`` is
the provincial one-click run. Heavy libraries they do not need must stay out of the
process (and out of its worker processes): the command is run with ``python -X
importtime``, which logs every module any of its processes imports.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import finance_workbook
from xlsaddin.demo import DemoResult
from xlsaddin.spec import Mappings

#: Never needed by validate or consolidate. openpyxl (and numpy, PIL through it) only for
#: ``validate --annotate``; python-docx and matplotlib only for the Word report;
#: SQLAlchemy not at all; vietnam_provinces' modules are replaced by its data file; the
#: command line is argparse (typer and click are no longer dependencies).
NOT_FOR_VALIDATE = {
    "typer",
    "click",
    "openpyxl",
    "numpy",
    "PIL",
    "docx",
    "matplotlib",
    "sqlalchemy",
    "pandas",
    "formulas",
    "xlsxwriter",
    "vietnam_provinces",
}
NOT_FOR_CONSOLIDATE = NOT_FOR_VALIDATE - {"xlsxwriter"}


def _modules(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> set[str]:
    """Modules imported by ``xlsaddin ARGS`` (the process and its workers)."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "from xlsaddin.cli import main; main()", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
    )
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    names = set()
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and "self [us]" not in line:
            names.add(line.rsplit("|", 1)[1].strip())
    assert "xlsaddin.cli" in names  # the log was read
    return names


def _imported(args: list[str], cwd: Path) -> set[str]:
    """Top-level packages imported by ``xlsaddin ARGS`` (the process and its workers)."""
    return {name.split(".")[0] for name in _modules(args, cwd)}


def test_validate_imports_no_heavy_library(mappings: Mappings, tmp_path: Path) -> None:
    path = finance_workbook(mappings, tmp_path / "PL02.xlsx")
    assert _imported(["validate", str(path)], tmp_path) & NOT_FOR_VALIDATE == set()


def test_consolidate_imports_no_report_library(demo: DemoResult, tmp_path: Path) -> None:
    args = ["consolidate", str(demo.inbox), "--out", str(tmp_path / "TongHop.xlsx")]
    assert _imported(args, tmp_path) & NOT_FOR_CONSOLIDATE == set()


#: What reading a returned file needs (intake, the readers, the worker processes, babel
#: for numbers typed as text).
READERS = {
    "python_calamine",
    "olefile",
    "babel",
    "multiprocessing",
    "xlsaddin.intake.inspect",
    "xlsaddin.intake.sniff",
    "xlsaddin.intake.worker",
    "xlsaddin.read.workbook",
    "xlsaddin.read.typed",
    "xlsaddin.validate.engine",
    "xlsaddin.validate.reading",
}


def test_a_consolidation_that_reads_nothing_new_imports_no_reader(
    demo: DemoResult, tmp_path: Path
) -> None:
    """Every outcome kept by an earlier run (``validate/reuse.py``): nothing is read, and
    none of what reading needs is imported (about 50 ms of a run)."""
    env = {**os.environ, "XLSADDIN_CACHE": str(tmp_path / "cache")}
    first = _modules(
        ["consolidate", str(demo.inbox), "--out", str(tmp_path / "a.xlsx")], tmp_path, env
    )
    assert first >= READERS  # the first run reads every file: the names are real modules
    again = _modules(
        ["consolidate", str(demo.inbox), "--out", str(tmp_path / "b.xlsx")], tmp_path, env
    )
    assert again & READERS == set()
