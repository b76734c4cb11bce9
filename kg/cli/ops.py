"""Operations commands: backup and restore of the whole store."""

from __future__ import annotations

from pathlib import Path

import click

from kg import i18n
from kg.service import Workspace


@click.command("backup")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.pass_obj
def backup_cmd(ws: Workspace, folder: Path) -> None:
    """Back up the whole store into FOLDER (new or empty), with a manifest of sha256 checksums.

    The embedded store is copied as it was at one commit, without stopping imports or the
    web app; a remote store is dumped as N-Quads.
    """
    report = ws.backup(folder)
    click.echo(i18n.t("backup.done", ws.lang, graphs=report.graphs, triples=report.triples,
                      bytes=report.bytes, folder=report.folder), err=True)


@click.command("restore")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.pass_obj
def restore_cmd(ws: Workspace, folder: Path) -> None:
    """Replace the store's whole content with the backup in FOLDER, in one step.

    Every file is checked against the manifest first; a damaged or mismatched backup is
    refused (exit 2) and the store is left as it was. There is no prompt.
    """
    report = ws.restore(folder)
    click.echo(i18n.t("backup.restored", ws.lang, graphs=report.graphs,
                      triples=report.triples, folder=report.folder), err=True)


def register(group: click.Group) -> None:
    for command in (backup_cmd, restore_cmd):
        group.add_command(command)
