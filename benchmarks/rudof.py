"""pyrudof (Rust SHACL) measured as a possible accelerator: not a dependency of the project.

`RudofValidator().validate(triples)` runs the same split as kg.validate.validate: the
SHACL Core shapes (kg.validate's pyshacl shapes graph) in pyrudof, the SPARQL-based
checks on pyoxigraph, with the ontology + vocabularies in the data graph; it returns the
(focus, path, severity) set of results about the data's own subjects, paths written the
way kg.validate writes them. `compare_fixtures()` runs both engines on tests/shapes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pyoxigraph as ox
import pyrudof

import kg.validate as kv

_SEVERITY = {"Violation": kv.ERROR, "Warning": kv.WARNING, "Info": kv.WARNING}

Result = tuple[str, str | None, str]


def _path(path: str | None) -> str | None:
    """pyrudof writes `^(iri)`, kg.validate `^<iri>`: compare them without brackets."""
    return None if path is None else re.sub(r"[<>()]", "", path)


class RudofValidator:
    def __init__(self) -> None:
        shapes = kv._shapes()
        self._rudof = pyrudof.Rudof(pyrudof.RudofConfig())
        # pyrudof takes a string as inline data, a path or a URL: fine for our own shapes
        # here, but a reason to pass user data another way before adopting it.
        self._rudof.read_shacl(shapes.core.serialize(format="nt"), pyrudof.ShaclFormat.NTriples)
        self._checks = shapes.checks
        self._model = kv._model_triples()

    def validate(self, triples: Sequence[ox.Triple]) -> set[Result]:
        everything = [*self._model, *triples]
        data = ox.serialize(everything, format=ox.RdfFormat.N_TRIPLES).decode()
        self._rudof.reset_data()  # read_data alone kept the previous data's triples (0.3.35)
        self._rudof.read_data(data, pyrudof.RDFFormat.NTriples)
        report = self._rudof.validate_shacl()
        subjects = {kv._term_str(t.subject) for t in triples}
        found = {(str(e.focus_node), _path(e.path), _SEVERITY.get(str(e.severity), kv.ERROR))
                 for e in report}
        found |= {(r.focus, _path(r.path), r.severity)
                  for r in kv._sparql_results(self._checks, everything)}
        return {r for r in found if r[0] in subjects}


def as_results(results: Sequence[kv.ShaclResult]) -> set[Result]:
    """kg.validate's results in the form RudofValidator gives."""
    return {(r.focus, _path(r.path), r.severity) for r in results}


def compare_fixtures() -> tuple[int, int, list[str]]:
    """(fixtures with identical results, fixtures, lines describing each difference)."""
    from tests.factories.shapes import FIXTURES, fixture_triples

    engine = RudofValidator()
    same, diffs = 0, []
    for path in FIXTURES:
        triples = fixture_triples(path)
        ours, theirs = as_results(kv.validate(triples)), engine.validate(triples)
        if ours == theirs:
            same += 1
            continue
        name = f"{path.parent.name}/{path.stem}"
        for focus, rpath, severity in sorted(ours - theirs, key=str):
            diffs.append(f"{name}: only pyshacl: {focus.rsplit('/', 1)[-1]} {rpath} {severity}")
        for focus, rpath, severity in sorted(theirs - ours, key=str):
            diffs.append(f"{name}: only pyrudof: {focus.rsplit('/', 1)[-1]} {rpath} {severity}")
    return same, len(FIXTURES), diffs
