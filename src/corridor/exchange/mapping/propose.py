"""Proposing a mapping from a file's first rows: its header row(s) and a sample of its cells.

1. The header row is the row among the first 25 whose cells best match known headers (so title
   rows above it are passed over); a row under it that holds only sub-headers ("18-59", "60+",
   "Female") is merged into it, the upper cell carried across the cells it spans, as a merged
   XLSX header reads ("Female" over "18-59" and "60+" gives "Female 18-59", "Female 60+").
   A hashtag row under the header maps its columns by HXL tag, exactly as the HXL reader does.
2. Each column: a KoBo question named as our field (``group_reach/women``) is certain; else its
   header is matched with rapidfuzz against the words of vocabulary.py (English and Burmese);
   a count named by sex and age ("Female (18-59)", "Boys <18") adds up into women, men, girls or
   boys; cells settle what the header leaves open (p-codes MMR001001 are a township's code).
3. Values of sector, modality, status and channel that the pipeline would not accept are
   matched to codes; what stays unknown is listed, never guessed.
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import islice
from pathlib import Path

from django.utils.translation import gettext as _
from rapidfuzz import fuzz, process

from corridor.core.errors import InvalidInput
from corridor.exchange import reading
from corridor.exchange.fields import FIELDS
from corridor.exchange.formats import hxl
from corridor.exchange.mapping.spec import CHOICES, SUMMED, Column, Mapping, is_count
from corridor.exchange.mapping.vocabulary import (
    HEADERS,
    REACH,
    VALUES,
    age_sex,
    elderly_only,
    kobo_question,
    looks,
    normalise,
)
from corridor.exchange.values import CellError, code_key

SAMPLE_ROWS = 500
# A header matching a known one this well (rapidfuzz, 0-100) is taken; below SURE it is
# taken with a lower confidence; below MAYBE it is not taken.
SURE = 90
MAYBE = 80
VALUE_MATCH = 85
_SUBHEADER = re.compile(
    r"^(female|male|f|m|women|men|girls?|boys?|total|sub ?total|adults?|children|elderly|"
    r"individuals|hh|households|[<>]? ?\d{1,2}( ?[-–] ?\d{1,2}| ?\+)?( ?y(ea)?rs?)?|"
    r"\d{1,2} and above|under \d{1,2}|အမျိုးသမီး|အမျိုးသား|မိန်းကလေး|ယောက်ျားလေး|စုစုပေါင်း)$"
)

_WORDS: dict[str, list[tuple[str, str]]] = {
    kind: [(normalise(word), name) for name, words in fields.items() for word in words]
    for kind, fields in HEADERS.items()
}


def _best_header(text: str, kind: str) -> tuple[str | None, float]:
    """The field whose known header is nearest to ``text`` (normalised), and the score."""
    if not text:
        return None, 0.0
    words = _WORDS[kind]
    found = process.extractOne(text, [w for w, _name in words], scorer=fuzz.token_sort_ratio)
    if found is None:
        return None, 0.0
    score, at = found[1], found[2]
    return words[at][1], float(score)


def _header_score(cells: list[str], kind: str) -> int:
    score = 0
    for cell in cells:
        text = normalise(cell)
        if not text or looks(cell) not in ("text", "blank"):
            continue
        if _best_header(text, kind)[1] >= MAYBE or all(age_sex(cell)):
            score += 1
    return score


def _is_subheader(cells: list[str]) -> bool:
    filled = [normalise(c) for c in cells if c.strip()]
    return bool(filled) and all(_SUBHEADER.match(c) for c in filled)


def merge_headers(upper: list[str], lower: list[str]) -> list[str]:
    """One header per column from two header rows, the upper cell carried across its span."""
    width = max(len(upper), len(lower))
    upper = upper + [""] * (width - len(upper))
    lower = lower + [""] * (width - len(lower))
    merged, carried = [], ""
    for top, bottom in zip(upper, lower, strict=True):
        top, bottom = top.strip(), bottom.strip()
        if top:
            carried = top
        elif not bottom:
            carried = ""
        parent = top or (carried if bottom else "")
        merged.append(f"{parent} {bottom}".strip() if bottom else parent)
    return merged


def find_header(rows: list[tuple[int, list[str]]], kind: str) -> tuple[list[int], list[str], int]:
    """(header row numbers, one header per column, index in ``rows`` of the first data row)."""
    best, best_score = -1, 0
    for at, (_number, cells) in enumerate(rows[: reading.HEAD_ROWS]):
        score = _header_score(cells, kind)
        if score > best_score:
            best, best_score = at, score
    if best < 0 or best_score < 2:
        raise InvalidInput(
            _(
                "no header row recognised in the first %(rows)s rows (expected headers such as "
                "Organisation, Township, Sector, Start Date)"
            )
            % {"rows": reading.HEAD_ROWS}
        )
    number, header = rows[best]
    numbers = [number]
    after = best + 1
    if after < len(rows) and _is_subheader(rows[after][1]):
        header = merge_headers(header, rows[after][1])
        numbers.append(rows[after][0])
        after += 1
    return numbers, header, after


def _column(at: int, header: str, cells: list[str], kind: str) -> Column:
    """The field one column proposes, with its confidence and reason."""
    known = {f.name for f in FIELDS[kind]}
    seen = Counter(looks(c) for c in cells)
    seen.pop("blank", None)
    main = seen.most_common(1)[0][0] if seen else "blank"
    question = kobo_question(header) or header.strip()
    if question in known and question != "id":
        return Column(at, header, question, 1.0, _("KoBo question named as the field"))
    text = normalise(header)
    name, score = _best_header(text, kind)
    question_text = normalise(kobo_question(header) or "")
    if question_text:
        other, other_score = _best_header(question_text, kind)
        if other_score > score:
            name, score = other, other_score
    sex, age = age_sex(header)
    if kind == "activities" and sex and age and score < 100:
        field = REACH[(sex, age)]
        group = {
            ("f", "adult"): _("female, adult"),
            ("m", "adult"): _("male, adult"),
            ("f", "child"): _("female, child"),
            ("m", "child"): _("male, child"),
        }[(sex, age)]
        reason = _("%(group)s: counts towards %(field)s") % {"group": group, "field": field}
        return Column(at, header, field, 0.9, reason)
    pcode = {"pcode3": "adm3_code", "pcode2": "adm2_code", "pcode1": "adm1_code"}.get(main)
    if pcode and pcode in known:
        if name == pcode and score >= MAYBE:
            return Column(at, header, pcode, 1.0, _("header and p-codes in the cells"))
        return Column(
            at, header, pcode, 0.85, _("cells are p-codes (%(level)s)") % {"level": pcode[:4]}
        )
    if name is not None and score >= MAYBE:
        if name not in known:
            return Column(
                at,
                header,
                None,
                0.0,
                _("looks like %(field)s: no such Corridor field for %(kind)s")
                % {"field": name.replace("_", " "), "kind": kind},
            )
        confidence = score / 100 if score >= SURE else score / 100 - 0.1
        reason = (
            _("header")
            if score >= 100
            else _("header like %(field)r (%(score)s%%)") % {"field": name, "score": round(score)}
        )
        if is_count(name) and main not in ("number", "blank"):
            confidence -= 0.3
            reason += "; " + _("but the cells are %(kind)s, not counts") % {"kind": main}
        return Column(at, header, name, round(confidence, 2), reason)
    if sex and not age and kind == "activities":
        return Column(at, header, None, 0.0, _("a count by sex without an age group: not added"))
    if elderly_only(header):
        return Column(at, header, None, 0.0, _("older people without sex: no Corridor field yet"))
    if not header.strip():
        return Column(at, header, None, 0.0, _("no header") if seen else "")
    reason = _("no Corridor field matches")
    if main not in ("text", "blank"):
        reason += "; " + _("cells look like %(kind)s") % {"kind": main}
    return Column(at, header, None, 0.0, reason)


def _settle_conflicts(columns: list[Column], kind: str) -> None:
    """One column per field (the surest, then the first), except columns that add up."""
    many = {f.name for f in FIELDS[kind] if f.many}
    by_field: dict[str, list[Column]] = {}
    for c in columns:
        if c.field:
            by_field.setdefault(c.field, []).append(c)
    for name, claims in by_field.items():
        if len(claims) < 2 or name in many:
            continue
        if name in SUMMED and all(all(age_sex(c.header)) for c in claims):
            continue
        keep = max(claims, key=lambda c: c.confidence)
        for c in claims:
            if c is not keep:
                c.reason = _("also looks like %(field)s, which column %(column)r holds") % {
                    "field": name,
                    "column": keep.header,
                }
                c.field = None
                c.confidence = 0.0


def _value_map(name: str, raws: set[str], kind: str) -> tuple[dict[str, str], list[str]]:
    choices = CHOICES[kind][name]
    extra = VALUES.get(name, {})
    choices_keys = list(choices.lookup)
    mapped: dict[str, str] = {}
    unknown: list[str] = []
    for raw in sorted(raws):
        value = raw.strip()
        if not value or looks(value) == "blank":
            continue
        try:
            choices(value)
            continue  # the pipeline reads it as it is
        except CellError:
            pass
        key = code_key(value)
        code = extra.get(key)
        if code is None:
            found = process.extractOne(key, choices_keys + list(extra), scorer=fuzz.ratio)
            if found is not None and found[1] >= VALUE_MATCH:
                code = choices.lookup.get(found[0]) or extra.get(found[0])
        if code is not None and code in choices.codes:
            mapped[value] = code
        else:
            unknown.append(value)
    return mapped, unknown


def propose_rows(rows: list[tuple[int, list[str]]], kind: str | None = None) -> Mapping:
    """A mapping for a table from its first rows (numbered as the file numbers them)."""
    kinds = [kind] if kind else list(FIELDS)
    proposals = []
    for candidate in kinds:
        try:
            proposals.append(_propose(rows, candidate))
        except InvalidInput:
            if kind:
                raise
    if not proposals:
        _propose(rows, "activities")  # raises the reason
    # The kind whose fields take the most columns (activities first on a tie).
    return max(proposals, key=lambda m: sum(1 for c in m.columns if c.field))


def file_headers(rows: list[list[str]]) -> list[str]:
    """One header per column of the header rows: sub-headers merged in, hashtags in blanks."""
    header = list(rows[0])
    for cells in rows[1:]:
        tags = hxl.hashtag_columns(cells)
        if tags is None:
            header = merge_headers(header, cells)
            continue
        header += [""] * (len(tags) - len(header))
        header = [
            text.strip() or (str(tags[at]) if tags[at] else "") for at, text in enumerate(header)
        ]
    return header


def _propose(rows: list[tuple[int, list[str]]], kind: str) -> Mapping:
    numbers, _header, first = find_header(rows, kind)
    sample = [cells for _number, cells in rows[first:]]
    tags = None
    if sample and (tagged := hxl.hashtag_columns(sample[0])) is not None:
        tags = tagged
        numbers.append(rows[first][0])
        sample = sample[1:]
    by_number = dict(rows[: first + 1])
    header = file_headers([by_number[n] for n in numbers])
    width = max([len(header), *(len(cells) for cells in sample)], default=0)
    columns = []
    tag_plan: dict[int, str] = {}
    if tags is not None:
        plan, _unused = hxl.plan_columns(tags, kind)
        tag_plan = {at: name for name, positions in plan.items() for at in positions}
    for at in range(width):
        text = header[at].strip() if at < len(header) else ""
        cells = [cells[at] for cells in sample if at < len(cells)]
        if at in tag_plan:
            columns.append(
                Column(
                    at,
                    text,
                    tag_plan[at],
                    1.0,
                    _("HXL tag %(tag)s") % {"tag": tags[at] if tags else ""},
                )
            )
            continue
        columns.append(_column(at, text, cells, kind))
    _settle_conflicts(columns, kind)
    mapping = Mapping(kind=kind, header_rows=numbers, columns=columns)
    for column in columns:
        if column.field in CHOICES[kind]:
            raws = {cells[column.at] for cells in sample if column.at < len(cells)}
            mapped, unknown = _value_map(column.field, raws, kind)
            if mapped:
                mapping.values.setdefault(column.field, {}).update(mapped)
            if unknown:
                mapping.unmapped_values.setdefault(column.field, []).extend(unknown)
        if is_count(column.field):
            fractions = [
                cells[column.at]
                for cells in sample
                if column.at < len(cells)
                and looks(cells[column.at]) == "number"
                and "." in cells[column.at]
                and not cells[column.at].strip().endswith(".0")
            ]
            if fractions:
                mapping.notes.append(
                    _(
                        "column %(column)r has counts with fractions (e.g. %(value)s): refused "
                        'unless you confirm rounding (--round-counts, or "round_counts": true '
                        "in the mapping)"
                    )
                    % {"column": column.header, "value": fractions[0]}
                )
    return mapping


def head(path: Path, *, name: str, rows: int = SAMPLE_ROWS) -> list[tuple[int, list[str]]]:
    """The first rows of the file (of the first sheet with enough text to hold a header)."""
    wanted = reading.HEAD_ROWS + rows
    _label, source = reading.open_rows(
        path,
        name=name,
        fits=lambda first: any(_header_score(cells, k) >= 2 for cells in first for k in FIELDS),
        wanted="a header row",
    )
    try:
        return list(islice(source, wanted))
    finally:
        close = getattr(source, "close", None)
        if close:
            close()


def propose(path: Path, *, name: str, kind: str | None = None) -> Mapping:
    """A mapping proposed for a file from its header and first SAMPLE_ROWS rows."""
    rows = head(path, name=name)
    if not rows:
        raise InvalidInput(f"{name}: the file is empty")
    try:
        return propose_rows(rows, kind)
    except InvalidInput as exc:
        raise InvalidInput(f"{name}: {exc}") from None
