"""Server-side SVG charts: pure functions from figures to an accessible HTML fragment (a string).

No JavaScript and no inline style (the portal's CSP is `script-src 'self'; style-src 'self'`): shapes
carry SVG presentation attributes (`fill`, `stroke`) and classes (`chart-series-0`, ...) that a
stylesheet may refine. Every chart is `<figure>` holding an `<svg role="img">` with `<title>` and
`<desc>` (named by `aria-labelledby`), and the same figures as a `<table>` for screen readers, for
printing and for whoever prefers numbers. All text is escaped here; the result is safe to mark up.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

# Okabe–Ito: distinguishable with the common colour-vision deficiencies
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
WIDTH, HEIGHT = 640, 280
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 64, 16, 16, 64
LEGEND_ROW = 18


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]  # one per label; None = no figure (a gap in a line)


@dataclass(frozen=True)
class Texts:
    """What a chart says: its title and description, the header of the label column, and "no data"."""

    title: str
    description: str
    category: str = ""
    empty: str = "No data."
    table_summary: str = "Data table"


def _slug(chart_id: str) -> str:
    slug = re.sub(r"[^a-zA-Z0-9_-]+", "-", chart_id).strip("-")
    return slug or "chart"


def _number(value: float | None) -> str:
    if value is None:
        return "–"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}"


def nice_max(value: float) -> float:
    """A round axis maximum at or above `value` (1, 2, 2.5 or 5 times a power of ten)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return float(step * power)
    return float(10 * power)  # pragma: no cover - the loop always returns


def _ticks(top: float, count: int = 4) -> list[float]:
    return [top * i / count for i in range(count + 1)]


def _open(slug: str, texts: Texts, height: int) -> list[str]:
    return [
        f'<figure class="chart" id="{slug}">',
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{slug}-title {slug}-desc" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'font-family="system-ui, sans-serif" font-size="12">',
        f'<title id="{slug}-title">{escape(texts.title)}</title>',
        f'<desc id="{slug}-desc">{escape(texts.description)}</desc>',
    ]


def _y_axis(top: float, plot_height: float) -> list[str]:
    out = []
    for tick in _ticks(top):
        y = MARGIN_TOP + plot_height - tick / top * plot_height
        out.append(f'<line class="chart-grid" x1="{MARGIN_LEFT}" x2="{WIDTH - MARGIN_RIGHT}" y1="{y:.1f}" '
                   f'y2="{y:.1f}" stroke="#d0d0d0" stroke-width="1"/>')
        out.append(f'<text class="chart-tick" x="{MARGIN_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" '
                   f'fill="#333">{escape(_number(tick))}</text>')
    return out


def _x_label(x: float, y: float, label: str) -> str:
    short = label if len(label) <= 14 else label[:13] + "…"
    return (f'<text class="chart-label" x="{x:.1f}" y="{y:.1f}" text-anchor="end" fill="#333" '
            f'transform="rotate(-30 {x:.1f} {y:.1f})">{escape(short)}</text>')


def _legend(series: Sequence[Series], y: float) -> list[str]:
    out, x = [], float(MARGIN_LEFT)
    for i, s in enumerate(series):
        colour = PALETTE[i % len(PALETTE)]
        out.append(f'<rect class="chart-series-{i}" x="{x:.1f}" y="{y - 10:.1f}" width="10" height="10" '
                   f'fill="{colour}"/>')
        out.append(f'<text class="chart-legend" x="{x + 14:.1f}" y="{y:.1f}" fill="#333">{escape(s.name)}</text>')
        x += 24 + 7 * len(s.name)
    return out


def _table(slug: str, texts: Texts, labels: Sequence[str], series: Sequence[Series]) -> list[str]:
    head = "".join(f'<th scope="col" class="num">{escape(s.name)}</th>' for s in series)
    rows = []
    for i, label in enumerate(labels):
        cells = "".join(f'<td class="num">{escape(_number(s.values[i] if i < len(s.values) else None))}</td>'
                        for s in series)
        rows.append(f'<tr><th scope="row">{escape(label)}</th>{cells}</tr>')
    return [
        f'<details class="chart-data"><summary>{escape(texts.table_summary)}</summary>',
        f'<table id="{slug}-table"><caption>{escape(texts.title)}</caption>',
        f'<thead><tr><th scope="col">{escape(texts.category)}</th>{head}</tr></thead>',
        f'<tbody>{"".join(rows)}</tbody></table></details>',
    ]


def _empty(slug: str, texts: Texts) -> str:
    return (f'<figure class="chart chart-empty" id="{slug}"><figcaption>{escape(texts.title)}</figcaption>'
            f'<p>{escape(texts.empty)}</p></figure>')


