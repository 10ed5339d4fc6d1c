"""A statement as it is published: built once, then rendered as HTML, Markdown or plain text.

``public_statement`` computes the document (text in one language, footnotes, corrections and
the endorser list through the disclosure gate); ``render`` turns it into each format, so the
public page and every export say the same thing. The endorser list of a published version is
the one frozen when it was published (its ``snapshot``); endorsements and withdrawals since
then appear in the next version.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import dateformat, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from corridor.core.errors import InvalidInput
from corridor.disclosure import (
    Endorser,
    PublicEndorsers,
    endorsers_of_snapshot,
    public_endorsers,
)
from corridor.statements.markdown import to_html, to_text
from corridor.statements.models import (
    Endorsement,
    EndorserKind,
    ListedAs,
    Statement,
    StatementVersion,
)

EXPORT_FORMATS = ("html", "md", "txt")
CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "txt": "text/plain; charset=utf-8",
}


@dataclass(frozen=True)
class Correction:
    number: int
    published_on: dt.date | None
    note: str


@dataclass(frozen=True)
class PublicStatement:
    statement_id: str
    title: str
    language: str
    languages: tuple[str, ...]
    body: str  # Markdown
    version: int
    published_on: dt.date | None
    coalitions: tuple[str, ...]
    endorsers: PublicEndorsers
    footnotes: tuple[tuple[int, str], ...]
    corrections: tuple[Correction, ...]

    @property
    def numbered(self) -> list[tuple[str, list[tuple[int, str]]]]:
        """The endorser groups with each name numbered, counting on across the groups."""
        out, n = [], 0
        for group, labels in self.endorsers.groups:
            rows = []
            for label in labels:
                n += 1
                rows.append((n, label))
            out.append((group, rows))
        return out

    @property
    def anonymous_line(self) -> str:
        organisations = self.endorsers.anonymous_count(EndorserKind.ORGANISATION)
        individuals = self.endorsers.anonymous_count(EndorserKind.INDIVIDUAL)
        org_words = ngettext("%(n)d organisation", "%(n)d organisations", organisations) % {
            "n": organisations
        }
        person_words = ngettext("%(n)d individual", "%(n)d individuals", individuals) % {
            "n": individuals
        }
        if organisations and individuals:
            return _("%(orgs)s and %(people)s have requested anonymity.") % {
                "orgs": org_words,
                "people": person_words,
            }
        if organisations or individuals:
            return ngettext(
                "%(who)s has requested anonymity.",
                "%(who)s have requested anonymity.",
                organisations or individuals,
            ) % {"who": org_words if organisations else person_words}
        return ""

    @property
    def date_text(self) -> str:
        return _date(self.published_on) if self.published_on else _("Not yet published")


def _date(day: dt.date | None) -> str:
    return dateformat.format(day, "j F Y") if day else ""


def endorser_label(endorsement: Endorsement) -> str | None:
    """What the public list shows for one endorser: None for the anonymous."""
    if endorsement.listed_as == ListedAs.ANONYMOUS:
        return None
    label = endorsement.name if endorsement.listed_as == ListedAs.NAME else endorsement.display_name
    if endorsement.kind == EndorserKind.INDIVIDUAL:
        return _("%(name)s (in a personal capacity)") % {"name": label}
    return label


def _footnote_text(footnote) -> str:
    source = footnote.source
    parts = [p for p in (source.publisher, source.title, _date(source.published_on)) if p]
    text = ", ".join(parts)
    if footnote.detail:
        text += f", {footnote.detail}"
    text += "."
    if source.url:
        text += f" {source.url}"
    return text


def latest_published(statement: Statement) -> StatementVersion | None:
    return statement.versions.filter(published_at__isnull=False).order_by("-number").first()


def public_statement(
    statement: Statement,
    *,
    version: StatementVersion | None = None,
    language: str = "en",
    draft: bool = False,
) -> PublicStatement:
    """The document, through the disclosure gate. ``draft``: ``version`` is not published
    yet, and its endorser list is taken from the current endorsements (compared with the
    last published version's): what publishing it now would show."""
    if version is None:
        version = latest_published(statement)
        if version is None:
            raise InvalidInput("the statement is not published")
    texts = {t.language: t for t in version.texts.all()}
    if not texts:
        raise InvalidInput(f"version {version.number} has no text")
    text = texts.get(language) or texts.get("en") or texts[sorted(texts)[0]]
    order = [g.strip() for g in statement.group_order.split(",") if g.strip()]
    if draft:
        previous = latest_published(statement)
        endorsers = public_endorsers(
            [
                Endorser(e.group, endorser_label(e), e.kind)
                for e in statement.endorsements.filter(withdrawn_at__isnull=True)
            ],
            order=order,
            previous=previous.snapshot if previous is not None else None,
        )
    else:
        frozen = version.snapshot
        endorsers = public_endorsers(
            endorsers_of_snapshot(frozen), order=[g for g, _labels in frozen.get("groups", [])]
        )
    corrections = tuple(
        Correction(v.number, v.published_on, v.note)
        for v in statement.versions.filter(number__gt=1, number__lte=version.number)
        .exclude(published_at__isnull=True)
        .order_by("number")
    )
    with translation.override(text.language):
        footnotes = tuple(
            (f.number, _footnote_text(f)) for f in version.footnotes.select_related("source")
        )
    return PublicStatement(
        statement_id=str(statement.pk),
        title=text.title,
        language=text.language,
        languages=tuple(sorted(texts)),
        body=text.body,
        version=version.number,
        published_on=version.published_on,
        coalitions=tuple(sorted(c.name for c in statement.coalitions.all())),
        endorsers=endorsers,
        footnotes=footnotes,
        corrections=corrections,
    )


def render(document: PublicStatement, fmt: str, *, page: bool = False, asks_url: str = "") -> str:
    """The document as ``fmt`` (html, md, txt); ``page``: the HTML with the page's links
    (``asks_url``: its asks tracker's, when it has asks)."""
    with translation.override(document.language):
        if fmt == "md":
            return _markdown(document)
        if fmt == "txt":
            return _text(document)
        if fmt == "html":
            return render_to_string(
                "statements/public.html",
                {
                    "doc": document,
                    "body": to_html(document.body),
                    "page": page,
                    "asks_url": asks_url if page else "",
                    "css": "" if page else _css(),
                },
            )
    raise InvalidInput(f"format {fmt!r}: use one of {', '.join(EXPORT_FORMATS)}")


def _css() -> str:
    """The page's style sheet, written into an exported file so it prints the same."""
    path = finders.find("statements/statement.css")
    with open(str(path), encoding="utf-8") as sheet:
        return sheet.read()


def _heading_lines(document: PublicStatement) -> list[str]:
    lines = [document.date_text]
    if document.coalitions:
        lines.append(_("Coalition: %(names)s") % {"names": ", ".join(document.coalitions)})
    return lines


def _markdown(document: PublicStatement) -> str:
    out = [f"# {document.title}", "  \n".join(_heading_lines(document)), document.body]
    out.append(f"## {_('Endorsed by')}")
    for group, rows in document.numbered:
        out.append(f"### {group}")
        out.append("\n".join(f"{n}. {label}" for n, label in rows))
    if document.anonymous_line:
        out.append(document.anonymous_line)
    if document.footnotes:
        out.append(f"## {_('Notes')}")
        out.append("\n".join(f"[^{n}]: {text}" for n, text in document.footnotes))
    if document.corrections:
        out.append(f"## {_('Corrections')}")
        out.append(
            "\n".join(
                f"- {_('Version')} {c.number}, {_date(c.published_on)}: {c.note}"
                for c in document.corrections
            )
        )
    return "\n\n".join(out) + "\n"


def _text(document: PublicStatement) -> str:
    out = [document.title.upper(), "\n".join(_heading_lines(document)), to_text(document.body)]
    out.append(_("Endorsed by").upper())
    for group, rows in document.numbered:
        out.append("\n".join([group, *(f"{n}. {label}" for n, label in rows)]))
    if document.anonymous_line:
        out.append(document.anonymous_line)
    if document.footnotes:
        out.append(_("Notes").upper())
        out.append("\n".join(f"[{n}] {text}" for n, text in document.footnotes))
    if document.corrections:
        out.append(_("Corrections").upper())
        out.append(
            "\n".join(
                f"{_('Version')} {c.number}, {_date(c.published_on)}: {c.note}"
                for c in document.corrections
            )
        )
    return "\n\n".join(out) + "\n"
