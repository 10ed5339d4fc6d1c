"""Input types shared by the API schemas: bounds the database can store, checked at the edge.

Without them a huge number or a NUL character passes the schema and fails in the database
(PostgreSQL's integer is 32-bit; its text cannot hold NUL): a 500 instead of a clear 4xx.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

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
