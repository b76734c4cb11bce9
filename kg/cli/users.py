"""`migkg users add|passwd|remove|list`: who may log in to the web app's admin pages.

Users are kept in the users file (MIGKG_USERS_FILE, default var/users.json) with werkzeug
password hashes; passwords are asked twice on the terminal (or read from stdin with
--password-stdin), never taken on the command line. Every change goes to the audit log.
(Plural `users`: the global `--user` option is the remote store's.)
"""

from __future__ import annotations

import getpass
import json
import sys

import click

from kg import i18n
from kg.service import Workspace

_ROLES = ("admin", "editor")


def _operator() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _password(ws: Workspace, from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt(i18n.t("users.prompt", ws.lang), hide_input=True,
                        confirmation_prompt=i18n.t("users.prompt_again", ws.lang), err=True)


def _audit(ws: Workspace, action: str, name: str, outcome: str = "ok", **details: object) -> None:
    ws.audit("user", user=_operator(), ip="cli", outcome=outcome, action=action, target=name,
             **details)


_STDIN = click.option("--password-stdin", is_flag=True,
                      help="Read the password from the first line of stdin (scripts).")


@click.group("users")
def users_group() -> None:
    """Manage who may log in to the web app's admin pages (an admin, per-country editors)."""


@users_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(_ROLES), required=True,
              help="admin: everything; editor: upload, replace and delete their countries.")
@click.option("--country", "countries", multiple=True,
              help="With --role editor: a country (ISO3) they edit; repeat for several.")
@_STDIN
@click.pass_obj
def add_cmd(ws: Workspace, name: str, role: str, countries: tuple[str, ...],
            password_stdin: bool) -> None:
    """Add a user; the password is asked twice (10 characters or more)."""
    users = ws.users()
    users.check_new(name, role, list(countries))  # before asking for a password
    password = _password(ws, password_stdin)
    user = users.add(name, password, role, list(countries))
    _audit(ws, "add", name, role=user.role, countries=list(user.countries))
    click.echo(i18n.t("users.added", ws.lang, name=name, role=user.role, file=users.source),
               err=True)


@users_group.command("passwd")
@click.argument("name")
@click.option("--role", type=click.Choice(_ROLES), default=None,
              help="Also change the role.")
@click.option("--country", "countries", multiple=True,
              help="Also replace the countries of an editor (ISO3; repeat for several).")
@_STDIN
@click.pass_obj
def passwd_cmd(ws: Workspace, name: str, role: str | None, countries: tuple[str, ...],
               password_stdin: bool) -> None:
    """Set a new password for a user (their open sessions end)."""
    users = ws.users()
    if users.get(name) is None:  # before asking for a password
        users.change(name)
    password = _password(ws, password_stdin)
    user = users.change(name, password=password, role=role,
                        countries=list(countries) if countries else None)
    _audit(ws, "passwd", name, role=user.role, countries=list(user.countries))
    click.echo(i18n.t("users.changed", ws.lang, name=name), err=True)


@users_group.command("remove")
@click.argument("name")
@click.pass_obj
def remove_cmd(ws: Workspace, name: str) -> None:
    """Remove a user (their open sessions end)."""
    ws.users().remove(name)
    _audit(ws, "remove", name)
    click.echo(i18n.t("users.removed", ws.lang, name=name), err=True)


@users_group.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@click.pass_obj
def list_cmd(ws: Workspace, fmt: str) -> None:
    """List the users with their role and countries (never their password hashes)."""
    users = sorted(ws.users().all().values(), key=lambda u: u.name)
    if fmt == "json":
        click.echo(json.dumps([u.public() for u in users], ensure_ascii=False, indent=2))
        return
    if not users:
        click.echo(i18n.t("users.none", ws.lang), err=True)
        return
    width = max(len(u.name) for u in users) + 2
    for u in users:
        click.echo(f"{u.name.ljust(width)}{u.role.ljust(8)}{' '.join(u.countries)}")


def register(group: click.Group) -> None:
    group.add_command(users_group)
