"""Every stated breakdown adds up: the check the report runs before writing a sentence.

Breakdowns are declared per appendix (``breakdowns:`` in ``mappings/appendices/*.yaml``):
a total and the parts that make it up, and figures a statement must mention when
they are not zero (``mention``, e.g. the units left out of the sums). A sentence or
table that states a total and two or more of its parts *claims* the breakdown; it is
written only when

* every part that is not zero is stated (a remainder such as "1 nhiệm vụ chưa ghi kết
  quả" is named, never silently missing),
* the stated parts add up to the stated total exactly (a part stated as "chưa có số
  liệu" — no usable row reports it — adds nothing: the others must make up the total), and
* every ``mention`` figure that is not zero is stated too.

Otherwise the statement is refused with a Vietnamese reason (:class:`Disagree`).
A total stated with a single part ("46/96 xã … hoàn thành") is a share, not a breakdown.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from xlsaddin.report.templates import Figure
from xlsaddin.spec.models import Breakdown, Mappings
from xlsaddin.text.numbers import format_vi


class Disagree(Exception):
    """The figures of a statement do not add up: it must not be written."""


@dataclass(frozen=True)
class _Named:
    name: str
    figure: Figure | None
    value: float | None


def _value(name: str, figures: Mapping[str, Figure], units_total: int) -> _Named:
    if name == "units_total":
        return _Named(name, None, float(units_total))
    fig = figures.get(name)
    return _Named(name, fig, fig.value if fig else None)


def _text(item: _Named) -> str:
    if item.value is None:
        return "không có số liệu"
    decimals = item.figure.decimals if item.figure else 0
    return format_vi(item.value, decimals)


def _label(item: _Named) -> str:
    if item.figure is None:
        return "tổng số đơn vị" if item.name == "units_total" else item.name
    return item.figure.label


def declared(mappings: Mappings) -> list[tuple[str, Breakdown]]:
    """(appendix id, breakdown) of every declared breakdown."""
    return [(spec.id, b) for spec in mappings.appendices for b in spec.breakdowns]


def _full(appendix: str, key: str) -> str:
    return key if key == "units_total" else f"{appendix}.{key}"


def check(
    stated: Iterable[str],
    figures: Mapping[str, Figure],
    units_total: int,
    mappings: Mappings,
) -> None:
    """Raise :class:`Disagree` when the stated figures claim a breakdown that fails.

    ``stated``: the figure keys ("appendix.key") and fields ("units_total") the
    statement shows, in any format.
    """
    shown = set(stated)
    for appendix, breakdown in declared(mappings):
        total = _value(_full(appendix, breakdown.total), figures, units_total)
        parts = [_value(_full(appendix, p), figures, units_total) for p in breakdown.parts]
        named = [p for p in parts if p.name in shown]
        if total.name not in shown or len(named) < 2:
            continue
        if total.value is None and all(p.value is None for p in named):
            continue  # no figures at all ("chưa có số liệu"): nothing is claimed
        left_out = [p for p in parts if p.name not in shown and p.value]
        if left_out:
            raise Disagree(
                f"câu nêu {_label(total).lower()} và các phần của nó nhưng thiếu "
                + "; ".join(f"{_label(p).lower()} ({_text(p)})" for p in left_out)
            )
        if total.value is None:
            raise Disagree(f"{_label(total).lower()} không có số liệu")
        # a stated part without figures ("chưa có số liệu": no usable row reports it) adds
        # nothing; the total is over the same rows, so the parts that have figures must
        # make it up on their own
        added = math.fsum(p.value or 0.0 for p in named)
        decimals = max([p.figure.decimals for p in named if p.figure] + [0])
        if abs(added - total.value) > 0.5 * 10.0 ** (-decimals - 1):
            raise Disagree(
                f"các phần ({' + '.join(_text(p) for p in named)} = "
                f"{format_vi(added, decimals)}) không bằng {_label(total).lower()} "
                f"({_text(total)})"
            )
        unsaid = [
            m
            for m in (_value(_full(appendix, k), figures, units_total) for k in breakdown.mention)
            if m.value and m.name not in shown
        ]
        if unsaid:
            raise Disagree(
                "câu không nêu " + "; ".join(f"{_label(m).lower()} ({_text(m)})" for m in unsaid)
            )
