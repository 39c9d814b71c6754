"""Charts drawn on the server as inline SVG: no script, no library download, the same on every browser.

Each function takes the plain data a page's JSON twin also carries and returns SVG markup in which every
label is escaped. Two kinds: lines over time (an outlet's naming choices per month) and horizontal bars
of shares (an outlet's distancing verbs per speaker).
"""

from __future__ import annotations

from html import escape

from markupsafe import Markup

WIDTH = 640
PALETTE = ("#1d3557", "#e63946", "#2a9d8f", "#f4a261", "#6d597a", "#457b9d", "#b5838d", "#8ab17d")
_PLOT_LEFT, _PLOT_TOP, _PLOT_HEIGHT = 40, 12, 150
_BAR_HEIGHT, _BAR_GAP, _LABEL_WIDTH = 16, 6, 180


def lines_svg(periods: list[str], series: list[dict[str, object]], label: str) -> Markup:
    """One line per series (`name`, `counts` aligned with `periods`) over the periods, with a legend."""
    plot_width = WIDTH - _PLOT_LEFT - 10
    tallest = max([1, *(int(n) for one in series for n in _counts(one))])
    step = plot_width / max(1, len(periods) - 1)

    def x(index: int) -> float:
        return _PLOT_LEFT + (index * step if len(periods) > 1 else plot_width / 2)

    def y(count: int) -> float:
        return _PLOT_TOP + _PLOT_HEIGHT * (1 - count / tallest)

    bottom = _PLOT_TOP + _PLOT_HEIGHT
    parts = [
        f'<line class="axis" x1="{_PLOT_LEFT}" y1="{bottom}" x2="{WIDTH - 10}" y2="{bottom}" stroke="#999"/>',
        f'<text x="{_PLOT_LEFT - 4}" y="{_PLOT_TOP + 4}" text-anchor="end" font-size="10">{tallest}</text>',
        f'<text x="{_PLOT_LEFT - 4}" y="{bottom}" text-anchor="end" font-size="10">0</text>',
    ]
    for index, period in enumerate(periods):
        if index in (0, len(periods) - 1) or index % max(1, len(periods) // 6) == 0:
            parts.append(f'<text x="{x(index):.1f}" y="{bottom + 14}" text-anchor="middle" font-size="10">'
                         f"{escape(period)}</text>")  # fmt: skip
    for number, one in enumerate(series):
        colour = PALETTE[number % len(PALETTE)]
        points = " ".join(f"{x(index):.1f},{y(int(n)):.1f}" for index, n in enumerate(_counts(one)))
        parts.append(f'<polyline class="series" fill="none" stroke="{colour}" stroke-width="2" points="{points}">'
                     f"<title>{escape(str(one['name']))}</title></polyline>")  # fmt: skip
        # a dot on every point: a single month is a point, which a line alone would not show
        parts += [f'<circle class="point" cx="{x(index):.1f}" cy="{y(n):.1f}" r="3" fill="{colour}"/>'
                  for index, n in enumerate(_counts(one))]  # fmt: skip
        legend_y = bottom + 32 + 14 * number
        name = escape(str(one["name"]))
        parts.append(f'<rect x="{_PLOT_LEFT}" y="{legend_y - 9}" width="10" height="10" fill="{colour}"/>'
                     f'<text x="{_PLOT_LEFT + 14}" y="{legend_y}" font-size="11">{name}</text>')  # fmt: skip
    height = bottom + 32 + 14 * len(series)
    return _svg(parts, height, label)


def shares_svg(rows: list[dict[str, object]], label: str) -> Markup:
    """One bar per row (`name`, `share` from 0 to 1, `n`), its share of the width, labelled with both."""
    bar_width = WIDTH - _LABEL_WIDTH - 70
    parts = []
    for number, row in enumerate(rows):
        top = _PLOT_TOP + number * (_BAR_HEIGHT + _BAR_GAP)
        share = float(str(row["share"]))
        name = escape(str(row["name"]))
        parts.append(
            f'<text x="{_LABEL_WIDTH - 6}" y="{top + 12}" text-anchor="end" font-size="11">{name}</text>'
            f'<rect x="{_LABEL_WIDTH}" y="{top}" width="{bar_width}" height="{_BAR_HEIGHT}" fill="#eee"/>'
            f'<rect class="bar" x="{_LABEL_WIDTH}" y="{top}" width="{bar_width * share:.1f}" height="{_BAR_HEIGHT}" '
            f'fill="#b00020"><title>{name}: {share:.0%} of {row["n"]}</title></rect>'
            f'<text x="{_LABEL_WIDTH + bar_width + 6}" y="{top + 12}" font-size="11">{share:.0%} of {row["n"]}</text>'
        )
    return _svg(parts, _PLOT_TOP * 2 + len(rows) * (_BAR_HEIGHT + _BAR_GAP), label)


def _counts(series: dict[str, object]) -> list[int]:
    counts = series["counts"]
    assert isinstance(counts, list)
    return [int(n) for n in counts]


def _svg(parts: list[str], height: float, label: str) -> Markup:
    body = "".join(parts)
    # every piece of text in `parts` was escaped where it was made
    return Markup(
        f'<svg class="svg-chart" role="img" aria-label="{escape(label)}" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'width="{WIDTH}" height="{height:.0f}" xmlns="http://www.w3.org/2000/svg">{body}</svg>'
    )
