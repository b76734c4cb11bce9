"""SHACL shapes against fixtures, pySHACL style.

Each tests/shapes/<concern>/ holds ok-*.ttl (no result at all) and bad-*.ttl
with bad-*.expected beside it: one `focus path severity` line per result
(`-` for no path), written with the prefixes of prefixes.ttl. A fixture is
read as prefixes.ttl + base.ttl + the fixture, one Turtle document, and the
exact set of (focus, path, severity) must match.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pytest
from rdflib import RDF, BNode, Graph

import kg.validate as kv
from kg.errors import DataFileError
from kg.validate import SH, ShaclResult, load_shapes, validate
from tests.factories.shapes import CONCERNS, FIXTURES, HERE, PREFIX_TEXT, fixture_triples
from tests.shapes.realistic import country_triples

PREFIXES = dict(re.findall(r"@prefix\s+([\w-]*):\s*<([^>]*)>", PREFIX_TEXT))
CURIE = re.compile(r"([A-Za-z][\w-]*):([^\s/|^()*+?<>]*)")

# The template's four warnings; every other shape reports errors.
WARNING_SHAPES = {
    "https://w3id.org/migkg/shapes#Actor-hasDomain",
    "https://w3id.org/migkg/shapes#Challenge-hasAction",
    "https://w3id.org/migkg/shapes#ExistingSourceProducer",
    "https://w3id.org/migkg/shapes#Recommendation-hasAddressee",
}


def expand(token: str) -> str | None:
    """A token of an .expected line: `-`, <iri>, prefix:local, or a complex path of those."""
    if token == "-":
        return None
    if token.startswith("<") and token.endswith(">"):
        return token[1:-1]
    if re.fullmatch(CURIE.pattern, token):
        prefix, local = token.split(":", 1)
        return PREFIXES[prefix] + local
    return CURIE.sub(lambda m: f"<{PREFIXES[m.group(1)]}{m.group(2)}>", token)


def read_expected(path: Path) -> set[tuple[str, str | None, str]]:
    out = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            focus, rpath, severity = line.split()
            out.add((expand(focus), expand(rpath), severity))  # type: ignore[arg-type]
    return out


def compact(iri: str | None) -> str:
    if iri is None:
        return "-"
    best = max(
        (p for p in PREFIXES.items() if iri.startswith(p[1])), key=lambda p: len(p[1]), default=None
    )
    return f"{best[0]}:{iri[len(best[1]) :]}" if best else f"<{iri}>"


def triples_of(results: list[ShaclResult]) -> set[tuple[str, str | None, str]]:
    return {(r.focus, r.path, r.severity) for r in results}



def test_every_concern_has_ok_and_bad_fixtures():
    for concern in CONCERNS:
        names = [p.name for p in (HERE / concern).glob("*.ttl")]
        assert any(n.startswith("ok-") for n in names), concern
        assert any(n.startswith("bad-") for n in names), concern
    for path in FIXTURES:
        assert path.name.startswith(("ok-", "bad-")), path
        assert path.name.startswith("ok-") or path.with_suffix(".expected").is_file(), path


def test_base_has_no_result():
    assert validate(fixture_triples()) == []


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_fixture(path: Path):
    expected = (
        set() if path.name.startswith("ok-") else read_expected(path.with_suffix(".expected"))
    )
    if path.name.startswith("bad-"):
        assert expected, f"{path.name}: a bad fixture expects at least one result"
    results = validate(fixture_triples(path))
    actual = triples_of(results)
    missing = sorted(
        " ".join(map(str, (compact(f), compact(p), s))) for f, p, s in expected - actual
    )
    extra = sorted(" ".join(map(str, (compact(f), compact(p), s))) for f, p, s in actual - expected)
    assert actual == expected, f"missing: {missing}\nunexpected: {extra}"
    for r in results:  # every result speaks both languages
        assert set(r.messages) == {"en", "fr"} and all(r.messages.values()), r


# -- the shapes themselves ----------------------------------------------------------------

_PARAMETERS = {
    SH[name]
    for name in (
        "class datatype nodeKind minCount maxCount minExclusive minInclusive maxExclusive "
        "maxInclusive minLength maxLength pattern languageIn uniqueLang equals disjoint lessThan "
        "lessThanOrEquals not and or xone node qualifiedValueShape closed hasValue in"
    ).split()
}


def _shape_nodes(g: Graph) -> set:
    shapes = set(g.subjects(RDF.type, SH.NodeShape)) | set(g.subjects(RDF.type, SH.PropertyShape))
    shapes |= set(g.objects(None, SH.property)) | set(g.objects(None, SH.node))
    shapes |= set(g.subjects(SH.sparql))
    return shapes


def test_every_message_is_in_english_and_french():
    g = load_shapes()
    owners = set(g.subjects(SH.message))
    assert owners
    for owner in owners:
        langs = sorted(lit.language for lit in g.objects(owner, SH.message))
        assert langs == ["en", "fr"], (owner, langs)


def test_every_shape_has_a_severity_and_every_constraint_a_message():
    g = load_shapes()
    for shape in _shape_nodes(g):
        if isinstance(shape, BNode) and not list(g.predicates(shape, SH.path)):
            # an anonymous member of sh:or (e.g. [ sh:class org:Organization ]): its
            # enclosing property shape carries severity and message
            assert (None, RDF.first, shape) in g, shape
            continue
        assert g.value(shape, SH.severity) in (SH.Violation, SH.Warning), shape
        if any(p in _PARAMETERS for p in g.predicates(shape)):
            assert g.value(shape, SH.message) is not None, shape
    for constraint in g.objects(None, SH.sparql):
        assert {lit.language for lit in g.objects(constraint, SH.message)} == {"en", "fr"}


def test_warnings_are_exactly_the_templates_four():
    g = load_shapes()
    warnings = {str(s) for s in g.subjects(SH.severity, SH.Warning)}
    assert warnings == WARNING_SHAPES
    assert not set(g.subjects(SH.severity, SH.Info))


def test_warnings_are_reported_as_warnings():
    triples = fixture_triples(HERE / "actors" / "bad-no-domain.ttl")
    triples += fixture_triples(HERE / "challenges" / "bad-no-action.ttl")
    triples += fixture_triples(HERE / "data-sources" / "bad-existing-no-producer.ttl")
    triples += fixture_triples(HERE / "recommendations" / "bad-addressed-to-nobody.ttl")
    results = validate(list(dict.fromkeys(triples)))
    warnings = {r.source_shape for r in results if r.severity == "warning"}
    assert warnings == WARNING_SHAPES
    assert all(not r.is_error for r in results if r.source_shape in WARNING_SHAPES)


# -- the parent-cycle rule -------------------------------------------------------------------


def test_self_parent_is_one_error_with_its_message():
    results = validate(fixture_triples(HERE / "actors" / "bad-self-parent.ttl"))
    [r] = results
    assert r.focus == PREFIXES["actor"] + "moi"
    assert r.path == "http://www.w3.org/ns/org#subOrganizationOf"
    assert r.severity == "error" and r.value == r.focus
    assert r.source_shape.endswith("#ActorSelfParent")
    assert r.messages["en"] == "An actor cannot be its own parent."
    assert r.messages["fr"] == "Un acteur ne peut pas être son propre parent."


def test_three_cycle_reports_each_member_with_its_parent():
    results = validate(fixture_triples(HERE / "actors" / "bad-parent-cycle.ttl"))
    actor = PREFIXES["actor"]
    assert {(r.focus, r.value) for r in results} == {
        (actor + "a", actor + "b"),
        (actor + "b", actor + "c"),
        (actor + "c", actor + "a"),
    }
    assert {r.source_shape.rsplit("#", 1)[1] for r in results} == {"ActorParentCycle"}


def test_sparql_engine_agrees_with_pyshacl():
    """Our pyoxigraph runner gives pyshacl's answer (pre-bound $this) on every fixture."""
    g = load_shapes()
    sparql_shapes = sorted(set(g.subjects(SH.sparql)), key=str)
    shape_iris = {str(s) for s in sparql_shapes}
    model = kv._model_triples()
    for path in FIXTURES:
        data = fixture_triples(path)
        ours = {
            (r.focus, r.path, r.severity, r.value)
            for r in validate(data)
            if r.source_shape in shape_iris
        }
        graph = Graph().parse(
            data=ox.serialize([*model, *data], format=ox.RdfFormat.N_TRIPLES), format="nt"
        )
        _, report, _ = pyshacl.validate(graph, shacl_graph=g, use_shapes=sparql_shapes)
        theirs = set()
        for node in report.subjects(RDF.type, SH.ValidationResult):
            rpath = report.value(node, SH.resultPath)
            theirs.add(
                (
                    str(report.value(node, SH.focusNode)),
                    None if rpath is None else str(rpath),
                    "warning" if report.value(node, SH.resultSeverity) == SH.Warning else "error",
                    str(report.value(node, SH.value)),
                )
            )
        assert ours == theirs, path


