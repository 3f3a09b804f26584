"""Values for any appendix, from its declaration alone: column types, choices, bounds, rules.

``valid_rows`` draws plausible values for every input cell and then *repairs*
them until every declared check rule holds; ``violate`` changes a row so that
one given rule fails (and its ``when`` holds). Both solve the rule language
directly (:mod:`xlsaddin.spec.expr`): comparisons of linear arithmetic over
columns, text equality, ``filled()``/``blank()``, ``and``/``or``/``not``. A
comparison is satisfied by solving it for one of its columns (the expression
is linear in each column, so two evaluations give the line). The result is
always verified with the same checks validation runs; a draw that cannot be
repaired is drawn again.

The demo uses it for appendices it has no realistic profile for (a new
appendix is a YAML file only) and to make its profiles obey the rules; the
agreement tests use it to build a violated and a satisfied case of every rule.
"""

from __future__ import annotations

import ast
import datetime as dt
import math
import random
from collections.abc import Mapping, Sequence
from typing import Any

from xlsaddin.core.cells import EXCEL_EPOCH, is_blank
from xlsaddin.rules.checks import Check, RowContext, build_checks
from xlsaddin.rules.compile import NotApplicable, evaluate
from xlsaddin.spec.expr import check_types, operand_type
from xlsaddin.spec.layout import DataRow, compute_layout
from xlsaddin.spec.models import AppendixSpec, CheckRule, Column, Mappings, RowDef

Row = dict[str, Any]
ATTEMPTS = 40
PASSES = 6
TEXTS = (
    "Đã triển khai theo kế hoạch",
    "Đang rà soát, bổ sung",
    "Theo hướng dẫn của UBND tỉnh",
    "Phối hợp với các đơn vị liên quan",
)


class Unsolvable(Exception):
    """No value of the chosen column makes the comparison come out as wanted."""


# -- drawing -----------------------------------------------------------------------------


def draw_value(col: Column, rng: random.Random, closing: dt.date) -> Any:
    """A plausible value for one input cell (never blank)."""
    if col.type in ("choice", "bool"):
        return rng.choice(col.allowed)
    if col.type == "date":
        return closing - dt.timedelta(days=rng.randint(-90, 240))
    if col.is_numeric:
        low = col.lower_bound if col.lower_bound is not None else 0.0
        high = col.max if col.max is not None else max(low + 50, 200.0)
        high = min(high, low + 500)
        if col.type == "int":
            return rng.randint(math.ceil(low), math.floor(high))
        return round(rng.uniform(low, high), 1)
    return rng.choice(TEXTS)


def draw_row(
    spec: AppendixSpec, rng: random.Random, closing: dt.date, fill_optional: float = 0.7
) -> Row:
    row: Row = {}
    for col in spec.table.columns:
        if not col.is_input:
            continue
        if col.required or rng.random() < fill_optional:
            row[col.key] = draw_value(col, rng, closing)
        else:
            row[col.key] = None
    return row


# -- evaluating and solving --------------------------------------------------------------


def _arith(node: ast.expr, row: Mapping[str, Any], columns: Mapping[str, Column]) -> float:
    try:
        value = evaluate(node, row, columns)
    except NotApplicable as exc:
        raise Unsolvable(str(exc)) from None
    assert isinstance(value, float)
    return value


def _truth(node: ast.expr, row: Mapping[str, Any], columns: Mapping[str, Column]) -> bool:
    """Whether a condition holds on ``row``, exactly as validation evaluates it."""
    try:
        return bool(evaluate(node, row, columns))
    except NotApplicable as exc:
        raise Unsolvable(str(exc)) from None


def _names(node: ast.AST) -> list[str]:
    """Column keys used in ``node`` (function names excluded)."""
    called = {id(n.func) for n in ast.walk(node) if isinstance(n, ast.Call)}
    return sorted({n.id for n in ast.walk(node) if isinstance(n, ast.Name) and id(n) not in called})


def _as_cell(col: Column, x: float) -> Any:
    if col.type == "date":
        return EXCEL_EPOCH + dt.timedelta(days=round(x))
    if col.type == "int":
        return round(x)
    return round(x, 3)


def _fits(col: Column, x: float) -> bool:
    low, high = col.lower_bound, col.max
    if col.type == "date":
        low, high = 36526.0, 73415.0  # 2000-01-01 .. 2100-12-31 as serials
    if col.type == "int" and abs(x - round(x)) > 1e-9:
        return False
    return (low is None or x >= low - 1e-9) and (high is None or x <= high + 1e-9)


