"""The README documents every command, option, route and named query (Datasette-style):
adding one without a word in the README fails here."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from kg.cli import main
from kg.config import Settings
from kg.service import Workspace

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
CODE = "\n".join(re.findall(r"`([^`\n]+)`", README) + re.findall(r"```.*?\n(.*?)```", README,
                                                                   re.S))


def commands() -> list[click.Command]:
    return [main.commands[name] for name in sorted(main.commands)]


def options(command: click.Command) -> list[click.Option]:
    return [p for p in command.params if isinstance(p, click.Option)
            and not p.hidden and "--help" not in p.opts]


def _mentioned(flags: list[str], text: str) -> bool:
    return any(re.search(rf"(?<![\w-]){re.escape(f)}(?![\w-])", text) for f in flags)


def test_every_command_is_in_the_readme():
    missing = [c.name for c in commands() if not re.search(rf"migkg (\S+ )*{re.escape(c.name)}\b",
                                                          CODE)]
    assert missing == []


@pytest.mark.parametrize("command", [main, *commands()], ids=lambda c: c.name or "migkg")
def test_every_option_is_in_the_readme(command: click.Command):
    missing = [o.opts[-1] for o in options(command) if not _mentioned(o.opts + o.secondary_opts,
                                                                      CODE)]
    assert missing == [], f"migkg {command.name}: options missing from the README"


def test_every_named_query_is_in_the_readme():
    names = [q.name for q in Workspace(Settings()).catalogue()]
    missing = [n for n in names if f"`{n}`" not in README and not re.search(
        rf"migkg query {re.escape(n)}\b", README)]
    assert missing == []


def route_text(rule: str) -> str:
    """A URL rule as the README writes it: converters dropped (`/id/<int:n>` -> `/id/<n>`)."""
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"<\1>", rule)


def route_documented(rule: str, text: str = CODE) -> bool:
    """Whether the rule appears as a path of its own (case of placeholders ignored)."""
    pattern = rf"(?<![\w/.]){re.escape(route_text(rule))}(?![\w/])"
    return re.search(pattern, text, re.IGNORECASE) is not None


def test_every_route_is_in_the_readme(tmp_path):
    from webapp import create_app

    app = create_app(Settings(store_dir=tmp_path / "store"))
    rules = sorted({r.rule for r in app.url_map.iter_rules() if r.endpoint != "static"})
    assert rules
    assert [r for r in rules if not route_documented(r)] == []


def test_the_check_fails_on_what_is_missing():
    assert not _mentioned(["--no-such-option"], CODE)
    assert _mentioned(["--dry-run"], CODE)
    assert not re.search(r"migkg (\S+ )*frobnicate\b", CODE)
    assert not route_documented("/no-such-page/<int:n>")
    assert route_documented("/api/x/<name>", "see `/api/x/<NAME>`")
    assert not route_documented("/api", "see `/api/x`")
