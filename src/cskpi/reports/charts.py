"""Small SVG charts for the HTML/PDF report, drawn here: no JavaScript, no network, no fonts
beyond the page's own (WeasyPrint renders inline SVG and the CJK font comes from CSS).

Every text that reaches the SVG is escaped; callers pass plain strings.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from html import escape

PALETTE = ("#2f6db5", "#e07b39", "#3a9e5c", "#b8423c", "#7d5bb0", "#8c8c8c")
FONT = "'Noto Sans CJK SC', 'Noto Sans CJK', 'Source Han Sans SC', sans-serif"


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high] (1, 2, 2.5 or 5 × 10^n apart)."""
    if not math.isfinite(low) or not math.isfinite(high):
        return [0.0, 1.0]
    if high <= low:
        high = low + (abs(low) or 1.0)
    raw = (high - low) / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step) * step
    ticks = []
    value = start
    while value < high + step * 0.999:
        ticks.append(round(value, 10))
        value += step
    return ticks


def _svg(width: int, height: int, body: list[str], title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" font-family="{FONT}">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def _text(
    x: float,
    y: float,
    text: str,
    size: float = 10,
    anchor: str = "middle",
    fill: str = "#333",
    weight: str = "normal",
    rotate: float | None = None,
) -> str:
    transform = f' transform="rotate({rotate} {x:.1f} {y:.1f})"' if rotate else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'fill="{fill}" font-weight="{weight}"{transform}>{escape(text)}</text>'
    )


def line_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    fmt: Callable[[float], str],
    width: int = 520,
    height: int = 220,
    zero: bool = True,
) -> str:
    """Lines over shared x labels (days); gaps where a value is None."""
    left, right, top, bottom = 58, 12, 30, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for _, vs in series for v in vs if v is not None]
    body = [_text(left, 16, title, 12, "start", "#111", "bold")]
    if not values:
        body.append(_text(width / 2, height / 2, "—", 14))
        return _svg(width, height, body, title)
    low = 0.0 if zero and min(values) >= 0 else min(values)
    ticks = nice_ticks(low, max(values))
    y_min, y_max = ticks[0], ticks[-1]

    def y(v: float) -> float:
        return top + plot_h - (v - y_min) / (y_max - y_min) * plot_h

    n = max(len(labels), 1)

    def x(i: int) -> float:
        return left + (plot_w * (i + 0.5) / n)

    for tick in ticks:
        body.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y(tick):.1f}" '
            f'y2="{y(tick):.1f}" stroke="#e3e3e3" stroke-width="0.8"/>'
        )
        body.append(_text(left - 6, y(tick) + 3.5, fmt(tick), 9, "end", "#555"))
    body.append(
        f'<line x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}" '
        f'y2="{top + plot_h}" stroke="#999" stroke-width="1"/>'
    )
    every = max(1, math.ceil(n / 10))
    for i, label in enumerate(labels):
        if i % every == 0 or i == n - 1:
            body.append(_text(x(i), top + plot_h + 14, label, 8.5, "middle", "#555"))
    for index, (_name, vs) in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        runs: list[list[str]] = [[]]
        for i, v in enumerate(vs):
            if v is None:
                runs.append([])
                continue
            runs[-1].append(f"{x(i):.1f},{y(v):.1f}")
            body.append(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="1.8" fill="{colour}"/>')
        for run in runs:
            if len(run) > 1:
                body.append(
                    f'<polyline points="{" ".join(run)}" fill="none" '
                    f'stroke="{colour}" stroke-width="1.6"/>'
                )
    legend_x = left
    for index, (name, _) in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        body.append(
            f'<rect x="{legend_x}" y="{height - 13}" width="10" height="4" fill="{colour}"/>'
        )
        body.append(_text(legend_x + 14, height - 8, name, 9, "start"))
        legend_x += 24 + 11 * len(name) if any(ord(c) > 255 for c in name) else 24 + 5.5 * len(name)
    return _svg(width, height, body, title)


def bar_chart(
    title: str,
    bars: Sequence[tuple[str, float | None]],
    fmt: Callable[[float], str],
    width: int = 520,
    height: int = 220,
    colour: str = PALETTE[0],
    x_title: str = "",
) -> str:
    """Vertical bars with their value above each bar (histograms, unit comparisons)."""
    left, right, top, bottom = 58, 12, 30, 48 if x_title else 36
    plot_w, plot_h = width - left - right, height - top - bottom
    body = [_text(left, 16, title, 12, "start", "#111", "bold")]
    values = [v for _, v in bars if v is not None]
    if not values:
        body.append(_text(width / 2, height / 2, "—", 14))
        return _svg(width, height, body, title)
    ticks = nice_ticks(0.0, max(values))
    y_max = ticks[-1] or 1.0

    def y(v: float) -> float:
        return top + plot_h - v / y_max * plot_h

    for tick in ticks:
        body.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y(tick):.1f}" '
            f'y2="{y(tick):.1f}" stroke="#e3e3e3" stroke-width="0.8"/>'
        )
        body.append(_text(left - 6, y(tick) + 3.5, fmt(tick), 9, "end", "#555"))
    slot = plot_w / max(len(bars), 1)
    for i, (label, value) in enumerate(bars):
        cx = left + slot * (i + 0.5)
        if value is not None:
            bar_w = slot * 0.7
            body.append(
                f'<rect x="{cx - bar_w / 2:.1f}" y="{y(value):.1f}" width="{bar_w:.1f}" '
                f'height="{top + plot_h - y(value):.1f}" fill="{colour}"/>'
            )
            body.append(_text(cx, y(value) - 3, fmt(value), 8, "middle", "#333"))
        body.append(_text(cx, top + plot_h + 13, label, 8.5, "middle", "#555"))
    body.append(
        f'<line x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}" '
        f'y2="{top + plot_h}" stroke="#999" stroke-width="1"/>'
    )
    if x_title:
        body.append(_text(left + plot_w / 2, height - 6, x_title, 9, "middle", "#555"))
    return _svg(width, height, body, title)