def _solve_compare(
    node: ast.Compare, row: Row, want: bool, columns: Mapping[str, Column], rng: random.Random
) -> None:
    """Set one column of ``row`` so that ``node`` evaluates to ``want``."""
    left, op, right = node.left, node.ops[0], node.comparators[0]
    if len(node.ops) != 1:
        raise Unsolvable("chained comparison")
    names = _names(node)
    if names and operand_type(columns[names[0]]) == "text":
        _solve_text(left, op, right, row, want, columns, rng)
        return
    candidates = [n for n in names if columns[n].is_input]
    rng.shuffle(candidates)
    for name in candidates:
        col = columns[name]
        saved = row.get(name)

        def f(x: float, name: str = name) -> float:
            row[name] = x
            return _arith(left, row, columns) - _arith(right, row, columns)

        try:
            f0, f1 = f(0.0), f(1.0)
        except Unsolvable:
            row[name] = saved
            continue
        slope = f1 - f0
        row[name] = saved
        if abs(slope) < 1e-12:
            continue
        root = -f0 / slope
        step = 1.0 if col.type in ("int", "date") else 0.5
        for x in _targets(op, root, slope, step, want, col):
            if _fits(col, x):
                row[name] = _as_cell(col, x)
                return
    raise Unsolvable(ast.unparse(node))


def _targets(
    op: ast.cmpop, root: float, slope: float, step: float, want: bool, col: Column
) -> list[float]:
    """Values of the solved column for which ``lhs - rhs`` has the wanted sign."""
    on: list[float] = [root] if col.type not in ("int", "date") else [float(round(root))]
    up = [root + step * k for k in (1, 3, 10)]
    down = [root - step * k for k in (1, 3, 10)]
    if col.type in ("int", "date"):
        up = [float(math.floor(root) + k) for k in (1, 3, 10)]
        down = [float(math.ceil(root) - k) for k in (1, 3, 10)]
    # the side where lhs - rhs > 0
    positive, negative = (up, down) if slope > 0 else (down, up)
    table: dict[type[ast.cmpop], tuple[list[float], list[float]]] = {
        ast.Eq: (on, positive + negative),
        ast.NotEq: (positive + negative, on),
        ast.Lt: (negative, on + positive),
        ast.LtE: (on + negative, positive),
        ast.Gt: (positive, on + negative),
        ast.GtE: (on + positive, negative),
    }
    true_side, false_side = table[type(op)]
    return true_side if want else false_side


def _solve_text(
    left: ast.expr,
    op: ast.cmpop,
    right: ast.expr,
    row: Row,
    want: bool,
    columns: Mapping[str, Column],
    rng: random.Random,
) -> None:
    name_node, other = (left, right) if isinstance(left, ast.Name) else (right, left)
    if not isinstance(name_node, ast.Name):
        raise Unsolvable("text comparison without a column")
    col = columns[name_node.id]
    if isinstance(other, ast.Constant):
        target = str(other.value)
    elif isinstance(other, ast.Name):
        target = str(row.get(other.id) or "")
    else:
        raise Unsolvable("text comparison")
    equal = want == isinstance(op, ast.Eq)
    if equal:
        row[col.key] = target
        return
    others = [a for a in col.allowed if a.casefold() != target.casefold()]
    row[col.key] = rng.choice(others) if others else f"{target} (khác)"


def make(
    node: ast.expr,
    row: Row,
    want: bool,
    columns: Mapping[str, Column],
    rng: random.Random,
    closing: dt.date,
) -> None:
    """Change ``row`` so that the condition ``node`` evaluates to ``want``."""
    if _truth(node, row, columns) == want:
        return
    if isinstance(node, ast.UnaryOp):
        make(node.operand, row, not want, columns, rng, closing)
    elif isinstance(node, ast.BoolOp):
        conj = isinstance(node.op, ast.And)
        if conj == want:  # every operand must come out as wanted
            for value in node.values:
                make(value, row, want, columns, rng, closing)
        else:  # one operand suffices
            make(rng.choice(node.values), row, want, columns, rng, closing)
    elif isinstance(node, ast.Call):
        assert isinstance(node.func, ast.Name) and isinstance(node.args[0], ast.Name)
        col = columns[node.args[0].id]
        filled = want == (node.func.id == "filled")
        row[col.key] = draw_value(col, rng, closing) if filled else None
    elif isinstance(node, ast.Compare):
        _solve_compare(node, row, want, columns, rng)
    else:
        raise Unsolvable(type(node).__name__)


# -- rows --------------------------------------------------------------------------------


def _row_matches(rule: CheckRule, definition: RowDef | None) -> bool:
    if rule.rows is None:
        return True
    return definition is not None and all(definition.attr(k) == v for k, v in rule.rows.items())


def holds(rule: CheckRule, row: Row, columns: Mapping[str, Column]) -> bool:
    """The rule holds on ``row`` (its ``when`` false, or its ``expr`` true)."""
    if rule.when is not None and not _truth(check_types(rule.when, columns).body, row, columns):
        return True
    return _truth(check_types(rule.expr, columns).body, row, columns)


