"""SHACL validation of one country's data against the project's shapes (shapes/*.ttl).

The data graph is the country's triples plus the ontology and vocabularies
(coded values are checked by their skos:inScheme). Two engines share one
shapes graph, split by constraint kind, and their results are merged:

- SHACL Core constraints run in pyshacl, always with the project's shapes
  graph passed explicitly (never the data as shapes), no owl:imports followed.
- SPARQL-based constraints (sh:sparql on a node shape) run as one SELECT each
  on a pyoxigraph store: pyshacl costs ~9 ms per focus node for these, one
  query costs ~1 ms for all. SHACL pre-binds $this; here the query runs
  unbound and its ?this rows are kept when they are target nodes of the
  shape, which is the same answer as long as the query binds $this in its
  own triple patterns (every shape in shapes/ does; a test checks both
  engines agree on the fixtures).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib import BNode, Graph, URIRef
from rdflib import Literal as RLiteral
from rdflib.collection import Collection
from rdflib.store import Store

from kg import namespaces as ns
from kg.errors import DataFileError
from kg.i18n import t
from kg.resources import shapes_dir
from kg.vocab import load_model_triples

# The project's namespaces as rdflib ones: this module works on rdflib graphs.
RDF, RDFS, SH, SKOS = (rdflib.Namespace(str(n)) for n in (ns.RDF, ns.RDFS, ns.SH, ns.SKOS))

ERROR, WARNING = "error", "warning"
INFERENCE_MODES = ("none", "rdfs", "owlrl", "both")

_SEVERITIES = {SH.Violation: ERROR, SH.Warning: WARNING, SH.Info: WARNING}


@dataclass(frozen=True)
class ShaclResult:
    """One SHACL result about a node of the country's data."""

    focus: str  # IRI of the focus node
    path: str | None  # predicate IRI, a SPARQL property path for complex paths, None node-level
    severity: str  # "error" (sh:Violation) or "warning" (sh:Warning, sh:Info)
    messages: dict[str, str] = field(hash=False)  # lang -> sh:message of the shape
    value: str | None  # the offending value (IRI or lexical form), when there is one
    source_shape: str  # IRI (or _:id) of the shape that produced it

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


@dataclass(frozen=True)
class _SparqlCheck:
    """A SPARQL-based constraint of the shapes graph, run on pyoxigraph."""

    shape: str
    severity: str
    messages: dict[str, str]
    query: str
    targets: tuple[tuple[str, str], ...]  # (SHACL target predicate local name, IRI)


@dataclass(frozen=True)
class _Shapes:
    graph: Graph  # every shape, as written
    core: Graph  # what pyshacl gets: SPARQL shapes deactivated, messages dropped
    checks: tuple[_SparqlCheck, ...]
    messages: dict[str, dict[str, str]]  # shape -> lang -> message


# -- loading ------------------------------------------------------------------------------


def shape_files() -> list[Path]:
    return sorted(shapes_dir().glob("*.ttl"))


def load_shapes() -> Graph:
    """Every shape of shapes/*.ttl in one rdflib graph (loaded once, cached)."""
    return _shapes().graph


@cache
def _shapes() -> _Shapes:
    graph = Graph()
    texts: dict[Path, str] = {}
    for path in shape_files():
        raw = path.read_bytes()
        texts[path] = raw.decode("utf-8", errors="replace")
        triples = _parse_turtle(raw, path)
        graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    checks = tuple(_sparql_checks(graph, texts))
    messages = {str(s): _lang_map(graph.objects(s, SH.message)) for s in graph.subjects(SH.message)}
    return _Shapes(graph, _core_graph(graph), checks, messages)


def _parse_turtle(raw: bytes, path: Path) -> list[ox.Triple]:
    try:
        return list(ox.parse(raw, format=ox.RdfFormat.TURTLE, base_iri=path.as_uri()))
    except SyntaxError as exc:
        raise DataFileError(
            str(path), exc.lineno, t("validate.shape_syntax", "en", error=exc.msg)
        ) from None


