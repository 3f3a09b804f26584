"""Compute a workbook's check sheet with engines other than Python.

* ``formulas`` (Python port of the Excel calculation engine), from the formulas
  as written, ignoring any cached value;
* LibreOffice headless, converting xlsx -> xlsx in a throwaway profile set to
  always recalculate OOXML files on load (OOXMLRecalcMode=0), then reading the
  recalculated cached values with python-calamine.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import formulas
from python_calamine import CalamineWorkbook

from xlsaddin.core.sheets import CHECK_SHEET
from xlsaddin.forms.checksheet import FIRST_CHECK_ROW

RECALC_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
<prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""

Verdict = tuple[dict[str, int], str]  # check id -> flag, status text


def _ids(path: Path) -> list[str]:
    rows = (
        CalamineWorkbook.from_path(str(path))
        .get_sheet_by_name(CHECK_SHEET)
        .to_python(skip_empty_area=False)
    )
    return [str(r[1]) for r in rows[FIRST_CHECK_ROW:] if len(r) > 1 and r[1]]


def formulas_verdict(path: Path) -> Verdict:
    model = formulas.ExcelModel().loads(str(path)).finish()
    solution = model.calculate()
    sheet = f"'[{path.name}]{CHECK_SHEET.upper()}'!"
    flags = {}
    for n, check_id in enumerate(_ids(path)):
        value = solution[f"{sheet}G{FIRST_CHECK_ROW + n + 1}"].value[0][0]
        flags[check_id] = int(value)
    status = solution[f"{sheet}C3"].value[0][0]
    return flags, str(status)


def libreoffice_recalculate(
    exe: str, files: list[Path], out_dir: Path, profile: Path
) -> list[Path]:
    user = profile / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(RECALC_XCU, encoding="utf-8")
    out_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            exe,
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{profile}",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
            str(out_dir),
            *map(str, files),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return [out_dir / f.name for f in files]


def cached_verdict(path: Path) -> Verdict:
    rows = (
        CalamineWorkbook.from_path(str(path))
        .get_sheet_by_name(CHECK_SHEET)
        .to_python(skip_empty_area=False)
    )
    flags = {str(r[1]): int(r[6] or 0) for r in rows[FIRST_CHECK_ROW:] if len(r) > 6 and r[1]}
    return flags, str(rows[2][2])
