"""`migkg serve`: the web app over the configured store.

Plain: waitress, for a workstation or a small site; needs no secret key and no user (the
admin pages then say how to add one). `--production`: gunicorn (Unix), which needs
MIGKG_SECRET_KEY and at least one user, sets secure cookies and rate limits, sizes its
workers to the cores, logs each request as JSON and stops gracefully on SIGTERM
(webapp.production). Both serve /healthz and /readyz.
"""

from __future__ import annotations

from pathlib import Path

import click

from kg import i18n
from kg.service import Workspace


@click.command("serve")
@click.option("--host", default=None, help="Address to listen on (default host in the config "
              "file, MIGKG_HOST, else 127.0.0.1).")
@click.option("--port", default=None, type=click.IntRange(1, 65535),
              help="Port (default port, MIGKG_PORT, else 8000).")
@click.option("--threads", default=None, type=click.IntRange(1, 256),
              help="Threads per process (default threads, MIGKG_THREADS, else 4).")
@click.option("--production", is_flag=True,
              help="Serve with gunicorn (Linux/Unix): needs MIGKG_SECRET_KEY and at least one "
                   "user (migkg users add); secure cookies, rate limits; JSON access log; "
                   "graceful stop on SIGTERM.")
@click.option("--workers", type=click.IntRange(1, 256), default=None,
              help="With --production: worker processes (default MIGKG_WORKERS, else one per "
                   "usable core).")
@click.option("--access-log", default=None, type=click.Path(dir_okay=False),
              help="With --production: where the JSON access log goes (- is stdout, the "
                   "default; or access_log, MIGKG_ACCESS_LOG).")
@click.pass_obj
def serve_cmd(ws: Workspace, host: str | None, port: int | None, threads: int | None,
              production: bool, workers: int | None, access_log: str | None) -> None:
    """Serve the web app on HOST:PORT (waitress; gunicorn with --production)."""
    settings = ws.settings
    host = host or settings.host
    port = port or settings.port
    threads = threads or settings.threads
    access_log = access_log or settings.access_log
    if production:
        settings = settings.with_overrides(production=True)
        from webapp import production as prod

        prod.check_production(settings)
        opts = prod.options(settings, host, port, threads, workers,
                            access_log if access_log == "-" else str(Path(access_log)))
        click.echo(i18n.t("cli.serve.serving", settings.lang, address=opts["bind"],
                          server=f"gunicorn, workers={opts['workers']}, threads={threads}"), err=True)
        prod.run(settings, opts)
        return
    from waitress import serve

    from webapp import create_app

    app = create_app(settings, serving=True)
    click.echo(i18n.t("cli.serve.serving", settings.lang, address=f"{host}:{port}",
                      server=f"waitress, threads={threads}"), err=True)
    serve(app, host=host, port=port, threads=threads)


def register(group: click.Group) -> None:
    group.add_command(serve_cmd)
