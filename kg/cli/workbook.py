"""Questionnaire workbooks: `migkg template` (blank) and `migkg questionnaire` (a country's answers)."""

from __future__ import annotations

import sys

import click

from kg import i18n
from kg.cli.output import write_files, write_output
from kg.errors import Location, ParameterError, Problem
from kg.i18n import LANGUAGES
from kg.service import WORKBOOK_FORMATS, Workspace, check_iso3

_LANG = click.option("--lang", "book_lang", type=click.Choice(LANGUAGES),
                     help="Language of the instructions and notes (default: the --lang of migkg).")
_OUTPUT = click.option("-o", "--output", default="-", show_default=True,
                       help="Output file (- for stdout; not a terminal).")


def _refuse_terminal(output: str) -> None:
    if output == "-" and sys.stdout.isatty():
        raise ParameterError(Problem(Location("-o"), "workbook.cli.stdout_binary"))


@click.command("template")
@_LANG
@_OUTPUT
@click.pass_obj
def template_cmd(ws: Workspace, book_lang: str | None, output: str) -> None:
    """Write the blank questionnaire workbook (.xlsx) for a working group to fill in.

    One sheet per template file, in the template's column order; instructions in the
    chosen language; drop-downs of the allowed codes; required columns marked.
    """
    _refuse_terminal(output)
    write_output(output, ws.template(book_lang))


@click.command("questionnaire")
@click.argument("iso3")
@_LANG
@click.option("--format", "fmt", type=click.Choice(WORKBOOK_FORMATS), default="xlsx",
              show_default=True,
              help="xlsx: one workbook; csv: the CSV files, in a folder (-o DIR) or a zip (-o FILE.zip).")
@click.option("--include-restricted", is_flag=True,
              help="Write restricted contact details too (operator use only: do not distribute).")
@_OUTPUT
@click.pass_obj
def questionnaire_cmd(ws: Workspace, iso3: str, book_lang: str | None, fmt: str,
                      include_restricted: bool, output: str) -> None:
    """Write a country's current answers, from the graph, in the questionnaire's layout.

    Edit it in Excel or LibreOffice and import it again (`migkg import`): rows and values
    left as they are change nothing. Without --include-restricted, restricted contact
    details are left out, and importing the file again would remove them.
    """
    code = check_iso3(iso3)
    book = ws.questionnaire(code, book_lang, fmt, include_restricted=include_restricted)
    if fmt == "csv" and output != "-" and not output.lower().endswith(".zip"):
        write_files(output, book.files)
    else:
        _refuse_terminal(output)
        write_output(output, book.data)
    for problem in book.warnings:
        click.echo(problem.line(ws.lang), err=True)
    click.echo(i18n.t("workbook.cli.written", ws.lang, iso3=code, rows=book.rows,
                      output=output if output != "-" else "stdout"), err=True)


def register(group: click.Group) -> None:
    group.add_command(template_cmd)
    group.add_command(questionnaire_cmd)
