"""Macro-enabled workbooks: VBA built from macros/ on Linux, buttons wired to real macros."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from oletools.olevba import VBA_Parser

from xlsaddin.forms.control import CONTROL_FILE, INPUTS
from xlsaddin.spec import load_mappings
from xlsaddin.vba import read_bas

from .conftest import LibreOffice
from .paths import ROOT, SHIPPED_MAPPINGS

WORKBOOKS = ROOT / "workbooks"
MACROS = ROOT / "macros"


def _normalise(code: str) -> str:
    lines = [ln.rstrip() for ln in code.replace("\r\n", "\n").split("\n")]
    return "\n".join(ln for ln in lines if not ln.startswith("Attribute VB_")).strip()


def _standard_modules(path: Path) -> dict[str, str]:
    parser = VBA_Parser(str(path))
    try:
        return {
            name.removesuffix(".bas"): _normalise(code)
            for _, _, name, code in parser.extract_macros()
            if name.endswith(".bas")
        }
    finally:
        parser.close()


def test_xlsm_files_carry_exactly_the_macros_folder() -> None:
    expected = {name: _normalise(src) for name, src in map(read_bas, sorted(MACROS.glob("*.bas")))}
    xlsm = sorted(WORKBOOKS.glob("*.xlsm"))
    # one per shipped appendix, and the control workbook
    appendices = load_mappings(SHIPPED_MAPPINGS).appendices
    assert len(xlsm) == len(appendices) + 1 and (WORKBOOKS / CONTROL_FILE) in xlsm
    for path in xlsm:
        assert _standard_modules(path) == expected, path.name


def test_xlsx_variants_carry_no_macros() -> None:
    for path in sorted(WORKBOOKS.glob("*.xlsx")):
        with zipfile.ZipFile(path) as zf:
            assert not [n for n in zf.namelist() if "vba" in n.lower()], path.name
        parser = VBA_Parser(str(path))
        assert not parser.detect_vba_macros(), path.name
        parser.close()


def _buttons(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as zf:
        vml = [zf.read(n).decode() for n in zf.namelist() if n.endswith(".vml")]
    return re.findall(r"<x:FmlaMacro>\[0\]!(\w+)</x:FmlaMacro>", "".join(vml))


def test_buttons_call_subs_that_exist() -> None:
    subs = set(
        re.findall(r"^Sub (\w+)\(\)", (MACROS / "xlsaddin_nut_bam.bas").read_text(), re.MULTILINE)
    )
    assert _buttons(WORKBOOKS / CONTROL_FILE) == ["TongHop", "DanhSachChuaNop", "LapBaoCao"]
    for path in WORKBOOKS.glob("PL*.xlsm"):
        assert _buttons(path) == ["KiemTra"], path.name
    every = set(_buttons(WORKBOOKS / CONTROL_FILE)) | {"KiemTra"}
    assert every <= subs


def test_control_workbook_names_match_the_button_functions() -> None:
    import openpyxl

    book = openpyxl.load_workbook(WORKBOOKS / CONTROL_FILE)
    names = set(book.defined_names)
    assert {n for n, _, _ in INPUTS} | {"ctl_status", "ctl_list"} <= names
    assert "xlwings.conf" in book.sheetnames
    source = (ROOT / "xlsaddin" / "excel.py").read_text(encoding="utf-8")
    used = set(re.findall(r'"(ctl_\w+)"', source))
    assert used <= names


@pytest.mark.libreoffice
def test_xlsm_files_open_in_libreoffice(soffice: LibreOffice, tmp_path: Path) -> None:
    files = sorted(WORKBOOKS.glob("*.xlsm"))
    result = soffice.convert(files, tmp_path)
    assert result.returncode == 0, result.stderr
    for f in files:
        assert (tmp_path / f"{f.stem}.pdf").stat().st_size > 3000, f.name