def repair(
    spec: AppendixSpec,
    row: Row,
    definition: RowDef | None,
    rng: random.Random,
    closing: dt.date,
) -> None:
    """Change ``row`` until every check rule that applies to it holds."""
    columns = {c.key: c for c in spec.table.columns}
    rules = [r for r in spec.rules if isinstance(r, CheckRule) and _row_matches(r, definition)]
    for _ in range(PASSES):
        broken = [r for r in rules if not holds(r, row, columns)]
        if not broken:
            return
        for rule in broken:
            make(check_types(rule.expr, columns).body, row, True, columns, rng, closing)
    if any(not holds(r, row, columns) for r in rules):
        raise Unsolvable("rules still violated")


def violate(
    spec: AppendixSpec,
    rule: CheckRule,
    row: Row,
    rng: random.Random,
    closing: dt.date,
) -> None:
    """Change ``row`` so that ``rule`` is violated: its ``when`` holds and its ``expr`` fails."""
    columns = {c.key: c for c in spec.table.columns}
    expr = check_types(rule.expr, columns).body
    when = check_types(rule.when, columns).body if rule.when else None
    for _ in range(ATTEMPTS):
        trial = dict(row)
        try:
            if when is not None:
                make(when, trial, True, columns, rng, closing)
            make(expr, trial, False, columns, rng, closing)
            if when is not None and not _truth(when, trial, columns):
                continue
            for key in _names(expr) + (_names(when) if when is not None else []):
                if columns[key].required and is_blank(trial.get(key)):
                    trial[key] = draw_value(columns[key], rng, closing)
            if not holds(rule, trial, columns):
                row.clear()
                row.update(trial)
                return
        except Unsolvable:
            continue
    raise Unsolvable(f"cannot violate {rule.id}")


_CHECKS: dict[tuple[str, str], dict[str, list[Check]]] = {}


def _checks_by_row(mappings: Mappings, spec: AppendixSpec) -> dict[str, list[Check]]:
    """The checks of each row, built once per spec version."""
    key = (spec.id, mappings.hashes[spec.id])
    if key not in _CHECKS:
        layout = compute_layout(spec, mappings.header_of(spec))
        out: dict[str, list[Check]] = {}
        for check in build_checks(layout):
            out.setdefault(check.row.key, []).append(check)
        _CHECKS[key] = out
    return _CHECKS[key]


def is_clean(
    checks: Sequence[Check], row: Row, closing: dt.date, *, errors_only: bool = False
) -> bool:
    """No check of the row (deadline rules excepted) is violated."""
    context = RowContext(row, closing)
    return not any(
        c.python(context)
        for c in checks
        if c.kind in ("cell", "check") and (c.severity == "error" or not errors_only)
    )


def valid_rows(
    mappings: Mappings,
    spec: AppendixSpec,
    rng: random.Random,
    closing: dt.date,
    *,
    base: Mapping[str, Row] | Sequence[Row] | None = None,
    count: int = 5,
) -> dict[str, Row] | list[Row]:
    """Rows on which every built-in check and every check rule holds.

    ``base`` (a realistic profile) is kept where it is valid; missing input
    columns are drawn; rule violations are repaired. Fixed tables give a row per
    input row definition, free tables ``count`` rows (or as many as ``base``).
    """
    checks = _checks_by_row(mappings, spec)
    layout = compute_layout(spec, mappings.header_of(spec))
    data_rows = [r for r in layout.data_rows if not r.is_total]

    def one(data_row: DataRow, start: Row | None) -> Row:
        for attempt in range(ATTEMPTS):
            if start is not None and attempt < ATTEMPTS // 2:
                # a profile row: an optional column it leaves out is meant to be blank; a
                # required one it does not know (added to the YAML since) is drawn
                row = {
                    c.key: start[c.key]
                    if c.key in start
                    else (draw_value(c, rng, closing) if c.required else None)
                    for c in spec.table.columns
                    if c.is_input
                }
            else:
                row = draw_row(spec, rng, closing)
            try:
                repair(spec, row, data_row.definition, rng, closing)
            except Unsolvable:
                continue
            if is_clean(checks.get(data_row.key, []), row, closing):
                return row
        raise Unsolvable(f"{spec.id}: no valid values for row {data_row.key}")

    if spec.table.fixed_rows:
        given = base if isinstance(base, Mapping) else {}
        return {r.key: one(r, given.get(r.key)) for r in data_rows}
    given_list = list(base) if isinstance(base, Sequence) else []
    n = min(len(given_list) or count, len(data_rows))
    return [one(data_rows[i], given_list[i] if i < len(given_list) else None) for i in range(n)]