def _values(series: Sequence[Series]) -> list[float]:
    return [float(v) for s in series for v in s.values if v is not None]


def bar_chart(chart_id: str, texts: Texts, labels: Sequence[str], values: Sequence[float | None],
              *, value_name: str = "") -> str:
    """One bar per label."""
    return stacked_bar_chart(chart_id, texts, labels, [Series(value_name or texts.title, values)], legend=False)


def stacked_bar_chart(chart_id: str, texts: Texts, labels: Sequence[str], series: Sequence[Series],
                      *, legend: bool = True) -> str:
    """One bar per label, each series stacked on the previous ones (negative figures count as 0)."""
    slug = _slug(chart_id)
    if not labels or not series:
        return _empty(slug, texts)
    totals = [sum(max(float(s.values[i] or 0), 0.0) for s in series if i < len(s.values))
              for i in range(len(labels))]
    top = nice_max(max(totals, default=0.0))
    height = HEIGHT + (LEGEND_ROW if legend else 0)
    plot_height = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    slot = (WIDTH - MARGIN_LEFT - MARGIN_RIGHT) / len(labels)
    bar = max(slot * 0.6, 1.0)
    out = _open(slug, texts, height) + _y_axis(top, plot_height)
    for i, label in enumerate(labels):
        x = MARGIN_LEFT + i * slot + (slot - bar) / 2
        base = float(MARGIN_TOP + plot_height)
        parts = []
        for k, s in enumerate(series):
            value = max(float(s.values[i] or 0), 0.0) if i < len(s.values) else 0.0
            if value <= 0:
                continue
            h = value / top * plot_height
            base -= h
            parts.append(f'<rect class="chart-series-{k}" x="{x:.1f}" y="{base:.1f}" width="{bar:.1f}" '
                         f'height="{h:.1f}" fill="{PALETTE[k % len(PALETTE)]}">'
                         f'<title>{escape(label)} – {escape(s.name)}: {escape(_number(value))}</title></rect>')
        out.append(f'<g class="chart-bar">{"".join(parts)}</g>')
        out.append(f'<text class="chart-value" x="{x + bar / 2:.1f}" y="{base - 4:.1f}" text-anchor="middle" '
                   f'fill="#111">{escape(_number(totals[i]))}</text>')
        out.append(_x_label(x + bar / 2, MARGIN_TOP + plot_height + 14, label))
    if legend:
        out += _legend(series, HEIGHT + LEGEND_ROW - 4)
    out.append("</svg>")
    out += _table(slug, texts, labels, series)
    out.append("</figure>")
    return "".join(out)


def line_chart(chart_id: str, texts: Texts, labels: Sequence[str], series: Sequence[Series]) -> str:
    """One line per series over the labels (e.g. dates, oldest first); None leaves a gap."""
    slug = _slug(chart_id)
    values = _values(series)
    if not labels or not values:
        return _empty(slug, texts)
    top = nice_max(max(values))
    height = HEIGHT + LEGEND_ROW
    plot_height = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    plot_width = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    step = plot_width / max(len(labels) - 1, 1)
    out = _open(slug, texts, height) + _y_axis(top, plot_height)

    def point(i: int, value: float) -> tuple[float, float]:
        x = MARGIN_LEFT + (i * step if len(labels) > 1 else plot_width / 2)
        return x, MARGIN_TOP + plot_height - max(value, 0.0) / top * plot_height

    for k, s in enumerate(series):
        colour = PALETTE[k % len(PALETTE)]
        segments: list[list[tuple[float, float]]] = [[]]
        for i, value in enumerate(s.values[: len(labels)]):
            if value is None:
                segments.append([])
            else:
                segments[-1].append(point(i, float(value)))
        for segment in segments:
            if len(segment) > 1:
                path = " ".join(f"{x:.1f},{y:.1f}" for x, y in segment)
                out.append(f'<polyline class="chart-series-{k}" points="{path}" fill="none" stroke="{colour}" '
                           f'stroke-width="2"/>')
        for i, value in enumerate(s.values[: len(labels)]):
            if value is not None:
                x, y = point(i, float(value))
                out.append(f'<circle class="chart-series-{k}" cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}">'
                           f'<title>{escape(labels[i])} – {escape(s.name)}: {escape(_number(value))}</title>'
                           f'</circle>')
    for i, label in enumerate(labels):
        x, _ = point(i, 0.0)
        out.append(_x_label(x, MARGIN_TOP + plot_height + 14, label))
    out += _legend(series, HEIGHT + LEGEND_ROW - 4)
    out.append("</svg>")
    out += _table(slug, texts, labels, series)
    out.append("</figure>")
    return "".join(out)
