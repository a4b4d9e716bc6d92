"""Small accessible SVG charts, rendered on the server (no chart library, no script).

Each chart is an <svg role="img"> with a <title> and <desc>; the pages put a table with
the same figures next to it. Series differ by marker shape and dash as well as colour,
so they read without colour vision. Pure functions: labels and numbers in, markup out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 360, 210
LEFT, RIGHT, TOP, BOTTOM = 40, 348, 14, 176
DASHES = ("", "6 3", "2 3", "8 3 2 3")
MARKERS = ("circle", "square", "diamond", "triangle")


@dataclass(frozen=True)
class Series:
    label: str
    values: tuple[float | None, ...]
    css: str  # colour class, e.g. "s-pain-during"


@dataclass(frozen=True)
class Guide:
    """A horizontal reference line, e.g. the minimal important change."""

    value: float
    label: str


def _x(index: int, count: int) -> float:
    if count <= 1:
        return (LEFT + RIGHT) / 2
    return LEFT + 12 + index * (RIGHT - LEFT - 24) / (count - 1)


def _y(value: float, maximum: float) -> float:
    maximum = maximum or 1
    return BOTTOM - (min(value, maximum) / maximum) * (BOTTOM - TOP)


def _marker(kind: str, x: float, y: float, css: str) -> str:
    if kind == "square":
        return f'<rect class="{css}" x="{x - 3.5:.1f}" y="{y - 3.5:.1f}" width="7" height="7"/>'
    if kind == "diamond":
        points = f"{x:.1f},{y - 4.5:.1f} {x + 4.5:.1f},{y:.1f} {x:.1f},{y + 4.5:.1f} {x - 4.5:.1f},{y:.1f}"
        return f'<polygon class="{css}" points="{points}"/>'
    if kind == "triangle":
        points = f"{x:.1f},{y - 4.5:.1f} {x + 4.5:.1f},{y + 4:.1f} {x - 4.5:.1f},{y + 4:.1f}"
        return f'<polygon class="{css}" points="{points}"/>'
    return f'<circle class="{css}" cx="{x:.1f}" cy="{y:.1f}" r="3.5"/>'


def _axes(labels: list[str], maximum: float, ticks: int = 5) -> list[str]:
    parts = [f'<line class="axis" x1="{LEFT}" y1="{BOTTOM}" x2="{RIGHT}" y2="{BOTTOM}"/>']
    for i in range(ticks + 1):
        value = maximum * i / ticks
        y = _y(value, maximum)
        parts.append(f'<line class="grid" x1="{LEFT}" y1="{y:.1f}" x2="{RIGHT}" y2="{y:.1f}"/>')
        parts.append(
            f'<text class="tick" x="{LEFT - 4}" y="{y + 4:.1f}" text-anchor="end">{value:g}</text>'
        )
    step = max(1, len(labels) // 8)
    for i, label in enumerate(labels):
        if i % step == 0 or i == len(labels) - 1:
            parts.append(
                f'<text class="tick" x="{_x(i, len(labels)):.1f}" y="{BOTTOM + 16}" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    return parts


def _line(series: Series, index: int, count: int, maximum: float) -> list[str]:
    parts: list[str] = []
    run: list[tuple[float, float]] = []
    dash = DASHES[index % len(DASHES)]
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""

    def flush():
        if len(run) > 1:
            points = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
            parts.append(f'<polyline class="line {series.css}"{dash_attr} points="{points}"/>')
        run.clear()

    for i, value in enumerate(series.values):
        if value is None:
            flush()
            continue
        x, y = _x(i, count), _y(value, maximum)
        run.append((x, y))
        parts.append(_marker(MARKERS[index % len(MARKERS)], x, y, f"marker {series.css}"))
    flush()
    return parts


def _bars(bars: list[Series], count: int, maximum: float) -> list[str]:
    if not bars:
        return []
    slot = (RIGHT - LEFT - 24) / max(1, count - 1) if count > 1 else 40
    width = min(14.0, slot * 0.7 / len(bars))
    parts = []
    for b, series in enumerate(bars):
        for i, value in enumerate(series.values):
            if not value:
                continue
            x = _x(i, count) - width * len(bars) / 2 + b * width
            y = _y(value, maximum)
            parts.append(
                f'<rect class="bar {series.css}" x="{x:.1f}" y="{y:.1f}" '
                f'width="{width:.1f}" height="{BOTTOM - y:.1f}"/>'
            )
    return parts


def _legend(items: list[tuple[str, str, int | None]]) -> str:
    """HTML legend under the chart: (label, css, marker index or None for a bar)."""
    entries = []
    for label, css, index in items:
        if index is None:
            swatch = f'<svg class="swatch" viewBox="0 0 14 14" aria-hidden="true"><rect class="bar {css}" x="1" y="1" width="12" height="12"/></svg>'
        else:
            swatch = (
                '<svg class="swatch" viewBox="0 0 14 14" aria-hidden="true">'
                + _marker(MARKERS[index % len(MARKERS)], 7, 7, f"marker {css}")
                + "</svg>"
            )
        entries.append(f"<li>{swatch} {escape(label)}</li>")
    return '<ul class="legend">' + "".join(entries) + "</ul>"


def chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    labels: list[str],
    lines: Sequence[Series] = (),
    bars: Sequence[Series] = (),
    maximum: float | None = None,
    guides: Sequence[Guide] = (),
) -> SafeString:
    """One chart: optional bars, optional lines, one value axis from 0 to `maximum`."""
    values = [v for s in [*lines, *bars] for v in s.values if v is not None]
    for guide in guides:
        values.append(guide.value)
    top = maximum or _nice(max(values, default=1))
    count = len(labels)
    parts = _axes(labels, top)
    parts += _bars(list(bars), count, top)
    for guide in guides:
        y = _y(guide.value, top)
        parts.append(
            f'<line class="guide" x1="{LEFT}" y1="{y:.1f}" x2="{RIGHT}" y2="{y:.1f}" stroke-dasharray="4 3"/>'
            f'<text class="guide-label" x="{RIGHT}" y="{y - 4:.1f}" text-anchor="end">{escape(guide.label)}</text>'
        )
    for index, series in enumerate(lines):
        parts += _line(series, index, count, top)
    svg = format_html(
        '<svg class="chart" id="{}" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-t {}-d">'
        '<title id="{}-t">{}</title><desc id="{}-d">{}</desc>{}</svg>',
        chart_id,
        WIDTH,
        HEIGHT,
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        description,
        mark_safe("".join(parts)),  # noqa: S308 - built from numbers and escaped labels
    )
    legend = _legend(
        [(s.label, s.css, None) for s in bars] + [(s.label, s.css, i) for i, s in enumerate(lines)]
    )
    return mark_safe(f'<figure class="chart-figure">{svg}{legend}</figure>')  # noqa: S308


def _nice(value: float) -> float:
    """A round axis maximum at or above `value`, with five round tick steps."""
    if value <= 0:
        return 1
    for step in (0.2, 0.5, 1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        if step * 5 >= value:
            return step * 5
    return float(int(value * 1.1) + 1)
