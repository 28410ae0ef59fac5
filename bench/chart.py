"""The readers' ratios of a run as an SVG bar chart, written beside bench/results.md.

One bar per readers' ratio (requests/s of a page against its floor, its quiet phase or nginx;
the size and import ratios, where lower is better, stay in the report's tables), with the
issue's target marked on it, green where it is met and red where it is missed; no library, so
the chart is as plain to review in a diff as the report.
"""

from __future__ import annotations

import math
from html import escape

from .results import Check, number

WIDTH, BAR, GAP, LEFT, TOP = 820, 22, 10, 330, 40


def ratio_checks(checks: list[Check]) -> list[Check]:
    return [c for c in checks if c.unit == "x" and c.op == ">="]


def svg(checks: list[Check], *, title: str) -> str:
    checks = ratio_checks(checks)
    scale_max = max([1.0, *(c.target for c in checks), *(_value(c) for c in checks)])
    # Room on the right for the figure written after each bar.
    plot = WIDTH - LEFT - 230
    height = TOP + len(checks) * (BAR + GAP) + 30

    def x(value: float) -> float:
        return LEFT + plot * value / scale_max

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="t">',
        f'<title id="t">{escape(title)}</title>',
        "<style>text{font:13px sans-serif;fill:#222}.n{font-size:12px}</style>",
        f'<rect width="{WIDTH}" height="{height}" fill="#fff"/>',
        f'<text x="10" y="22" style="font-weight:bold">{escape(title)}</text>',
    ]
    step = 0.25 if scale_max <= 2 else 1.0
    for tick in [step * n for n in range(int(scale_max / step) + 1)]:
        parts.append(
            f'<line x1="{x(tick):.1f}" y1="{TOP - 6}" x2="{x(tick):.1f}" y2="{height - 24}" '
            'stroke="#ddd"/>'
            f'<text class="n" x="{x(tick):.1f}" y="{height - 8}" text-anchor="middle">'
            f"{tick:g}x</text>"
        )
    for row, check in enumerate(checks):
        y = TOP + row * (BAR + GAP)
        value = _value(check)
        colour = "#2e7d32" if check.passed else "#c62828"
        measured = number(check.value) + "x" if not math.isnan(check.value) else "not measured"
        parts += [
            f'<text x="{LEFT - 8}" y="{y + 15}" text-anchor="end">{escape(check.name)}</text>',
            f'<rect x="{LEFT}" y="{y}" width="{x(value) - LEFT:.1f}" height="{BAR}" '
            f'fill="{colour}"/>',
            f'<line x1="{x(check.target):.1f}" y1="{y - 3}" x2="{x(check.target):.1f}" '
            f'y2="{y + BAR + 3}" stroke="#000" stroke-width="2"/>',
            f'<text class="n" x="{max(x(value), x(check.target)) + 6:.1f}" y="{y + 15}">'
            f"{measured} ({check.mark}, target {number(check.target)}x)</text>",
        ]
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _value(check: Check) -> float:
    return 0.0 if math.isnan(check.value) else float(check.value)
