"""The Markdown a statement is written in, to HTML and to plain text (decision 0300).

A small subset, enough for a statement and predictable to the character (the exports are
checked against exact text): paragraphs, ``#``/``##``/``###`` headings, ``-`` and ``1.``
lists, ``**bold**``, ``*emphasis*`` and footnote marks ``[^3]``. Everything else is text,
escaped: no raw HTML, no links, no images (a statement's own text never loads anything).
"""

from __future__ import annotations

import html
import re

FOOTNOTE = re.compile(r"\[\^(\d+)\]")
BOLD = re.compile(r"\*\*(.+?)\*\*")
EMPHASIS = re.compile(r"(?<!\*)\*([^*]+?)\*(?!\*)")
HEADING = re.compile(r"^(#{1,3})\s+(.*)$")
BULLET = re.compile(r"^[-*]\s+(.*)$")
NUMBERED = re.compile(r"^(\d+)[.)]\s+(.*)$")


def footnote_marks(text: str) -> list[int]:
    """The footnote numbers the text refers to, in order of first use."""
    seen: list[int] = []
    for match in FOOTNOTE.finditer(text):
        number = int(match.group(1))
        if number not in seen:
            seen.append(number)
    return seen


def _blocks(text: str) -> list[list[str]]:
    blocks: list[list[str]] = [[]]
    for line in text.replace("\r\n", "\n").split("\n"):
        if line.strip():
            blocks[-1].append(line.strip())
        elif blocks[-1]:
            blocks.append([])
    return [b for b in blocks if b]


def _inline_html(text: str) -> str:
    out = html.escape(text, quote=False)
    out = BOLD.sub(r"<strong>\1</strong>", out)
    out = EMPHASIS.sub(r"<em>\1</em>", out)
    return FOOTNOTE.sub(
        lambda m: f'<sup class="fn"><a href="#fn-{m.group(1)}">{m.group(1)}</a></sup>', out
    )


def _inline_text(text: str) -> str:
    out = BOLD.sub(r"\1", text)
    out = EMPHASIS.sub(r"\1", out)
    return FOOTNOTE.sub(r"[\1]", out)


def to_html(text: str) -> str:
    """The body as HTML (escaped; only the tags this module writes)."""
    parts = []
    for block in _blocks(text):
        heading = HEADING.match(block[0])
        if heading and len(block) == 1:
            level = len(heading.group(1)) + 1  # the statement's title is the page's h1
            parts.append(f"<h{level}>{_inline_html(heading.group(2))}</h{level}>")
        elif all(BULLET.match(line) for line in block):
            items = "".join(f"<li>{_inline_html(BULLET.match(x).group(1))}</li>" for x in block)  # type: ignore[union-attr]
            parts.append(f"<ul>{items}</ul>")
        elif all(NUMBERED.match(line) for line in block):
            items = "".join(
                f"<li>{_inline_html(NUMBERED.match(x).group(2))}</li>"  # type: ignore[union-attr]
                for x in block
            )
            parts.append(f"<ol>{items}</ol>")
        else:
            parts.append(f"<p>{_inline_html(' '.join(block))}</p>")
    return "\n".join(parts)


def to_text(text: str) -> str:
    """The body as plain text for a chat message: marks dropped, footnotes as [n]."""
    parts = []
    for block in _blocks(text):
        heading = HEADING.match(block[0])
        if heading and len(block) == 1:
            parts.append(_inline_text(heading.group(2)).upper())
        elif all(BULLET.match(line) or NUMBERED.match(line) for line in block):
            lines = []
            for line in block:
                bullet = BULLET.match(line)
                if bullet:
                    lines.append(f"- {_inline_text(bullet.group(1))}")
                else:
                    numbered = NUMBERED.match(line)
                    lines.append(f"{numbered.group(1)}. {_inline_text(numbered.group(2))}")  # type: ignore[union-attr]
            parts.append("\n".join(lines))
        else:
            parts.append(_inline_text(" ".join(block)))
    return "\n\n".join(parts)


def normalised(text: str) -> str:
    """The body as Markdown with blocks separated by one blank line, lines trimmed."""
    return "\n\n".join("\n".join(block) for block in _blocks(text))
