"""Property: no cell value, file name or sheet name makes validate -> consolidate -> report
raise, print a traceback, or come out as a live formula or field.

Examples are drawn deterministically (``derandomize``) so the suite is stable; set
``XLSADDIN_FUZZ_EXAMPLES`` to run more of them locally.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import zipfile
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console

from tests.hostile import INJECTIONS, SENTINEL, _patch_sheet_values
from xlsaddin.consolidate.render import print_headlines, print_summary
from xlsaddin.core.codes import CATALOGUE
from xlsaddin.forms import Filled, write_workbook
from xlsaddin.pipeline import Outputs, run_consolidation
from xlsaddin.spec import Mappings, load_mappings
from xlsaddin.units import by_code
from xlsaddin.validate.annotate import annotate_all
from xlsaddin.validate.render import print_validation
from xlsaddin.validate.run import validate_paths

from .conftest import ROOT

EXAMPLES = int(os.environ.get("XLSADDIN_FUZZ_EXAMPLES", "12"))
MAPPINGS: Mappings = load_mappings(ROOT / "mappings")
FINANCE = MAPPINGS.appendix("nguon_luc_tai_chinh")
INPUTS = [c.key for c in FINANCE.table.columns if c.is_input]
#: Values XlsxWriter cannot write; they go in as the sentinel and are patched into the XML.
RAW = {"nan": b"NaN", "inf": b"inf", "-inf": b"-inf", "max": b"1.7976931348623157E+308"}

texts = st.text(st.characters(blacklist_categories=["Cs"]), max_size=40)
cell_values = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(sorted(RAW)),
    st.integers(min_value=-(10**30), max_value=10**30),
    texts,
    st.sampled_from(sorted(INJECTIONS.values())),
    st.from_regex(r"-?[0-9][0-9.,]{0,45}", fullmatch=True),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(9999, 12, 31)),
    st.none(),
)
file_names = st.text(
    st.characters(blacklist_categories=["Cs"], blacklist_characters="/\x00"),
    min_size=1,
    max_size=40,
).filter(lambda n: not n.startswith((".", "~$")) and n.strip(".") and len(n.encode()) < 200)
sheet_names = st.text(st.characters(blacklist_categories=["Cs", "Cc"]), min_size=1, max_size=40)


def _workbook(folder: Path, name: str, values: dict[str, Any], sheet: str | None) -> Path:
    row: dict[str, object] = {}
    raw: bytes | None = None
    for key, value in values.items():
        if isinstance(value, str) and value in RAW and raw is None:
            row[key], raw = SENTINEL, RAW[value]
        else:
            row[key] = value
    path = write_workbook(
        MAPPINGS,
        FINANCE,
        folder / f"{name}.xlsx",
        unit=by_code(21484),
        fill=Filled(
            header={"reporter": values.get("noi_dung_giai_ngan")}, rows={"chi_dau_tu": row}
        ),
    )
    if raw is not None:
        _patch_sheet_values(path, raw)
    if sheet is not None:  # rename the lists sheet to anything, as a crafted file may
        _rename_sheet(path, "_lists", sheet)
    return path


def _rename_sheet(path: Path, old: str, new: str) -> None:
    data = path.read_bytes()
    out = Path(str(path) + ".tmp")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            part = zin.read(info.filename)
            if info.filename == "xl/workbook.xml":
                part = part.replace(
                    f'name="{old}"'.encode(), f'name="{escape(new, {chr(34): "&quot;"})}"'.encode()
                )
            zout.writestr(info, part)
    out.replace(path)
    assert data != path.read_bytes()


def _formulas_and_fields(path: Path) -> list[str]:
    found = []
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.endswith(".xml"):
                text = zf.read(name).decode("utf-8", "replace")
                found += re.findall(r"<(?:\w+:)?f(?:\s[^>]*)?>([^<]*)<", text)
                found += re.findall(r"<w:instrText[^>]*>([^<]*)<", text)
                found += re.findall(r'<w:fldSimple[^>]*w:instr="([^"]*)"', text)
    return found


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    values=st.dictionaries(st.sampled_from(INPUTS), cell_values, max_size=len(INPUTS)),
    name=file_names,
    sheet=st.one_of(st.none(), sheet_names),
)
def test_no_value_or_name_breaks_any_output(
    values: dict[str, Any], name: str, sheet: str | None, tmp_path_factory: Any
) -> None:
    work = tmp_path_factory.mktemp("fuzz")
    inbox = work / "hop_thu"
    inbox.mkdir()
    try:
        _workbook(inbox, name, values, sheet)
    except (ValueError, TypeError, OverflowError):
        return  # XlsxWriter refused to write it: nothing a commune could send either
    console = Console(record=True, width=120, force_terminal=False)
    validation = validate_paths([inbox], MAPPINGS, processes=1)
    for issue in validation.report.issues:
        assert issue.code in CATALOGUE or any(r.id == issue.code for r in FINANCE.rules)
    print_validation(validation, console, detail=True)
    annotate_all(validation.files, work / "ban_sao", processes=1)
    out = work / "tong_hop"
    outputs = Outputs(
        workbook=out / "T.xlsx",
        json=out / "T.json",
        report_docx=out / "BC.docx",
        report_xlsx=out / "B.xlsx",
    )
    run = run_consolidation([inbox], MAPPINGS, outputs=outputs, processes=1)
    print_summary(run.consolidation, console)
    print_headlines(run.consolidation, console)
    assert "\x1b" not in console.export_text()

    attacker = [v for v in values.values() if isinstance(v, str) and len(v) >= 6]
    attacker += [name] if len(name) >= 6 else []
    attacker += [sheet] if sheet and len(sheet) >= 6 else []
    written = [*out.glob("*.xlsx"), *(work / "ban_sao").glob("*.xlsx")]
    for path in written:
        for formula in _formulas_and_fields(path):
            assert not any(a in formula for a in attacker), (path.name, formula)
    for field in _formulas_and_fields(out / "BC.docx"):
        assert field.strip() == "PAGE", field
