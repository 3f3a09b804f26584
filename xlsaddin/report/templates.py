"""Fill sentence templates with figures, in Vietnamese number style.

Rounding: half up (``xlsaddin.text.numbers``). A figure keeps its indicator's
decimals; shares (``:pct``) have one decimal unless the template says ``:pct0``
or ``:pct2``; ratio indicators are already percentages and carry "%".

A part in double square brackets, ``[[, {nhiem_vu.chua_ghi_ket_qua} nhiệm vụ chưa ghi
kết quả]]``, is written only when every figure in it can be filled and none is zero:
the way a sentence names a remainder only when there is one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from xlsaddin.text.names import mid_sentence
from xlsaddin.text.numbers import format_vi

_FIELD = re.compile(r"\{([a-z0-9_.*]+)(?::([a-z0-9]+))?\}")
_OPTIONAL = re.compile(r"\[\[(.*?)\]\]", re.S)


@dataclass
class Figure:
    """One headline as read back from the provincial workbook."""

    key: str  # "appendix:key" without the appendix, e.g. "tiep_nhan" or "lacking.kiosk"
    label: str
    value: float | None
    unit: str
    decimals: int
    percent: bool  # a ratio indicator (value already in %)
    change: str = ""
    names: str = ""
    cell: str = ""  # where it sits in the workbook, e.g. "'Tổng hợp'!B12"


@dataclass
class Context:
    figures: Mapping[str, Figure]  # "appendix.key" -> figure
    fields: Mapping[str, str]  # units_total, criteria_total, closing_date, period
    used: list[tuple[str, str, Figure]] = field(default_factory=list)  # (placeholder, text, fig)
    # names (figure keys "appendix.key" or fields) and formats filled by the last ``fill``
    last: list[tuple[str, str | None]] = field(default_factory=list)


def names_mid_sentence(names: str) -> str:
    """ "Xã Sơn Tịnh; Đặc khu Lý Sơn" -> "xã Sơn Tịnh; đặc khu Lý Sơn" (inside a sentence)."""
    return "; ".join(mid_sentence(n.strip()) for n in names.split(";")) if names else names


class Missing(Exception):
    """A placeholder without a value: the sentence is left out."""


def render_figure(fig: Figure, fmt: str | None, units_total: int) -> str:
    if fig.value is None:
        raise Missing(fig.key)
    if fmt is None:
        text = format_vi(fig.value, fig.decimals)
        return f"{text}%" if fig.percent else text
    if fmt.startswith("pct"):
        decimals = int(fmt[3:] or 1)
        return f"{format_vi(100 * fig.value / units_total, decimals)}%"
    if fmt == "change":
        if not fig.change:
            raise Missing(f"{fig.key}:change")
        return fig.change
    if fmt == "names":
        if not fig.names:
            raise Missing(f"{fig.key}:names")
        return names_mid_sentence(fig.names)
    if fmt == "count":  # how many units a figure names ("12 đơn vị báo cáo khác")
        count = len([n for n in fig.names.split("; ") if n.strip()]) if fig.names else 0
        if not count:
            raise Missing(f"{fig.key}:count")
        return format_vi(count, 0)
    if fmt == "ty":  # a sum in triệu đồng written in tỷ đồng, two decimals
        return format_vi(fig.value / 1000, 2)
    if fmt.isdigit():
        return format_vi(fig.value, int(fmt))
    raise Missing(f"{fig.key}:{fmt}")


def fill(template: str, ctx: Context, local: Mapping[str, str] | None = None) -> str:
    """The sentence, or :class:`Missing` when a placeholder has no value."""
    units_total = int(ctx.fields.get("units_total", "0") or 0)
    used: list[tuple[str, str, Figure]] = []
    names: list[tuple[str, str | None]] = []

    def one(match: re.Match[str], *, optional: bool = False) -> str:
        name, fmt = match.group(1), match.group(2)
        if local is not None and name in local:
            return local[name]
        if name in ctx.fields:
            names.append((name, fmt))
            return ctx.fields[name]
        fig = ctx.figures.get(name)
        if fig is None:
            raise Missing(name)
        if optional and fig.value == 0:
            raise Missing(f"{name} = 0")
        text = render_figure(fig, fmt, units_total)
        used.append((match.group(0), text, fig))
        names.append((name, fmt))
        return text

    def optional(match: re.Match[str]) -> str:
        mark = (len(used), len(names))
        try:
            return _FIELD.sub(lambda m: one(m, optional=True), match.group(1))
        except Missing:
            del used[mark[0] :], names[mark[1] :]
            return ""

    out = _FIELD.sub(one, _OPTIONAL.sub(optional, template))
    ctx.used.extend(used)
    ctx.last = names
    return out
