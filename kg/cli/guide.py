"""Commands for country guides: `migkg guide` (one country or --all) and `migkg guide-diff`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kg import i18n
from kg.cli.output import write_output
from kg.errors import Location, ParameterError, Problem
from kg.i18n import LANGUAGES
from kg.service import GUIDE_FORMATS, Workspace, check_iso3


def _problem(key: str, where: str = "", **params: object) -> ParameterError:
    return ParameterError(Problem(Location(where), f"guide.cli.{key}", params))


def _job_label(job: tuple[str, str] | None) -> str:
    return f"{job[0]} {job[1]}" if job else ""


@click.command("guide")
@click.argument("iso3", required=False)
@click.option("--all", "all_countries", is_flag=True,
              help="Every country in the store, one file per country and language, into -o DIR.")
@click.option("--lang", "guide_lang", type=click.Choice(LANGUAGES),
              help="Language of the guide (default: the --lang of migkg, or both with --all).")
@click.option("--format", "fmt", type=click.Choice(GUIDE_FORMATS), default="html",
              show_default=True,
              help="html: one self-contained page; md: Markdown; docx: Word; pdf: print.")
@click.option("-o", "--output", default="-", show_default=True,
              help="Output file (- for stdout); with --all, a directory.")
@click.option("--include-restricted", is_flag=True,
              help="Show restricted contact details (operator use only: do not distribute).")
@click.pass_obj
def guide_cmd(ws: Workspace, iso3: str | None, all_countries: bool, guide_lang: str | None,
              fmt: str, output: str, include_restricted: bool) -> None:
    """Write a country's guide on the use of migration data, from the graph.

    Same graph and options, same bytes: dates come from the data's import time.
    """
    lang = ws.lang
    if all_countries and iso3:
        raise _problem("not_both", "ISO3")
    if not all_countries and not iso3:
        raise _problem("iso3_or_all", "ISO3")
    if all_countries:
        if output == "-":
            raise _problem("output_required", "-o")
        folder = Path(output)
        folder.mkdir(parents=True, exist_ok=True)
        langs = [guide_lang] if guide_lang else list(LANGUAGES)
        codes = ws.country_codes()
        if not codes:
            raise _problem("no_countries")
        jobs = [(code, gl) for code in codes for gl in langs]
        label = i18n.t("guide.cli.all_label", lang)
        with click.progressbar(jobs, label=label, file=sys.stderr, show_pos=True,
                               item_show_func=_job_label) as bar:
            for code, gl in bar:
                data, _media = ws.guide(code, gl, fmt, include_restricted=include_restricted)
                write_output(str(folder / f"{code}.{gl}.{fmt}"), data)
        click.echo(i18n.t("guide.cli.all_done", lang, count=len(jobs), output=folder), err=True)
        return
    code = check_iso3(iso3)
    gl = guide_lang or ws.lang
    g = ws.guide_of(code, gl, include_restricted=include_restricted, png=fmt == "docx")
    data, _media = ws.render_guide(g, fmt)
    if output == "-" and fmt in ("docx", "pdf") and sys.stdout.isatty():
        raise _problem("stdout_binary", "-o", fmt=fmt)
    write_output(output, data)
    click.echo(i18n.t("guide.cli.written", lang, iso3=code, fmt=fmt, language=gl,
                      status=i18n.t(f"guide.status.{g.status}", lang),
                      output=output if output != "-" else "stdout"), err=True)


@click.command("guide-diff")
@click.argument("iso3")
@click.option("--from", "old_path", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="An earlier export of the country (migkg export --country ISO3).")
@click.option("--to", "new_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A later export; default: the current store.")
@click.option("--lang", "guide_lang", type=click.Choice(LANGUAGES),
              help="Language of the summary (default: the --lang of migkg).")
@click.option("-o", "--output", default="-", show_default=True,
              help="Output file, or - for stdout.")
@click.pass_obj
def guide_diff_cmd(ws: Workspace, iso3: str, old_path: Path, new_path: Path | None,
                   guide_lang: str | None, output: str) -> None:
    """Summarise what changed in a country's data between two versions.

    New and removed actors, sources, challenges and recommendations, source status
    changes, challenges resolved (corrective action now implemented or effective).
    """
    text = ws.guide_diff(iso3, old_path, new_path, guide_lang)
    write_output(output, text.encode("utf-8"))


def register(group: click.Group) -> None:
    group.add_command(guide_cmd)
    group.add_command(guide_diff_cmd)
