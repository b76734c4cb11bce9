"""The catalogue lint: every query file is complete, bilingual, parses once bound, and its
declared parameters and columns are the ones it really uses and projects."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import DataFileError
from kg.query import Catalogue, catalogue, lexer
from kg.query.catalogue import PARAM_PREFIX
from kg.query.params import example

QUERIES = list(catalogue())
NAMES = [q.name for q in QUERIES]

# The contract of issue 10: names, parameters (required, optional) and columns.
CONTRACT = {
    "actors": (["country"], ["domain", "stage", "type"],
               ["actor", "name", "acronym", "type", "domains", "stages", "parent"]),
    "data-sources": (["country"], ["domain", "status", "kind"],
                     ["source", "title", "kind", "status", "producers", "domains", "periodicity",
                      "latest_year", "access", "url"]),
    "domain-coverage": (["country"], [], ["domain", "domain_label", "broader", "actor_count",
                                          "existing_source_count", "potential_source_count"]),
    "stage-coverage": (["country"], [], ["stage", "stage_label", "actor_count", "actor_names"]),
    "data-sharing": (["country"], [], ["subject", "relation", "object"]),
    "problem-solution-matrix": (["country"], [], [
        "challenge", "title", "category", "affects", "corrective_action", "action_status",
        "responsible"]),
    "recommendations": (["country"], ["area"], None),
    "working-group": (["country"], [], None),
    "country-summary": ([], [], None),
    "challenges-across-countries": ([], [], ["category", "category_label", "country",
                                             "challenge_count"]),
}


EXACT = {"data-sources", "stage-coverage", "data-sharing", "problem-solution-matrix"}


def bound_text(q) -> str:
    """The query bound with a valid value for every parameter (defaults where declared)."""
    return q.bind({p.name: example(p) for p in q.parameters})


def test_at_least_25_queries_in_the_known_groups() -> None:
    assert len(QUERIES) >= 25
    assert {q.group for q in QUERIES} <= {"actors", "sources", "network", "guide", "checks",
                                          "compare", "entities", "docs"}


@pytest.mark.parametrize("name", sorted(CONTRACT))
def test_contract_queries(name: str) -> None:
    required, optional, columns = CONTRACT[name]
    q = catalogue().get(name)
    declared = {p.name: p for p in q.parameters}
    assert [n for n, p in declared.items() if p.required] == required
    assert set(optional) <= {n for n, p in declared.items() if not p.required}
    assert set(declared) - set(required) - set(optional) <= {"lang"}
    if columns is not None:
        got = [c.name for c in q.columns]
        assert got[:len(columns)] == columns
        if name in EXACT:  # the issue lists every column of these
            assert got == columns


@pytest.mark.parametrize("q", QUERIES, ids=NAMES)
def test_bilingual_title_description_parameters_and_columns(q) -> None:
    for lang in ("en", "fr"):
        assert q.title.get(lang, "").strip(), f"{q.name}: title@{lang}"
        assert q.description.get(lang, "").strip(), f"{q.name}: description@{lang}"
        for p in q.parameters:
            assert p.description.get(lang, "").strip(), f"{q.name}: param {p.name}@{lang}"
        for c in q.columns:
            assert c.description.get(lang, "").strip(), f"{q.name}: column {c.name}@{lang}"
    assert q.title["en"] != q.title["fr"] and q.description["en"] != q.description["fr"]


@pytest.mark.parametrize("q", QUERIES, ids=NAMES)
def test_parses_once_bound_and_columns_are_the_projection(q) -> None:
    text = bound_text(q)
    solutions = ox.Store().query(text)  # an empty store: parsed, nothing to find
    assert isinstance(solutions, ox.QuerySolutions), f"{q.name}: not a SELECT"
    projected = [v.value for v in solutions.variables]
    assert projected == [c.name for c in q.columns], q.name
    assert len(set(projected)) == len(projected)


@pytest.mark.parametrize("q", QUERIES, ids=NAMES)
def test_parameters_declared_used_and_where_they_are_bound(q) -> None:
    skel, variables = lexer.scan(q.text)
    used = {v.name for v in variables if v.sigil == "$"}
    declared = {p.name for p in q.parameters}
    assert used == declared, f"{q.name}: declared {sorted(declared)}, used {sorted(used)}"
    assert not any(v.name.startswith(PARAM_PREFIX) for v in variables)
    assert not skel[skel.upper().index("SELECT") + 6:].lstrip().startswith("*"), "SELECT *"
    # Bottom-up evaluation: a VALUES binding is seen at the top of its query's WHERE group,
    # in FILTER EXISTS, and by the FILTER of a top-level OPTIONAL; not in a UNION branch,
    # MINUS, a plain nested group or an OPTIONAL inside an OPTIONAL.
    subqueries = {o for o, _ in lexer.subselect_wheres(skel)}
    for var in variables:
        if var.sigil != "$":
            continue
        chain = [kw for o, kw in lexer.enclosing_groups(skel, var.start)]
        starts = [o for o, kw in lexer.enclosing_groups(skel, var.start)]
        # Restart the chain at the innermost (sub-)query WHERE group.
        for i in range(len(starts) - 1, -1, -1):
            if starts[i] in subqueries or i == 0:
                chain = chain[i + 1:]
                break
        if "EXISTS" in chain:
            chain = chain[:chain.index("EXISTS")]
        line = lexer.line_col(q.text, var.start)[0]
        assert chain in ([], ["OPTIONAL"]), \
            f"{q.name}:{line}: ${var.name} inside {' > '.join(chain)} is not bound there"


def test_names_are_unique_across_folders(tmp_path: Path) -> None:
    rq = next(q for q in QUERIES if q.name == "actors").path.read_text(encoding="utf-8")
    for group in ("a", "b"):
        (tmp_path / group).mkdir()
        (tmp_path / group / "same.rq").write_text(rq, encoding="utf-8")
    with pytest.raises(DataFileError, match="unique across folders"):
        Catalogue.load(tmp_path)


def test_a_new_file_is_a_new_query(tmp_path: Path) -> None:
    (tmp_path / "extra").mkdir()
    (tmp_path / "extra" / "countries.rq").write_text(
        "# title: Countries\n# title@fr: Pays\n# description: Every country.\n"
        "# description@fr: Tous les pays.\n# column iso3: Code.\n# column iso3@fr: Code.\n"
        "PREFIX dcterms: <http://purl.org/dc/terms/>\n"
        "SELECT ?iso3 WHERE { ?c dcterms:identifier ?iso3 } ORDER BY ?iso3\n", encoding="utf-8")
    loaded = Catalogue.load(tmp_path)
    assert loaded.names() == ["countries"] and loaded.get("countries").group == "extra"


@pytest.mark.parametrize(("front", "message"), [
    ("# title: x\n# colour: red\n", "front matter line not understood"),
    ("# title: x\n# param country: iso4\n", "unknown parameter type 'iso4'"),
    ("# title: x\n# param domain: code:nope\n", "no vocabulary 'nope'"),
    ("# title: x\n# param n: int(5..1)\n", "empty range"),
    ("# title: x\n# param lang: lang = de\n", "default of 'lang'"),
    ("# title: x\n# param lang@en: Language.\n", "undeclared parameter 'lang'"),
    ("# title: x\n# title@de: x\n", "language 'de'"),
    ("# title: x\n# reads: everything\n", "reads 'everything': one of model, figures"),
    ("# title: x\n# reads: model\n# reads: model\n", "reads declared twice"),
    ("# title: x\n# reads country: model\n", "write `# reads: model`"),
])
def test_malformed_front_matter_names_the_line(tmp_path: Path, front: str, message: str) -> None:
    (tmp_path / "bad.rq").write_text(front + "SELECT ?x WHERE { ?x ?p ?o }\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=message) as exc:
        Catalogue.load(tmp_path)
    assert str(exc.value).startswith(str(tmp_path / "bad.rq"))


def test_undeclared_parameter_is_refused(tmp_path: Path) -> None:
    (tmp_path / "bad.rq").write_text("# title: x\nSELECT ?x WHERE { ?x ?p $who }\n",
                                     encoding="utf-8")
    with pytest.raises(DataFileError, match=r"\$who is not a declared parameter") as exc:
        Catalogue.load(tmp_path)
    assert exc.value.line == 2


def test_values_go_in_the_where_group_and_sub_selects() -> None:
    q = catalogue().get("completeness")
    text = q.bind({"country": "XAA"})
    assert text.count('VALUES (?_p_country ?_p_lang) { ("XAA" "en") }') == 1
    q = catalogue().get("country-figures")
    text = q.bind({"country": "XAA"})
    # the WHERE group's, then one per sub-SELECT
    assert text.count('VALUES (?_p_country) { ("XAA") }') == 1 + 7
    # Lines do not move: a syntax error in a bound query points at the file's line.
    assert len(text.splitlines()) == len(q.text.splitlines())
