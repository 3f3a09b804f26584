"""Compile a rule expression to a Python predicate and to an Excel formula.

Both engines follow the same semantics, chosen so that plain Excel (and the
``formulas`` package, and LibreOffice) can compute exactly what Python does:

* a numeric or date operand is its number; a blank cell counts as 0 (Excel's
  own arithmetic); a cell holding *text* in a numeric column makes the rule not
  applicable (the type check reports that cell instead, once);
* a text/choice operand is its trimmed text; ``==``/``!=`` on texts ignore case
  (Excel's ``=`` does);
* numbers compare with a tolerance of :data:`EPS` (money in triệu đồng has at
  most three decimals), so ``0.1 + 0.2 == 0.3`` holds in both engines;
* ``filled(x)`` is "not blank after trimming" (``LEN(TRIM(x))>0``);
* any error (division by zero) makes the rule not applicable.

Functions used in formulas: IF, AND, OR, NOT, ISNUMBER, LEN, TRIM, ABS, IFERROR —
all shared by Excel, LibreOffice 7.4 and ``formulas``.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from xlsaddin.core.cells import is_blank, number_of, text_of
from xlsaddin.spec.expr import ExprError, check_types, operand_type, type_of
from xlsaddin.spec.models import Column

EPS = 0.0005
Operand = float | str


class NotApplicable(Exception):
    """An operand holds text where a number is needed: the rule does not apply."""


@dataclass(frozen=True)
class Compiled:
    python: Callable[[Mapping[str, object]], bool]
    excel: Callable[[Mapping[str, str]], str]
    names: frozenset[str]
    direct: frozenset[str]  # names used as values, not only inside filled()/blank()


def compile_expr(text: str, columns: Mapping[str, Column]) -> Compiled:
    """Compile ``text``; raises :class:`ExprError` on a type mismatch."""
    tree = check_types(text, columns)
    names = frozenset(n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id in columns)
    in_calls = {id(arg) for n in ast.walk(tree) if isinstance(n, ast.Call) for arg in n.args}
    direct = frozenset(
        n.id
        for n in ast.walk(tree)
        if isinstance(n, ast.Name) and n.id in columns and id(n) not in in_calls
    )

    def python(row: Mapping[str, object]) -> bool:
        return bool(evaluate(tree.body, row, columns))

    def excel(refs: Mapping[str, str]) -> str:
        return _xl(tree.body, refs, columns)

    return Compiled(python, excel, names, direct)


# -- Python -------------------------------------------------------------------
def _operand(name: str, row: Mapping[str, object], columns: Mapping[str, Column]) -> Operand:
    value = row.get(name)
    if operand_type(columns[name]) == "text":
        return text_of(value)
    if is_blank(value):
        return 0.0
    number = number_of(value)
    if number is None:
        raise NotApplicable(name)
    return number


def _compare(op: ast.cmpop, a: Operand, b: Operand) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        equal = str(a).casefold() == str(b).casefold()
        return equal if isinstance(op, ast.Eq) else not equal
    if isinstance(op, ast.Eq):
        return abs(a - b) < EPS
    if isinstance(op, ast.NotEq):
        return abs(a - b) >= EPS
    if isinstance(op, ast.Lt):
        return a < b - EPS
    if isinstance(op, ast.LtE):
        return a <= b + EPS
    if isinstance(op, ast.Gt):
        return a > b + EPS
    return a >= b - EPS  # GtE


def evaluate(node: ast.expr, row: Mapping[str, object], columns: Mapping[str, Column]) -> object:
    """The value of an expression node on one row (number, text or truth value).

    Raises :class:`NotApplicable` when a numeric operand holds text or on division by zero.
    """
    if isinstance(node, ast.Constant):
        constant = node.value
        assert isinstance(constant, (str, int, float))
        return constant if isinstance(constant, str) else float(constant)
    if isinstance(node, ast.Name):
        return _operand(node.id, row, columns)
    if isinstance(node, ast.Call):
        assert isinstance(node.func, ast.Name) and isinstance(node.args[0], ast.Name)
        filled = not is_blank(row.get(node.args[0].id))
        return filled if node.func.id == "filled" else not filled
    if isinstance(node, ast.UnaryOp):
        inner = evaluate(node.operand, row, columns)
        return (not inner) if isinstance(node.op, ast.Not) else -float(inner)  # type: ignore[arg-type]
    if isinstance(node, ast.BinOp):
        a = float(evaluate(node.left, row, columns))  # type: ignore[arg-type]
        b = float(evaluate(node.right, row, columns))  # type: ignore[arg-type]
        if isinstance(node.op, ast.Add):
            return a + b
        if isinstance(node.op, ast.Sub):
            return a - b
        if isinstance(node.op, ast.Mult):
            return a * b
        if b == 0:
            raise NotApplicable("division by zero")
        return a / b
    if isinstance(node, ast.BoolOp):
        # evaluate every operand like Excel's AND()/OR() (no short-circuit)
        values = [bool(evaluate(v, row, columns)) for v in node.values]
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.Compare):
        left = evaluate(node.left, row, columns)
        result = True
        for op, comp in zip(node.ops, node.comparators, strict=True):
            right = evaluate(comp, row, columns)
            result = result and _compare(op, left, right)  # type: ignore[arg-type]
            left = right
        return result
    raise ExprError(type(node).__name__)


# -- Excel --------------------------------------------------------------------
def _xl_string(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _xl(node: ast.expr, refs: Mapping[str, str], columns: Mapping[str, Column]) -> str:
    if isinstance(node, ast.Constant):
        return _xl_string(node.value) if isinstance(node.value, str) else repr(node.value)
    if isinstance(node, ast.Name):
        ref = refs[node.id]
        if operand_type(columns[node.id]) == "text":
            return f"TRIM({ref})"
        return f"IF(ISNUMBER({ref}),{ref},0)"
    if isinstance(node, ast.Call):
        assert isinstance(node.func, ast.Name) and isinstance(node.args[0], ast.Name)
        sign = ">" if node.func.id == "filled" else "="
        return f"(LEN(TRIM({refs[node.args[0].id]})){sign}0)"
    if isinstance(node, ast.UnaryOp):
        inner = _xl(node.operand, refs, columns)
        return f"NOT({inner})" if isinstance(node.op, ast.Not) else f"(-{inner})"
    if isinstance(node, ast.BinOp):
        sym = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}[type(node.op)]
        return f"({_xl(node.left, refs, columns)}{sym}{_xl(node.right, refs, columns)})"
    if isinstance(node, ast.BoolOp):
        fn = "AND" if isinstance(node.op, ast.And) else "OR"
        return f"{fn}({','.join(_xl(v, refs, columns) for v in node.values)})"
    if isinstance(node, ast.Compare):
        parts = []
        left_node = node.left
        for op, comp in zip(node.ops, node.comparators, strict=True):
            a, b = _xl(left_node, refs, columns), _xl(comp, refs, columns)
            text = type_of(left_node, columns) == "text"
            parts.append(_xl_compare(op, a, b, text))
            left_node = comp
        return parts[0] if len(parts) == 1 else f"AND({','.join(parts)})"
    raise ExprError(type(node).__name__)


def _xl_compare(op: ast.cmpop, a: str, b: str, text: bool) -> str:
    if text:
        return f"({a}={b})" if isinstance(op, ast.Eq) else f"({a}<>{b})"
    eps = repr(EPS)
    if isinstance(op, ast.Eq):
        return f"(ABS({a}-{b})<{eps})"
    if isinstance(op, ast.NotEq):
        return f"(ABS({a}-{b})>={eps})"
    if isinstance(op, ast.Lt):
        return f"({a}<{b}-{eps})"
    if isinstance(op, ast.LtE):
        return f"({a}<={b}+{eps})"
    if isinstance(op, ast.Gt):
        return f"({a}>{b}+{eps})"
    return f"({a}>={b}-{eps})"
