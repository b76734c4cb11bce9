"""The import pipeline: read -> map -> validate (SHACL) -> write, all or nothing.

Every questionnaire given in one call is read, mapped and validated before
anything is written; if any has an error (or a warning under strict), no
graph changes. Each country graph is then replaced atomically by the store.
"""

from __future__ import annotations

import dataclasses
import getpass
import hashlib
import itertools
import os
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox

from kg import __version__, figures, i18n
from kg.config import Settings
from kg.errors import ERROR, WARNING, InputError, Location, Problem, ValidationError
from kg.ingest import read_questionnaire
from kg.ingest.checks import show
from kg.ingest.mapping import Mapped, map_questionnaire
from kg.ingest.model import Questionnaire
from kg.ingest.readers import capped
from kg.namespaces import ISO3, MKG, PROV, RDF, XSD, DataIRIs
from kg.store.base import Store
from kg.validate import validate
from kg.vocab import load_model_triples, load_vocabularies


@dataclass
class Checked:
    """A questionnaire that passed (or failed) every check, ready to write."""

    questionnaire: Questionnaire
    mapped: Mapped
    problems: list[Problem] = field(default_factory=list)
    figures: list[ox.Triple] = field(default_factory=list)  # kg.figures, once it is valid

    @property
    def iso3(self) -> str:
        return self.mapped.iso3

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]


@dataclass
class ImportReport:
    iso3: str
    origin: str
    triples: int
    warnings: list[Problem]
    written: bool
    changed: bool = False
    import_iri: str | None = None


def check(path: Path, settings: Settings) -> Checked:
    """Read, map and validate one questionnaire; raises InputError on cell-level errors."""
    q = read_questionnaire(Path(path), settings)
    mapped = map_questionnaire(q, DataIRIs(settings.base))
    problems = list(q.warnings)
    # One line per cell and message, naming every offending value (which id is no actor).
    found: dict[tuple, tuple[dict[str, str], list[str]]] = {}
    for result in validate(mapped.triples):
        location = mapped.locate(result.focus, result.path)
        texts = dict(result.messages)
        if location == Location():
            location = Location(q.origin)
            texts = {lang: f"{msg} ({result.focus})" for lang, msg in texts.items()}
        severity = ERROR if result.severity == "error" else WARNING
        key = (location, severity, tuple(sorted(texts.items())))
        values = found.setdefault(key, (texts, []))[1]
        # (A SPARQL constraint without ?value reports the focus itself: nothing to name.)
        shown = (offending_value(result.value, mapped.id_prefix)
                 if result.value != result.focus else None)
        if shown and shown not in values and not any(shown in t for t in texts.values()):
            values.append(shown)
    for (location, severity, _), (texts, values) in found.items():
        if values:
            given = ", ".join(values)
            texts = {lang: i18n.t("validate.offending", lang, message=msg, value=given)
                     for lang, msg in texts.items()}
        problems.append(Problem(location, "validate.shacl", {}, severity, texts))
    problems.sort(key=lambda p: (p.location.file, p.location.row or 0, p.location.column))
    problems = list(dict.fromkeys(problems))
    errors = [p for p in problems if p.is_error]
    # Errors first; warnings are capped like errors (20,000 unknown columns: N lines + a count).
    problems = capped(errors + [p for p in problems if not p.is_error], settings.limits,
                      Path(path).name or str(path))
    checked = Checked(q, mapped, problems)
    if not checked.errors:
        checked.figures = figures.compute(mapped.triples, mapped.iso3, DataIRIs(settings.base))
    return checked


def offending_value(value: str | None, id_prefix: str) -> str | None:
    """A SHACL result's value as the questionnaire wrote it: the id of a minted IRI
    (<country>/actor/min-customs -> 'min-customs'), a literal's text; None for no value."""
    if not value:
        return None
    if id_prefix and value.startswith(id_prefix):
        value = value[len(id_prefix):].split("/", 1)[-1]
    return show(value)


