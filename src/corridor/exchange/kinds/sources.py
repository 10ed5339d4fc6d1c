"""The sources a file's rows cite: known ones by title, publisher and link, new ones kept to
be written before the rows that cite them."""

from __future__ import annotations

import uuid

from django.utils.translation import gettext as _

from corridor.exchange import values
from corridor.exchange.kinds.choices import RELIABILITY
from corridor.exchange.kinds.keys import NAMESPACE
from corridor.exchange.table import Row
from corridor.situation.models import Source


class Sources:
    """The sources of one file: ``known`` (stored or seen) and ``new`` (first seen here)."""

    def __init__(self) -> None:
        self.known: dict[tuple[str, str, str], uuid.UUID] = {
            (title, publisher, url): pk
            for pk, title, publisher, url in Source.objects.values_list(
                "id", "title", "publisher", "url"
            )
        }
        # Sources first seen in this file, written before the rows that cite them.
        self.new: dict[uuid.UUID, tuple] = {}

    def source_ids(
        self, row: Row, *, required: bool, names: list[str] | None = None
    ) -> list[uuid.UUID]:
        """Ids of the sources a row cites (``names``: publisher names from one ACLED cell)."""
        if names is not None:
            titles, publishers, urls, dates, ratings = names, names, [], [], []
        else:
            titles = row.all("source_title")
            publishers = row.all("source_publisher")
            urls = row.all("source_url")
            dates = row.all("source_date")
            ratings = row.all("source_reliability")
        found: list[uuid.UUID] = []
        for at, title in enumerate(titles):
            if not title:
                continue
            title = values.text(title)
            publisher = values.text(publishers[at]) if at < len(publishers) else ""
            url = urls[at] if at < len(urls) else ""
            if url and not url.startswith(("http://", "https://")):
                row.error(
                    "source_url", _("a source link must start with http:// or https://"), url, at=at
                )
                continue
            key = (title[:300], publisher[:200], url[:500])
            pk = self.known.get(key)
            if pk is None:
                pk = uuid.uuid5(NAMESPACE, "source:" + "|".join(key))
                published = None
                if at < len(dates) and dates[at]:
                    try:
                        published = values.date(dates[at])
                    except values.CellError as exc:
                        row.error("source_date", str(exc), dates[at], at=at)
                rating = "F"
                if at < len(ratings) and ratings[at]:
                    try:
                        rating = RELIABILITY(ratings[at])
                    except values.CellError as exc:
                        row.error("source_reliability", str(exc), ratings[at], at=at)
                self.known[key] = pk
                self.new[pk] = (pk, key[0], key[1], published, key[2], rating)
            if pk not in found:
                found.append(pk)
        if required and not found and not row.errors:
            row.error("source_title", _("a source is required: an unsourced number is a rumour"))
        return found