def _core_graph(graph: Graph) -> Graph:
    """The shapes pyshacl runs: without SPARQL shapes, messages and default severities.

    Messages come from our own map (pyshacl would only copy them), and every
    predicate left on a shape node costs pyshacl a scan per evaluation: dropping
    them makes validation ~25 % faster.
    """
    core = Graph()
    for s, p, o in graph:
        if p == SH.message or (p == SH.severity and o == SH.Violation):
            continue
        core.add((s, p, o))
    for shape in set(graph.subjects(SH.sparql)):
        core.add((shape, SH.deactivated, RLiteral(True)))
    _hoist_targets(core)
    return core


_TARGETS = (SH.targetClass, SH.targetNode, SH.targetObjectsOf, SH.targetSubjectsOf)


def _hoist_targets(core: Graph) -> None:
    """Give the property shapes of each targeted node shape that shape's targets.

    pyshacl evaluates a node shape's sh:property shapes once per focus node (a whole
    shape evaluation each time), but a targeted property shape once for all its focus
    nodes: same results (focus, path, value, source shape), ~45 % less time on a
    country (benchmarks/import.py). Node shapes used by other shapes (sh:node, sh:or...),
    closed ones, implicit class targets and qualified-disjoint siblings are left as written.
    """
    used = {o for p in (SH.node, SH["not"], SH.qualifiedValueShape) for o in core.objects(None, p)}
    for p in (SH["and"], SH["or"], SH.xone):
        for members in core.objects(None, p):
            used.update(core.items(members))
    for shape in set(core.subjects(SH.property)):
        targets = [(p, o) for p in _TARGETS for o in core.objects(shape, p)]
        props = list(core.objects(shape, SH.property))
        if (not targets or shape in used or (shape, SH.path, None) in core
                or (shape, SH.closed, None) in core or (shape, RDF.type, RDFS.Class) in core
                or any((p, SH.qualifiedValueShapesDisjoint, None) in core for p in props)):
            continue
        for prop in props:
            for target in targets:
                core.add((prop, *target))
            core.remove((shape, SH.property, prop))


def _sparql_checks(graph: Graph, texts: dict[Path, str]) -> Iterable[_SparqlCheck]:
    probe = ox.Store()
    for shape in sorted(set(graph.subjects(SH.sparql)), key=str):
        severity = _SEVERITIES.get(graph.value(shape, SH.severity), ERROR)  # type: ignore[arg-type]
        targets = tuple(
            sorted(
                (str(p).removeprefix(str(SH)), str(o))
                for p in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)
                for o in graph.objects(shape, p)
            )
        )
        for constraint in graph.objects(shape, SH.sparql):
            select = str(graph.value(constraint, SH.select) or "")
            query = _prefixes(graph, constraint) + select
            try:
                probe.query(query)
            except SyntaxError as exc:
                path, line = _find_text(texts, select)
                raise DataFileError(
                    path, line, t("validate.shape_sparql", "en", error=exc.msg)
                ) from None
            yield _SparqlCheck(
                str(shape),
                severity,
                _lang_map(graph.objects(constraint, SH.message)),
                query,
                targets,
            )


def _prefixes(graph: Graph, constraint: rdflib.term.Node) -> str:
    lines = []
    for owner in graph.objects(constraint, SH.prefixes):
        for decl in graph.objects(owner, SH.declare):
            lines.append(
                f"PREFIX {graph.value(decl, SH.prefix)}: <{graph.value(decl, SH.namespace)}>"
            )
    return "\n".join(sorted(set(lines))) + "\n"


def _find_text(texts: dict[Path, str], snippet: str) -> tuple[str, int | None]:
    """File and line where a query of the shapes starts (for errors in it)."""
    first = next((ln.strip() for ln in snippet.splitlines() if ln.strip()), "")
    for path, text in texts.items():
        at = text.find(snippet) if snippet else -1
        at = at + snippet.index(first) if at >= 0 else (text.find(first) if first else -1)
        if at >= 0:
            return str(path), text.count("\n", 0, at) + 1
    return str(shapes_dir()), None


