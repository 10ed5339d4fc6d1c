"""The places a file's rows name, as p-codes through the gazetteer's resolver.

Names the resolver cannot settle are collected for a person's review (at most ``MAX_REVIEWS``
a file; a dry run collects none), and places read through the p-code crosswalk get a note.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from corridor.exchange.table import Row
from corridor.geo.resolver import AMBIGUOUS, NOT_FOUND, PcodeChange, Resolution, get_resolver
from corridor.geo.rules import township_problems

# Distinct unknown place names one imported file may queue for review; a dry run queues none.
MAX_REVIEWS = 100


def _point(row: Row) -> str:
    """Where a file without p-codes (ACLED) puts the event, for the person who reviews its
    place name: its point and precision. Not for precision 3 (a stand-in point, 0168)."""
    lat, lon, precision = row.get("latitude"), row.get("longitude"), row.get("geo_precision")
    if not (row.table.place_columns and lat and lon) or precision.strip() == "3":
        return ""
    said = f", geo_precision {precision.strip()}" if precision else ""
    return f" (point {lat[:12]}, {lon[:12]}{said})"


def _decided_note(given: str, change: PcodeChange | None, found: Resolution) -> str:
    """The note on a retired code or name a person has decided in the review queue."""
    if change is None or found.method != "alias" or not found.pcode:
        return ""
    old = f"{change.old_pcode} {change.old_name_en}".strip()
    said = "" if given.strip().upper() == change.old_pcode else f"{given}: "
    return f"{said}{old} was retired; filed under {found.pcode} as decided in review"


class Places:
    """The p-codes of one file's places, with the names to review and the crosswalk's notes."""

    def __init__(self, *, dry_run: bool) -> None:
        self.resolver = get_resolver()
        self.reviews: dict[tuple[str, int | None, str], str] = {}
        self.review_room = 0 if dry_run else MAX_REVIEWS
        self.reviews_left_out: set[tuple[str, int | None, str]] = set()
        self._places: dict[tuple[str, ...], tuple[str | None, str, str, str, str]] = {}
        # Rows whose place came through the p-code crosswalk, by the note they get.
        self.place_notes: dict[str, set[int]] = {}

    def place(self, row: Row, *, township_only: bool, up_to: int = 3) -> str | None:
        """The p-code of the deepest place the row names, or None with an error recorded.

        ``up_to``: the deepest level to read (1: the state or region, whatever else the row
        names; for events whose place is known only that well).
        """
        key = tuple(
            row.get(n) if int(n[3]) <= up_to else ""
            for n in ("adm3_code", "adm3_name", "adm2_code", "adm2_name", "adm1_code", "adm1_name")
        )
        cached = self._places.get(key)
        if cached is None:
            cached = self._resolve(
                *key, township_only=township_only, columns=row.table.place_columns
            )
            self._places[key] = cached
        pcode, field, reason, query, note = cached
        if note:
            self.place_notes.setdefault(note, set()).add(row.number)
        if pcode is None:
            row.error(field, reason)
            if query:
                level = int(field[3]) if field.startswith("adm") else None
                parent = row.get("adm1_code") or row.get("adm1_name")
                review = (query, level, parent)
                known = review in self.reviews or review in self.reviews_left_out
                if not known and len(self.reviews) < self.review_room:
                    self.reviews[review] = f"{row.table.name} row {row.number}" + _point(row)
                elif not known:
                    self.reviews_left_out.add(review)
        return pcode

    def _resolve(
        self,
        adm3c: str,
        adm3n: str,
        adm2c: str,
        adm2n: str,
        adm1c: str,
        adm1n: str,
        *,
        township_only: bool,
        columns: str,
    ) -> tuple[str | None, str, str, str, str]:
        """The p-code, or the field at fault, the reason and the name to queue for review;
        last, the crosswalk's note when the place was read through it.

        ``columns``: the place columns of a file without p-codes (ACLED), which the reasons
        then point at instead of asking for a p-code.
        """
        resolver = self.resolver
        parent = adm1c or adm1n or None
        if adm3c or adm3n:
            level, code, name, prefix = 3, adm3c, adm3n, "adm3"
        elif township_only:
            return None, "adm3_code", _("a township (p-code or name) is required"), "", ""
        elif adm2c or adm2n:
            level, code, name, prefix = 2, adm2c, adm2n, "adm2"
            parent = adm1c or adm1n or None
        elif adm1c or adm1n:
            level, code, name, prefix, parent = 1, adm1c, adm1n, "adm1", None
        elif columns:
            reason = _("a place is required (%(columns)s)") % {"columns": columns}
            return None, "adm1_name", reason, "", ""
        else:
            return None, "adm3_code", _("a place (township p-code or name) is required"), "", ""
        note = ""
        if code:
            found = resolver.resolve(code)
            change = resolver.change_for(code)
            if change is not None and not found.accepted:
                reason = self._retired(code, change, found, columns)
                return None, f"{prefix}_code", reason, code.strip().upper(), ""
            if found.method not in ("pcode", "crosswalk") and change is None:
                return (
                    None,
                    f"{prefix}_code",
                    _("unknown p-code %(code)s") % {"code": repr(code)},
                    "",
                    "",
                )
            note = found.note or _decided_note(code, change, found)
            if found.level != level and level == 3:
                # The rule every entry point words alike (a state p-code in a township column).
                reason = township_problems("", found.pcode, found.level)[0].message
                return None, f"{prefix}_code", reason, "", ""
            if found.level != level:
                reason = _("%(code)s is not a level-%(level)s p-code") % {
                    "code": code,
                    "level": level,
                }
                return None, f"{prefix}_code", reason, "", ""
            pcode = found.pcode
        else:
            found = resolver.resolve(name, level=level, parent=parent)
            change = resolver.change_for(name) if found.method in ("crosswalk", "alias") else None
            if change is not None and not found.accepted:
                reason = self._retired(name, change, found, columns)
                return None, f"{prefix}_name", reason, name, ""
            note = found.note or _decided_note(name, change, found)
            if not found.accepted:
                if found.status == AMBIGUOUS and columns:
                    reason = self._ambiguous_names(name, found, columns)
                elif found.status == AMBIGUOUS:
                    options = ", ".join(f"{c.name_en} ({c.pcode})" for c in found.candidates[:4])
                    reason = _("place %(name)s is ambiguous: %(options)s; give the p-code") % {
                        "name": repr(name),
                        "options": options,
                    }
                elif found.status == NOT_FOUND and found.note and level == 3:
                    reason = self._larger_area(name, parent, columns)
                else:
                    reason = self._unsettled(name, found, columns)
                return None, f"{prefix}_name", reason, name, ""
            pcode = found.pcode
        if parent and level > 1 and adm1c and pcode:
            scope = frozenset([adm1c.strip().upper()])
            if adm1c.strip().upper() in resolver.units and not resolver.in_scope(pcode, scope):
                return (
                    None,
                    f"{prefix}_code" if code else f"{prefix}_name",
                    _("%(pcode)s is not in %(state)s")
                    % {"pcode": pcode, "state": adm1c.strip().upper()},
                    "",
                    "",
                )
        return pcode, "", "", "", note

    def _retired(
        self, given: str, change: PcodeChange, found: Resolution, columns: str = ""
    ) -> str:
        """Why a retired code or name whose ground is now several units' was not taken: it
        names them, and says whether the gazetteer review queue got it."""
        names = {
            "given": repr(given),
            "old": f"{change.old_pcode} {change.old_name_en}".strip(),
            "successors": ", ".join(f"{c.name_en} ({c.pcode})" for c in found.candidates),
        }
        if len(self.reviews) < self.review_room:
            return (
                _(
                    "%(given)s names a retired place (%(old)s); its ground is now %(successors)s: "
                    "sent to the gazetteer review queue to pick one"
                )
                % names
            )
        if columns:
            return _(
                "%(given)s names a retired place (%(old)s); its ground is now %(successors)s: "
                "check the %(columns)s names or ask a coordinator to decide it in the "
                "gazetteer review queue"
            ) % {**names, "columns": columns}
        return (
            _(
                "%(given)s names a retired place (%(old)s); its ground is now %(successors)s: "
                "give the place's current p-code or name"
            )
            % names
        )

    def _larger_area(self, name: str, parent: str | None, columns: str) -> str:
        """Why a township cell naming a larger area (Kokang SAZ, Wa SAD) was not taken."""
        wider = self.resolver.resolve(name, parent=parent)
        names = {
            "name": repr(name),
            "areas": ", ".join(f"{c.name_en} ({c.pcode})" for c in wider.candidates[:3]),
            "columns": columns,
        }
        if len(self.reviews) < self.review_room:
            return (
                _(
                    "place %(name)s is %(areas)s, not a township: sent to the gazetteer "
                    "review queue to pick a township in it"
                )
                % names
            )
        if columns:
            return (
                _("place %(name)s is %(areas)s, not a township: check the %(columns)s names")
                % names
            )
        return (
            _("place %(name)s is %(areas)s, not a township: give the township's p-code or name")
            % names
        )

    def _ambiguous_names(self, name: str, found: Any, columns: str) -> str:
        """Why a name of a file without p-codes (ACLED) that fits several places was not taken."""
        names = {
            "name": repr(name),
            "options": ", ".join(f"{c.name_en} ({c.pcode})" for c in found.candidates[:4]),
            "columns": columns,
        }
        if len(self.reviews) < self.review_room:
            return (
                _("place %(name)s is ambiguous: %(options)s; sent to the gazetteer review queue")
                % names
            )
        return (
            _(
                "place %(name)s is ambiguous: %(options)s; check the %(columns)s names "
                "or ask a coordinator to add the name to the gazetteer"
            )
            % names
        )

    def _unsettled(self, name: str, found: Any, columns: str = "") -> str:
        """Why a name was not taken; it says "sent" only when the queue will get it."""
        queued = len(self.reviews) < self.review_room
        if found.status == NOT_FOUND and queued:
            return _("unknown place %(name)s; sent to the gazetteer review queue") % {
                "name": repr(name)
            }
        if found.status == NOT_FOUND and columns:
            return _(
                "unknown place %(name)s; check the %(columns)s names or ask a coordinator "
                "to add the name to the gazetteer"
            ) % {"name": repr(name), "columns": columns}
        if found.status == NOT_FOUND:
            return _(
                "unknown place %(name)s; give its p-code or ask a coordinator "
                "to add the name to the gazetteer"
            ) % {"name": repr(name)}
        best = found.candidates[0]
        names = {"name": repr(name), "place": best.name_en, "pcode": best.pcode}
        if queued:
            return (
                _(
                    "place %(name)s only resembles %(place)s (%(pcode)s); "
                    "sent to the gazetteer review queue"
                )
                % names
            )
        if columns:
            return _(
                "place %(name)s only resembles %(place)s (%(pcode)s); check the "
                "%(columns)s names or ask a coordinator to add the name to the gazetteer"
            ) % {**names, "columns": columns}
        return (
            _(
                "place %(name)s only resembles %(place)s (%(pcode)s); give its "
                "p-code or ask a coordinator to add the name to the gazetteer"
            )
            % names
        )
