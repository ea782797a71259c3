"""The match weight charts, drawn on the server as accessible SVG (no script, no library).

Weights are bits of evidence (log2 of m/u): positive for a match, negative against, so each
bar runs right or left of a zero line, one row per comparison (a pair's) or per comparison
level (the model's). The page shows the same figures in a table beside it.
"""

from dataclasses import dataclass
from itertools import count

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

LABEL, WIDTH, ROW = 260, 720, 22
_ids = count(1)


@dataclass(frozen=True)
class WeightChart:
    """A horizontal bar chart of weights: (label, weight) rows, drawn in order."""

    title: str
    rows: list[tuple[str, float]]

    @property
    def svg(self) -> SafeString:
        """Return the chart as an SVG element to put in a page."""
        return weight_chart_svg(self)


def weight_chart_svg(chart: WeightChart) -> SafeString:
    """Return the bars right (for) or left (against) of zero, each with its title."""
    n = next(_ids)
    top = max((abs(w) for _label, w in chart.rows), default=1) or 1
    half = (WIDTH - LABEL - 16) / 2
    zero = LABEL + half
    height = ROW * len(chart.rows) + 8
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="s2s-chart" role="img" '
             f'viewBox="0 0 {WIDTH} {height}" width="100%" aria-labelledby="weights-{n}">'
             f'<title id="weights-{n}">{escape(chart.title)}</title>',
             f'<line class="axis" x1="{zero:.1f}" y1="0" x2="{zero:.1f}" y2="{height}"/>']
    for i, (label, weight) in enumerate(chart.rows):
        y = 4 + i * ROW
        size = abs(weight) / top * half
        x = zero if weight >= 0 else zero - size
        kind = "bar" if weight >= 0 else "bar bar-against"
        parts.append(f'<text x="{LABEL - 8}" y="{y + 14}" text-anchor="end">'
                     f"{escape(label)}</text>")
        parts.append(f'<rect class="{kind}" x="{x:.1f}" y="{y}" width="{max(size, 1):.1f}" '
                     f'height="{ROW - 6}"><title>{escape(label)}: {weight:+.2f}</title></rect>')
    return mark_safe("".join(parts) + "</svg>")  # noqa: S308 - every text is escaped
