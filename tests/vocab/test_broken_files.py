"""A broken vocabulary file is a DataFileError naming file and line, never a parser traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.errors import DataFileError
from kg.resources import vocabularies_dir
from kg.vocab import load_vocabularies

PREFIXES = """@prefix mkg: <https://w3id.org/migkg/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix voc: <https://w3id.org/migkg/vocab/> .
@prefix priority: <https://w3id.org/migkg/vocab/priority/> .
"""

SCHEME = """
voc:priority a skos:ConceptScheme ;
    skos:prefLabel "Priorities"@en, "Priorités"@fr ;
    skos:definition "How urgent."@en, "Degré d'urgence."@fr .
"""


def concept(code: str, order: int, *, fr_definition: bool = True,
            notation: str | None = None) -> str:
    definition = f'"Def {code}."@en' + (f', "Déf {code}."@fr' if fr_definition else "")
    return f"""
priority:{code} a skos:Concept ;
    skos:notation "{notation or code}" ;
    skos:inScheme voc:priority ;
    skos:prefLabel "{code}"@en, "{code} fr"@fr ;
    skos:definition {definition} ;
    mkg:listOrder {order} .
"""


def write(tmp_path: Path, text: str, name: str = "priority.ttl") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    return next(n for n, text in enumerate(path.read_text("utf-8").splitlines(), 1)
                if needle in text)


def test_a_valid_directory_loads(tmp_path: Path) -> None:
    write(tmp_path, PREFIXES + SCHEME + concept("low", 2) + concept("high", 1))
    v = load_vocabularies(tmp_path)
    assert v.schemes() == ["priority"]
    assert v.codes("priority") == ["high", "low"]  # mkg:listOrder, not file order


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    text = PREFIXES + SCHEME + concept("high", 1) + 'priority:low skos:notation "low ;\n'
    path = write(tmp_path, text)
    with pytest.raises(DataFileError) as caught:
        load_vocabularies(tmp_path)
    error = caught.value
    assert error.path == str(path)
    assert error.line == line_of(path, 'priority:low skos:notation')
    message = str(error)
    assert message.startswith(f"{path}:{error.line}: ")
    assert "Turtle syntax error" in message


def test_undefined_prefix_is_reported_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, PREFIXES + SCHEME + concept("high", 1) + "\nnope:x a skos:Concept .\n")
    with pytest.raises(DataFileError) as caught:
        load_vocabularies(tmp_path)
    assert caught.value.line == line_of(path, "nope:x")


def test_missing_french_definition_names_the_concept_line(tmp_path: Path) -> None:
    path = write(tmp_path, PREFIXES + SCHEME + concept("high", 1)
                 + concept("low", 2, fr_definition=False))
    with pytest.raises(DataFileError) as caught:
        load_vocabularies(tmp_path)
    assert caught.value.path == str(path)
    assert caught.value.line == line_of(path, "priority:low a skos:Concept")
    assert "definition" in str(caught.value) and "@fr" in str(caught.value)


def test_duplicate_notation_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, PREFIXES + SCHEME + concept("high", 1)
                 + concept("low", 2, notation="high"))
    with pytest.raises(DataFileError) as caught:
        load_vocabularies(tmp_path)
    assert caught.value.path == str(path)
    assert caught.value.line is not None
    assert '"high"' in str(caught.value)


def test_scheme_without_labels_is_reported(tmp_path: Path) -> None:
    write(tmp_path, PREFIXES + "voc:priority a skos:ConceptScheme .\n" + concept("high", 1))
    with pytest.raises(DataFileError, match="prefLabel"):
        load_vocabularies(tmp_path)


def test_missing_list_order_is_reported(tmp_path: Path) -> None:
    text = PREFIXES + SCHEME + concept("high", 1).replace("mkg:listOrder 1", "skos:note \"x\"")
    write(tmp_path, text)
    with pytest.raises(DataFileError, match="listOrder"):
        load_vocabularies(tmp_path)


def test_cycle_out_of_order_is_reported(tmp_path: Path) -> None:
    source = (vocabularies_dir() / "policy-stage.ttl").read_text("utf-8")
    broken = source.replace(
        "        policy-stage:needs_identification\n        policy-stage:formulation\n",
        "        policy-stage:formulation\n        policy-stage:needs_identification\n")
    assert broken != source
    path = write(tmp_path, broken, "policy-stage.ttl")
    with pytest.raises(DataFileError) as caught:
        load_vocabularies(tmp_path)
    assert caught.value.line == line_of(path, "policy-stage:cycle a skos:OrderedCollection")


def test_empty_directory_is_reported(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="no vocabulary file"):
        load_vocabularies(tmp_path)
