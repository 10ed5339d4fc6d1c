"""Township choropleth of Myanmar as inline SVG, drawn from AdminUnit.boundary.

Boundaries are projected once per process (equirectangular, longitude scaled by the cosine of
the mid latitude), snapped to a coarse integer grid and thinned, which brings the ~2 MB of
township polygons down to a path set small enough for the page budget.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from django.utils.html import escape, format_html

from corridor.geo.models import AdminUnit, Level

# Myanmar's extent, with a small margin.
LON_MIN, LON_MAX, LAT_MIN, LAT_MAX = 92.1, 101.2, 9.5, 28.6
SCALE = 60.0  # grid units per degree of latitude
COS = math.cos(math.radians((LAT_MIN + LAT_MAX) / 2))
WIDTH = round((LON_MAX - LON_MIN) * COS * SCALE)
HEIGHT = round((LAT_MAX - LAT_MIN) * SCALE)
# Points closer than this (grid units) to the last kept point are dropped.
THIN = 2
NO_DATA = "#eeeeee"


@dataclass(frozen=True)
class Shape:
    pcode: str
    name_en: str
    name_my: str
    d: str


def _project(lon: float, lat: float) -> tuple[int, int]:
    return round((lon - LON_MIN) * COS * SCALE), round((LAT_MAX - lat) * SCALE)


def _ring_path(ring: Sequence[Sequence[float]]) -> str:
    kept: list[tuple[int, int]] = []
    for lon, lat, *_ in ring:
        point = _project(lon, lat)
        if kept and abs(point[0] - kept[-1][0]) + abs(point[1] - kept[-1][1]) < THIN:
            continue
        kept.append(point)
    if len(kept) < 3:
        return ""
    first, rest = kept[0], kept[1:]
    # Relative moves keep the numbers short.
    parts = [f"M{first[0]} {first[1]}"]
    x, y = first
    for px, py in rest:
        parts.append(f"l{px - x} {py - y}")
        x, y = px, py
    return "".join(parts) + "z"


def geometry_path(geometry: dict) -> str:
    if not geometry:
        return ""
    if geometry.get("type") == "Polygon":
        polygons = [geometry["coordinates"]]
    elif geometry.get("type") == "MultiPolygon":
        polygons = geometry["coordinates"]
    else:
        return ""
    return "".join(_ring_path(ring) for polygon in polygons for ring in polygon)


def _fingerprint() -> tuple:
    return (
        AdminUnit.objects.filter(level=Level.TOWNSHIP, boundary__isnull=False).count(),
        AdminUnit.objects.filter(level=Level.TOWNSHIP)
        .order_by("-pcode")
        .values_list("pcode", flat=True)
        .first(),
    )


@lru_cache(maxsize=4)
def _shapes(fingerprint: tuple) -> tuple[Shape, ...]:
    shapes = []
    units = AdminUnit.objects.filter(level=Level.TOWNSHIP, boundary__isnull=False).values_list(
        "pcode", "name_en", "name_my", "boundary"
    )
    for pcode, name_en, name_my, boundary in units.iterator(chunk_size=100):
        d = geometry_path(boundary)
        if d:
            shapes.append(Shape(pcode, name_en, name_my, d))
    return tuple(shapes)


def township_shapes() -> tuple[Shape, ...]:
    return _shapes(_fingerprint())


@dataclass(frozen=True)
class Legend:
    colour: str
    label: str


def choropleth(
    values: dict[str, float | None],
    *,
    colour: Callable[[float | None], str],
    legend: Sequence[Legend],
    title: str,
    describe: Callable[[Shape, float | None], str],
    state: str | None = None,
) -> str:
    """The SVG element; ``describe`` gives each township's tooltip (its <title>)."""
    shapes = [s for s in township_shapes() if not state or s.pcode.startswith(state)]
    if not shapes:
        return ""
    parts = [
        format_html(
            '<svg class="map" viewBox="0 0 {} {}" role="img" aria-labelledby="map-title">'
            '<title id="map-title">{}</title>',
            WIDTH,
            HEIGHT,
            title,
        )
    ]
    if state:
        parts[0] = parts[0].replace(f'viewBox="0 0 {WIDTH} {HEIGHT}"', _fit(shapes))
    for shape in shapes:
        value = values.get(shape.pcode)
        parts.append(
            format_html(
                '<a href="/townships/{}/" tabindex="-1"><path d="{}" fill="{}">'
                "<title>{}</title></path></a>",
                shape.pcode,
                shape.d,
                colour(value),
                describe(shape, value),
            )
        )
    y = 10
    for item in legend:
        parts.append(
            f'<rect x="8" y="{y}" width="14" height="14" fill="{escape(item.colour)}"'
            ' stroke="#57606a" stroke-width=".5"/>'
            f'<text x="28" y="{y + 12}">{escape(item.label)}</text>'
        )
        y += 20
    parts.append("</svg>")
    return "".join(parts)


def _fit(shapes: Sequence[Shape]) -> str:
    xs, ys = [], []
    for shape in shapes:
        x, y = 0, 0
        for token in shape.d.replace("z", " ").replace("M", " M").replace("l", " l").split(" M"):
            if not token.strip():
                continue
            moves = token.strip().lstrip("M").split("l")
            x, y = (int(v) for v in moves[0].split())
            xs.append(x)
            ys.append(y)
            for move in moves[1:]:
                dx, dy = (int(v) for v in move.split())
                x, y = x + dx, y + dy
                xs.append(x)
                ys.append(y)
    pad = 10
    left, top = max(min(xs) - pad - 130, 0), max(min(ys) - pad, 0)
    return f'viewBox="{left} {top} {max(xs) + pad - left} {max(ys) + pad - top}"'


def steps(breaks: Sequence[float], colours: Sequence[str]) -> Callable[[float | None], str]:
    """A colour function: value < breaks[i] gets colours[i]; the rest the last colour."""

    def colour(value: float | None) -> str:
        if value is None:
            return NO_DATA
        for limit, fill in zip(breaks, colours, strict=False):
            if value < limit:
                return fill
        return colours[-1]

    return colour