def _lang_map(literals: Iterable[rdflib.term.Node]) -> dict[str, str]:
    return {(lit.language or "en"): str(lit) for lit in literals if isinstance(lit, RLiteral)}


# -- the model (ontology + vocabularies) ----------------------------------------------------


def _model_triples() -> list[ox.Triple]:
    """Ontology + vocabularies: part of the data graph, so concepts are checked by scheme."""
    return load_model_triples()


@dataclass(frozen=True)
class _Model:
    key: tuple[int, int]
    index: _Index  # the model's triples, indexed once; copied for each validation
    nt: bytes  # the same as N-Triples, for the pyoxigraph store of the SPARQL checks
    code_core: Graph | None  # the Core shapes with code shapes as sh:in lists (see _code_lists)


_model_cache: list[_Model] = []


def _model(triples: list[ox.Triple]) -> _Model:
    key = (len(triples), hash(tuple(triples)))
    if _model_cache and _model_cache[0].key == key:
        return _model_cache[0]
    index = _Index()
    nodes: dict[object, rdflib.term.Node] = {}
    index.add_all((_to_rdflib(t.subject, nodes), _to_rdflib(t.predicate, nodes),
                   _to_rdflib(t.object, nodes)) for t in triples)
    nt = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    _model_cache[:] = [_Model(key, index, nt, _code_lists(_shapes().core, index))]
    return _model_cache[0]


def _code_lists(core: Graph, model: _Index) -> Graph | None:
    """The Core shapes with each `sh:node <code shape>` replaced by `sh:in (its concepts)`.

    A code shape (shapes/common.ttl) only says "the value has skos:inScheme <scheme>". When
    the data itself states no skos:inScheme (a questionnaire never does) and no inference
    runs, the values that conform are exactly the model's concepts of that scheme, so
    sh:in gives the same results (focus, path, value, source shape, severity) while
    pyshacl no longer evaluates a whole node shape per value: ~60 % of its time. A test
    compares both on every shapes fixture.
    """
    codes: dict[rdflib.term.Node, rdflib.term.Node] = {}  # code shape -> scheme
    for shape in set(core.subjects(SH.property)):
        props = list(core.objects(shape, SH.property))
        if len(props) != 1 or set(core.predicates(shape)) - {RDF.type, SH.property, SH.severity}:
            continue
        prop = props[0]
        schemes = list(core.objects(prop, SH.hasValue))
        if (core.value(prop, SH.path) != SKOS.inScheme or len(schemes) != 1
                or set(core.predicates(prop)) - {RDF.type, SH.path, SH.hasValue, SH.severity}):
            continue
        codes[shape] = schemes[0]
    if not codes:
        return None
    compiled = Graph()
    compiled += core
    for owner, _, shape in list(compiled.triples((None, SH.node, None))):
        if shape not in codes or len(list(compiled.objects(owner, SH.node))) != 1 \
                or (owner, SH["in"], None) in compiled:
            continue
        members = sorted(model.subjects_of(SKOS.inScheme, codes[shape]), key=str)
        head = BNode()
        Collection(compiled, head, members)
        compiled.remove((owner, SH.node, shape))
        compiled.add((owner, SH["in"], head))
    return compiled


class _Index:
    """Triples as nested dicts (s -> p -> o, p -> o -> s, o -> s -> p), as rdflib's Memory."""

    def __init__(self) -> None:
        self.spo: dict = {}
        self.pos: dict = {}
        self.osp: dict = {}
        self.size = 0  # pyshacl asks len(graph) for every result it makes

    def add_all(self, triples: Iterable[tuple]) -> None:
        spo, pos, osp = self.spo, self.pos, self.osp
        for s, p, o in triples:
            po = spo.get(s)
            if po is None:
                po = spo[s] = {}
            objs = po.get(p)
            if objs is None:
                objs = po[p] = {}
            if o in objs:
                continue
            objs[o] = 1
            self.size += 1
            os_ = pos.get(p)
            if os_ is None:
                os_ = pos[p] = {}
            subs = os_.get(o)
            if subs is None:
                subs = os_[o] = {}
            subs[s] = 1
            sp = osp.get(o)
            if sp is None:
                sp = osp[o] = {}
            preds = sp.get(s)
            if preds is None:
                preds = sp[s] = {}
            preds[p] = 1

    def copy(self) -> _Index:
        new = _Index()
        for name in ("spo", "pos", "osp"):
            setattr(new, name, {a: {b: dict(c) for b, c in d.items()}
                                for a, d in getattr(self, name).items()})
        new.size = self.size
        return new

    def subjects_of(self, p: object, o: object) -> list:
        return list(self.pos.get(p, {}).get(o, {}))


