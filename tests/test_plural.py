"""Counts in user-facing text take the right grammatical number in both languages."""

from __future__ import annotations

import pytest

from kg import i18n


@pytest.mark.parametrize("lang, count, text", [
    ("en", 0, "0 errors"), ("en", 1, "1 error"), ("en", 2, "2 errors"),
    ("fr", 0, "0 erreur"), ("fr", 1, "1 erreur"), ("fr", 2, "2 erreurs"),
])
def test_plural_forms(lang, count, text):
    assert i18n.plural("admin.report.error_count", count, lang) == text


@pytest.mark.parametrize("lang, count, text", [
    ("en", 1, "1 row"), ("en", 46, "46 rows"), ("fr", 1, "1 ligne"), ("fr", 46, "46 lignes")])
def test_row_counts_of_input_files(lang, count, text):
    assert i18n.plural("web.entity.rows", count, lang) == text


def test_a_key_without_forms_is_used_as_is():
    assert i18n.plural("web.guide.back", 3, "fr") == i18n.t("web.guide.back", "fr")
