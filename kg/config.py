"""All configuration, read once from the environment (MIGKG_*) with overrides from the CLI."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from kg.namespaces import DEFAULT_BASE


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        from kg.errors import ConfigError

        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None


def _choice_env(name: str, allowed: tuple[str, ...], default: str) -> str:
    raw = os.environ.get(name) or default
    if raw not in allowed:
        from kg.errors import ConfigError

        raise ConfigError(f"{name} must be one of {', '.join(allowed)}, got {raw!r}")
    return raw


def _seconds_env(name: str, default: float) -> float:
    """A positive number of seconds from the environment (a timeout)."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value > 0 or value == float("inf"):
        from kg.errors import ConfigError

        raise ConfigError(f"{name} must be a positive number of seconds, got {raw!r}")
    return value


@dataclass(frozen=True)
class Limits:
    """Input limits; a clear error names the limit when input goes past it."""

    max_cell_chars: int = 100_000
    max_rows: int = 20_000
    max_upload_bytes: int = 50 * 1024 * 1024
    max_zip_ratio: int = 100
    max_problems: int = 200
    # Wall-clock limit of a query (ad-hoc SPARQL, the API, guides, networks...): stopped past it.
    query_timeout_s: float = 10.0
    # Rows (or triples) of an ad-hoc query or API answer; more are cut, and the answer says so.
    query_max_rows: int = 10_000
    query_max_chars: int = 100_000
    query_max_nesting: int = 64


@dataclass(frozen=True)
class Settings:
    store_dir: Path = Path("var/store")
    base: str = DEFAULT_BASE
    endpoint: str | None = None
    update_endpoint: str | None = None
    graph_store_endpoint: str | None = None
    endpoint_user: str | None = None
    endpoint_password: str | None = None
    # A remote request that gets no answer for this long fails with a clear error (exit 3).
    # Reads: every query. Writes: replacing or deleting a graph, which the server may take
    # a while to index, hence the longer default.
    remote_read_timeout_s: float = 30.0
    remote_write_timeout_s: float = 120.0
    # Which graphs a remote query runs over (kg/store/remote.py): "union" (the engine's
    # default graph is the union of the named graphs), "named" (the backend names the
    # store's graphs, <base>graph/..., in each request: Virtuoso), "auto" (union if it is).
    endpoint_dataset: str = "auto"
    # The remote server's own query timeout parameter: NAME (seconds) or NAME:ms.
    endpoint_timeout_param: str | None = None
    lang: str = "en"
    # The web app's secret key (signs its cookies); `migkg serve --production` refuses to
    # start without one. Never shown in a repr.
    secret_key: str | None = field(default=None, repr=False)
    # `migkg serve --production`: worker processes (None: one per usable core) and the
    # seconds a worker has to finish its requests in flight after SIGTERM.
    workers: int | None = None
    graceful_timeout_s: float = 30.0
    # The foaf:name of the DCAT-AP catalogue's publisher (/catalog.ttl, `migkg catalog`).
    catalog_publisher: str = "migration-kg"
    limits: Limits = field(default_factory=Limits)

    def with_overrides(self, **changes: object) -> Settings:
        """A copy with the given non-None fields replaced (CLI options win over env)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def load_settings() -> Settings:
    env = os.environ
    base = env.get("MIGKG_BASE") or DEFAULT_BASE
    if not base.endswith("/"):
        base += "/"
    limits = Limits(
        max_cell_chars=_int_env("MIGKG_MAX_CELL_CHARS", Limits.max_cell_chars),
        max_rows=_int_env("MIGKG_MAX_ROWS", Limits.max_rows),
        max_upload_bytes=_int_env("MIGKG_MAX_UPLOAD_BYTES", Limits.max_upload_bytes),
        max_problems=_int_env("MIGKG_MAX_PROBLEMS", Limits.max_problems),
        query_timeout_s=_seconds_env("MIGKG_QUERY_TIMEOUT_S", Limits.query_timeout_s),
        query_max_rows=_int_env("MIGKG_QUERY_MAX_ROWS", Limits.query_max_rows),
    )
    return Settings(
        store_dir=Path(env.get("MIGKG_STORE") or "var/store"),
        base=base,
        endpoint=env.get("MIGKG_ENDPOINT") or None,
        update_endpoint=env.get("MIGKG_UPDATE_ENDPOINT") or None,
        graph_store_endpoint=env.get("MIGKG_GRAPH_STORE_ENDPOINT") or None,
        endpoint_user=env.get("MIGKG_ENDPOINT_USER") or None,
        endpoint_password=env.get("MIGKG_ENDPOINT_PASSWORD") or None,
        remote_read_timeout_s=_seconds_env("MIGKG_REMOTE_READ_TIMEOUT",
                                           Settings.remote_read_timeout_s),
        remote_write_timeout_s=_seconds_env("MIGKG_REMOTE_WRITE_TIMEOUT",
                                            Settings.remote_write_timeout_s),
        endpoint_dataset=_choice_env("MIGKG_ENDPOINT_DATASET", ("auto", "union", "named"),
                                     Settings.endpoint_dataset),
        endpoint_timeout_param=env.get("MIGKG_ENDPOINT_TIMEOUT_PARAM") or None,
        lang=env.get("MIGKG_LANG") or "en",
        secret_key=env.get("MIGKG_SECRET_KEY") or None,
        workers=_int_env("MIGKG_WORKERS", 0) or None,
        graceful_timeout_s=_seconds_env("MIGKG_GRACEFUL_TIMEOUT", Settings.graceful_timeout_s),
        catalog_publisher=env.get("MIGKG_CATALOG_PUBLISHER") or Settings.catalog_publisher,
        limits=limits,
    )
