"""The blank questionnaire workbook: layout, drop-downs, notes, safety, and what it imports as."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from kg import i18n, workbook
from kg.config import Settings
from kg.errors import InputError
from kg.ingest import read_questionnaire
from kg.ingest.checks import load_template
from kg.vocab import load_vocabularies
from kg.workbook.layout import sheets, type_text
from tests.pipeline.conftest import SMALL
from tests.workbook.conftest import load, parts, validations

REQUIRED_FILL, ONE_OF_FILL = "1F4E79", "BDD7EE"


@pytest.fixture(scope="module", params=["en", "fr"])
def book(request: pytest.FixtureRequest):
    lang = request.param
    data = workbook.template(lang)
    return lang, data, load(data)


def test_one_sheet_per_template_file_in_template_order(book) -> None:
    _lang, _data, wb = book
    template = load_template()
    assert wb.sheetnames == ["instructions", *template, "lists"]
    assert wb.active.title == "instructions"
    assert wb["lists"].sheet_state == "hidden"
    for name, spec in template.items():
        ws = wb[name]
        header = [c.value for c in ws[1]]
        assert header == list(spec.columns), name
        assert ws.freeze_panes == "A2", name
        assert ws.max_row == 1, f"{name}: the blank template has no data rows"


def test_headers_mark_required_columns_and_explain_every_column(book) -> None:
    lang, _data, wb = book
    vocab = load_vocabularies()
    for sheet in sheets():
        ws = wb[sheet.name]
        for cell, column in zip(ws[1], sheet.columns, strict=True):
            note = cell.comment.text
            assert note.startswith(column.name), (sheet.name, column.name)
            assert type_text(column, vocab, lang) in note
            colour = cell.fill.fgColor.rgb[-6:]
            if column.required:
                assert colour == REQUIRED_FILL and i18n.t("workbook.type.required", lang) in note
            elif column.one_of:
                assert colour == ONE_OF_FILL and ", ".join(column.one_of) in note
            else:
                assert colour not in (REQUIRED_FILL, ONE_OF_FILL)
            if column.is_list:
                # Several codes or ids in one cell: the note says how to separate them.
                assert "; " in note and ("semicolon" in note if lang == "en" else "point-virgule" in note)


def test_drop_downs_hold_exactly_the_vocabulary_codes_with_labels_beside(book) -> None:
    lang, _data, wb = book
    vocab = load_vocabularies()
    lists = wb["lists"]
    checked = 0
    for sheet in sheets():
        dvs = validations(wb[sheet.name])
        for index, column in enumerate(sheet.columns):
            if column.scheme is None:
                continue
            dv = dvs[_letter(index)]
            assert dv.type == "list"
            m = re.fullmatch(r"lists!\$([A-Z]+)\$2:\$([A-Z]+)\$(\d+)", dv.formula1)
            assert m, dv.formula1
            code_col, last = m.group(1), int(m.group(3))
            label_col = _letter(_index(code_col) + 1)
            codes = [lists[f"{code_col}{r}"].value for r in range(2, last + 1)]
            labels = [lists[f"{label_col}{r}"].value for r in range(2, last + 1)]
            concepts = vocab.concepts(column.scheme)
            assert codes == [c.code for c in concepts], (sheet.name, column.name)
            assert labels == [vocab.label(c.iri, lang) for c in concepts]
            assert lists[f"{code_col}{last + 1}"].value is None
            # One code: anything else is refused; a list of codes: any text goes through.
            assert dv.showErrorMessage == (column.kind == "code")
            checked += 1
    assert checked >= 15


def test_references_offer_the_ids_of_the_sheet_they_name(book) -> None:
    _lang, _data, wb = book
    seen = 0
    for sheet in sheets():
        dvs = validations(wb[sheet.name])
        for index, column in enumerate(sheet.columns):
            if column.kind not in ("ref", "refs"):
                continue
            dv = dvs.get(_letter(index))
            if len(column.targets) != 1:
                assert dv is None  # two sheets (actors or data_sources): Excel cannot
                continue
            target = next(s for s in sheets() if s.name == column.targets[0])
            id_letter = _letter(target.names.index("id"))
            assert re.fullmatch(rf"{target.name}!\${id_letter}\$2:\${id_letter}\$\d+", dv.formula1)
            seen += 1
    assert seen >= 15  # parent, coordinator, producer, responsible, source columns...


def test_no_formulas_macros_or_external_links(book) -> None:
    _lang, data, wb = book
    names = parts(data)
    assert not [n for n in names if "vba" in n.lower() or "externalLink" in n or n.endswith(".bin")]
    assert b"macroEnabled" not in names["[Content_Types].xml"]
    for name, content in names.items():
        if name.startswith("xl/worksheets/sheet"):
            assert b"<f>" not in content and b"<f " not in content, name
    for ws in wb.worksheets:
        assert all(c.data_type != "f" for row in ws.iter_rows() for c in row), ws.title
    assert not list(wb.defined_names)


def test_french_workbook_has_no_english_text() -> None:
    wb = load(workbook.template("fr"))
    texts = [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row
             if c.value is not None and ws.title != "lists"]
    texts += [c.comment.text for ws in wb.worksheets for c in ws[1] if c.comment]
    texts += [str(getattr(dv, attr) or "") for ws in wb.worksheets
              for dv in ws.data_validations.dataValidation
              for attr in ("prompt", "error", "promptTitle", "errorTitle")]
    french = "\n".join(texts)
    en, fr = i18n.catalogue("en"), i18n.catalogue("fr")
    vocab = load_vocabularies()
    # Codes, sheet and column names are the template's, the same in both languages.
    names = {c.code for s in vocab.schemes() for c in vocab.concepts(s)}
    names |= {n for s in sheets() for n in (s.name, *s.names)}
    left = [(key, frag) for key, value in en.items()
            if key.startswith("workbook.") and not key.startswith("workbook.cli.")
            and fr.get(key) != value for frag in _fragments(value) if frag not in names
            if re.search(rf"(?<!\w){re.escape(frag)}(?!\w)", french)]
    for scheme in vocab.schemes():
        for concept in vocab.concepts(scheme):
            for what in (vocab.label, vocab.definition):
                english, in_french = what(concept.iri, "en"), what(concept.iri, "fr")
                if english != in_french and len(english) > 6 and english in french:
                    left.append((concept.iri, english))
    assert left == []


def test_locale_describes_every_file_and_column_in_both_languages() -> None:
    en = {k for k in i18n.catalogue("en") if k.startswith("workbook.")}
    fr = {k for k in i18n.catalogue("fr") if k.startswith("workbook.")}
    assert en == fr
    for sheet in sheets():
        assert f"workbook.purpose.{sheet.name}" in en, sheet.name
        for column in sheet.columns:
            if column.name != "id":
                assert f"workbook.column.{sheet.name}.{column.name}" in en, (sheet.name, column.name)


def test_the_same_template_gives_the_same_bytes() -> None:
    assert workbook.template("en") == workbook.template("en")
    assert workbook.template("en") != workbook.template("fr")


def test_blank_template_imports_as_an_empty_questionnaire(tmp_path: Path) -> None:
    path = tmp_path / "questionnaire.xlsx"
    path.write_bytes(workbook.template("fr"))
    with pytest.raises(InputError) as caught:
        read_questionnaire(path, Settings())
    lines = caught.value.lines("en")
    assert lines == ["questionnaire.xlsx!country::: exactly one row (the country) is required; found 0"]


def test_filled_template_imports(tmp_path: Path) -> None:
    wb = load(workbook.template("en"))
    for name, rows in SMALL.items():
        ws = wb[name]
        header = [c.value for c in ws[1]]
        for r, row in enumerate(rows, start=2):
            for column, value in row.items():
                ws.cell(row=r, column=header.index(column) + 1, value=value)
    path = tmp_path / "filled.xlsx"
    wb.save(path)
    q = read_questionnaire(path, Settings())
    assert q.warnings == []  # the instructions and lists sheets are the workbook's own
    assert [len(q.tables[name].rows) for name in SMALL] == [len(rows) for rows in SMALL.values()]
    assert q.tables["actors"].rows[0].values["policy_stages"] == ["formulation", "decision"]


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _index(letter: str) -> int:
    from openpyxl.utils import column_index_from_string

    return column_index_from_string(letter) - 1


def _fragments(message: str) -> list[str]:
    parts_ = [literal for literal, *_ in string.Formatter().parse(message)]
    return [p.strip(" .,:;()\u00a0") for p in parts_ if sum(c.isalpha() for c in p.strip()) >= 4]
