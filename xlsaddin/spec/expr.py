"""Parsing of rule expressions.

A rule expression is a tiny, safe subset of Python syntax over column keys::

    allocated + not_allocated == approved
    disbursed <= allocated
    result != 'Đạt' or quantity >= 1
    filled(completed_on)

Allowed: column names, numbers, strings, ``+ - * /``, comparisons, ``and``/``or``/
``not``, and the functions ``filled(x)`` / ``blank(x)``. Anything else is rejected
at load time, so a rule can always be compiled both to Python and to an Excel formula.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from xlsaddin.spec.models import Column

ValueType = Literal["number", "text"]

FUNCTIONS = frozenset({"filled", "blank"})
MAX_LENGTH = 500

_ALLOWED = (
    ast.Expression,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.UnaryOp,
    ast.Not,
    ast.USub,
    ast.BinOp,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.Compare,
    ast.Eq,
    ast.NotEq,
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
    ast.Name,
    ast.Load,
    ast.Constant,
    ast.Call,
)


class ExprError(ValueError):
    """A rule expression that is not in the rule language."""


def parse(text: str) -> ast.Expression:
    """Parse ``text`` and check it only uses the rule language."""
    if len(text) > MAX_LENGTH:
        raise ExprError(f"biểu thức dài quá {MAX_LENGTH} ký tự / expression too long")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise ExprError(f"biểu thức sai cú pháp / syntax error: {exc.msg}") from None
    except (RecursionError, MemoryError):
        raise ExprError("biểu thức lồng nhau quá sâu / expression nested too deeply") from None
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED):
            raise ExprError(
                f"không hỗ trợ '{type(node).__name__}' trong quy tắc / not allowed in a rule"
            )
        if isinstance(node, ast.Constant) and (
            isinstance(node.value, bool) or not isinstance(node.value, (int, float, str))
        ):
            raise ExprError("chỉ dùng số hoặc chuỗi / only numbers and strings")
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
                raise ExprError("chỉ dùng hàm filled() hoặc blank() / only filled(), blank()")
            if len(node.args) != 1 or node.keywords or not isinstance(node.args[0], ast.Name):
                raise ExprError("filled()/blank() nhận đúng một cột / take exactly one column")
    return tree


def names(text: str) -> set[str]:
    """Column keys referenced by an expression (functions excluded)."""
    tree = parse(text)
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and id(n) not in called}


# -- static typing ------------------------------------------------------------
def operand_type(col: Column) -> ValueType:
    """Dates compare as numbers (Excel serials); choice, bool and text columns as text."""
    return "number" if col.is_numeric or col.type == "date" else "text"


def check_types(text: str, columns: Mapping[str, Column]) -> ast.Expression:
    """Parse ``text`` and check it is a well-typed condition over ``columns``.

    Raises :class:`ExprError` (a one-line bilingual message) for an unknown column,
    a comparison of a number with a text, arithmetic on text, or an expression
    that is not a condition (``a + b`` alone).
    """
    tree = parse(text)
    if type_of(tree.body, columns) != "bool":
        raise ExprError("biểu thức phải là một điều kiện (so sánh) / must be a condition")
    return tree


def type_of(node: ast.expr, columns: Mapping[str, Column]) -> str:
    if isinstance(node, ast.Constant):
        return "text" if isinstance(node.value, str) else "number"
    if isinstance(node, ast.Name):
        if node.id not in columns:
            raise ExprError(f"cột không tồn tại '{node.id}' / unknown column")
        return operand_type(columns[node.id])
    if isinstance(node, ast.Call):
        return "bool"
    if isinstance(node, ast.UnaryOp):
        inner = type_of(node.operand, columns)
        if isinstance(node.op, ast.Not):
            _want(inner, "bool")
            return "bool"
        _want(inner, "number")
        return "number"
    if isinstance(node, ast.BinOp):
        _want(type_of(node.left, columns), "number")
        _want(type_of(node.right, columns), "number")
        return "number"
    if isinstance(node, ast.BoolOp):
        for value in node.values:
            _want(type_of(value, columns), "bool")
        return "bool"
    if isinstance(node, ast.Compare):
        kinds = [type_of(node.left, columns)] + [type_of(c, columns) for c in node.comparators]
        if len(set(kinds)) != 1 or kinds[0] == "bool":
            raise ExprError("so sánh khác kiểu dữ liệu / comparison of different types")
        if kinds[0] == "text" and not all(isinstance(o, (ast.Eq, ast.NotEq)) for o in node.ops):
            raise ExprError("chữ chỉ so sánh bằng/khác / texts compare only with == and !=")
        return "bool"
    raise ExprError(f"không hỗ trợ '{type(node).__name__}' / not supported")


def _want(actual: str, expected: str) -> None:
    if actual != expected:
        raise ExprError(f"cần giá trị kiểu {expected}, gặp {actual} / type mismatch")
