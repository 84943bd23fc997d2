"""Summarises distillation runs (their history.json) into an ablation table (Markdown) and an SVG bar chart.

python3 -m person_search_training.ablation --out <file stem> name=<run dir> [name=<run dir> ...]"""
from __future__ import annotations

import argparse
import json
import os
import sys
from html import escape

from .plot import COLOURS

COLUMNS = [("teacher", "teacher"), ("student", "student"), ("studentQueryTeacherGallery", "student→teacher gallery"),
           ("twoStage", "two-stage (top-200)")]


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--out", required=True)
    p.add_argument("--title", default="DKD distillation ablation (cuhk03/val)")
    p.add_argument("runs", nargs="+")
    args = p.parse_args(argv)
    rows = []
    for spec in args.runs:
        name, folder = spec.split("=", 1)
        with open(os.path.join(folder, "history.json"), encoding="utf-8") as f:
            last = json.load(f)[-1]
        rows.append((name, last))
    lines = [f"# {args.title}", "", "| run | " + " | ".join(f"{label} mAP / top-1" for _, label in COLUMNS) + " |",
             "|---|" + "---|" * len(COLUMNS)]
    for name, last in rows:
        cells = [f"{last[k]['mAP']:.3f} / {last[k]['top1']:.3f}" for k, _ in COLUMNS]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    with open(args.out + ".md", "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    width, bar, gap = 640, 14, 10
    height = 40 + len(rows) * (bar * len(COLUMNS) + gap)
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="11">',
           f'<text x="10" y="16" font-size="13">{escape(args.title)} — mAP</text>']
    y = 30
    for name, last in rows:
        svg.append(f'<text x="10" y="{y + bar * len(COLUMNS) / 2 + 4}">{escape(name)}</text>')
        for c, (key, label) in enumerate(COLUMNS):
            w = last[key]["mAP"] * 400
            svg.append(f'<rect x="200" y="{y}" width="{w:.1f}" height="{bar - 2}" fill="{COLOURS[c]}"/>')
            svg.append(f'<text x="{204 + w:.1f}" y="{y + bar - 4}">{label} {last[key]["mAP"]:.3f}</text>')
            y += bar
        y += gap
    svg.append("</svg>")
    with open(args.out + ".svg", "w", encoding="utf-8") as f:
        f.write("\n".join(svg))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
