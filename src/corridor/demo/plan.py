"""What the demo holds: its size, its stable keys and its calendar.

Every record's UUID is ``uuid5(NAMESPACE, key)`` over a stable key such as ``activity:1234``, so
loading the demo again finds the same rows instead of adding new ones (decision 0020). The seed
changes values, never keys. Each part of the dataset draws from its own random stream
(``rng(seed, "incidents")``), so changing one part's size leaves the others as they were.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass, field

from corridor.accounts.models import GlobalRole, OrgRole
from corridor.orgs.models import OrgKind

NAMESPACE = uuid.UUID("d6abbca3-6a74-4425-84dc-5a92208afd80")
DEFAULT_SEED = 2021


@dataclass(frozen=True)
class DemoUser:
    username: str
    global_role: str
    # (organisation slot, role): the slot is an index into Size.member_organisations.
    memberships: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class Size:
    """The generator's parameters; tests compute expected row counts from these."""

    organisations: dict[OrgKind, int] = field(
        default_factory=lambda: {
            OrgKind.LOCAL_CSO: 18,
            OrgKind.ETHNIC: 7,
            OrgKind.RESISTANCE_ADMIN: 6,
            OrgKind.DIASPORA: 7,
            OrgKind.NUG_NUCC: 3,
            OrgKind.INGO: 8,
            OrgKind.UN: 3,
            OrgKind.DONOR: 5,
            OrgKind.OTHER: 3,
        }
    )
    coalition_sizes: tuple[int, ...] = (12, 9, 7, 5)
    townships: int = 120
    activities: int = 3000
    incidents: int = 500
    field_reports: int = 150
    transfer_chains: int = 150  # two transfers each: donor -> intermediary -> local group
    grants: int = 12  # the ledger's grants (demo/ledger.py): one or two intermediaries each
    first_month: dt.date = dt.date(2022, 1, 1)
    # Displacement and incidents run to the last reported month; activities also hold plans
    # for the months after it. A fixed date, not the clock, so every load is the same.
    last_reported_month: dt.date = dt.date(2026, 10, 1)
    last_planned_month: dt.date = dt.date(2026, 12, 1)
    # Sectors with their own people in need for the last reported year (a demo HNO).
    need_sectors: tuple[str, ...] = ("food_security", "health")
    users: tuple[DemoUser, ...] = (
        DemoUser("demo-coordinator", GlobalRole.COORDINATOR),
        DemoUser("demo-org-admin", GlobalRole.NONE, ((0, OrgRole.ORG_ADMIN),)),
        DemoUser("demo-editor", GlobalRole.NONE, ((0, OrgRole.EDITOR), (1, OrgRole.EDITOR))),
        DemoUser("demo-viewer", GlobalRole.NONE, ((2, OrgRole.VIEWER),)),
    )

    @property
    def organisation_count(self) -> int:
        return sum(self.organisations.values())

    @property
    def reported_months(self) -> list[dt.date]:
        return months(self.first_month, self.last_reported_month)

    @property
    def planned_months(self) -> list[dt.date]:
        return months(self.first_month, self.last_planned_month)

    @property
    def transfers(self) -> int:
        return 2 * self.transfer_chains + self.grant_transfers

    @property
    def grant_transfers(self) -> int:
        """Each grant's hops (two intermediaries every third grant) and one claim."""
        return sum(grant_hops(i) for i in range(self.grants)) + (1 if self.grants > 1 else 0)

    @property
    def grant_spending(self) -> int:
        """Two spending rows per grant whose last hop the local group confirmed (demo/ledger.py:
        of every five grants, the fourth is only claimed and the fifth still in transit)."""
        return 2 * sum(1 for i in range(self.grants) if i % 5 < 3)

    @property
    def grant_disputes(self) -> int:
        return 1 if self.grants > 2 else 0

    @property
    def exchange_rates(self) -> int:
        """Monthly official and market rates of each grant currency to THB and MMK."""
        return len(self.reported_months) * len(GRANT_CURRENCIES) * 2 * 2

    @property
    def synthetic_sources(self) -> int:
        # One displacement bulletin and one incident digest per reported month, plus field
        # reports and the needs overview.
        return 2 * len(self.reported_months) + self.field_reports + 1

    @property
    def figures(self) -> int:
        """A figure per township and reported month, and each need sector's per township."""
        return self.townships * (len(self.reported_months) + len(self.need_sectors))

    @property
    def memberships(self) -> int:
        return sum(len(user.memberships) for user in self.users)


def grant_hops(index: int) -> int:
    """Donor → intermediary (→ second intermediary, every third grant) → local group."""
    return 3 if index % 3 == 0 else 2


GRANT_CURRENCIES = ("USD", "JPY", "NOK", "EUR")

SIZE = Size()


def key_id(key: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, key)


def rng(seed: int, part: str) -> random.Random:
    # A string seed is hashed with SHA-512 by random.Random: stable across runs and machines.
    return random.Random(f"corridor-demo:{seed}:{part}")  # noqa: S311 — synthetic data, not secrets


def months(first: dt.date, last: dt.date) -> list[dt.date]:
    out = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        out.append(dt.date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def month_end(month: dt.date) -> dt.date:
    following = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def day_in(month: dt.date, random_: random.Random) -> dt.date:
    return month + dt.timedelta(days=random_.randrange(month_end(month).day))
