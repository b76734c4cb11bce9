"""Parameters are checked by type before anything runs, with messages that say what is accepted."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.errors import NotFound, ParameterError
from kg.query import catalogue
from kg.query.catalogue import parse_text
from kg.vocab import load_vocabularies


def lines(exc: pytest.ExceptionInfo) -> list[str]:
    return exc.value.lines("en")


def check(name: str, params: dict) -> list[str]:
    with pytest.raises(ParameterError) as exc:
        catalogue().get(name).terms(params)
    return lines(exc)


def test_unknown_parameter_names_the_accepted_ones() -> None:
    assert check("actors", {"country": "XAA", "colour": "red"}) == [
        "actors::colour: unknown parameter; actors takes: country, domain, stage, type, lang"]
    assert check("country-summary", {"country": "XAA"}) == [
        "country-summary::country: unknown parameter; country-summary takes: lang"]


def test_missing_required_parameter() -> None:
    assert check("actors", {}) == ["actors::country: required parameter is missing (iso3)"]
    assert check("actors", {"country": ""}) == ["actors::country: required parameter is missing (iso3)"]


def test_bad_iso3() -> None:
    for value in ("XA1", "XAAA", "X", "Ωmg", "XA A"):
        assert check("actors", {"country": value}) == [
            f'actors::country: "{value}" is not a country code: 3 letters, e.g. XAA']


def test_iso3_is_upper_cased_and_stripped() -> None:
    terms = catalogue().get("actors").terms({"country": " xaa "})
    assert terms["country"] == ox.Literal("XAA")


def test_bad_code_lists_the_allowed_codes() -> None:
    allowed = ", ".join(load_vocabularies().codes("domain"))
    assert check("actors", {"country": "XAA", "domain": "trend"}) == [
        f'actors::domain: "trend" is not a code of domain; allowed: {allowed}']


def test_code_is_bound_as_the_concept() -> None:
    terms = catalogue().get("actors").terms({"country": "XAA", "domain": "trends"})
    assert terms["domain"] == ox.NamedNode("https://w3id.org/migkg/vocab/domain/trends")
    assert terms["stage"] is None and terms["type"] is None  # optional, not given: UNDEF
    assert terms["lang"] == ox.Literal("en")  # the default


def test_every_problem_at_once_in_declaration_order() -> None:
    assert check("stale-sources", {"country": "1", "year": "20x5", "years": "500",
                                   "lang": "de", "extra": "1"}) == [
        "stale-sources::extra: unknown parameter; stale-sources takes: country, year, years, lang",
        'stale-sources::country: "1" is not a country code: 3 letters, e.g. XAA',
        'stale-sources::year: "20x5" is not a year from 1900 to 2100',
        'stale-sources::years: "500" is not an integer from 0 to 200',
        'stale-sources::lang: "de" is not accepted; allowed: en, fr',
    ]


def test_integers_and_years() -> None:
    q = catalogue().get("stale-sources")
    terms = q.terms({"country": "XAA", "year": "2025", "years": "+3"})
    assert terms["year"] == ox.Literal("2025", datatype=ox.NamedNode(
        "http://www.w3.org/2001/XMLSchema#integer"))
    assert str(terms["years"]) == '"3"^^<http://www.w3.org/2001/XMLSchema#integer>'
    assert q.terms({"country": "XAA", "year": 2025})["year"].value == "2025"  # a Python int
    assert check("stale-sources", {"country": "XAA", "year": "1899"}) == [
        'stale-sources::year: "1899" is not a year from 1900 to 2100']
    assert check("stale-sources", {"country": "XAA", "year": "2025", "years": "1e3"}) == [
        'stale-sources::years: "1e3" is not an integer from 0 to 200']


def test_ids_and_iris() -> None:
    assert check("actor-detail", {"country": "XAA", "actor": "Moi!"}) == [
        "actor-detail::actor: \"Moi!\" is not an id: lower-case letters, digits and '-', "
        "at most 64, e.g. moi"]
    bad_iri = 'actor-detail::x: "{}" is not an absolute http(s) IRI'
    for value in ("ftp://x", "javascript:alert(1)", "https://a b", "https://x/>", "urn:x"):
        got = check("provenance", {"entity": value})
        assert got == [f'provenance::entity: "{value}" is not an absolute http(s) IRI without '
                       'spaces or <>"{}|\\^` characters'], bad_iri


def test_text_length_and_control_characters() -> None:
    assert check("find-by-name", {"name": "x" * 10_000}) == [
        "find-by-name::name: text of 10000 characters; at most 500 are accepted"]
    assert check("find-by-name", {"name": "a\x00b"}) == [
        "find-by-name::name: control character U+0000 at position 2 is not accepted "
        "(TAB, CR and LF are)"]
    terms = catalogue().get("find-by-name").terms({"name": "Tab\tand\nnewline"})
    assert terms["name"] == ox.Literal("tab and newline")  # a name: its searchable form
    assert check("find-by-name", {"name": "«—»"}) == [
        'find-by-name::name: "«—»" has no letter or digit to look for (case, accents and '
        "punctuation are ignored)"]


def test_error_lines_quote_long_values_on_one_line() -> None:
    value = "\n".join(["x" * 30] * 3)
    got = check("actors", {"country": value})
    assert len(got) == 1 and "\n" not in got[0] and "…" in got[0]


def test_booleans_and_languages() -> None:
    q = parse_text("# title: t\n# title@fr: t\n# description: d\n# description@fr: d\n"
                   "# param flag: bool = false\n# param lang: lang = en\n"
                   "SELECT ?x WHERE { BIND($flag AS ?x) FILTER($lang != \"\") }", "t")
    assert q.terms({"flag": "YES"})["flag"] == ox.Literal(
        "true", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))
    assert q.terms({"lang": "FR"})["lang"] == ox.Literal("fr")
    with pytest.raises(ParameterError) as exc:
        q.terms({"flag": "maybe"})
    assert lines(exc) == ['t::flag: "maybe" is not accepted; allowed: true, false']


def test_unknown_query_names_the_known_ones() -> None:
    with pytest.raises(NotFound) as exc:
        catalogue().get("actorz")
    line = exc.value.lines("en")[0]
    assert line.startswith('actorz::: unknown query "actorz"; known queries: actor-detail, ')


def test_messages_in_french() -> None:
    with pytest.raises(ParameterError) as exc:
        catalogue().get("actors").terms({"country": "XA1", "domain": "x"})
    assert exc.value.lines("fr")[0] == \
        'actors::country: "XA1" n\'est pas un code de pays : 3 lettres, p. ex. XAA'
