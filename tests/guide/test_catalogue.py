"""The guide's message catalogue: French for every key, no English left in a French guide."""

from __future__ import annotations

import string

from kg.guide import render
from tests.guide.french import SAME_IN_BOTH, english_left, french_text, guide_keys
from tests.guide.handmade import guide


def placeholders(message: str) -> set[str]:
    return {name for _, name, *_ in string.Formatter().parse(message) if name}


def test_every_key_has_a_french_text_with_the_same_placeholders() -> None:
    en, fr = guide_keys("en"), guide_keys("fr")
    assert en.keys() == fr.keys()
    for key in en:
        assert fr[key].strip(), key
        assert placeholders(en[key]) == placeholders(fr[key]), key


def test_french_differs_from_english_unless_listed() -> None:
    en, fr = guide_keys("en"), guide_keys("fr")
    same = {k for k in en if en[k] == fr[k]}
    assert same == SAME_IN_BOTH


def test_french_colons_have_a_no_break_space() -> None:
    for key, value in guide_keys("fr").items():
        stripped = value.replace("\u00a0:", "").replace("://", "")
        assert " :" not in stripped and not any(
            stripped[i] == ":" and i and stripped[i - 1].isalpha() for i in range(len(stripped))
        ), key


def test_french_guide_has_no_english_fixed_text() -> None:
    page = render(guide("fr"), "html").decode("utf-8")
    assert english_left(page) == []
    # The check sees the text: French headings are there, English data is marked and skipped.
    text = french_text(page)
    assert "Ce que nous ne savons pas encore" in text
    assert "Ministry of the Interior" not in text
    assert '<span lang="en">Ministry of the Interior</span> <span class="fallback">(en)</span>' \
        in page


def test_english_guide_is_caught_by_the_check() -> None:
    page = render(guide("en"), "html").decode("utf-8").replace('lang="en"', 'lang="fr"')
    keys = {key for key, _ in english_left(page)}
    assert {"guide.gaps.title", "guide.summary.title", "guide.col.entity"} <= keys
