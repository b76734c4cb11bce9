"""What the SPARQL 1.1 Protocol endpoint needs besides the query: result formats, their
serialisation (pyoxigraph's own serialisers) and the service description.

Formats are offered per query form, the default first (SPARQL JSON for SELECT/ASK, Turtle
for CONSTRUCT/DESCRIBE); the web shell matches a request's Accept header against
`media_types(form)` and calls `serialize(answer, media_type)`.
"""

from __future__ import annotations

import json

import pyoxigraph as ox

from kg.config import Limits
from kg.namespaces import PREFIXES
from kg.query.execute import AdHocResult

RESULT_FORMATS = (ox.QueryResultsFormat.JSON, ox.QueryResultsFormat.XML,
                  ox.QueryResultsFormat.CSV, ox.QueryResultsFormat.TSV)
# SPARQL CSV/TSV define no boolean: an ASK answer is SPARQL JSON or XML.
BOOLEAN_FORMATS = RESULT_FORMATS[:2]
GRAPH_FORMATS = (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.JSON_LD,
                 ox.RdfFormat.RDF_XML)
# `format=` names besides media types and file extensions (srj, srx, csv, tsv, ttl, nt,
# jsonld, rdf); a name means a different format for a SELECT than for a CONSTRUCT only
# where both exist (json, xml).
_NAMES = {
    "json": (ox.QueryResultsFormat.JSON, ox.RdfFormat.JSON_LD),
    "xml": (ox.QueryResultsFormat.XML, ox.RdfFormat.RDF_XML),
    "turtle": (None, ox.RdfFormat.TURTLE),
    "ntriples": (None, ox.RdfFormat.N_TRIPLES),
    "json-ld": (None, ox.RdfFormat.JSON_LD),
    "rdfxml": (None, ox.RdfFormat.RDF_XML),
}
Format = ox.QueryResultsFormat | ox.RdfFormat


def formats(form: str) -> tuple[Format, ...]:
    if form in ("CONSTRUCT", "DESCRIBE"):
        return GRAPH_FORMATS
    return BOOLEAN_FORMATS if form == "ASK" else RESULT_FORMATS


def _bare(media_type: str) -> str:
    return media_type.split(";", 1)[0].strip().lower()


def media_types(form: str) -> list[str]:
    """The media types an answer of this form can be sent in, the default first."""
    return [_bare(f.media_type) for f in formats(form)]


def _find(form: str, fmt: Format | None) -> str | None:
    return _bare(fmt.media_type) if fmt is not None and fmt in formats(form) else None


def media_type_for(name: str, form: str) -> str | None:
    """The media type a `format=` value means for this form (a name such as json, csv,
    ttl, or a media type); None when it names nothing this form can be sent in."""
    value = name.strip().lower()
    graph = form in ("CONSTRUCT", "DESCRIBE")
    if value in _NAMES:
        return _find(form, _NAMES[value][1 if graph else 0])
    if "/" in value:
        fmt: Format | None = (ox.RdfFormat if graph else ox.QueryResultsFormat).from_media_type(value)
    else:
        fmt = (ox.RdfFormat if graph else ox.QueryResultsFormat).from_extension(value)
    return _find(form, fmt)


def format_names(form: str) -> list[str]:
    """Short names accepted by `format=` for this form (for error messages)."""
    graph = form in ("CONSTRUCT", "DESCRIBE")
    names = [n for n, pair in _NAMES.items() if _find(form, pair[1 if graph else 0])]
    return names + [f.file_extension for f in formats(form) if f.file_extension not in names]


def content_type(media_type: str) -> str:
    """The Content-Type header for a media type (charset for the textual ones)."""
    if media_type.startswith("text/") or media_type in ("application/n-triples",):
        return f"{media_type}; charset=utf-8"
    return media_type


