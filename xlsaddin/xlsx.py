"""XlsxWriter helpers shared by the template builder and the provincial writer."""

from __future__ import annotations

import re
from typing import Any

from xlsxwriter.worksheet import Worksheet

# Functions our formulas use; none needs XlsxWriter's "_xlfn." future-function prefixes.
CLASSIC = frozenset(
    {
        "IF",
        "AND",
        "OR",
        "NOT",
        "ISNUMBER",
        "LEN",
        "TRIM",
        "ABS",
        "INT",
        "DATE",
        "IFERROR",
        "SUM",
        "SUMIF",
        "COUNTIF",
    }
)
_CALL = re.compile(r"([A-Z][A-Z0-9._]*)\(")


class ClassicWorksheet(Worksheet):  # type: ignore[misc]  # xlsxwriter ships no types
    """A worksheet that skips XlsxWriter's ~100 regex substitutions per formula.

    XlsxWriter rewrites every formula through about a hundred ``re.sub`` calls
    to prefix newer Excel functions; for formulas made only of classic
    functions that is half the time of writing a check sheet. Anything else
    goes through the normal path.
    """

    def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> Any:
        names = set(_CALL.findall(formula))
        if names <= CLASSIC:
            formula = formula.removeprefix("{").removeprefix("=").removesuffix("}")
            return formula
        return super()._prepare_formula(formula, expand_future_functions)


class Formats:
    """XlsxWriter formats are workbook-bound: create each combination once."""

    def __init__(self, book: Any, font: str, size: int = 12) -> None:
        self._book = book
        self._base = {"font_name": font, "font_size": size, "valign": "vcenter"}
        self._cache: dict[tuple[tuple[str, Any], ...], Any] = {}

    def get(self, **props: Any) -> Any:
        key = tuple(sorted(props.items()))
        if key not in self._cache:
            self._cache[key] = self._book.add_format({**self._base, **props})
        return self._cache[key]
