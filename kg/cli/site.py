"""`migkg site -o DIR`: the public web app as static files (webapp.site)."""

from __future__ import annotations

from pathlib import Path

import click

from kg import i18n
from kg.service import Workspace


@click.command("site")
@click.option("-o", "--output", "folder", required=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write the site into (created; older files replaced).")
@click.pass_obj
def site_cmd(ws: Workspace, folder: Path) -> None:
    """Write every public page, guide, export and the DCAT catalogue as static files.

    Links are relative: the folder works from file:// and under any sub-path of a web
    server. The SPARQL endpoint, the query editor and search need the app and are left out.
    """
    from webapp.site import build_site

    report = build_site(ws.settings, folder)
    click.echo(i18n.t("site.done", ws.lang, pages=report.pages, files=report.files,
                      bytes=report.bytes, folder=report.folder), err=True)


def register(group: click.Group) -> None:
    group.add_command(site_cmd)
