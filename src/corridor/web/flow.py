"""A grant's chain of custody as a flow picture (a Sankey diagram), server-rendered SVG.

No script and no library (decision 0071): columns of organisations from the donor onwards, then
where the money ended up (spent on activities, fees, unaccounted, in transit, disputed, still
held, not yet sent, exchange differences). Every band's width is its amount in the report's
currency (the grant's, or one chosen: decision 0364), from ``funds.custody`` unchanged, and
every band carries that amount as text (``data-amount`` and its tooltip), so the picture says
exactly what the custody report says (decision 0268). Parts below zero (more arrived than
promised, a gain on exchange) have no band; the table beside the picture lists them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from corridor.core.money import text
from corridor.funds.custody import EXCHANGE, HELD, Custody

ZERO = Decimal(0)
WIDTH = 960
BAND_SPACE = 360  # pixels the grant's whole amount takes, stacked
NODE_WIDTH = 14
GAP = 18  # between nodes of one column
TOP = 30
# Sinks: where the money is now, in the order they are drawn.
SINKS = (
    "spent_on_activities",
    "held",
    "in_transit",
    "fees",
    "unaccounted",
    "disputed",
    "not_yet_sent",
    EXCHANGE,
)


def sink_labels() -> dict[str, str]:
    return {
        "spent_on_activities": _("Spent on activities"),
        "held": _("Still held"),
        "in_transit": _("In transit"),
        "fees": _("Fees"),
        "unaccounted": _("Unaccounted"),
        "disputed": _("Disputed"),
        "not_yet_sent": _("Not yet sent"),
        EXCHANGE: _("Exchange differences"),
    }


@dataclass(frozen=True)
class Flow:
    source: str  # a node key: "org:<name>" or "sink:<part>"
    target: str
    amount: Decimal  # in the custody report's currency (the grant's unless chosen)


def flows(found: Custody) -> list[Flow]:
    """The bands of the picture, each amount taken from the custody report as it is."""
    donor = f"org:{found.grant.donor.name}"
    out: list[Flow] = []
    for hop in found.hops:
        t = hop.transfer
        sender, receiver = f"org:{t.from_organisation.name}", f"org:{t.to_organisation.name}"
        if hop.disputed and hop.sent_value:
            out.append(Flow(sender, "sink:disputed", hop.sent_value))
        if not hop.counted:
            continue
        if hop.received_value:
            out.append(Flow(sender, receiver, hop.received_value))
        for part, amount in (
            ("in_transit", hop.in_transit_value),
            ("fees", hop.fee_value),
            ("unaccounted", hop.unaccounted_value),
        ):
            if amount > 0:
                out.append(Flow(sender, f"sink:{part}", amount))
    spent: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for line in found.spending:
        if line["value"]:  # empty: not converted, a rate is missing (the page says which)
            spent[line["organisation"]] += Decimal(line["value"])
    for name, amount in spent.items():
        if amount > 0:
            out.append(Flow(f"org:{name}", "sink:spent_on_activities", amount))
    for key, amount in found.breakdown.items():
        if key.startswith(HELD) and amount > 0:
            out.append(Flow(f"org:{key[len(HELD) :]}", "sink:held", amount))
    for part in ("not_yet_sent", EXCHANGE):
        if found.breakdown[part] > 0:
            out.append(Flow(donor, f"sink:{part}", found.breakdown[part]))
    return out


def _columns(found: Custody, bands: list[Flow]) -> list[list[str]]:
    """Organisations by their distance from the donor along the bands, then the sinks."""
    donor = f"org:{found.grant.donor.name}"
    depth = {donor: 0}
    changed = True
    while changed:  # longest path from the donor; chains are short and have no cycles
        changed = False
        for b in bands:
            if b.target.startswith("org:") and b.source in depth:
                want = depth[b.source] + 1
                if depth.get(b.target, -1) < want and want <= len(bands):
                    depth[b.target] = want
                    changed = True
    for b in bands:  # an organisation reached by no counted band: beside the donor
        for node in (b.source, b.target):
            if node.startswith("org:"):
                depth.setdefault(node, 1)
    columns: list[list[str]] = [[] for _ in range(max(depth.values(), default=0) + 1)]
    for node, d in sorted(depth.items(), key=lambda item: (item[1], item[0])):
        columns[d].append(node)
    present = {b.target for b in bands}
    columns.append([f"sink:{s}" for s in SINKS if f"sink:{s}" in present])
    return [c for c in columns if c]


def _px(amount: Decimal, whole: Decimal) -> int:
    """A band's width in pixels: its share of the grant's amount, at least one pixel."""
    if whole <= 0:
        return 1
    scaled = (amount * BAND_SPACE / whole).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return max(1, int(scaled))


def custody_svg(found: Custody, *, label: Callable[[str], str]) -> SafeString:
    """The picture as an ``<svg>`` element; ``label`` names an organisation (by its name in
    the custody report) as the viewer may see it. Every text is escaped by ``format_html``."""
    cur = found.currency  # the grant's, or the one the person chose (decision 0364)
    bands = flows(found)
    whole = found.amount or ZERO
    columns = _columns(found, bands)
    sinks = sink_labels()
    size: dict[str, int] = defaultdict(int)
    ins: dict[str, int] = defaultdict(int)
    outs: dict[str, int] = defaultdict(int)
    widths = [_px(b.amount, whole) for b in bands]
    for b, w in zip(bands, widths, strict=True):
        outs[b.source] += w
        ins[b.target] += w
    for node in set(ins) | set(outs):
        size[node] = max(ins[node], outs[node], 2)
    step = (WIDTH - 220 - NODE_WIDTH) // max(len(columns) - 1, 1)
    x: dict[str, int] = {}
    y: dict[str, int] = {}
    height = TOP
    for n, column in enumerate(columns):
        top = TOP
        for node in column:
            x[node], y[node] = 10 + n * step, top
            top += size[node] + GAP
        height = max(height, top)
    out_at = dict(y)
    in_at = dict(y)
    parts: list[str] = []
    for b, w in zip(bands, widths, strict=True):
        x0, x1 = x[b.source] + NODE_WIDTH, x[b.target]
        y0, y1 = out_at[b.source] + w // 2, in_at[b.target] + w // 2
        out_at[b.source] += w
        in_at[b.target] += w
        middle = (x0 + x1) // 2
        source = label(b.source[4:]) if b.source.startswith("org:") else sinks[b.source[5:]]
        target = label(b.target[4:]) if b.target.startswith("org:") else sinks[b.target[5:]]
        amount = text(b.amount, cur)
        parts.append(
            format_html(
                '<path class="band band-{}" d="M{} {} C{} {} {} {} {} {}" stroke-width="{}" '
                'data-from="{}" data-to="{}" data-amount="{}"><title>{} → {}: {} {}</title></path>',
                "sink" if b.target.startswith("sink:") else "hop",
                x0,
                y0,
                middle,
                y0,
                middle,
                y1,
                x1,
                y1,
                w,
                source,
                target,
                amount,
                source,
                target,
                amount,
                cur,
            )
        )
    for node in x:
        name = label(node[4:]) if node.startswith("org:") else sinks[node[5:]]
        total = sum((b.amount for b in bands if b.target == node), ZERO)
        caption = f"{name}: {text(total, cur)} {cur}" if node.startswith("sink:") else name
        parts.append(
            format_html(
                '<rect class="node" x="{}" y="{}" width="{}" height="{}"><title>{}</title></rect>'
                '<text x="{}" y="{}">{}</text>',
                x[node],
                y[node],
                NODE_WIDTH,
                size[node],
                caption,
                x[node] + NODE_WIDTH + 4,
                y[node] + min(size[node], 24) // 2 + 5,
                caption,
            )
        )
    title = _("Where the money of %(grant)s is now, in %(currency)s") % {
        "grant": found.grant.title,
        "currency": cur,
    }
    return format_html(
        '<svg class="flow" viewBox="0 0 {} {}" role="img" aria-labelledby="flow-title">'
        '<title id="flow-title">{}</title>{}</svg>',
        WIDTH,
        height + 10,
        title,
        mark_safe("".join(parts)),  # noqa: S308 — each piece built by format_html above
    )
