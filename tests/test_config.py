"""One config file for every setting, MIGKG_* over it, options over both (kg/config.py)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from kg.config import SETTINGS, Limits, Settings, env_name, load_settings
from kg.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "docs" / "migkg.example.toml"
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "migkg.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_no_file_and_no_environment_give_the_defaults(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings(environ={})
    assert settings == Settings()
    assert settings.config_file is None


def test_every_setting_is_read_from_the_file(tmp_path) -> None:
    path = _write(tmp_path, """
store = "/srv/store"
base = "https://example.org/kg"
endpoint = "http://127.0.0.1:7878/query"
endpoint_dataset = "named"
remote_read_timeout = 5
remote_write_timeout = 7.5
lang = "fr"
secret_key = "0123456789abcdef"
host = "0.0.0.0"
port = 9000
threads = 8
workers = 3
graceful_timeout = 12
access_log = "/var/log/migkg.json"
catalog_publisher = "ICMPD"
max_rows = 99
max_zip_ratio = 50
query_timeout_s = 2
query_max_chars = 5000
query_max_nesting = 10
""")
    s = load_settings(path, environ={})
    assert s.config_file == path
    assert s.store_dir == Path("/srv/store") and s.base == "https://example.org/kg/"
    assert s.endpoint == "http://127.0.0.1:7878/query" and s.endpoint_dataset == "named"
    assert (s.remote_read_timeout_s, s.remote_write_timeout_s) == (5.0, 7.5)
    assert (s.lang, s.secret_key, s.host, s.port, s.threads, s.workers) == \
        ("fr", "0123456789abcdef", "0.0.0.0", 9000, 8, 3)
    assert (s.graceful_timeout_s, s.access_log, s.catalog_publisher) == \
        (12.0, "/var/log/migkg.json", "ICMPD")
    assert s.limits == Limits(max_rows=99, max_zip_ratio=50, query_timeout_s=2.0,
                              query_max_chars=5000, query_max_nesting=10)


def test_the_environment_wins_over_the_file_and_options_over_both(tmp_path) -> None:
    path = _write(tmp_path, 'workers = 3\nquery_max_rows = 10\nlang = "fr"\n')
    s = load_settings(path, environ={"MIGKG_WORKERS": "5", "MIGKG_LANG": ""})
    assert s.workers == 5  # the environment wins
    assert s.limits.query_max_rows == 10  # the file, where the environment is silent
    assert s.lang == "fr"  # an empty variable is unset
    assert s.with_overrides(workers=2).workers == 2


def test_import_snapshots_live_in_the_state_folder_whatever_the_store() -> None:
    assert Settings().history == Path("var/history")  # beside the embedded store's folder
    remote = Settings(endpoint="http://127.0.0.1:7878/query", state_dir=Path("/srv/state"))
    assert remote.history == Path("/srv/state/history")
    assert remote.with_overrides(history_dir=Path("/srv/h")).history == Path("/srv/h")


def test_the_file_is_found_by_option_then_migkg_config_then_the_working_directory(
        tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, "port = 1111\n")
    other = tmp_path / "other.toml"
    other.write_text("port = 2222\n", encoding="utf-8")
    assert load_settings(environ={}).port == 1111
    assert load_settings(environ={"MIGKG_CONFIG": str(other)}).port == 2222
    assert load_settings(tmp_path / "migkg.toml", environ={"MIGKG_CONFIG": str(other)}).port \
        == 1111


@pytest.mark.parametrize(("text", "message"), [
    ("worker = 2\n", r"migkg.toml: unknown setting worker; the settings are store, "),
    ('workers = "four"\n', r"migkg.toml: workers must be an integer \(at least 0\), got 'four'"),
    ("port = 0\n", r"migkg.toml: port must be an integer \(at least 1\), got 0"),
    ("remote_read_timeout = -1\n", r"remote_read_timeout must be a positive number of seconds"),
    ('endpoint_dataset = "all"\n', r"endpoint_dataset must be one of auto, union, named"),
    ("secret_key = 12345\n", r"secret_key must be a string, got \(hidden\)"),
    ("workers = \n", r"migkg.toml: not a valid TOML file"),
])
def test_a_bad_file_is_refused_naming_the_file_and_the_setting(tmp_path, text, message) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError, match=message) as info:
        load_settings(path, environ={})
    assert str(path) in str(info.value)
    assert info.value.exit_code == 2


def test_a_bad_variable_is_refused_naming_it(tmp_path) -> None:
    with pytest.raises(ConfigError, match=r"^MIGKG_WORKERS must be an integer \(at least 0\), "
                                          r"got 'four'$"):
        load_settings(environ={"MIGKG_WORKERS": "four", "MIGKG_CONFIG": ""})
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(environ={"MIGKG_CONFIG": str(tmp_path / "missing.toml")})


def test_the_cli_reads_the_config_file_and_says_what_is_wrong(tmp_path, migkg) -> None:
    store = tmp_path / "store"
    bad = _write(tmp_path, "worker = 2\n")
    result = migkg(store, "--config", str(bad), "countries", env={"MIGKG_CONFIG": ""})
    assert result.exit_code == 2
    assert result.stderr.startswith(f"migkg: {bad}: unknown setting worker;")
    good = tmp_path / "good.toml"
    good.write_text('lang = "fr"\nquery_max_rows = 1\n', encoding="utf-8")
    result = migkg(store, "--config", str(good), "sparql", "-", "--format", "csv",
                   stdin="SELECT * { VALUES ?x { 1 2 } }", env={"MIGKG_CONFIG": ""})
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == ["x", "1"]  # the row cap of the file applies


def test_the_example_file_lists_every_setting_with_its_default() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    uncommented = "\n".join(line.removeprefix("# ") for line in text.splitlines()
                            if re.match(r"# [a-z_]+ = ", line))
    example = tomllib.loads(uncommented)
    assert list(example) == list(SETTINGS)
    defaults = Settings()
    for name, value in example.items():
        attr = SETTINGS[name][0]
        default = getattr(defaults.limits, attr[7:]) if attr.startswith("limits.") else \
            getattr(defaults, attr)
        if default is None:  # unset by default: the file shows an example
            continue
        assert str(value) in (str(default), str(default).rstrip("0").rstrip(".")), name


def test_every_setting_and_its_variable_are_in_the_readme() -> None:
    missing = [n for n in SETTINGS if f"`{n}`" not in README or f"`{env_name(n)}`" not in README]
    assert missing == []
    assert "docs/migkg.example.toml" in README and "`MIGKG_CONFIG`" in README
