"""Township choropleth of Myanmar as inline SVG, drawn from AdminUnit.boundary.

Boundaries are projected once per process (equirectangular, longitude scaled by the cosine of
the mid latitude), snapped to a coarse integer grid and thinned, which brings the ~2 MB of
township polygons down to a path set small enough for the page budget.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from django.utils.html import escape, format_html
from django.utils.translation import get_language

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


def _ring_path(ring: Sequence[Sequence[float]], thin: int = THIN) -> str:
    kept: list[tuple[int, int]] = []
    for lon, lat, *_ in ring:
        point = _project(lon, lat)
        if kept and abs(point[0] - kept[-1][0]) + abs(point[1] - kept[-1][1]) < thin:
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


def geometry_path(geometry: dict | None, thin: int = THIN) -> str:
    if not geometry:
        return ""
    if geometry.get("type") == "Polygon":
        polygons = [geometry["coordinates"]]
    elif geometry.get("type") == "MultiPolygon":
        polygons = geometry["coordinates"]
    else:
        return ""
    return "".join(_ring_path(ring, thin) for polygon in polygons for ring in polygon)


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
class Region:
    """A state or region: its border (a path, thinned more than townships') and where its
    name goes."""

    pcode: str
    name_en: str
    name_my: str
    d: str
    x: int
    y: int


# States' borders are drawn over the townships' fills: thinner detail is enough at that scale.
REGION_THIN = 4


@lru_cache(maxsize=4)
def _regions(fingerprint: tuple) -> tuple[Region, ...]:
    regions = []
    units = AdminUnit.objects.filter(level=Level.STATE, boundary__isnull=False).values_list(
        "pcode", "name_en", "name_my", "boundary"
    )
    for pcode, name_en, name_my, boundary in units:
        d = geometry_path(boundary, thin=REGION_THIN)
        spot = _label_spot(boundary)
        if d and spot is not None:
            regions.append(Region(pcode, name_en, name_my, d, *spot))
    return tuple(regions)


def _label_spot(geometry: dict | None) -> tuple[int, int] | None:
    """Where a region's name goes: the centroid of its largest polygon's outer ring, projected
    (the shipped gazetteer has no centroids for states; islands would pull a plain average)."""
    if not geometry:
        return None
    if geometry.get("type") == "Polygon":
        polygons = [geometry["coordinates"]]
    elif geometry.get("type") == "MultiPolygon":
        polygons = geometry["coordinates"]
    else:
        return None
    best: tuple[float, float, float] | None = None  # area, x, y
    for polygon in polygons:
        ring = [_project(lon, lat) for lon, lat, *_ in polygon[0]]
        twice_area = cx = cy = 0.0
        for (x0, y0), (x1, y1) in itertools.pairwise([*ring, ring[0]]):
            cross = x0 * y1 - x1 * y0
            twice_area += cross
            cx += (x0 + x1) * cross
            cy += (y0 + y1) * cross
        if twice_area and (best is None or abs(twice_area) > best[0]):
            best = (abs(twice_area), cx / (3 * twice_area), cy / (3 * twice_area))
    return None if best is None else (round(best[1]), round(best[2]))


def region_shapes() -> tuple[Region, ...]:
    return _regions(_fingerprint())


def _region_layer(state: str | None, burmese: bool) -> str:
    """State and region borders with their names, above the townships; ignored by the
    pointer so each township stays clickable."""
    regions = [r for r in region_shapes() if not state or r.pcode == state]
    if not regions:
        return ""
    borders = "".join(format_html('<path d="{}"/>', r.d) for r in regions)
    if burmese:
        labels = "".join(
            format_html('<text x="{}" y="{}" lang="my">{}</text>', r.x, r.y, r.name_my)
            if r.name_my
            else format_html('<text x="{}" y="{}">{}</text>', r.x, r.y, r.name_en)
            for r in regions
        )
    else:
        labels = "".join(
            format_html('<text x="{}" y="{}">{}</text>', r.x, r.y, r.name_en) for r in regions
        )
    return (
        '<g class="regions" aria-hidden="true" fill="none" stroke="#24292f" '
        'stroke-width="1.2" stroke-linejoin="round">'
        f"{borders}</g>"
        '<g class="region-names" aria-hidden="true" text-anchor="middle" font-size="11" '
        'fill="#24292f" stroke="#ffffff" stroke-width="3" paint-order="stroke">'
        f"{labels}</g>"
    )


@dataclass(frozen=True)
class Legend:
    colour: str
    label: str


def choropleth(
    values: Mapping[str, float | None],
    *,
    colour: Callable[[float | None], str],
    legend: Sequence[Legend],
    title: str,
    describe: Callable[[Shape, float | None], str],
    state: str | None = None,
    burmese: bool | None = None,
) -> str:
    """The SVG element; ``describe`` gives each township's tooltip (its <title>). State and
    region borders and names are drawn over the townships (in Burmese when ``burmese``, by
    default when the page is)."""
    shapes = [s for s in township_shapes() if not state or s.pcode.startswith(state)]
    if not shapes:
        return ""
    parts: list[str] = [
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
    if burmese is None:
        burmese = (get_language() or "").startswith("my")
    parts.append(_region_layer(state, burmese))
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