# -- the validate() function -----------------------------------------------------------------


def test_result_fields():
    [r] = validate(fixture_triples(HERE / "references" / "bad-cited.ttl"))[:1]
    assert r.focus == PREFIXES["actor"] + "moi"
    assert r.path == "http://purl.org/dc/terms/source"
    assert r.value == PREFIXES["reference"] + "ghost"
    assert r.source_shape == "https://w3id.org/migkg/shapes#Cited-source"
    assert r.messages["fr"].startswith("Chaque identifiant de la colonne source")
    assert hash(r) == hash(ShaclResult(**{**r.__dict__, "messages": {}}))


def test_complex_path_is_rendered_in_sparql_syntax():
    results = validate(fixture_triples(HERE / "actors" / "bad-contact.ttl"))
    assert "^<https://w3id.org/migkg/ontology#contactPoint>" in {r.path for r in results}


def test_results_about_vocabulary_nodes_are_dropped(monkeypatch):
    model = kv._model_triples()
    stray = ox.NamedNode("https://w3id.org/migkg/vocab/stray")
    org = ox.NamedNode("http://www.w3.org/ns/org#Organization")
    rdf_type = ox.NamedNode(str(RDF.type))
    monkeypatch.setattr(kv, "_model_triples", lambda: [*model, ox.Triple(stray, rdf_type, org)])
    assert validate(fixture_triples()) == []