def check_all(
    paths: Sequence[Path], settings: Settings, *, strict: bool = False,
    progress: Callable[[str], None] | None = None,
) -> list[Checked]:
    """Check every path; raise one ValidationError with all problems if any blocks."""
    paths = list(paths)
    several = len(paths) > 1
    checked: list[Checked] = []
    blocking: list[Problem] = []
    shown: list[Problem] = []  # every questionnaire's problems, shown when one blocks
    for path, c in zip(paths, _check_each(paths, settings, progress), strict=True):
        if isinstance(c, list):  # the problems of an InputError
            problems = qualified(c, path) if several else c
            blocking.extend(problems)
            shown.extend(problems)
            continue
        if several:  # each line names its questionnaire: gh/actors.csv:4:parent: ...
            c.problems = qualified(c.problems, path)
        checked.append(c)
        shown.extend(c.problems)
        if c.errors or (strict and c.warnings):
            blocking.extend(c.problems)
    seen: dict[str, str] = {}
    for c in checked:
        if c.iso3 in seen:
            source = c.questionnaire.tables["country"].source
            dup = Problem(Location(source, 2, "iso3"), "pipeline.duplicate_country",
                          {"iso3": c.iso3, "first": seen[c.iso3]})
            dup = qualified([dup], Path(c.questionnaire.origin))[0] if several else dup
            blocking.append(dup)
            shown.append(dup)
        seen.setdefault(c.iso3, c.questionnaire.origin)
    if blocking:
        # The warnings of the questionnaires that passed are shown too, not lost.
        raise ValidationError(shown)
    return checked


def qualified(problems: list[Problem], path: Path) -> list[Problem]:
    """Problems whose file names the questionnaire as the user gave it: `actors.csv` in the
    folder gh -> `gh/actors.csv`, `book.xlsx!actors` -> `data/book.xlsx!actors`."""
    given = str(path)
    display = path.name or given
    folder = path.is_dir()
    out = []
    for p in problems:
        file = p.location.file
        if file in ("", given):
            new = given
        elif folder:
            new = given if file == display else f"{given.rstrip('/')}/{file}"
        elif file == display or file.startswith(display + "!"):
            new = given + file[len(display):]
        else:
            new = file
        out.append(p if new == file else dataclasses.replace(
            p, location=dataclasses.replace(p.location, file=new)))
    return out


# pyshacl is pure Python: countries are checked in parallel, one worker process per core
# (2 on the target machine); 100 countries of 10k triples took 129 s serially.
CHECK_WORKERS = 2


def _check_each(
    paths: list[Path], settings: Settings, progress: Callable[[str], None] | None,
) -> Iterator[Checked | list[Problem]]:
    """check() of each path, in order (an InputError as its problems); pooled if several."""
    workers = min(CHECK_WORKERS, len(paths), os.cpu_count() or 1)
    if workers < 2 or not _fork_is_safe():
        for path in paths:
            if progress:
                progress(str(path))
            yield _check_or_problems(path, settings)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # fork: workers start at once with everything imported, and never re-run the caller's
    # __main__ (spawn would). Results come back in the order of the paths. What every check
    # needs (pyshacl, shapes, model, vocabularies, figure queries) is loaded here first, once,
    # instead of in each worker: ~1 s of CPU per worker.
    warm_up()
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        outcomes = pool.map(_pool_check, paths, itertools.repeat(settings))
        for path, (kind, value, data) in zip(paths, outcomes, strict=True):
            if progress:
                progress(str(path))
            if kind == "again":
                yield _check_or_problems(path, settings)
                continue
            if kind == "checked":
                value.mapped.triples = PackedTriples(data, value.mapped.triples)
            yield value


def warm_up() -> None:
    """Load once what checking any questionnaire needs (shared by forked workers)."""
    from kg.validate import warm_up as warm_validate

    warm_validate()
    figures.warm_up()
    load_vocabularies()


def _fork_is_safe() -> bool:
    """Only a single-threaded process forks safely (no lock held by a thread that vanishes):
    the CLI is; a threaded web server checks one by one."""
    import multiprocessing
    import threading

    if "fork" not in multiprocessing.get_all_start_methods() or threading.active_count() > 1:
        return False
    try:
        return len(os.listdir("/proc/self/task")) == 1  # native threads too, where /proc shows
    except OSError:
        return True


def _check_or_problems(path: Path, settings: Settings) -> Checked | list[Problem]:
    try:
        return check(path, settings)
    except InputError as exc:
        return exc.problems


