"""Dependency-free SVG line charts for training curves (loss, mAP per epoch)."""
from __future__ import annotations

from html import escape

COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"]


def line_chart(title: str, series: dict[str, list[tuple[float, float]]], x_label: str, y_label: str,
               width: int = 520, height: int = 300) -> str:
    points = [p for s in series.values() for p in s]
    left, right, top, bottom = 56, 16, 28, 40
    if not points:
        return f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"><text x="10" y="20">{escape(title)}: no data</text></svg>'
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    x0, x1 = min(xs), max(xs) if max(xs) > min(xs) else min(xs) + 1
    y0, y1 = min(0.0, min(ys)), max(ys) * 1.05 if max(ys) > 0 else 1.0
    pw, ph = width - left - right, height - top - bottom

    def sx(v: float) -> float:
        return left + (v - x0) / (x1 - x0) * pw

    def sy(v: float) -> float:
        return top + ph - (v - y0) / (y1 - y0) * ph

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="11">',
           f'<text x="{width / 2}" y="16" text-anchor="middle" font-size="13">{escape(title)}</text>',
           f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#888"/>']
    for i in range(5):
        v = y0 + (y1 - y0) * i / 4
        out.append(f'<text x="{left - 4}" y="{sy(v) + 4:.1f}" text-anchor="end">{v:.3g}</text>')
        out.append(f'<line x1="{left}" x2="{left + pw}" y1="{sy(v):.1f}" y2="{sy(v):.1f}" stroke="#eee"/>')
    out.append(f'<text x="{left}" y="{height - 8}">{escape(x_label)} {x0:g}</text>')
    out.append(f'<text x="{left + pw}" y="{height - 8}" text-anchor="end">{x1:g}</text>')
    out.append(f'<text x="12" y="{top + ph / 2}" transform="rotate(-90 12 {top + ph / 2})" text-anchor="middle">{escape(y_label)}</text>')
    for i, (name, pts) in enumerate(series.items()):
        colour = COLOURS[i % len(COLOURS)]
        path = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in pts)
        out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{path}"/>')
        out.append(f'<text x="{left + 8}" y="{top + 14 + 14 * i}" fill="{colour}">{escape(name)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def stack(charts: list[str]) -> str:
    """Stacks several chart SVGs vertically into one document."""
    h = 0
    parts = []
    for c in charts:
        height = int(c.split('height="', 1)[1].split('"', 1)[0])
        parts.append(f'<g transform="translate(0 {h})">{c}</g>')
        h += height
    return f'<svg xmlns="http://www.w3.org/2000/svg" width="520" height="{h}">' + "".join(parts) + "</svg>"