def serialize(answer: AdHocResult, media_type: str) -> bytes:
    """The answer in one of media_types(answer.form), by pyoxigraph's serialisers.

    A capped SPARQL JSON answer gets a top-level `"truncated": CAP` member.
    """
    if answer.form in ("CONSTRUCT", "DESCRIBE"):
        rdf = ox.RdfFormat.from_media_type(media_type)
        assert rdf in GRAPH_FORMATS, media_type
        if rdf == ox.RdfFormat.N_TRIPLES:
            return ox.serialize(answer.triples or [], format=rdf)
        return ox.serialize(answer.triples or [], format=rdf, prefixes=PREFIXES)
    fmt = ox.QueryResultsFormat.from_media_type(media_type)
    assert fmt in formats(answer.form), media_type
    if answer.boolean is not None:
        parsed = ox.parse_query_results(json.dumps({"head": {}, "boolean": answer.boolean}),
                                        format=ox.QueryResultsFormat.JSON)
    else:
        parsed = ox.parse_query_results(_tsv(answer), format=ox.QueryResultsFormat.TSV)
    data = parsed.serialize(format=fmt)
    if fmt == ox.QueryResultsFormat.JSON and answer.truncated is not None:
        data = b'{"truncated":' + str(answer.truncated).encode() + b"," + data[1:]
    return data


def _tsv(answer: AdHocResult) -> bytes:
    """The rows as SPARQL TSV: each term in its N-Triples form (what str() of a pyoxigraph
    term gives), so pyoxigraph reads every term back exactly."""
    result = answer.select
    assert result is not None
    lines = ["\t".join(f"?{c}" for c in result.columns)]
    lines.extend("\t".join("" if t is None else str(t) for t in row) for row in result.terms)
    return ("\n".join(lines) + "\n").encode("utf-8")


SD = "http://www.w3.org/ns/sparql-service-description#"
_DCT = "http://purl.org/dc/terms/"


def service_description(endpoint: str, graphs: list[str], limits: Limits) -> bytes:
    """A SPARQL 1.1 Service Description of the endpoint, in Turtle."""
    n, lit = ox.NamedNode, ox.Literal
    rdf_type = n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    service, dataset, default = n(endpoint), ox.BlankNode("dataset"), ox.BlankNode("default")
    triples = [
        ox.Triple(service, rdf_type, n(SD + "Service")),
        ox.Triple(service, n(SD + "endpoint"), service),
        ox.Triple(service, n(SD + "supportedLanguage"), n(SD + "SPARQL11Query")),
        ox.Triple(service, n(SD + "feature"), n(SD + "UnionDefaultGraph")),
        ox.Triple(service, n(SD + "defaultDataset"), dataset),
        ox.Triple(dataset, rdf_type, n(SD + "Dataset")),
        ox.Triple(dataset, n(SD + "defaultGraph"), default),
        ox.Triple(default, rdf_type, n(SD + "Graph")),
        ox.Triple(service, n(_DCT + "description"), lit(
            f"Read-only SPARQL 1.1 query endpoint over the public data (restricted contact "
            f"points left out). Time limit {limits.query_timeout_s:g} s per query (HTTP 504 "
            f"beyond); at most {limits.query_max_rows} rows or triples per answer (header "
            f"X-Result-Truncated when cut). SERVICE, FROM, LOAD and updates are refused; "
            f"default-graph-uri and named-graph-uri are not supported (the default graph "
            f"is the union of the named graphs: use GRAPH <iri> {{ }}).", language="en")),
    ]
    for fmt in RESULT_FORMATS + GRAPH_FORMATS:
        triples.append(ox.Triple(service, n(SD + "resultFormat"), n(fmt.iri)))
    for i, graph in enumerate(graphs):
        named = ox.BlankNode(f"g{i}")
        triples += [ox.Triple(dataset, n(SD + "namedGraph"), named),
                    ox.Triple(named, rdf_type, n(SD + "NamedGraph")),
                    ox.Triple(named, n(SD + "name"), n(graph))]
    return ox.serialize(triples, format=ox.RdfFormat.TURTLE,
                        prefixes={"sd": SD, "dcterms": _DCT})