def test_shapes_in_the_data_are_ignored():
    """pyshacl is always given the project's shapes, never the data as shapes."""
    hostile = (
        PREFIX_TEXT
        + """
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix owl: <http://www.w3.org/2002/07/owl#> .
        <https://w3id.org/migkg/id/XAA/evil> a sh:NodeShape ;
            sh:targetClass org:Organization ;
            sh:property [ sh:path skos:prefLabel ; sh:minCount 99 ] .
        id:XAA owl:imports <http://127.0.0.1:9/never.ttl> .
    """
    )
    data = fixture_triples() + list(ox.parse(hostile.encode(), format=ox.RdfFormat.TURTLE))
    assert validate(data) == []


def test_inference_modes():
    assert validate(fixture_triples(), inference="rdfs") == []
    with pytest.raises(ValueError):
        validate(fixture_triples(), inference="magic")


def test_realistic_country_has_only_its_warnings():
    results = validate(country_triples())
    assert results and not [r for r in results if r.is_error]
    assert {r.source_shape for r in results} == {
        "https://w3id.org/migkg/shapes#Challenge-hasAction"
    }


# -- broken shape files ----------------------------------------------------------------------


@pytest.fixture
def shapes_folder(tmp_path, monkeypatch):
    for path in kv.shape_files():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    monkeypatch.setattr(kv, "shapes_dir", lambda: tmp_path)
    kv._shapes.cache_clear()
    yield tmp_path
    kv._shapes.cache_clear()


def test_turtle_syntax_error_names_file_and_line(shapes_folder):
    bad = shapes_folder / "actors.ttl"
    lines = bad.read_text(encoding="utf-8").splitlines()
    lines.insert(20, "mkgsh:Broken sh:path ;")
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        load_shapes()
    assert info.value.path == str(bad) and info.value.line == 21
    assert str(info.value).startswith(f"{bad}:21: ")


def test_sparql_syntax_error_names_file_and_line(shapes_folder):
    path = shapes_folder / "actors.ttl"
    text = path.read_text(encoding="utf-8")
    # break the second of two queries that start with the same line
    text = text.replace("FILTER (?value != $this)", "FILTER (?value != $this")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        load_shapes()
    assert info.value.path == str(path)
    selects = [i for i, ln in enumerate(text.splitlines(), 1) if "SELECT $this ?value ?path" in ln]
    assert len(selects) == 2 and info.value.line == selects[1]


def test_sparql_shapes_hold_nothing_else():
    """Such shapes are deactivated in pyshacl's copy: a Core constraint there would be lost."""
    g = load_shapes()
    for shape in set(g.subjects(SH.sparql)):
        assert not set(g.predicates(shape)) & (_PARAMETERS | {SH.property}), shape


# -- the fast path against plain pyshacl -----------------------------------------------------


def _plain_pyshacl(data: list[ox.Triple]) -> set[tuple]:
    """pyshacl as documented: the shapes as written (SPARQL ones included, targets not
    hoisted, code shapes through sh:node) on an rdflib Memory graph parsed from N-Triples."""
    model = kv._model_triples()
    graph = Graph().parse(
        data=ox.serialize([*model, *data], format=ox.RdfFormat.N_TRIPLES), format="nt"
    )
    shapes = load_shapes()
    _, report, _ = pyshacl.validate(graph, shacl_graph=shapes, do_owl_imports=False)
    subjects = {kv._term_str(t.subject) for t in data}
    out = set()
    for node in report.subjects(RDF.type, SH.ValidationResult):
        focus = kv._rdflib_str(report.value(node, SH.focusNode))
        if focus not in subjects:
            continue
        rpath, value = report.value(node, SH.resultPath), report.value(node, SH.value)
        out.add((focus, None if rpath is None else kv._render_path(rpath, report, shapes),
                 "warning" if report.value(node, SH.resultSeverity) == SH.Warning else "error",
                 None if value is None else kv._rdflib_str(value),
                 kv._rdflib_str(report.value(node, SH.sourceShape))))
    return out


def test_fast_path_gives_plain_pyshacl_results():
    """Hoisted targets, code shapes as sh:in lists, the one-graph store and the SPARQL
    checks on pyoxigraph: every fixture gets exactly plain pyshacl's results."""
    cases = [fixture_triples(p) for p in FIXTURES] + [country_triples()]
    # Data that states a concept itself takes the sh:node path: the made-up domain conforms.
    claimed = PREFIX_TEXT + "<https://w3id.org/migkg/vocab/domain/astrology> skos:inScheme voc:domain ."
    cases.append(fixture_triples(HERE / "actors" / "bad-no-domain.ttl")
                 + list(ox.parse(claimed.encode(), format=ox.RdfFormat.TURTLE)))
    assert kv._model(kv._model_triples()).code_core is not None  # the sh:in path is taken
    for data in cases:
        ours = {(r.focus, r.path, r.severity, r.value, r.source_shape) for r in validate(data)}
        assert ours == _plain_pyshacl(data)
