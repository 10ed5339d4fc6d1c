"""Writes to the gazetteer: loading the shipped MIMU admin units."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from corridor.audit.services import Action, audit_record
from corridor.geo.models import AdminUnit

DATA_DIR = Path(__file__).resolve().parent / "data"
UNITS_CSV = DATA_DIR / "admin_units.csv"
BOUNDARY_FILES = [DATA_DIR / "adm1.geojson", DATA_DIR / "adm3.geojson"]


@dataclass(frozen=True)
class LoadResult:
    created: int
    updated: int

    @property
    def total(self) -> int:
        return self.created + self.updated


def _boundaries() -> dict[str, dict[str, Any]]:
    shapes: dict[str, dict[str, Any]] = {}
    for path in BOUNDARY_FILES:
        with path.open(encoding="utf-8") as handle:
            for feature in json.load(handle)["features"]:
                shapes[feature["properties"]["pcode"]] = feature["geometry"]
    return shapes


def _float_or_none(text: str) -> float | None:
    return float(text) if text.strip() else None


def read_units(path: Path = UNITS_CSV) -> list[AdminUnit]:
    """Admin units from the shipped CSV, parents before children."""
    shapes = _boundaries()
    units = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            units.append(
                AdminUnit(
                    pcode=row["pcode"],
                    level=int(row["level"]),
                    parent_id=row["parent_pcode"] or None,
                    name_en=row["name_en"],
                    name_my=row["name_my"],
                    centroid_lon=_float_or_none(row["centroid_lon"]),
                    centroid_lat=_float_or_none(row["centroid_lat"]),
                    boundary=shapes.get(row["pcode"]),
                )
            )
    units.sort(key=lambda unit: (unit.level, unit.pcode))
    return units


@transaction.atomic
def admin_units_load(
    *, by: Any = None, progress: Callable[[int, int], None] | None = None
) -> LoadResult:
    """Insert or update every shipped admin unit; running it twice changes nothing."""
    units = read_units()
    existing = set(AdminUnit.objects.values_list("pcode", flat=True))
    fields = ["level", "parent", "name_en", "name_my", "centroid_lon", "centroid_lat", "boundary"]
    for level in (1, 2, 3):
        batch = [unit for unit in units if unit.level == level]
        AdminUnit.objects.bulk_create(
            batch, update_conflicts=True, unique_fields=["pcode"], update_fields=fields
        )
        if progress:
            progress(level, 3)
    created = sum(1 for unit in units if unit.pcode not in existing)
    result = LoadResult(created=created, updated=len(units) - created)
    audit_record(
        by=by,
        action=Action.IMPORT,
        object_type="geo.adminunit",
        changes={"source": UNITS_CSV.name, "created": result.created, "updated": result.updated},
    )
    return result
