"""Input types shared by the API schemas: bounds the database can store, checked at the edge.

Without them a huge number or a NUL character passes the schema and fails in the database
(PostgreSQL's integer is 32-bit; its text cannot hold NUL): a 500 instead of a clear 4xx.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from corridor.core.errors import InvalidInput

# PostgreSQL `integer`, which Django's PositiveIntegerField uses.
MAX_COUNT = 2_147_483_647
NO_NUL = r"^[^\x00]*$"

Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
# A number of people in a record: any whole number passes the schema, so that the record rules
# (corridor.core.rules) refuse a negative or impossible count in the words every entry point uses.
People = Annotated[int, Field(description="People (0 or more; at most a township's population).")]
Text = Annotated[str, StringConstraints(pattern=NO_NUL, max_length=20_000)]
Line = Annotated[str, StringConstraints(pattern=NO_NUL, max_length=300)]
Title = Annotated[str, StringConstraints(pattern=NO_NUL, min_length=1, max_length=300)]
Pcode = Annotated[str, StringConstraints(pattern=r"^MMR[0-9A-Z]{0,13}$")]
CurrencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]

# Lists are paged: a bounded page keeps every answer small and every offset storable.
MAX_PAGE = 500
MAX_OFFSET = 1_000_000
Limit = Annotated[int, Field(ge=1, le=MAX_PAGE, description=f"Rows per page (1-{MAX_PAGE}).")]
Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET, description="Rows to skip.")]


# A DELETE removes a record softly, with the reason kept in its history (decision 0282).
MAX_REASON = 2_000
REMOVAL = (
    "Removes the record softly: it leaves every list, total and export, and its history keeps "
    "who removed it, when and why. The reason is required: `?reason=...` or a JSON body "
    '`{"reason": "..."}`. Those who may remove it may restore it on its page.'
)


def page_of(rows: Any, limit: int, offset: int, out: Callable[[Any], Any]) -> dict[str, Any]:
    """One page of ``rows`` as every list endpoint answers: the total, and the page's rows
    through ``out``."""
    return {"count": rows.count(), "items": [out(row) for row in rows[offset : offset + limit]]}


def not_null(values: dict[str, Any], names: Iterable[str] | None = None) -> dict[str, Any]:
    """Refuse a null sent for a field that cannot hold one (those in ``names``; any, without
    them): it would only fail later, less clearly. Returns ``values``."""
    for name in values if names is None else names:
        if name in values and values[name] is None:
            raise InvalidInput(f"{name} cannot be null")
    return values


def reason_given(request: Any, query: str) -> str:
    """The reason a DELETE gives: its ``reason`` query parameter, else a JSON body's
    ``reason`` ("" when neither: the removal service refuses a removal without one)."""
    reason: Any = query
    if not reason.strip() and request.body.strip():
        try:
            data = json.loads(request.body)
        except ValueError:
            raise InvalidInput('the body is not JSON; give {"reason": "..."}') from None
        reason = data.get("reason", "") if isinstance(data, dict) else ""
    if not isinstance(reason, str) or "\x00" in reason or len(reason) > MAX_REASON:
        raise InvalidInput(f"the reason is text of at most {MAX_REASON} characters")
    return reason