def _pool_check(path: Path, settings: Settings) -> tuple[str, object, bytes]:
    """check() in a worker: ("checked", Checked without triples, N-Triples), ("problems", list)
    or ("again", None) when it failed otherwise (re-run in the caller, raising there)."""
    try:
        c = check(path, settings)
    except InputError as exc:
        return "problems", exc.problems, b""
    except Exception:  # noqa: BLE001 - not all our exceptions survive pickling: re-run instead
        return "again", None, b""
    # 10k pyoxigraph triples pickle in ~0.1 s; as compressed N-Triples they travel in ~0.02 s
    # and wait for write() at a tenth of their size.
    packed = PackedTriples.pack(c.mapped.triples)
    c.mapped.triples = len(c.mapped.triples)  # type: ignore[assignment]
    # What only locating SHACL results needed stays here: the rows of every table (but the
    # country row, which names the country) and the node -> row map. The parent holds every
    # checked country until all have passed: ~1 MiB each less.
    c.mapped.node_rows = {}
    for name, table in c.questionnaire.tables.items():
        table.rows = table.rows[:1] if name == "country" else []
    return "checked", c, packed


class PackedTriples(Sequence[ox.Triple]):
    """A worker's triples as compressed N-Triples: len() at once, unpacked when iterated.

    The parent of the check workers holds every checked country until all have passed;
    as pyoxigraph objects 200 countries would take ~0.5 GiB, packed ~30 MiB.
    """

    def __init__(self, packed: bytes, count: int) -> None:
        self._packed, self._count = packed, count

    @staticmethod
    def pack(triples: Iterable[ox.Triple]) -> bytes:
        return zlib.compress(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), 1)

    def unpack(self) -> list[ox.Triple]:
        data = zlib.decompress(self._packed)
        return [q.triple for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES, lenient=True)]

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[ox.Triple]:
        return iter(self.unpack())

    def __getitem__(self, index):  # type: ignore[no-untyped-def]
        return self.unpack()[index]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]


def import_record(c: Checked, iris: DataIRIs, started: datetime, user: str) -> list[ox.Triple]:
    """The prov:Activity describing this import: when, who, which files (sha256), counts."""
    digest = hashlib.sha256("".join(f.sha256 for f in c.questionnaire.files).encode()).hexdigest()
    # Microseconds keep two imports of the same files in one second apart.
    stamp = started.strftime("%Y%m%dT%H%M%S%fZ")
    act = ox.NamedNode(iris.entity(c.iso3, "import", f"{stamp}-{digest[:12]}"))
    ended = datetime.now(UTC)

    def lit(value: object, dt: object | None = None) -> ox.Literal:
        return ox.Literal(str(value), datatype=ox.NamedNode(str(dt))) if dt else ox.Literal(str(value))

    def nn(iri: object) -> ox.NamedNode:
        return ox.NamedNode(str(iri))

    out = [
        ox.Triple(act, nn(RDF.type), nn(PROV.Activity)),
        ox.Triple(act, nn(RDF.type), nn(MKG.ImportActivity)),
        ox.Triple(act, nn(MKG.country), ox.NamedNode(iris.country(c.iso3))),
        ox.Triple(act, nn(PROV.startedAtTime), lit(_iso(started), XSD.dateTime)),
        ox.Triple(act, nn(PROV.endedAtTime), lit(_iso(ended), XSD.dateTime)),
        ox.Triple(act, nn(MKG.importedBy), lit(user)),
        ox.Triple(act, nn(MKG.toolVersion), lit(__version__)),
        ox.Triple(act, nn(MKG.tripleCount), lit(len(c.mapped.triples), XSD.integer)),
    ]
    file_nodes: dict[str, ox.NamedNode] = {}
    for f in c.questionnaire.files:
        node = ox.NamedNode(f"{act.value}/file/{quote(f.name, safe='')}")
        file_nodes[f.name] = node
        out += [
            ox.Triple(act, nn(PROV.used), node),
            ox.Triple(node, nn(RDF.type), nn(MKG.InputFile)),
            ox.Triple(node, nn(MKG.fileName), lit(f.name)),
            ox.Triple(node, nn(MKG.sha256), lit(f.sha256)),
            ox.Triple(node, nn(MKG.rowCount), lit(f.rows, XSD.integer)),
        ]
    # Row-level provenance: where each minted IRI comes from (FILE:ROW), in the record, not in
    # the data, so that re-importing unchanged files still changes no data triple.
    for origin in c.mapped.origins:
        file = file_nodes.get(origin.file)
        if file is None:
            continue
        row = ox.NamedNode(f"{file.value}/row/{origin.row}")
        out += [
            ox.Triple(row, nn(RDF.type), nn(MKG.InputRow)),
            ox.Triple(row, nn(MKG.inFile), file),
            ox.Triple(row, nn(MKG.rowNumber), lit(origin.row, XSD.integer)),
            # FILE:ROW as error lines name it (not rdfs:label: Virtuoso 7.2 then mis-joins
            # entity-facts' label OPTIONALs).
            ox.Triple(row, nn(MKG.location), lit(f"{origin.file}:{origin.row}")),
        ]
        out += [ox.Triple(row, nn(MKG.sourceRowOf), ox.NamedNode(iri)) for iri in origin.iris]
    return out


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def split_import_records(
    triples: list[ox.Triple], iris: DataIRIs, iso3: str,
) -> tuple[list[ox.Triple], list[ox.Triple]]:
    """A country graph as (data, import records); records are kept, re-imports only add one.
    Its precomputed figures are in neither: they are recomputed with every write."""
    prefix = iris.entity(iso3, "import", "")
    figures_prefix = figures.figures_iri(iris, iso3)
    data: list[ox.Triple] = []
    records: list[ox.Triple] = []
    for t in triples:
        if figures.is_figure(t, figures_prefix):
            continue
        is_record = isinstance(t.subject, ox.NamedNode) and t.subject.value.startswith(prefix)
        (records if is_record else data).append(t)
    return data, records