class _OneGraphStore(Store):
    """The data graph handed to pyshacl: one graph, filled in bulk from an _Index.

    rdflib's Memory store keeps per-triple context bookkeeping that costs about a third of
    adding and of every lookup; this one holds a single graph. It is context-aware only
    and graph-aware because pyshacl wraps the data graph in an rdflib Dataset, which demands it.
    """

    context_aware = True
    graph_aware = True

    def __init__(self, index: _Index) -> None:
        super().__init__()
        self._index = index
        self._namespaces: dict[str, URIRef] = {}
        self._prefixes: dict[URIRef, str] = {}

    def add(self, triple, context, quoted=False) -> None:
        self._index.add_all([triple])

    def addN(self, quads) -> None:
        self._index.add_all((s, p, o) for s, p, o, _c in quads)

    def remove(self, triple_pattern, context=None) -> None:
        for (s, p, o), _ in list(self.triples(triple_pattern)):
            del self._index.spo[s][p][o]
            del self._index.pos[p][o][s]
            del self._index.osp[o][s][p]
            self._index.size -= 1

    def triples(self, triple_pattern, context=None):
        s, p, o = triple_pattern
        none = ()
        index = self._index
        if s is not None:
            po = index.spo.get(s)
            if not po:
                return
            if p is not None:
                objs = po.get(p)
                if not objs:
                    return
                if o is not None:
                    if o in objs:
                        yield (s, p, o), iter(none)
                    return
                for o2 in list(objs):
                    yield (s, p, o2), iter(none)
                return
            for p2, objs in list(po.items()):
                if o is not None:
                    if o in objs:
                        yield (s, p2, o), iter(none)
                    continue
                for o2 in list(objs):
                    yield (s, p2, o2), iter(none)
            return
        if p is not None:
            os_ = index.pos.get(p)
            if not os_:
                return
            if o is not None:
                for s2 in list(os_.get(o, none)):
                    yield (s2, p, o), iter(none)
                return
            for o2, subs in list(os_.items()):
                for s2 in list(subs):
                    yield (s2, p, o2), iter(none)
            return
        if o is not None:
            for s2, preds in list(index.osp.get(o, {}).items()):
                for p2 in list(preds):
                    yield (s2, p2, o), iter(none)
            return
        for s2, po in list(index.spo.items()):
            for p2, objs in list(po.items()):
                for o2 in list(objs):
                    yield (s2, p2, o2), iter(none)

    def __len__(self, context=None) -> int:
        return self._index.size

    def contexts(self, triple=None):
        return iter(())

    def add_graph(self, graph) -> None:
        return None

    def remove_graph(self, graph) -> None:
        return None

    def bind(self, prefix: str, namespace: URIRef, override: bool = True) -> None:
        if not override and (prefix in self._namespaces or namespace in self._prefixes):
            return
        old = self._namespaces.pop(prefix, None)
        if old is not None:
            self._prefixes.pop(old, None)
        self._prefixes.pop(namespace, None)
        self._namespaces[prefix] = namespace
        self._prefixes[namespace] = prefix

    def namespace(self, prefix: str) -> URIRef | None:
        return self._namespaces.get(prefix)

    def prefix(self, namespace: URIRef) -> str | None:
        return self._prefixes.get(namespace)

    def namespaces(self):
        yield from self._namespaces.items()


