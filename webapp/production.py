"""`migkg serve --production`: the web app under gunicorn (Linux and other Unix systems).

- Workers: one process per usable core unless set (MIGKG_WORKERS or --workers); each worker
  builds its own app (create_app), so each opens the store once, and runs THREADS threads
  (gthread workers) so a slow remote store does not block the other requests.
- Refuses to start without a secret key (MIGKG_SECRET_KEY) or without at least one user
  (`migkg users add`): a ConfigError naming what is missing.
- Access log: one JSON object per line on stdout (or the file given), with the request id
  the app echoes in its X-Request-Id header (webapp.web.request_id).
- SIGTERM: gunicorn's graceful stop. Workers stop accepting, finish the requests in flight
  (up to graceful_timeout_s, MIGKG_GRACEFUL_TIMEOUT), then exit; the arbiter exits 0.
"""

from __future__ import annotations

import json
import math
import os
import sys
import time

from kg import i18n
from kg.config import Settings
from kg.errors import ConfigError

MIN_SECRET_CHARS = 16
# A worker that has not answered for this long is killed and replaced (gunicorn's timeout):
# longer than any query limit, so only a truly stuck worker goes.
WORKER_TIMEOUT_S = 120


def usable_cores() -> int:
    """Cores this process may run on (the affinity mask, which containers narrow)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def check_production(settings: Settings) -> None:
    """Refuse what production must not run with; ConfigError (exit 2) naming everything that
    is missing (the secret key, a user)."""
    from kg.service import Workspace

    if sys.platform == "win32":
        raise ConfigError(i18n.t("cli.serve.production_unix", settings.lang))
    missing = []
    key = settings.secret_key or ""
    if len(key) < MIN_SECRET_CHARS:
        missing.append(i18n.t("cli.serve.no_secret" if not key else "cli.serve.short_secret",
                              settings.lang, chars=MIN_SECRET_CHARS))
    users = Workspace(settings).users()
    if users.count() == 0:
        missing.append(i18n.t("cli.serve.no_users", settings.lang, source=users.source))
    if missing:
        raise ConfigError("\n".join(missing))


def options(settings: Settings, host: str, port: int, threads: int,
            workers: int | None = None, access_log: str = "-") -> dict[str, object]:
    """The gunicorn settings for one production server."""
    return {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers or settings.workers or usable_cores(),
        "worker_class": "gthread",
        "threads": threads,
        "timeout": WORKER_TIMEOUT_S,
        "graceful_timeout": math.ceil(settings.graceful_timeout_s),
        "accesslog": access_log,
        "errorlog": "-",
        "logger_class": "webapp.production.JsonAccessLogger",
        "proc_name": "migkg",
        "preload_app": False,
        # No control socket: it sits at one path per user, shared by every server.
        "control_socket_disable": True,
    }


def run(settings: Settings, opts: dict[str, object]) -> None:
    """Run gunicorn in this process until it is stopped (SIGTERM: graceful)."""
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):
        def load_config(self) -> None:
            for name, value in opts.items():
                if name in self.cfg.settings:  # control_socket_disable: gunicorn 25 and later
                    self.cfg.set(name, value)

        def load(self):
            from webapp import create_app

            return create_app(settings, serving=True)

    Server().run()


def access_record(atoms: dict[str, object]) -> dict[str, object]:
    """One access log line's fields, from gunicorn's log atoms."""
    return {
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "request_id": atoms.get("{x-request-id}o") or "",
        "method": atoms.get("m"),
        "path": atoms.get("U"),
        "query": atoms.get("q") or "",
        "status": int(str(atoms.get("s"))) if str(atoms.get("s")).isdigit() else atoms.get("s"),
        "bytes": atoms.get("B"),
        "duration_ms": atoms.get("M"),
        "remote": atoms.get("h"),
        "user_agent": atoms.get("a"),
        "pid": os.getpid(),
    }


try:
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # gunicorn is not installed on Windows; --production refuses there
    _GunicornLogger = object  # type: ignore[assignment,misc]


class JsonAccessLogger(_GunicornLogger):  # type: ignore[misc,valid-type]
    """gunicorn's logger with one JSON object per access log line (fields: access_record)."""

    def access(self, resp, req, environ, request_time) -> None:
        if not self.cfg.accesslog:
            return
        atoms = self.atoms(resp, req, environ, request_time)
        self.access_log.info(json.dumps(access_record(atoms), ensure_ascii=False))
