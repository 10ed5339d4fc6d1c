"""Monthly trend charts as inline SVG bars; the same numbers go to a table and a CSV."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape, format_html

from corridor.web.numbers import digits, number

BAR_W, GAP, HEIGHT, TOP, BOTTOM, LEFT = 22, 6, 140, 16, 34, 8


def bar_chart(points: Sequence[tuple[str, int | None]], *, title: str, chart_id: str) -> str:
    """Bars labelled with their month; ``points`` are (label, value) in time order."""
    values = [v or 0 for _, v in points]
    top = max(values, default=0) or 1
    width = LEFT * 2 + len(points) * (BAR_W + GAP)
    parts: list[str] = [
        format_html(
            '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{}">'
            '<title id="{}">{}</title>',
            width,
            HEIGHT + TOP + BOTTOM,
            chart_id,
            chart_id,
            title,
        )
    ]
    for index, (label, value) in enumerate(points):
        h = round((value or 0) / top * HEIGHT)
        x = LEFT + index * (BAR_W + GAP)
        y = TOP + HEIGHT - h
        parts.append(
            f'<rect x="{x}" y="{y}" width="{BAR_W}" height="{max(h, 1)}" class="bar">'
            f"<title>{escape(label)}: {escape(number(value))}</title></rect>"
        )
        if len(points) <= 13 or index % 3 == 0:
            parts.append(
                f'<text x="{x + BAR_W / 2}" y="{TOP + HEIGHT + 14}" text-anchor="middle"'
                f' class="tick">{escape(digits(label[-2:]))}</text>'
            )
    parts.append(
        f'<text x="{LEFT}" y="{TOP - 4}" class="tick">{escape(number(max(values, default=0)))}'
        "</text></svg>"
    )
    return "".join(parts)
