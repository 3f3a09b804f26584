"""Cross-engine agreement: Python verdict == 'Kiểm tra' sheet computed by formulas and LibreOffice.

For every appendix, clean values plus packed mutations produce workbooks in
which every rule and every built-in check is violated somewhere and satisfied
somewhere. Workbooks are written *without* cached results, so the Excel
engines must compute the check sheet themselves. Clean values and each rule's
violation are generated from the declarations (``xlsaddin.demo.synth``), so a
rule added to mappings/ is covered with no change here.
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

from xlsaddin.core import codes
from xlsaddin.demo import synth
from xlsaddin.forms import Filled, write_workbook
from xlsaddin.read import read_file
from xlsaddin.spec import AppendixSpec, Mappings
from xlsaddin.spec.expr import names
from xlsaddin.spec.models import CheckRule, Column, DeadlineRule
from xlsaddin.validate.engine import check_table

from .conftest import LibreOffice
from .engines import cached_verdict, formulas_verdict, libreoffice_recalculate

Row = dict[str, Any]
CLOSING = dt.date(2025, 12, 15)  # default period 2025-q4
FREE_ROWS = 30  # rows filled in a free table (the check sheet covers every row anyway)


def _sub(days: int) -> dt.date:
    return CLOSING - dt.timedelta(days=days)


def rule_case(
    spec: AppendixSpec, rule: CheckRule | DeadlineRule
) -> tuple[Callable[[Row], None], set[str]]:
    """A mutation that violates ``rule`` on a row, derived from its declaration alone,
    and the columns it touches (so that cases packed into one file do not collide)."""
    if isinstance(rule, CheckRule):
        used = names(rule.expr) | (names(rule.when) if rule.when else set())
        rng = random.Random(f"agreement-{rule.id}")
        return (lambda r: synth.violate(spec, rule, r, rng, CLOSING)), used
    touched = {rule.deadline, rule.completed_on, rule.status}
    others = [c for c in spec.column(rule.status).allowed if c.casefold() != rule.done.casefold()]
    if rule.kind == "overdue":
        state = others[0] if others else "Chưa xong"
        return (
            lambda r: r.update(
                {rule.deadline: _sub(30), rule.status: state, rule.completed_on: None}
            )
        ), touched
    return (
        lambda r: r.update(
            {rule.deadline: _sub(60), rule.status: rule.done, rule.completed_on: _sub(10)}
        )
    ), touched


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
    """Values on which every check holds, generated from the declarations (any appendix)."""
    rng = random.Random(7)
    rows = synth.valid_rows(mappings, spec, rng, CLOSING, count=min(spec.table.max_rows, FREE_ROWS))
    if isinstance(rows, dict) and spec.id == "nguon_luc_tai_chinh":
        rows["chi_thuong_xuyen"].update(  # 0.1 + 0.2 == 0.3 must hold in every engine
            du_toan=0.3, duoc_duyet=0.3, duoc_phan_bo=0.1, chua_phan_bo=0.2, da_giai_ngan=0.1
        )
    return rows


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
        keys = [str(i + 1) for i in range(len(base))]
        attrs = {}
    for col in spec.table.columns:
        if not col.is_input:
            continue
        for applies, bad in (*BUILTIN_CASES.values(), *EDGE_CASES.values()):
            if applies(col):
                value = bad(col)
                plan.place(keys, lambda r, k=col.key, v=value: r.__setitem__(k, v), {col.key})
    for rule in spec.rules:
        fn, cols = rule_case(spec, rule)
        wanted = getattr(rule, "rows", None)
        rule_keys = [
            k for k in keys if not wanted or all(attrs[k].attr(a) == v for a, v in wanted.items())
        ]
        plan.place(rule_keys, fn, cols)
    return plan


def test_every_rule_gets_a_generated_case(mappings: Mappings) -> None:
    """Each rule's violation is derived from its expression; it really violates it."""
    for spec in mappings.appendices:
        base = clean_rows(spec, mappings)
        rows = list(base.values()) if isinstance(base, dict) else base
        for rule in spec.rules:
            if not isinstance(rule, CheckRule):
                continue
            fn, _ = rule_case(spec, rule)
            row = copy.deepcopy(rows[0])
            assert synth.holds(rule, row, {c.key: c for c in spec.table.columns}), rule.id
            fn(row)
            assert not synth.holds(rule, row, {c.key: c for c in spec.table.columns}), rule.id


