"""Small server-rendered SVG charts: no JavaScript build, readable without colour (each series has
its own marker shape and a text table follows every chart)."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape

from motcua.core.formatting import percent_vi

MARKERS = ("circle", "square", "triangle", "diamond")
COLOURS = ("#0b4f8a", "#b3541e", "#2e7d32", "#6a1b9a")


@dataclass(frozen=True)
class Series:
    label: str
    values: list[Decimal | None]  # percent per point; None = no data (a gap in the line)


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'
    if shape == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
    if shape == "triangle":
        return f'<polygon points="{x:.1f},{y - 5:.1f} {x - 5:.1f},{y + 4:.1f} {x + 5:.1f},{y + 4:.1f}" fill="{colour}"/>'
    return f'<polygon points="{x:.1f},{y - 5:.1f} {x + 5:.1f},{y:.1f} {x:.1f},{y + 5:.1f} {x - 5:.1f},{y:.1f}" fill="{colour}"/>'


def line_chart(
    *, title: str, labels: list[str], series: list[Series], width: int = 720, height: int = 260
) -> str:
    """Percent lines (0–100 %) over `labels`; returns an accessible inline SVG."""
    left, right, top, bottom = 44, 28, 12, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(1, len(labels) - 1)

    def y_of(value: Decimal) -> float:
        return top + plot_h * (1 - float(value) / 100)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" class="chart">',
        f"<title>{escape(title)}</title>",
    ]
    for tick in (0, 25, 50, 75, 100):
        y = y_of(Decimal(tick))
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d0d7de"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">{tick}%</text>'
        )
    for i, label in enumerate(labels):
        x = left + i * step
        parts.append(
            f'<text x="{x:.1f}" y="{height - 18}" text-anchor="middle" font-size="11">{escape(label)}</text>'
        )
    for index, line in enumerate(series):
        colour, shape = COLOURS[index % len(COLOURS)], MARKERS[index % len(MARKERS)]
        points = [(left + i * step, y_of(v)) for i, v in enumerate(line.values) if v is not None]
        segments, current = [], []
        for i, value in enumerate(line.values):
            if value is None:
                if current:
                    segments.append(current)
                current = []
            else:
                current.append((left + i * step, y_of(value)))
        if current:
            segments.append(current)
        for segment in segments:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in segment)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>'
            )
        parts.extend(_marker(shape, x, y, colour) for x, y in points)
    parts.append("</svg>")
    return "".join(parts)


MARKER_NAMES = {
    "circle": "chấm tròn",
    "square": "ô vuông",
    "triangle": "tam giác",
    "diamond": "hình thoi",
}


def legend(series: list[Series]) -> list[dict]:
    return [
        {
            "label": s.label,
            "colour": COLOURS[i % len(COLOURS)],
            "shape": MARKER_NAMES[MARKERS[i % len(MARKERS)]],
        }
        for i, s in enumerate(series)
    ]


def percent_cells(series: list[Series]) -> list[list[str]]:
    return [[percent_vi(v) if v is not None else "—" for v in s.values] for s in series]
