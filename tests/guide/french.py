"""Checks that a French guide holds no English fixed text (data shown in English is marked)."""

from __future__ import annotations

import html.parser
import re
import string

from kg import i18n

# Keys whose French text is rightly the same as the English one.
SAME_IN_BOTH = {
    "guide.col.contact",  # "Contact"
    "guide.col.date",  # "Date"
    "guide.col.participants",  # "Participants"
    "guide.date.month_year",  # placeholders only
    "guide.date.day_month_year",
    "guide.diff.status_change",  # "{old} → {new}"
    "guide.col.instrument",  # "Instrument"
    "guide.list_sep",  # ", "
}
# Fragments of English messages too short or too generic to tell English from French.
MIN_FRAGMENT = 4


def guide_keys(lang: str) -> dict[str, str]:
    return {k: v for k, v in i18n.catalogue(lang).items() if k.startswith("guide.")}


def fragments(message: str) -> list[str]:
    """The literal parts of a message around its {placeholders}, stripped."""
    parts = [literal for literal, *_ in string.Formatter().parse(message)]
    out = []
    for part in parts:
        piece = part.strip(" .,:;()\u00a0")
        if sum(c.isalpha() for c in piece) >= MIN_FRAGMENT:
            out.append(piece)
    return out


def english_fixed_strings(prefixes: tuple[str, ...] = ()) -> dict[str, list[str]]:
    """Every English fragment that must not appear in French text, by key.

    Guides hold no command-line or guide-diff message, so those keys are left out
    unless asked for by prefix (e.g. ("guide.diff.",)).
    """
    fr = guide_keys("fr")
    return {key: fragments(value) for key, value in guide_keys("en").items()
            if key not in SAME_IN_BOTH and fr.get(key) != value
            and (key.startswith(prefixes) if prefixes
                 else not key.startswith(("guide.cli.", "guide.diff.")))}


class _FrenchText(html.parser.HTMLParser):
    """The visible text of a page, leaving out <style> and elements in another language.

    Data shown in English as a fallback is marked lang="en"; free text whose language
    the data does not declare (roles, notes, descriptions) is marked lang="".
    """

    VOID = {"meta", "link", "img", "br", "hr", "input", "source"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, bool]] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            return
        skip = tag in ("style", "script") or dict(attrs).get("lang") not in (None, "fr")
        self.stack.append((tag, skip))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            name, _ = self.stack.pop()
            if name == tag:
                break

    def handle_data(self, data: str) -> None:
        if not any(skip for _, skip in self.stack):
            self.parts.append(data)


def french_text(page: str) -> str:
    parser = _FrenchText()
    parser.feed(page)
    return re.sub(r"\s+", " ", " ".join(parser.parts))


def english_left(page: str, prefixes: tuple[str, ...] = (), *, html: bool = True
                 ) -> list[tuple[str, str]]:
    """(key, fragment) of every English fixed string found in the page's French text."""
    text = french_text(page) if html else page
    return [(key, frag) for key, frags in english_fixed_strings(prefixes).items()
            for frag in frags if re.search(rf"(?<!\w){re.escape(frag)}(?!\w)", text)]
