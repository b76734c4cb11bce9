"""The `migkg` command line: a thin shell over kg.service. One module per command group.

Commands get the Workspace (kg.service) as their context object; they parse options,
call one use case and write its output. They import kg.service, kg.errors, kg.config and
kg.i18n only (tests/test_architecture.py).
"""

from __future__ import annotations

from pathlib import Path

import click

from kg import __version__
from kg.config import load_settings
from kg.errors import MigkgError, UserError
from kg.i18n import LANGUAGES
from kg.service import Workspace


class MigkgGroup(click.Group):
    """Turns the project's errors into error lines and exit codes, never tracebacks."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except UserError as exc:
            lang = ctx.obj.lang if isinstance(ctx.obj, Workspace) else "en"
            for line in exc.lines(lang):
                click.echo(line, err=True)
            ctx.exit(exc.exit_code)
        except MigkgError as exc:
            lang = ctx.obj.lang if isinstance(ctx.obj, Workspace) else "en"
            click.echo(f"migkg: {exc.message(lang)}", err=True)
            ctx.exit(exc.exit_code)


@click.group(cls=MigkgGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="migkg")
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Config file (TOML) of every setting (default MIGKG_CONFIG, else "
                   "./migkg.toml when it exists); MIGKG_* variables and options win over it.")
@click.option("--store", "store_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Embedded store folder (default ./var/store, or MIGKG_STORE).")
@click.option("--endpoint", help="SPARQL query endpoint of a remote store (or MIGKG_ENDPOINT).")
@click.option("--update-endpoint", help="SPARQL update endpoint (default: the query endpoint).")
@click.option("--graph-store", "graph_store_endpoint",
              help="SPARQL Graph Store Protocol endpoint, used for atomic graph replacement.")
@click.option("--user", "endpoint_user", help="Basic-auth user for the remote store.")
@click.option("--password", "endpoint_password", help="Basic-auth password for the remote store.")
@click.option("--lang", type=click.Choice(LANGUAGES), help="Language of messages (en, fr).")
@click.pass_context
def main(ctx: click.Context, config_file: Path | None, **options: object) -> None:
    """Migration data actors knowledge graph: import questionnaires, query, analyse, write guides.

    Exit codes: 0 success; 2 bad input, bad parameter, failed validation or a query time
    limit hit; 3 the store is unreachable or failing (one line naming it).
    """
    workspace = Workspace(load_settings(config_file).with_overrides(**options))
    ctx.obj = workspace
    ctx.call_on_close(workspace.close)


def _register() -> None:
    from kg.cli import commands  # noqa: F401  (registers the subcommands)


_register()

