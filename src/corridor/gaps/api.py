"""JSON API for the gap table as it may be shared (gaps/shared.py, like /gaps.csv and
`corridor gaps`). ``GapRowOut`` is the unsuppressed row the township page's data shows.

``GET /api/gaps/`` answers from a cache of computed answers (decision 0271): the key is the
data version (``aid.queries.data_version``, changed by every write of the rows the table is
computed from), the audience (``aid.queries.reach_audience`` and ``policy.reads_situation``:
the values the caller's two scoped querysets are built from, so no SQL is compiled to find a
kept answer, decision 0360), the question and the settings and day it
depends on. The answer is checked against its schema by plain pydantic models and turned into
JSON once (decision 0272); a cached answer is sent as those bytes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections.abc import Callable
from typing import Any, get_type_hints

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.regex_helper import _lazy_re_compile
from django.utils.text import compress_string
from django.utils.translation import get_language
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.security import django_auth
from pydantic import BaseModel, ConfigDict, create_model

from corridor.accounts import policy
from corridor.aid.queries import data_version, reach_audience, reach_for
from corridor.disclosure import shared_output, suppressed_legend
from corridor.disclosure.gate import gate_passed, tracking
from corridor.gaps.queries import GapInputError, GapRow
from corridor.gaps.shared import SharedGapRow, shared_gap_table
from corridor.situation.queries import figures_for

router = Router(tags=["gaps"], auth=django_auth)


class _Plain(BaseModel):
    """Read from attributes like a ninja ``Schema``, without its per-attribute getter (a
    third of the time: docs/scaling.md)."""

    model_config = ConfigDict(from_attributes=True)


def _schema_of(
    name: str,
    row: type,
    *,
    leave_out: tuple[str, ...] = (),
    add: tuple[str, ...] = (),
    base: type[BaseModel] = Schema,
) -> type[BaseModel]:
    """The response schema of a gap row: the fields of its dataclass (``GapRow``,
    ``SharedGapRow``), in their order, so a row's columns are written in one place
    (issue 16); ``add`` names properties to send too."""
    hints = get_type_hints(row)
    fields: dict[str, Any] = {
        f.name: (hints[f.name], ...) for f in dataclasses.fields(row) if f.name not in leave_out
    }
    for prop in add:
        fields[prop] = (get_type_hints(getattr(row, prop).fget)["return"], ...)
    return create_model(name, __base__=base, **fields)


# Each schema is a class of its own over the generated fields, so other modules' schemas and
# mypy can name it as a type (a generated class is not one to mypy, hence the one ignore each).


#: The unsuppressed row (the township page's data): planned people are never in
#: people_reached; need_basis is "sector", "all_sectors" or "idps".
class GapRowOut(
    _schema_of("GapRowFields", GapRow, leave_out=("figure_source_id",), add=("need_period",))  # type: ignore[misc]
):
    pass


#: A row as it may be shared: ``suppressed`` names the fields that are hidden (null), not
#: unknown; need_period is the need figure's month, or its validity period in months.
class SharedGapRowOut(_schema_of("SharedGapRowFields", SharedGapRow, base=_Plain)):  # type: ignore[misc]
    pass


class SharedTownshipGapOut(_Plain):
    pcode: str
    township: str
    township_my: str
    need: int
    people_reached: int
    coverage: float


class SharedGapTableOut(_Plain):
    month: str
    sector: str | None
    state: str | None
    cutoff: dt.date
    k: int
    legend: str
    rows: list[SharedGapRowOut]
    ranking: list[SharedTownshipGapOut]


@router.get("/", response=SharedGapTableOut, summary="Gap table for one month, to share")
@shared_output(
    "api.gaps.gaps",
    what="GET /api/gaps/: the gap table of one month (township × sector) as JSON, over what "
    "the signed-in person may see",
)
def gaps(
    request: Any, month: str, sector: str | None = None, state: str | None = None
) -> HttpResponse:
    """Need against people reached per township and sector, worst-covered first.

    Made to be passed on: counts below k and the figures that would give them away are null
    and named in each row's ``suppressed``; months after the publication cutoff are refused.
    """
    # The audience is the plain value the scoped querysets are built from: no SQL is
    # compiled for a kept answer (decision 0360).
    reach_audience_ = reach_audience(request.user)
    reads_situation = policy.reads_situation(request.user)
    today = timezone.localdate()
    version = data_version()
    key = (
        month,
        sector or None,
        state or None,
        today,
        get_language(),
        settings.DISCLOSURE_K,
        settings.PUBLICATION_DELAY_DAYS,
        reach_audience_,
        reads_situation,
    )

    def compute() -> Answer:
        with tracking() as steps:
            try:
                table = shared_gap_table(
                    month,
                    today=today,
                    reach_rows=reach_for(reach_audience_),
                    figures=figures_for(reads_situation),
                    sector=sector or None,
                    state=state or None,
                )
            except GapInputError as exc:
                raise HttpError(400, str(exc)) from None
        for step in steps:
            gate_passed(step)
        body = SharedGapTableOut.model_validate(
            {
                "month": table.month.strftime("%Y-%m"),
                "sector": table.sector,
                "state": table.state,
                "cutoff": table.cutoff,
                "k": table.k,
                "legend": suppressed_legend(table.k),
                "rows": table.rows,
                "ranking": table.ranking,
            }
        ).model_dump_json()
        return Answer(body.encode(), tuple(steps))

    answer, computed_here = ANSWERS.kept_or_computed(version, key, compute)
    if not computed_here:
        # The answer passed through the disclosure gate when it was built; its steps are
        # noted again for this request.
        for step in answer.steps:
            gate_passed(f"{step} (kept answer)")
    return answer.response(request)


_ACCEPTS_GZIP = _lazy_re_compile(r"\bgzip\b")


class Answer:
    """One computed answer: its JSON, the same gzipped once (made when first asked for, as
    ``GZipMiddleware`` would, random header bytes included; the answer holds no secret for
    BREACH to find, decision 0135) and the gate steps it passed."""

    def __init__(self, body: bytes, steps: tuple[str, ...]) -> None:
        self.body = body
        self.steps = steps
        self.gzipped: bytes | None = None

    def response(self, request: Any) -> HttpResponse:
        if len(self.body) < 200 or not _ACCEPTS_GZIP.search(
            request.META.get("HTTP_ACCEPT_ENCODING", "")
        ):
            return HttpResponse(self.body, content_type="application/json; charset=utf-8")
        if self.gzipped is None:
            self.gzipped = compress_string(self.body, max_random_bytes=100)
        response = HttpResponse(self.gzipped, content_type="application/json; charset=utf-8")
        response.headers["Content-Encoding"] = "gzip"
        patch_vary_headers(response, ("Accept-Encoding",))
        return response


class Answers:
    """Computed answers (``Answer``) of one data version, at most ``size`` of them; a new
    version empties it. None (no version) caches nothing. Shared by the threads of one
    process."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self.version: str | None = None
        self.answers: dict[tuple, Answer] = {}
        self.lock = threading.Lock()
        # One lock per question being computed (of this version): threads that ask the same
        # question meanwhile wait for its answer instead of computing it again.
        self.flights: dict[tuple, threading.Lock] = {}

    def kept_or_computed(
        self, version: str | None, key: tuple, compute: Callable[[], Answer]
    ) -> tuple[Answer, bool]:
        """The kept answer to ``key``, else ``compute()``'s, kept if it passed the disclosure
        gate (it has steps); and whether this call computed it. Of the threads asking the same
        question of the same version at once, one computes and the others wait for its answer
        (after every write, a busy hub's threads would otherwise each compute the same table)."""
        kept = self.get(version, key)
        if kept is not None:
            return kept, False
        if version is None:
            return compute(), True  # nothing is kept without a version: nothing to wait for
        with self._flight(version, key):
            kept = self.get(version, key)
            if kept is not None:
                return kept, False
            answer = compute()
            if answer.steps:
                self.put(version, key, answer)
            return answer, True

    def _flight(self, version: str, key: tuple) -> threading.Lock:
        with self.lock:
            self._turn_to(version)
            flight = self.flights.get(key)
            if flight is None:
                if len(self.flights) >= self.size:
                    self.flights.pop(next(iter(self.flights)))
                flight = self.flights[key] = threading.Lock()
            return flight

    def get(self, version: str | None, key: tuple) -> Answer | None:
        if version is None:
            return None
        with self.lock:
            return self.answers.get(key) if version == self.version else None

    def put(self, version: str | None, key: tuple, answer: Answer) -> None:
        if version is None:
            return
        with self.lock:
            self._turn_to(version)
            if len(self.answers) >= self.size:
                self.answers.pop(next(iter(self.answers)))
            self.answers[key] = answer

    def _turn_to(self, version: str) -> None:
        """(With the lock held.) A new data version: nothing kept or computed before it holds."""
        if version != self.version:
            self.version, self.answers, self.flights = version, {}, {}


ANSWERS = Answers()
