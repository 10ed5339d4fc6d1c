"""The Burmese catalogue: complete, in Unicode, and the committed .mo matches the .po."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

from django.utils import translation

from corridor.web.burmese import is_zawgyi, unicode_text
from corridor.web.numbers import month_label, number

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "my" / "LC_MESSAGES"


def _string(lines: list[str]) -> str:
    return "".join(ast.literal_eval(re.sub(r"^msg\w+(\[\d\])?\s+", "", line)) for line in lines)


def read_po(path: Path) -> dict:
    """msgid (with context and plural index where present) -> msgstr, from a .po file."""
    entries = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        fields: dict[str, list[str]] = {}
        current = None
        for line in block.splitlines():
            if line.startswith("#"):
                continue
            if line.startswith('"'):
                fields[current].append(line)
                continue
            current = line.split(" ", 1)[0]
            fields[current] = [line]
        if "msgid" not in fields:
            continue
        msgid = _string(fields["msgid"])
        if "msgctxt" in fields:
            msgid = f"{_string(fields['msgctxt'])}\x04{msgid}"
        if "msgid_plural" in fields:
            for key, lines in fields.items():
                if key.startswith("msgstr["):
                    entries[(msgid, int(key[7:-1]))] = _string(lines)
        else:
            entries[msgid] = _string(fields["msgstr"])
    return entries


def test_mo_matches_po():
    po = read_po(LOCALE / "django.po")
    with (LOCALE / "django.mo").open("rb") as handle:
        mo = gettext.GNUTranslations(handle)._catalog
    # msgfmt leaves the POT creation date out of the compiled header.
    header = "".join(
        line + "\n" for line in po.pop("").splitlines() if not line.startswith("POT-Creation")
    )
    assert header == mo.pop("")
    assert po == mo


def test_every_string_is_translated_in_unicode():
    po = read_po(LOCALE / "django.po")
    untranslated = [k for k, v in po.items() if k and not v]
    assert not untranslated
    zawgyi = [v for v in po.values() if is_zawgyi(v)]
    assert not zawgyi
    # Every translation keeps the placeholders its English has.
    for key, value in po.items():
        english = key[0] if isinstance(key, tuple) else key
        if not english:
            continue
        wanted = set(re.findall(r"%\(\w+\)[sd]", english.split("\x04")[-1]))
        if isinstance(key, tuple):
            wanted.discard("%(count)s")
        assert wanted <= set(re.findall(r"%\(\w+\)[sd]", value)), english


def test_burmese_numbers_and_months():
    with translation.override("my"):
        assert number(1234567) == "၁,၂၃၄,၅၆၇"
        assert month_label(__import__("datetime").date(2024, 3, 1)) == "မတ် ၂၀၂၄"
        assert translation.gettext("Township") == "မြို့နယ်"
    with translation.override("en"):
        assert number(1234567) == "1,234,567"


def test_zawgyi_input_becomes_unicode():
    assert unicode_text("မ်ားသည္") == "များသည်"
    assert unicode_text("များသည်") == "များသည်"
    assert unicode_text("plain English") == "plain English"