def _without_row_maps(records: list[ox.Triple]) -> list[ox.Triple]:
    """Earlier import records without their row nodes (<import>/file/<name>/row/<n>): only
    the latest import's rows say where the current data comes from, and keeping every
    import's would grow a country's graph by about half its data with each re-import. The
    activities and their files (who, when, checksums, row counts) are all kept."""
    return [t for t in records
            if not (isinstance(t.subject, ox.NamedNode) and "/row/" in t.subject.value)]


def ensure_model(store: Store, iris: DataIRIs) -> bool:
    """Keep the ontology + vocabularies graph in step with the installed data files.

    Returns True when the definitions the stored figures follow (model, figure queries)
    changed, or were never recorded: every country's figures must then be recomputed.
    """
    version = figures.version_triple(iris)
    model = [*load_model_triples(), version]
    current = store.graph_triples(iris.vocabulary_graph)
    if set(current) == set(model):
        return False
    store.replace_graph(iris.vocabulary_graph, model)
    return version not in current


def write(
    store: Store, checked: Sequence[Checked], settings: Settings, *, user: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[ImportReport]:
    """Replace each checked country's graph and record the import, in one commit where the
    store allows it (the embedded store: all countries change, or none)."""
    iris = DataIRIs(settings.base)
    user = user or _current_user()
    stale = ensure_model(store, iris)
    reports: list[ImportReport] = []

    def graphs() -> Iterator[tuple[str, list[ox.Triple]]]:
        # One country at a time: its triples are unpacked only while it is being written.
        for c in checked:
            if progress:
                progress(c.iso3)
            started = datetime.now(UTC)
            graph = iris.graph(c.iso3)
            old_data, old = split_import_records(store.graph_triples(graph), iris, c.iso3)
            data = list(c.mapped.triples)
            record = import_record(c, iris, started, user)
            reports.append(ImportReport(
                c.iso3, c.questionnaire.origin, len(data), c.warnings, True,
                changed=set(old_data) != set(data), import_iri=record[0].subject.value,
            ))
            yield graph, [*data, *c.figures, *_without_row_maps(old), *record]
        if stale:  # figures of the countries not imported now follow the new definitions
            yield from _refigured(store, iris, {c.iso3 for c in checked})

    store.replace_graphs(graphs())
    return reports


def _refigured(store: Store, iris: DataIRIs, skip: set[str]
               ) -> Iterator[tuple[str, list[ox.Triple]]]:
    prefix = iris.graph("")
    for graph in store.graphs():
        iso3 = graph.removeprefix(prefix)
        if not graph.startswith(prefix) or not ISO3.valid(iso3, upper_only=True) or iso3 in skip:
            continue
        data, records = split_import_records(store.graph_triples(graph), iris, iso3)
        yield graph, [*data, *figures.compute(data, iso3, iris), *records]


def import_paths(
    store: Store, paths: Sequence[Path], settings: Settings, *, strict: bool = False,
    dry_run: bool = False, user: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[ImportReport]:
    """Check every questionnaire, then (unless dry_run) write them all."""
    checked = check_all(paths, settings, strict=strict, progress=progress)
    if dry_run:
        return [
            ImportReport(c.iso3, c.questionnaire.origin, len(c.mapped.triples), c.warnings, False)
            for c in checked
        ]
    return write(store, checked, settings, user=user)


def _current_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
