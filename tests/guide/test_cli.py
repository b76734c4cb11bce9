"""`migkg guide` and `migkg guide-diff` on the demo store."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.export import export
from kg.namespaces import DEFAULT_BASE
from tests.guide.french import english_left

GOLDEN = Path(__file__).parent / "golden"


def test_guide_writes_the_golden_markdown(migkg, pinned_store, tmp_path: Path) -> None:
    out = tmp_path / "XAA.fr.md"
    result = migkg(pinned_store, "guide", "xaa", "--lang", "fr", "--format", "md", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == (GOLDEN / "XAA.fr.md").read_text(encoding="utf-8")
    assert "XAA" in result.stderr and "md" in result.stderr


def test_guide_to_stdout_is_the_guide_alone(migkg, pinned_store) -> None:
    result = migkg(pinned_store, "guide", "XAC", "--format", "md")
    assert result.exit_code == 0
    assert result.stdout == (GOLDEN / "XAC.en.md").read_text(encoding="utf-8")


def test_guide_all_writes_every_country_and_language(migkg, pinned_store, tmp_path: Path) -> None:
    out = tmp_path / "guides"
    result = migkg(pinned_store, "guide", "--all", "--format", "md", "-o", str(out))
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert names == [f"{c}.{lang}.md" for c in ("XAA", "XAB", "XAC") for lang in ("en", "fr")]
    for name in names:
        assert (out / name).read_bytes() == (GOLDEN / name).read_bytes()
    assert "Writing guides" in result.stderr and result.stdout == ""


@pytest.mark.parametrize(("args", "message"), [
    (("guide", "XZZ", "--format", "md"), "no country XZZ in the store"),
    (("guide", "12", "--format", "md"), "not a country code: '12'"),
    (("guide",), "give a country code (ISO3) or --all"),
    (("guide", "XAA", "--all", "-o", "x"), "not both"),
    (("guide", "--all"), "-o DIRECTORY is required with --all"),
])
def test_guide_user_errors_exit_2(migkg, pinned_store, args: tuple[str, ...], message: str) -> None:
    result = migkg(pinned_store, *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def _export(store) -> str:
    return export(store, "nq", base=DEFAULT_BASE, iso3="XAA").decode("utf-8")


def _without(text: str, needle: str) -> str:
    return "".join(line + "\n" for line in text.splitlines() if needle not in line)


def test_guide_diff_between_two_exports(migkg, pinned_store, tmp_path: Path) -> None:
    current = _export(pinned_store)
    action = f"<{DEFAULT_BASE}id/XAA/action/overlapping-mandates>"
    status = "<https://w3id.org/migkg/vocab/action-status/"
    old = _without(current, "/actor/vdc>").replace(
        f"{action} <https://w3id.org/migkg/ontology#actionStatus> {status}effective>",
        f"{action} <https://w3id.org/migkg/ontology#actionStatus> {status}in_progress>")
    new = _without(current, "/source/mobile-data>")
    (tmp_path / "old.nq").write_text(old, encoding="utf-8")
    (tmp_path / "new.nq").write_text(new, encoding="utf-8")
    result = migkg(pinned_store, "guide-diff", "XAA", "--from", str(tmp_path / "old.nq"),
                    "--to", str(tmp_path / "new.nq"))
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "# Republic of Valdoria (XAA): changes in the data" in text
    assert "## New actors\n\n- Valdorian Diaspora Council\n" in text
    assert "## Removed data sources\n\n- Anonymised aggregated mobile phone data\n" in text
    assert ("- Overlapping mandates in migration coordination: In progress → Effective"
            in text.split("## Challenges resolved")[1])
    assert "Removed actors" not in text

    fr = migkg(pinned_store, "guide-diff", "XAA", "--lang", "fr", "--from",
                str(tmp_path / "old.nq"), "--to", str(tmp_path / "new.nq")).stdout
    assert "## Nouveaux acteurs" in fr and "Conseil de la diaspora valdorienne" in fr
    assert english_left(fr, ("guide.diff.",), html=False) == []


def test_guide_diff_against_the_store(migkg, pinned_store, tmp_path: Path) -> None:
    (tmp_path / "same.nq").write_text(_export(pinned_store), encoding="utf-8")
    result = migkg(pinned_store, "guide-diff", "XAA", "--from", str(tmp_path / "same.nq"))
    assert result.exit_code == 0, result.output
    assert "No change." in result.stdout and "the current store" in result.stdout


def test_guide_diff_refuses_bad_files(migkg, pinned_store, tmp_path: Path) -> None:
    bad = tmp_path / "bad.nq"
    bad.write_text("this is not RDF\n", encoding="utf-8")
    result = migkg(pinned_store, "guide-diff", "XAA", "--from", str(bad))
    assert result.exit_code == 2 and "cannot read this file as RDF" in result.stderr
    other = tmp_path / "other.xml"
    other.write_text("<rdf/>", encoding="utf-8")
    result = migkg(pinned_store, "guide-diff", "XAA", "--from", str(other))
    assert result.exit_code == 2 and "unknown RDF format" in result.stderr
    xab = tmp_path / "xab.nq"
    xab.write_bytes(export(pinned_store, "nq", base=DEFAULT_BASE, iso3="XAB"))
    result = migkg(pinned_store, "guide-diff", "XAA", "--from", str(xab))
    assert result.exit_code == 2 and "no data for country XAA" in result.stderr
