"""The digest's chart: each commitment's last weeks against its threshold, as PNG bytes."""

from __future__ import annotations

import asyncio
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass

MAX_PANELS = 6
_TITLE_CHARS = 42


@dataclass(frozen=True)
class ChartSeries:
    """One panel: weekly values (None where too few answered), the target, the axis range."""

    title: str
    points: Sequence[float | None]
    threshold: float
    low: float
    high: float


def render_chart(
    series: Sequence[ChartSeries],
    *,
    title: str,
    week_labels: Sequence[str],
    threshold_label: str,
) -> bytes:
    """Draw up to six panels (the first ones given) and return the PNG."""
    # The object API with the Agg canvas: no pyplot global state, so safe in a worker thread.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    shown = list(series)[:MAX_PANELS]
    columns = 1 if len(shown) <= 1 else 2
    rows = max(1, math.ceil(len(shown) / columns))
    figure = Figure(figsize=(5.2 * columns, 2.6 * rows + 0.6), dpi=100)
    FigureCanvasAgg(figure)
    figure.suptitle(title, fontsize=12)
    axes = figure.subplots(rows, columns, squeeze=False)
    positions = list(range(len(week_labels)))
    for index, panel in enumerate(shown):
        ax = axes[index // columns][index % columns]
        values = [math.nan if v is None else v for v in panel.points]
        ax.plot(positions[: len(values)], values, marker="o", color="#1f4e99", linewidth=1.8)
        ax.axhline(panel.threshold, color="#c0392b", linestyle="--", linewidth=1.2)
        ax.text(
            0.01,
            panel.threshold,
            f" {threshold_label}",
            color="#c0392b",
            fontsize=8,
            va="bottom",
            transform=ax.get_yaxis_transform(),
        )
        margin = (panel.high - panel.low) * 0.05
        ax.set_ylim(panel.low - margin, panel.high + margin)
        ax.set_title(_short(panel.title), fontsize=10, loc="left")
        ax.set_xticks(positions[::3], [week_labels[i] for i in positions[::3]], fontsize=8)
        ax.tick_params(axis="y", labelsize=8)
        ax.grid(alpha=0.25)
    for index in range(len(shown), rows * columns):
        axes[index // columns][index % columns].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


async def render_chart_async(
    series: Sequence[ChartSeries],
    *,
    title: str,
    week_labels: Sequence[str],
    threshold_label: str,
) -> bytes:
    """Render in a worker thread: drawing takes tens of milliseconds the loop must not lose."""
    return await asyncio.to_thread(
        render_chart,
        series,
        title=title,
        week_labels=week_labels,
        threshold_label=threshold_label,
    )


def _short(text: str) -> str:
    return text if len(text) <= _TITLE_CHARS else text[: _TITLE_CHARS - 1] + "…"
