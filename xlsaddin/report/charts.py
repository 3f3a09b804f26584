"""Chart images for the Word report (the same charts as the workbook's native ones)."""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display: files only
import matplotlib.pyplot as plt

from xlsaddin.consolidate.indicators import KIND_KEYS
from xlsaddin.report.templates import Figure
from xlsaddin.spec.models import Chart
from xlsaddin.text.numbers import format_vi

FONT = ["DejaVu Serif", "DejaVu Sans"]  # full Vietnamese coverage; Liberation 1.x lacks it


def pick(figures: dict[str, Figure], appendix: str, keys: tuple[str, ...]) -> list[Figure]:
    out = []
    for key in keys:
        if key.endswith(".*"):
            prefix = f"{appendix}.{key[:-1]}"
            out += [f for k, f in figures.items() if k.startswith(prefix)]
        elif f"{appendix}.{key}" in figures:
            out.append(figures[f"{appendix}.{key}"])
    return [f for f in out if f.value is not None]


_KIND_NAMES = {suffix: kind.capitalize() for kind, suffix in KIND_KEYS.items()}
LABEL_WIDTH = 44  # characters per line of a category label (wrapped, never cut)


def drawable(chart: Chart, figures: list[Figure]) -> bool:
    """Whether the figures make a chart: a pie needs non-negative shares that are not all 0."""
    values = [f.value for f in figures if f.value is not None]
    if not values or not all(math.isfinite(v) for v in values):
        return False
    return chart.type != "pie" or (min(values) >= 0 and sum(values) > 0)


def _label(fig: Figure) -> str:
    """The category a figure stands for: the unit type of a per-type figure ("Đặc khu"), the
    row of a per-row one ("Máy lấy số xếp hàng tự động"), else its label; wrapped, whole."""
    suffix = fig.key.rpartition(".")[2] if "." in fig.key else ""
    if suffix in _KIND_NAMES:
        return _KIND_NAMES[suffix]
    text = fig.label.split(":")[0] if ":" in fig.label else fig.label
    return textwrap.fill(text, LABEL_WIDTH)


def draw(chart: Chart, figures: list[Figure], path: Path) -> Path:
    plt.rcParams["font.family"] = "serif"
    plt.rcParams["font.serif"] = FONT
    labels = [_label(f) for f in figures]
    values = [float(f.value or 0) for f in figures]
    decimals = max((f.decimals for f in figures), default=0)
    shown = [
        format_vi(v, decimals) + ("%" if f.percent else "")
        for v, f in zip(values, figures, strict=True)
    ]
    if chart.type == "bar":
        lines = sum(label.count("\n") + 1 for label in labels)
        fig, ax = plt.subplots(figsize=(7.5, 0.22 * lines + 0.12 * len(values) + 1.0))
        rows = list(range(len(values)))[::-1]  # first figure on top; one bar per figure
        bars = ax.barh(rows, values, color="#4472C4")
        ax.set_yticks(rows, labels)
        ax.bar_label(bars, labels=shown, padding=3, fontsize=9)
        ax.tick_params(axis="y", labelsize=9)
        ax.set_xlim(0, max(values, default=0) * 1.12 or 1)
    elif chart.type == "column":
        fig, ax = plt.subplots(figsize=(6.5, 3.6))
        positions = list(range(len(values)))  # distinct positions: equal labels never merge
        bars = ax.bar(positions, values, color="#4472C4", width=0.6)
        ax.set_xticks(positions, labels)
        ax.bar_label(bars, labels=shown, padding=3, fontsize=10)
        ax.tick_params(axis="x", labelsize=10)
        ax.set_ylim(0, max(values, default=0) * 1.15 or 1)
    else:
        fig, ax = plt.subplots(figsize=(5.5, 3.8))
        ax.pie(
            values,
            labels=labels,
            autopct=lambda p: f"{format_vi(float(p), 1)}%",
            startangle=90,
            colors=["#4472C4", "#ED7D31", "#A5A5A5", "#FFC000"],
        )
        ax.axis("equal")
    ax.set_title(chart.title, fontsize=11)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    fig.savefig(path, dpi=150)
    plt.close(fig)
    return path
