"""Cross-engine agreement: Python verdict == 'Kiểm tra' sheet computed by formulas and LibreOffice.

For every appendix, clean values plus packed mutations produce workbooks in
which every rule and every built-in check is violated somewhere and satisfied
somewhere. Workbooks are written *without* cached results, so the Excel
engines must compute the check sheet themselves. A rule added to mappings/
without a case in RULE_CASES fails ``test_every_rule_has_an_agreement_case``.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from xlsaddin.demo import values as demo_values
from xlsaddin.forms import Filled, write_workbook
from xlsaddin.read import read_file
from xlsaddin.spec import AppendixSpec, Mappings
from xlsaddin.spec.models import Column, DeadlineRule
from xlsaddin.validate.engine import check_table

from .conftest import LibreOffice
from .engines import cached_verdict, formulas_verdict, libreoffice_recalculate

Row = dict[str, Any]
CLOSING = dt.date(2025, 12, 15)  # default period 2025-q4


def _sub(days: int) -> dt.date:
    return CLOSING - dt.timedelta(days=days)


def _pos(row: Row, *keys: str) -> None:
    for k in keys:
        if not isinstance(row.get(k), (int, float)):
            row[k] = 10


def _content_missing(r: Row) -> None:
    _pos(r, "duoc_phan_bo")
    r["da_giai_ngan"] = min(1.5, r["duoc_phan_bo"])
    r["noi_dung_giai_ngan"] = None


# rule id -> (mutation, columns it touches)
RULE_CASES: dict[str, tuple[Callable[[Row], None], set[str]]] = {
    "equipment-quantity-missing": (
        lambda r: r.update(ket_qua="Đạt", so_luong=0),
        {"ket_qua", "so_luong"},
    ),
    "allocation-sum-mismatch": (
        lambda r: r.update(chua_phan_bo=r["chua_phan_bo"] + 50),
        {"chua_phan_bo"},
    ),
    "disbursed-over-allocated": (
        lambda r: r.update(da_giai_ngan=r["duoc_phan_bo"] + 10),
        {"da_giai_ngan"},
    ),
    "approved-over-estimate": (lambda r: r.update(du_toan=r["duoc_duyet"] - 1), {"du_toan"}),
    "disbursed-content-missing": (_content_missing, {"da_giai_ngan", "noi_dung_giai_ngan"}),
    "received-split-mismatch": (lambda r: r.update(tiep_nhan=r["tiep_nhan"] + 10), {"tiep_nhan"}),
    "processed-over-received": (
        lambda r: r.update(dung_han=r["tiep_nhan"] + r["ky_truoc_chuyen_sang"] + 5),
        {"dung_han"},
    ),
    "overdue-cumulative-below-period": (
        lambda r: r.update(qua_han_dang_xu_ly=5, qua_han_luy_ke=2),
        {"qua_han_dang_xu_ly", "qua_han_luy_ke"},
    ),
    "overdue-reason-missing": (
        lambda r: r.update(qua_han_da_giai_quyet=2, nguyen_nhan=None),
        {"qua_han_da_giai_quyet", "nguyen_nhan"},
    ),
    "completion-date-missing": (
        lambda r: r.update(ket_qua="Đã hoàn thành", ngay_hoan_thanh=None),
        {"ket_qua", "ngay_hoan_thanh"},
    ),
    "completion-date-not-done": (
        lambda r: r.update(ket_qua="Đang thực hiện", ngay_hoan_thanh=_sub(5)),
        {"ket_qua", "ngay_hoan_thanh"},
    ),
    "task-overdue": (
        lambda r: r.update(thoi_han=_sub(30), ket_qua="Đang thực hiện", ngay_hoan_thanh=None),
        {"thoi_han", "ket_qua", "ngay_hoan_thanh"},
    ),
    "task-completed-late": (
        lambda r: r.update(thoi_han=_sub(60), ket_qua="Đã hoàn thành", ngay_hoan_thanh=_sub(10)),
        {"thoi_han", "ket_qua", "ngay_hoan_thanh"},
    ),
}

# built-in check code -> (applies to column?, bad value)
BUILTIN_CASES: dict[str, tuple[Callable[[Column], bool], Callable[[Column], object]]] = {
    "required-missing": (lambda c: c.required, lambda c: None),
    "number-as-text": (lambda c: c.is_numeric, lambda c: "1.234,5"),
    "number-out-of-range": (lambda c: c.is_numeric, lambda c: -5),
    "number-not-integer": (lambda c: c.type == "int", lambda c: 2.5),
    "date-as-text": (lambda c: c.type == "date", lambda c: "31/08/2025"),
    "date-out-of-range": (lambda c: c.type == "date", lambda c: dt.date(1995, 1, 1)),
    "choice-invalid": (lambda c: bool(c.allowed), lambda c: "Khác"),
}

# semantics at the edges: both engines must still agree (no violation expected)
EDGE_CASES: dict[str, tuple[Callable[[Column], bool], Callable[[Column], object]]] = {
    "lower-case-choice": (lambda c: bool(c.allowed), lambda c: c.allowed[0].lower()),
    "padded-choice": (lambda c: bool(c.allowed), lambda c: f"  {c.allowed[0]} "),
    "spaces-in-number": (lambda c: c.is_numeric and not c.required, lambda c: "   "),
}


def clean_rows(spec: AppendixSpec, mappings: Mappings) -> Any:
    rng = random.Random(7)
    if spec.id == "tieu_chi_ha_tang":
        return demo_values.criteria_rows(spec, rng, meets_all=True)
    if spec.id == "nguon_luc_tai_chinh":
        rows = demo_values.finance_rows(rng)
        rows["chi_thuong_xuyen"].update(  # 0.1 + 0.2 == 0.3 must hold in every engine
            duoc_duyet=0.3, duoc_phan_bo=0.1, chua_phan_bo=0.2, da_giai_ngan=0.1
        )
        return rows
    if spec.id == "ket_qua_tthc":
        return demo_values.tthc_rows(rng)
    if spec.id == "nhiem_vu":
        period = mappings.project.period()
        tasks: list[Row] = []
        while len(tasks) < spec.table.max_rows:
            tasks.extend(demo_values.task_rows(rng, period))
        return tasks[: spec.table.max_rows]
    raise AssertionError(f"no clean values for {spec.id}: add them to the agreement test")


@dataclass
class Plan:
    """Workbooks to write for one appendix: clean values, then mutated copies."""

    base: Any
    files: list[Any] = field(default_factory=list)
    touched: list[dict[str, set[str]]] = field(default_factory=list)

    def place(self, keys: list[str], fn: Callable[[Row], None], cols: set[str]) -> None:
        for values, used in zip(self.files, self.touched, strict=True):
            for key in keys:
                if not used.setdefault(key, set()) & cols:
                    fn(_row(values, key))
                    used[key] |= cols
                    return
        self.files.append(copy.deepcopy(self.base))
        self.touched.append({})
        self.place(keys, fn, cols)


def _row(values: Any, key: str) -> Row:
    return values[int(key) - 1] if isinstance(values, list) else values[key]


def plan_for(spec: AppendixSpec, mappings: Mappings) -> Plan:
    base = clean_rows(spec, mappings)
    plan = Plan(base)
    if isinstance(spec.table.rows, tuple):
        keys = [r.key for r in spec.table.rows if r.kind == "input"]
        attrs = {r.key: r for r in spec.table.rows}
    else:
        keys = [str(i + 1) for i in range(spec.table.max_rows)]
        attrs = {}
    for col in spec.table.columns:
        if not col.is_input:
            continue
        for applies, bad in (*BUILTIN_CASES.values(), *EDGE_CASES.values()):
            if applies(col):
                value = bad(col)
                plan.place(keys, lambda r, k=col.key, v=value: r.__setitem__(k, v), {col.key})
    for rule in spec.rules:
        fn, cols = RULE_CASES[rule.id]
        wanted = getattr(rule, "rows", None)
        rule_keys = [
            k for k in keys if not wanted or all(attrs[k].attr(a) == v for a, v in wanted.items())
        ]
        plan.place(rule_keys, fn, cols)
    return plan


def test_every_rule_has_an_agreement_case(mappings: Mappings) -> None:
    rules = {r.id for spec in mappings.appendices for r in spec.rules}
    assert rules <= set(RULE_CASES), f"add agreement cases for: {sorted(rules - set(RULE_CASES))}"


AGREEMENT_ROWS = 30  # rows of a free table written here: every row has the same checks


def _sized(spec: AppendixSpec) -> AppendixSpec:
    """A free table cut to AGREEMENT_ROWS rows: the engines compute the same formulas per
    row, so 30 rows prove what 300 would, at a tenth of the formulas to compute."""
    if spec.table.fixed_rows or spec.table.max_rows <= AGREEMENT_ROWS:
        return spec
    table = spec.table.model_copy(update={"max_rows": AGREEMENT_ROWS})
    return spec.model_copy(update={"table": table})


@pytest.fixture(scope="module")
def written(mappings: Mappings, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Path]]:
    out = tmp_path_factory.mktemp("agreement")
    files: dict[str, list[Path]] = {}
    for spec in map(_sized, mappings.appendices):
        plan = plan_for(spec, mappings)
        paths = []
        for n, values in enumerate([plan.base, *plan.files]):
            path = out / f"{spec.code}_{n:02d}.xlsx"
            fill = Filled(header={"unit_name": "Xã Ba Tơ"}, rows=values, cache_results=False)
            write_workbook(mappings, spec, path, fill=fill)
            paths.append(path)
        files[spec.id] = paths
    return files


def python_verdict(path: Path, mappings: Mappings) -> dict[str, int]:
    table = read_file(path, mappings, hashlib.sha256(path.read_bytes()).hexdigest())
    assert not isinstance(table, list), table
    issues = check_table(table, mappings)
    return {i.rule: 1 for i in issues if i.rule}


def _violated(flags: dict[str, int]) -> set[str]:
    return {k for k, v in flags.items() if v}


def test_cached_results_are_really_absent(written: dict[str, list[Path]]) -> None:
    for paths in written.values():
        flags, status = cached_verdict(paths[-1])
        assert not _violated(flags) and status in ("", "0")


def test_coverage_every_check_violated_somewhere(
    written: dict[str, list[Path]], mappings: Mappings
) -> None:
    for spec in mappings.appendices:
        verdicts = [python_verdict(p, mappings) for p in written[spec.id]]
        codes = {k.split(":")[0] for v in verdicts for k in v}
        expected = {r.id for r in spec.rules}
        for col in spec.table.columns:
            if col.is_input:
                expected |= {code for code, (applies, _) in BUILTIN_CASES.items() if applies(col)}
        assert expected <= codes, (spec.id, sorted(expected - codes))
        clean = {k.split(":")[0] for k in verdicts[0]}
        deadline = {r.id for r in spec.rules if isinstance(r, DeadlineRule)}
        assert not clean - deadline, (spec.id, "clean file violates", sorted(clean - deadline))


def test_python_agrees_with_formulas(written: dict[str, list[Path]], mappings: Mappings) -> None:
    for spec_id, paths in written.items():
        for path in paths:
            flags, status = formulas_verdict(path)
            py = python_verdict(path, mappings)
            assert _violated(flags) == set(py), (
                spec_id,
                path.name,
                sorted(_violated(flags) ^ set(py)),
            )
            errors = sum(1 for k in py if _severity(mappings, spec_id, k) == "error")
            assert status.startswith("Còn") == (errors > 0), (path.name, status)


@pytest.mark.libreoffice
def test_python_agrees_with_libreoffice(
    written: dict[str, list[Path]], mappings: Mappings, soffice: LibreOffice, tmp_path: Path
) -> None:
    every = [p for paths in written.values() for p in paths]
    recalculated = libreoffice_recalculate(soffice.exe, every, tmp_path / "out", tmp_path / "prof")
    for original, converted in zip(every, recalculated, strict=True):
        flags, status = cached_verdict(converted)
        py = python_verdict(original, mappings)
        assert _violated(flags) == set(py), (original.name, sorted(_violated(flags) ^ set(py)))
        assert status, original.name


def _severity(mappings: Mappings, spec_id: str, check_id: str) -> str:
    code = check_id.split(":")[0]
    for rule in mappings.appendix(spec_id).rules:
        if rule.id == code:
            return rule.severity
    return "error"
