"""`migkg serve`: the web app over the configured store."""

from __future__ import annotations

import click

from kg.service import Workspace


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--threads", default=4, show_default=True, type=int)
@click.pass_obj
def serve_cmd(ws: Workspace, host: str, port: int, threads: int) -> None:
    """Serve the web app (waitress) on HOST:PORT."""
    from waitress import serve

    from webapp import create_app

    app = create_app(ws.settings)
    click.echo(f"serving on http://{host}:{port}/", err=True)
    serve(app, host=host, port=port, threads=threads)


def register(group: click.Group) -> None:
    group.add_command(serve_cmd)
