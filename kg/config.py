"""All configuration, in one place: one config file (TOML), MIGKG_* environment variables
over it, command-line options over both.

Where each setting comes from, the first that gives it:
1. the command line (`Settings.with_overrides`, applied by the shells);
2. the environment: MIGKG_<NAME>;
3. the config file: `--config FILE`, else MIGKG_CONFIG, else ./migkg.toml when it exists;
   one `name = value` per setting, NAME lowercased (docs/migkg.example.toml lists them all);
4. the default below.
An unknown name in the file, or a value of the wrong kind anywhere, is a ConfigError (exit 2)
naming the file or the variable and what would be accepted.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from kg.namespaces import DEFAULT_BASE

CONFIG_ENV = "MIGKG_CONFIG"
DEFAULT_CONFIG_FILE = Path("migkg.toml")


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
    endpoint_password: str | None = field(default=None, repr=False)
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
    # `migkg serve`: where it listens, threads per process; with --production, worker
    # processes (None: one per usable core), the seconds a worker has to finish its requests
    # in flight after SIGTERM, and where the JSON access log goes ("-": stdout).
    host: str = "127.0.0.1"
    port: int = 8000
    threads: int = 4
    workers: int | None = None
    graceful_timeout_s: float = 30.0
    access_log: str = "-"
    # Memory (MB, an estimate) each process may use for the named-query answers and the
    # countries' data it keeps while the store does not change (kg/cache.py); 0: none kept.
    cache_mb: int = 256
    # Where the web app keeps its own state (default: the store folder's parent, ./var):
    # users.json, audit.jsonl, uploads/ (checked uploads waiting for confirmation),
    # login-failures.json.
    state_dir: Path | None = None
    # Users as JSON (MIGKG_USERS), for containers; read-only: then `migkg users` refuses
    # changes. Else the users file (users_file, default <state>/users.json).
    users_json: str | None = field(default=None, repr=False)
    users_file: Path | None = None
    # `migkg serve --production` sets it: secure cookies, rate limits, no debug.
    production: bool = False
    # Proxies in front that set X-Forwarded-For/-Proto/-Host/-Port: werkzeug's ProxyFix
    # trusts that many hops; 0 (default) trusts none.
    proxies: int = 0
    # Rate limits in production, by path prefix ("/sparql=60/60,/api=300/60":
    # PREFIX=REQUESTS/SECONDS per client address; "off": none).
    rate_limits: str = "/sparql=60/60,/api=300/60"
    # Login: failed attempts per user name (4 times as many per address) within
    # login_window_s before logins are refused for that long.
    login_max_failures: int = 5
    login_window_s: float = 900.0
    # The foaf:name of the DCAT-AP catalogue's publisher (/catalog.ttl, `migkg catalog`).
    catalog_publisher: str = "migration-kg"
    # The config file the settings were read from (None: none was).
    config_file: Path | None = None
    # Where each import's snapshot of its country is kept, so that any two imports can be
    # compared (guide-diff); None: `history` in the state folder (./var/history by default).
    # Local files whatever the store (in a remote store they would be read as current data:
    # its queries run over the union of its graphs); with a remote store, every process that
    # imports or serves shares the state folder already (the write marker), and so finds
    # the same snapshots.
    history_dir: Path | None = None
    limits: Limits = field(default_factory=Limits)

    @property
    def history(self) -> Path:
        return self.history_dir if self.history_dir is not None else self.state / "history"

    @property
    def rate_limit_rules(self) -> tuple[tuple[str, int, float], ...]:
        """rate_limits as (prefix, requests, seconds) rules."""
        return parse_rate_limits(self.rate_limits)

    @property
    def state(self) -> Path:
        """The folder of the web app's state (users, audit log, staged uploads)."""
        return self.state_dir if self.state_dir is not None else self.store_dir.parent

    @property
    def users_path(self) -> Path:
        return self.users_file if self.users_file is not None else self.state / "users.json"

    @property
    def audit_path(self) -> Path:
        return self.state / "audit.jsonl"

    def with_overrides(self, **changes: object) -> Settings:
        """A copy with the given non-None fields replaced (CLI options win over env)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


# ---------------------------------------------------------------------------------------------
# Every setting: its name in the file (MIGKG_<NAME upper> in the environment), its field
# ("limits." for a Limits field) and how a value is read.
# ---------------------------------------------------------------------------------------------

class _Bad(ValueError):
    """A value of the wrong kind; the message says what would be accepted."""


def _text(value: object) -> str | None:
    if not isinstance(value, str):
        raise _Bad("must be a string")
    return value or None


def _path(value: object) -> Path | None:
    text = _text(value)
    return Path(text).expanduser() if text else None


def _base(value: object) -> str | None:
    text = _text(value)
    return (text if text.endswith("/") else text + "/") if text else None


def _int(minimum: int = 0) -> Callable[[object], int | None]:
    def parse(value: object) -> int | None:
        if isinstance(value, str):
            if value.strip() == "":
                return None
            try:
                value = int(value)
            except ValueError:
                raise _Bad(f"must be an integer (at least {minimum})") from None
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise _Bad(f"must be an integer (at least {minimum})")
        return value
    return parse


def _seconds(value: object) -> float | None:
    if isinstance(value, str):
        if value.strip() == "":
            return None
        try:
            value = float(value)
        except ValueError:
            raise _Bad("must be a positive number of seconds") from None
    if isinstance(value, bool) or not isinstance(value, int | float) \
            or not 0 < value < float("inf"):
        raise _Bad("must be a positive number of seconds")
    return float(value)


def _choice(*allowed: str) -> Callable[[object], str | None]:
    def parse(value: object) -> str | None:
        text = _text(value)
        if text is not None and text not in allowed:
            raise _Bad(f"must be one of {', '.join(allowed)}")
        return text
    return parse


def _rate_limits(value: object) -> str | None:
    text = _text(value)
    if text is not None:
        parse_rate_limits(text)
    return text


def parse_rate_limits(text: str) -> tuple[tuple[str, int, float], ...]:
    """'/sparql=60/60,/api=300/60' -> (('/sparql', 60, 60.0), ('/api', 300, 60.0)); 'off': ()."""
    if text.strip().lower() in ("off", "none", ""):
        return ()
    out = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        prefix, _, rule = item.partition("=")
        count, _, seconds = rule.partition("/")
        try:
            limit, window = int(count), float(seconds)
        except ValueError:
            limit, window = 0, 0.0
        if not prefix.startswith("/") or limit < 1 or not 0 < window < float("inf"):
            raise _Bad("must be PREFIX=REQUESTS/SECONDS items separated by commas, e.g. "
                       "/sparql=60/60,/api=300/60, or off")
        out.append((prefix.rstrip("/") or "/", limit, window))
    return tuple(out)


SETTINGS: dict[str, tuple[str, Callable[[object], object]]] = {
    "store": ("store_dir", _path),
    "base": ("base", _base),
    "endpoint": ("endpoint", _text),
    "update_endpoint": ("update_endpoint", _text),
    "graph_store_endpoint": ("graph_store_endpoint", _text),
    "endpoint_user": ("endpoint_user", _text),
    "endpoint_password": ("endpoint_password", _text),
    "endpoint_dataset": ("endpoint_dataset", _choice("auto", "union", "named")),
    "endpoint_timeout_param": ("endpoint_timeout_param", _text),
    "remote_read_timeout": ("remote_read_timeout_s", _seconds),
    "remote_write_timeout": ("remote_write_timeout_s", _seconds),
    "lang": ("lang", _choice("en", "fr")),
    "secret_key": ("secret_key", _text),
    "host": ("host", _text),
    "port": ("port", _int(1)),
    "threads": ("threads", _int(1)),
    "workers": ("workers", _int(0)),  # 0: one per usable core
    "graceful_timeout": ("graceful_timeout_s", _seconds),
    "access_log": ("access_log", _text),
    "cache_mb": ("cache_mb", _int(0)),
    "catalog_publisher": ("catalog_publisher", _text),
    "history": ("history_dir", _path),
    "state_dir": ("state_dir", _path),
    "users": ("users_json", _text),
    "users_file": ("users_file", _path),
    "proxies": ("proxies", _int(0)),
    "rate_limits": ("rate_limits", _rate_limits),
    "login_max_failures": ("login_max_failures", _int(1)),
    "login_window_s": ("login_window_s", _seconds),
    "max_cell_chars": ("limits.max_cell_chars", _int(1)),
    "max_rows": ("limits.max_rows", _int(1)),
    "max_upload_bytes": ("limits.max_upload_bytes", _int(1)),
    "max_zip_ratio": ("limits.max_zip_ratio", _int(1)),
    "max_problems": ("limits.max_problems", _int(1)),
    "query_timeout_s": ("limits.query_timeout_s", _seconds),
    "query_max_rows": ("limits.query_max_rows", _int(1)),
    "query_max_chars": ("limits.query_max_chars", _int(1)),
    "query_max_nesting": ("limits.query_max_nesting", _int(1)),
}


def env_name(name: str) -> str:
    """The environment variable of a setting: MIGKG_<NAME>."""
    return f"MIGKG_{name.upper()}"


def _config_error(label: str, name: str, value: object, why: str):
    from kg.errors import ConfigError

    shown = "(hidden)" if name in ("secret_key", "endpoint_password", "users") else repr(value)
    return ConfigError(f"{label} {why}, got {shown}")


def read_config_file(path: Path) -> dict[str, object]:
    """The settings of one TOML config file, by name; a ConfigError names what is wrong."""
    from kg.errors import ConfigError

    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"{path}: the config file does not exist") from None
    except OSError as exc:
        raise ConfigError(f"{path}: the config file cannot be read ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not a valid TOML file ({exc})") from None
    unknown = sorted(set(data) - set(SETTINGS))
    if unknown:
        raise ConfigError(f"{path}: unknown setting {', '.join(unknown)}; the settings are "
                          f"{', '.join(SETTINGS)} (docs/migkg.example.toml)")
    return data


def config_path(explicit: Path | None = None, environ: Mapping[str, str] | None = None
                ) -> Path | None:
    """The config file to read: `explicit`, else MIGKG_CONFIG, else ./migkg.toml if present."""
    env = os.environ if environ is None else environ
    if explicit is not None:
        return Path(explicit)
    if env.get(CONFIG_ENV):
        return Path(env[CONFIG_ENV]).expanduser()
    return DEFAULT_CONFIG_FILE if DEFAULT_CONFIG_FILE.is_file() else None


def load_settings(config: Path | None = None, environ: Mapping[str, str] | None = None
                  ) -> Settings:
    """Settings from the config file (see config_path) with MIGKG_* environment over it."""
    env = os.environ if environ is None else environ
    path = config_path(config, env)
    from_file = read_config_file(path) if path is not None else {}
    values: dict[str, object] = {}
    for name, (attr, parse) in SETTINGS.items():
        raw, label = None, ""
        if env.get(env_name(name), "") != "":
            raw, label = env[env_name(name)], env_name(name)
        elif name in from_file:
            raw, label = from_file[name], f"{path}: {name}"
        if label:
            try:
                value = parse(raw)
            except _Bad as exc:
                raise _config_error(label, name, raw, str(exc)) from None
            if value is not None:
                values[attr] = value
    limits = Limits(**{a.removeprefix("limits."): v for a, v in values.items()
                       if a.startswith("limits.")})
    plain = {a: v for a, v in values.items() if not a.startswith("limits.")}
    if plain.get("workers") == 0:
        plain["workers"] = None
    return Settings(config_file=path, limits=limits, **plain)
