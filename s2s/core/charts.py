"""Bar charts drawn on the server as accessible SVG: no JavaScript, no library.

Each chart has a title and a description the SVG carries (`role="img"`, `aria-labelledby`),
labelled axes, and a `<title>` on every bar ("1 September 2025: 12"); the page always shows
the same figures in a table below it, so the chart adds a picture and hides nothing.
"""

from dataclasses import dataclass
from itertools import count

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import ngettext

WIDTH, HEIGHT = 720, 330
LEFT, RIGHT, TOP, BOTTOM = 96, 16, 16, 104
_ids = count(1)


@dataclass(frozen=True)
class Chart:
    """A bar chart: one bar per (label, value), drawn in order."""

    title: str
    x_label: str
    y_label: str
    bars: list[tuple[str, int]]

    @property
    def svg(self) -> SafeString:
        """Return the chart as an SVG element to put in a page."""
        return bar_chart_svg(self)


def _ticks(top: int) -> list[int]:
    """Return round values (steps of 1, 2 or 5 times a power of ten) from 0 up past the top."""
    if top <= 0:
        return [0, 1]
    magnitude = 1
    while True:
        for multiple in (1, 2, 5):
            step = multiple * magnitude
            if top / step <= 5:
                return [step * i for i in range(-(-top // step) + 1)]
        magnitude *= 10


def _bars(chart: Chart, scale: float, plot_width: float) -> list[str]:
    slot = plot_width / max(len(chart.bars), 1)
    width = max(slot * 0.8, 1)
    every = max(1, len(chart.bars) // 12)  # at most about 12 x-axis labels
    parts = []
    for i, (label, value) in enumerate(chart.bars):
        x = LEFT + i * slot + (slot - width) / 2
        h = value * scale
        y = TOP + (HEIGHT - TOP - BOTTOM) - h
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{h:.1f}">'
            f"<title>{escape(label)}: {value}</title></rect>")
        if i % every == 0:
            lx, ly = x + width / 2, HEIGHT - BOTTOM + 14
            parts.append(f'<text class="x-tick" x="{lx:.1f}" y="{ly:.1f}" '
                         f'transform="rotate(-35 {lx:.1f} {ly:.1f})" text-anchor="end">'
                         f"{escape(label)}</text>")
    return parts


def _axes(chart: Chart, ticks: list[int], scale: float) -> list[str]:
    base = HEIGHT - BOTTOM
    parts = [f'<line class="axis" x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{base}"/>',
             f'<line class="axis" x1="{LEFT}" y1="{base}" x2="{WIDTH - RIGHT}" y2="{base}"/>']
    for tick in ticks:
        y = base - tick * scale
        parts.append(f'<text class="y-tick" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
                     f"{tick}</text>")
    parts.append(f'<text class="axis-label" x="{(LEFT + WIDTH) / 2:.0f}" y="{HEIGHT - 4}" '
                 f'text-anchor="middle">{escape(chart.x_label)}</text>')
    parts.append(f'<text class="axis-label" x="14" y="{(TOP + base) / 2:.0f}" '
                 f'transform="rotate(-90 14 {(TOP + base) / 2:.0f})" text-anchor="middle">'
                 f"{escape(chart.y_label)}</text>")
    return parts


def bar_chart_svg(chart: Chart) -> SafeString:
    """Return an accessible SVG bar chart: title, description, axes and one rect per bar."""
    n = next(_ids)
    ticks = _ticks(max((value for _label, value in chart.bars), default=0))
    scale = (HEIGHT - TOP - BOTTOM) / ticks[-1]
    total = sum(value for _label, value in chart.bars)
    desc = ngettext("%(bars)s bar, %(total)s in all. The figures are in the table below.",
                    "%(bars)s bars, %(total)s in all. The figures are in the table below.",
                    len(chart.bars)) % {"bars": len(chart.bars), "total": total}
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="s2s-chart" role="img" '
            f'viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
            f'aria-labelledby="chart-{n}-title chart-{n}-desc">'
            f'<title id="chart-{n}-title">{escape(chart.title)}</title>'
            f'<desc id="chart-{n}-desc">{escape(desc)}</desc>')
    # Its colours are in core/s2s.css: the Content-Security-Policy allows no inline style.
    body = _axes(chart, ticks, scale) + _bars(chart, scale, WIDTH - LEFT - RIGHT)
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308 - every text is escaped