# whole-form checks: (unit name typed, rows) -> which form checks are violated
FORM_CASES: dict[str, tuple[str | None, str]] = {
    "blank-unit": (None, "clean"),  # the blank template: no unit chosen
    "unit-not-in-list": ("xa ba to", "clean"),  # typed, not chosen: the code formula gives ""
    "unit-other-case": ("XÃ BA TƠ", "clean"),  # COUNTIF ignores case: a valid choice
    "empty-table": ("Xã Ba Tơ", "empty"),  # no row at all (only free tables have the check)
}


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
    form_specs = _form_case_specs(mappings)
    for spec in map(_sized, mappings.appendices):
        plan = plan_for(spec, mappings)
        paths = []
        for n, values in enumerate([plan.base, *plan.files]):
            path = out / f"{spec.code}_{n:02d}.xlsx"
            fill = Filled(header={"unit_name": "Xã Ba Tơ"}, rows=values, cache_results=False)
            write_workbook(mappings, spec, path, fill=fill)
            paths.append(path)
        for case, (unit, rows) in FORM_CASES.items() if spec.id in form_specs else ():
            values = plan.base if rows == "clean" or spec.table.fixed_rows else []
            header = {"unit_name": unit} if unit is not None else {}
            path = out / f"{spec.code}_{case}.xlsx"
            fill = Filled(header=header, rows=values, cache_results=False)
            write_workbook(mappings, spec, path, fill=fill)
            paths.append(path)
        files[spec.id] = paths
    return files


def _form_case_specs(mappings: Mappings) -> set[str]:
    """The form cases run on one fixed-row appendix and on every free table (the unit check
    is the same formula on every form; the empty-table check exists on free tables only)."""
    fixed = next(s.id for s in mappings.appendices if s.table.fixed_rows)
    return {fixed} | {s.id for s in mappings.appendices if not s.table.fixed_rows}


def test_form_cases_are_violated_where_expected(
    written: dict[str, list[Path]], mappings: Mappings
) -> None:
    """A blank or unlisted reporting unit is an error on every form, an empty free table a
    warning; a name in the list (any case) is fine (and every engine must agree, below)."""
    for spec in (mappings.appendix(a) for a in sorted(_form_case_specs(mappings))):
        by_case = {p.stem.split("_", 1)[1]: python_verdict(p, mappings) for p in written[spec.id]}
        unit_check = "unit-unknown:header:unit_name"
        assert unit_check in by_case["blank-unit"], spec.id
        assert unit_check in by_case["unit-not-in-list"], spec.id
        assert unit_check not in by_case["unit-other-case"], spec.id
        assert unit_check not in by_case["00"], spec.id
        empty = {k for k in by_case["empty-table"] if k.startswith("table-empty:")}
        assert bool(empty) == (not spec.table.fixed_rows), spec.id
        assert not any(k.startswith("table-empty:") for k in by_case["00"]), spec.id


def test_empty_task_table_is_not_ready_to_send(
    written: dict[str, list[Path]], mappings: Mappings
) -> None:
    path = next(p for p in written["nhiem_vu"] if p.stem.endswith("empty-table"))
    flags, status = formulas_verdict(path)
    assert status == "Chưa có nhiệm vụ nào (cảnh báo)"
    assert _violated(flags) == {"table-empty:table:ten_nhiem_vu"}


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
    catalogued = codes.lookup(code)
    return catalogued.severity if catalogued else "error"
