"""Chart images for the Word report (the same charts as the workbook's native ones)."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display: files only
import matplotlib.pyplot as plt

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


def drawable(chart: Chart, figures: list[Figure]) -> bool:
    """Whether the figures make a chart: a pie needs non-negative shares that are not all 0."""
    values = [f.value for f in figures if f.value is not None]
    if not values or not all(math.isfinite(v) for v in values):
        return False
    return chart.type != "pie" or (min(values) >= 0 and sum(values) > 0)


def _label(fig: Figure) -> str:
    text = fig.label.split(":")[0] if ":" in fig.label else fig.label
    return text if len(text) <= 48 else text[:46] + "…"


def draw(chart: Chart, figures: list[Figure], path: Path) -> Path:
    plt.rcParams["font.family"] = "serif"
    plt.rcParams["font.serif"] = FONT
    labels = [_label(f) for f in figures]
    values = [float(f.value or 0) for f in figures]
    decimals = max((f.decimals for f in figures), default=0)
    if chart.type == "bar":
        fig, ax = plt.subplots(figsize=(7.5, 0.32 * len(values) + 1.2))
        bars = ax.barh(labels[::-1], values[::-1], color="#4472C4")
        ax.bar_label(
            bars, labels=[format_vi(v, decimals) for v in values[::-1]], padding=3, fontsize=9
        )
        ax.tick_params(axis="y", labelsize=9)
    elif chart.type == "column":
        fig, ax = plt.subplots(figsize=(6.5, 3.6))
        bars = ax.bar(labels, values, color="#4472C4")
        ax.bar_label(bars, labels=[format_vi(v, decimals) for v in values], padding=3, fontsize=9)
        ax.tick_params(axis="x", labelsize=9)
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