# -- validation ------------------------------------------------------------------------------


def warm_up() -> None:
    """Import pyshacl and build the shapes and model caches (before forking check workers)."""
    import pyshacl  # noqa: F401

    _model(_model_triples())


def validate(data_triples: Sequence[ox.Triple], *, inference: str = "none") -> list[ShaclResult]:
    """Validate one country's triples (with ontology + vocabularies) against every shape.

    Only results whose focus node is a subject of data_triples are returned,
    sorted; inference ("none", "rdfs", "owlrl", "both") applies to the Core part.
    """
    import pyshacl

    if inference not in INFERENCE_MODES:
        raise ValueError(f"inference must be one of {INFERENCE_MODES}, got {inference!r}")
    shapes = _shapes()
    model_triples = _model_triples()
    model = _model(model_triples)
    data = list(data_triples)
    subjects = {_term_str(tr.subject) for tr in data}

    index = model.index.copy()
    # Terms converted directly (IRIs and literals shared): 2x faster than serialising and
    # parsing N-Triples with rdflib's parser.
    nodes: dict[object, rdflib.term.Node] = {}
    index.add_all((_to_rdflib(tr.subject, nodes), _to_rdflib(tr.predicate, nodes),
                   _to_rdflib(tr.object, nodes)) for tr in data)
    core = shapes.core
    if model.code_core is not None and inference == "none" and not _states_in_scheme(data):
        core = model.code_core
    _conforms, report, _text = pyshacl.validate(
        Graph(store=_OneGraphStore(index)),
        shacl_graph=core,
        inference=inference,
        inplace=True,
        abort_on_first=False,
        allow_warnings=False,
        do_owl_imports=False,
    )
    results = set(_core_results(report, shapes))
    if shapes.checks:
        results.update(_sparql_results(shapes.checks, model.nt, data))
    kept = [r for r in results if r.focus in subjects]
    return sorted(
        kept, key=lambda r: (r.focus, r.path or "", r.severity, r.source_shape, r.value or "")
    )


_OX_IN_SCHEME = ox.NamedNode(str(SKOS.inScheme))


def _states_in_scheme(data: Sequence[ox.Triple]) -> bool:
    return any(t.predicate == _OX_IN_SCHEME for t in data)


def _core_results(report: Graph, shapes: _Shapes) -> Iterable[ShaclResult]:
    for node in report.subjects(RDF.type, SH.ValidationResult):
        source = report.value(node, SH.sourceShape)
        path = report.value(node, SH.resultPath)
        value = report.value(node, SH.value)
        messages = shapes.messages.get(str(source)) or _lang_map(
            report.objects(node, SH.resultMessage)
        )
        yield ShaclResult(
            focus=_rdflib_str(report.value(node, SH.focusNode)),
            path=None if path is None else _render_path(path, report, shapes.graph),
            severity=_SEVERITIES.get(report.value(node, SH.resultSeverity), ERROR),  # type: ignore[arg-type]
            messages=messages,
            value=None if value is None else _rdflib_str(value),
            source_shape=_rdflib_str(source),
        )


def _sparql_results(
    checks: Sequence[_SparqlCheck], model_nt: bytes, data: list[ox.Triple]
) -> Iterable[ShaclResult]:
    # Loaded from N-Triples in bulk: building one ox.Quad per triple in Python cost more
    # than the queries themselves.
    store = ox.Store()
    store.bulk_load(model_nt, format=ox.RdfFormat.N_TRIPLES)
    store.bulk_load(ox.serialize(data, format=ox.RdfFormat.N_TRIPLES),
                    format=ox.RdfFormat.N_TRIPLES)
    target_cache: dict[tuple[str, str], set[str]] = {}
    for check in checks:
        targets: set[str] = set()
        for target in check.targets:
            if target not in target_cache:
                target_cache[target] = _target_nodes(store, *target)
            targets |= target_cache[target]
        for row in store.query(check.query):  # type: ignore[union-attr]
            this = row["this"]
            if this is None or _term_str(this) not in targets:
                continue
            value, path = row["value"], row["path"]
            yield ShaclResult(
                focus=_term_str(this),
                path=_term_str(path) if isinstance(path, ox.NamedNode) else None,
                severity=check.severity,
                messages={lang: _fill(msg, row) for lang, msg in check.messages.items()},
                value=_term_str(this if value is None else value),
                source_shape=check.shape,
            )


