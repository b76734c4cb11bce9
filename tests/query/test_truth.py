"""What the named queries say about a real-shaped country must be true (issue 15): names found
the way people type them, stale sources that really are, domains counted with their
sub-domains. Data: tests/factories/realshaped.py, imported through the real pipeline."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kg.config import Settings
from kg.errors import ParameterError
from kg.pipeline import import_paths
from kg.query import run
from kg.query.catalogue import named_query
from kg.store import Store, open_store
from tests.factories import realshaped

BASE = "https://w3id.org/migkg/id/XGH/"


@pytest.fixture(scope="module")
def xgh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    root = tmp_path_factory.mktemp("xgh")
    settings = Settings(store_dir=root / "store")
    store = open_store(settings)
    import_paths(store, [realshaped.write(root / "XGH")], settings, user="tests")
    yield store
    store.close()


def rows(store: Store, query: str, **params: str) -> list[dict]:
    return run(store, named_query(query), params).rows


# --- find-by-name --------------------------------------------------------------------------

def found(store: Store, text: str, **params: str) -> list[tuple[str, str]]:
    return [(r["entity"].removeprefix(BASE), r["match"])
            for r in rows(store, "find-by-name", name=text, **params)]


def test_a_word_of_a_name_finds_it_whatever_the_case(xgh) -> None:
    assert found(xgh, "immigration") == [("actor/gis", "word")]
    assert found(xgh, "IMMIGRATION SERVICE") == [("actor/gis", "exact")]


def test_an_acronym_is_found_with_or_without_its_dots(xgh) -> None:
    hits = found(xgh, "GIS")
    # then "gis" inside words: the asylum and consular registers
    assert hits == [("actor/gis", "acronym"), ("source/asylum", "part"),
                    ("source/diaspora-1", "part")]
    assert found(xgh, "g.i.s") == hits
    assert found(xgh, "NSO")[0] == ("actor/nso", "acronym")


def test_accents_and_apostrophes_do_not_count(xgh) -> None:
    assert found(xgh, "ministere de l'interieur") == [("actor/moi", "exact")]
    assert found(xgh, "Ministère de l’Intérieur") == [("actor/moi", "exact")]
    assert ("actor/centre", "word") in found(xgh, "ETUDES")


def test_exact_and_acronym_hits_come_first(xgh) -> None:
    # "census" is part of three titles; "central bank" names an actor whole.
    hits = found(xgh, "central bank")
    assert hits[0] == ("actor/bank", "exact")
    census = found(xgh, "census", lang="fr")
    assert [m for _e, m in census] == ["word"] * 3
    mixed = found(xgh, "migration")
    assert mixed[0][1] in ("exact", "acronym", "word")
    ranks = {"exact": 1, "acronym": 1, "word": 2, "part": 3}
    assert [ranks[m] for _e, m in mixed] == sorted(ranks[m] for _e, m in mixed)


def test_each_hit_has_its_kind_country_and_name_in_the_language_asked(xgh) -> None:
    (row,) = rows(xgh, "find-by-name", name="interieur", lang="fr")
    assert row["kind"] == "actor" and row["country"] == "XGH"
    assert row["name"] == "Ministère de l'Intérieur" and row["acronym"] == "MINT"
    assert row["country_name"] == "République de la Côte-de-l'Or"
    (source,) = rows(xgh, "find-by-name", name="Asylum register", country="XGH")
    assert source["kind"] == "source" and source["match"] == "exact"


def test_a_text_with_no_letter_is_refused_not_matched_against_everything(xgh) -> None:
    with pytest.raises(ParameterError) as caught:
        rows(xgh, "find-by-name", name=" .- ")
    assert "no letter or digit" in str(caught.value.problems[0].message("en"))


# --- stale-sources ---------------------------------------------------------------------------

def stale(store: Store, year: str, **params: str) -> list[str]:
    return [r["source"].removeprefix(BASE + "source/")
            for r in rows(store, "stale-sources", country="XGH", year=year, **params)]


def test_only_repeated_sources_past_their_periodicity_are_stale(xgh) -> None:
    # lfs (annual, 2016) is stale; the one-off study of 2008, the undated-periodicity survey
    # of 2009 and the censuses of 2000 and 2010 (superseded by 2021) are not.
    assert stale(xgh, "2025") == ["lfs"]
    (row,) = rows(xgh, "stale-sources", country="XGH", year="2025")
    assert (row["periodicity"], row["latest_year"], row["age"], row["max_age"]) == \
        ("annual", 2016, 9, 3)


def test_the_latest_census_is_stale_only_past_ten_years_and_the_margin(xgh) -> None:
    assert "census-2021" not in stale(xgh, "2033")      # age 12 = 10 + 2: still due
    assert "census-2021" in stale(xgh, "2034")          # age 13
    assert "census-2010" not in stale(xgh, "2034")      # superseded by 2021
    assert stale(xgh, "2034", years="0")[:2] == ["lfs", "census-2021"]
    assert "diaspora-3" in stale(xgh, "2030", years="0")  # every few years: 5 + 0 < 8


# --- domains and their sub-domains ---------------------------------------------------------

def test_domain_coverage_counts_sub_domains_in_their_top_domain(xgh) -> None:
    coverage = {r["domain"]: r for r in rows(xgh, "domain-coverage", country="XGH")}
    assert len(coverage) == 10
    md = coverage["migration_development"]
    # eight remittance sources, four on the diaspora (one of them on remittances too: counted
    # once), the labour force survey and the study on return migrants
    assert (md["broader"], md["existing_source_count"]) == (None, 14)
    assert coverage["remittances"]["broader"] == "migration_development"
    assert coverage["remittances"]["existing_source_count"] == 9
    assert coverage["diaspora"]["existing_source_count"] == 4
    # bank, mfa, ngo, the university, its centre and the directorate of returns
    assert md["actor_count"] == 6
    assert coverage["crisis_migration"]["existing_source_count"] == 1  # the asylum register


def test_a_top_domain_covered_through_its_sub_domains_is_no_gap(xgh) -> None:
    gaps = [(r["domain"], r["broader"])
            for r in rows(xgh, "domains-without-source", country="XGH")]
    assert gaps == [("trafficking_smuggling", "border_management")]
    live = rows(xgh, "country-figures", country="XGH")[0]
    stored = rows(xgh, "completeness", country="XGH")[0]
    assert str(live["seed_domains"]) == str(stored["seed_domains"]) == "true"
    assert stored["completeness"] == live["completeness"]


def test_the_precomputed_domain_figures_equal_the_live_ones(xgh) -> None:
    live = {r["domain"]: r for r in rows(xgh, "domain-figures", country="XGH")}
    stored = {r["domain"]: r for r in rows(xgh, "domains-across-countries")}
    for code, r in live.items():
        s = stored[code]
        assert (s["actor_count"], s["existing_source_count"], s["potential_source_count"]) == (
            r["actor_count"], r["existing_source_count"], r["potential_source_count"]), code
    assert stored["migration_development"]["broader"] is None
    assert stored["diaspora"]["broader"] == "migration_development"


def test_lists_by_domain_show_the_sub_domain_they_come_through(xgh) -> None:
    actors = {(r["domain"], r["actor"].removeprefix(BASE + "actor/")): r["sub_domains"]
              for r in rows(xgh, "actors-by-domain", country="XGH")}
    assert actors[("migration_development", "bank")] == "remittances"
    assert not actors[("remittances", "bank")]
    assert actors[("crisis_migration", "dir-refugees")] == "asylum_protection"
    sources = {(r["domain"], r["source"].removeprefix(BASE + "source/")): r["sub_domains"]
               for r in rows(xgh, "sources-by-domain", country="XGH")}
    assert sources[("migration_development", "diaspora-3")] == "diaspora; remittances"
    assert ("trends", "diaspora-3") not in sources