def _target_nodes(store: ox.Store, kind: str, iri: str) -> set[str]:
    patterns = {
        "targetClass": f"?this a/<{RDFS.subClassOf}>* <{iri}>",
        "targetSubjectsOf": f"?this <{iri}> ?o",
        "targetObjectsOf": f"?s <{iri}> ?this",
    }
    if kind == "targetNode":
        return {iri}
    rows = store.query(f"SELECT DISTINCT ?this WHERE {{ {patterns[kind]} }}")
    return {_term_str(row["this"]) for row in rows}  # type: ignore[union-attr]


_PLACEHOLDER = re.compile(r"\{[?$]([A-Za-z_][A-Za-z0-9_]*)\}")


def _fill(message: str, row: ox.QuerySolution) -> str:
    """SHACL message templates: {?var} / {$var} become the solution's values."""

    def sub(match: re.Match[str]) -> str:
        try:
            term = row[match.group(1)]
        except (KeyError, IndexError):
            return match.group(0)
        return "" if term is None else _term_str(term)

    return _PLACEHOLDER.sub(sub, message)


# -- terms and paths -------------------------------------------------------------------------


def _term_str(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, (ox.NamedNode, ox.Literal)):
        return term.value
    return str(term)


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _to_rdflib(term: object, nodes: dict[object, rdflib.term.Node]) -> rdflib.term.Node:
    """A pyoxigraph term as rdflib's N-Triples parser would give it (equal terms shared)."""
    node = nodes.get(term)
    if node is not None:
        return node
    if isinstance(term, ox.NamedNode):
        node = URIRef(term.value)
    elif isinstance(term, ox.Literal):
        if term.language:
            node = RLiteral(term.value, lang=term.language)
        elif term.datatype.value == _XSD_STRING:
            node = RLiteral(term.value)
        else:
            node = RLiteral(term.value, datatype=URIRef(term.datatype.value))
    elif isinstance(term, ox.BlankNode):
        node = BNode(term.value)  # the label kept, so results about it keep their focus
    else:
        raise TypeError(f"unsupported RDF term: {term!r}")
    nodes[term] = node
    return node


def _rdflib_str(term: rdflib.term.Node | None) -> str:
    if isinstance(term, BNode):
        return f"_:{term}"
    return "" if term is None else str(term)


def _render_path(path: rdflib.term.Node, *graphs: Graph) -> str:
    """A predicate's IRI, or a SHACL complex path in SPARQL property-path syntax."""
    if isinstance(path, URIRef):
        return str(path)
    for graph in graphs:
        rendered = _render_complex(path, graph)
        if rendered is not None:
            return rendered
    return _rdflib_str(path)


def _render_complex(path: rdflib.term.Node, graph: Graph) -> str | None:
    if isinstance(path, URIRef):
        return f"<{path}>"
    unary = {
        SH.inversePath: "^{}",
        SH.zeroOrMorePath: "({})*",
        SH.oneOrMorePath: "({})+",
        SH.zeroOrOnePath: "({})?",
    }
    for predicate, template in unary.items():
        inner = graph.value(path, predicate)
        if inner is not None:
            rendered = _render_complex(inner, graph)
            return None if rendered is None else template.format(rendered)
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        parts = [_render_complex(p, graph) for p in graph.items(alternatives)]
        return None if None in parts else "(" + "|".join(parts) + ")"  # type: ignore[arg-type]
    if graph.value(path, RDF.first) is not None:
        parts = [_render_complex(p, graph) for p in graph.items(path)]
        return None if None in parts else "/".join(parts)  # type: ignore[arg-type]
    return None
