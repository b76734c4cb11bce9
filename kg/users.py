"""Who may log in to the web app's admin pages: an admin and per-country editors.

Users live in a JSON file (Settings.users_path, `var/users.json` by default, mode 0600,
written atomically by `migkg users`), or in the environment (MIGKG_USERS, the same JSON,
read-only):

    {"users": {"amina": {"role": "editor", "countries": ["XAA"], "password": "scrypt:..."}}}

Passwords are stored only as werkzeug hashes (scrypt); there is no default user and no
default password. An admin may do everything; an editor may upload, replace and delete the
data of their countries only.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

from kg.config import Settings
from kg.errors import ConfigError, Location, NotFound, ParameterError, Problem
from kg.namespaces import ISO3

ADMIN = "admin"
EDITOR = "editor"
ROLES = (ADMIN, EDITOR)
MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 1024
NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}\Z")


@dataclass(frozen=True)
class User:
    name: str
    role: str
    countries: tuple[str, ...] = ()
    password_hash: str = field(default="", repr=False)

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN

    def may_edit(self, iso3: str) -> bool:
        """Whether this user may upload, replace or delete the data of country iso3."""
        return self.is_admin or iso3.upper() in self.countries

    @property
    def stamp(self) -> str:
        """Changes when the password (or role, or countries) changes: a session made before
        no longer matches."""
        text = f"{self.password_hash}|{self.role}|{','.join(self.countries)}"
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def public(self) -> dict[str, object]:
        return {"name": self.name, "role": self.role, "countries": list(self.countries)}


_DUMMY: list[str] = []


def _dummy_hash() -> str:
    """A hash to check unknown names against, so a login takes as long either way."""
    if not _DUMMY:
        _DUMMY.append(generate_password_hash(os.urandom(16).hex()))
    return _DUMMY[0]


class Users:
    """The users of one deployment (file or environment), re-read when the file changes."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.path = settings.users_path
        self.from_env = settings.users_json is not None
        self._lock = threading.Lock()
        self._cache: tuple[object, dict[str, User]] | None = None

    @property
    def source(self) -> str:
        return "MIGKG_USERS" if self.from_env else str(self.path)

    # -- reading ------------------------------------------------------------------------------

    def _parse(self, text: str) -> dict[str, User]:
        try:
            data = json.loads(text)
            entries = data["users"]
            users = {}
            for name, entry in entries.items():
                role = entry["role"]
                countries = tuple(sorted({ISO3.parse(c, self.source) for c in
                                          entry.get("countries", [])}))
                if not NAME_RE.match(name) or role not in ROLES or not isinstance(
                        entry["password"], str):
                    raise ValueError(name)
                users[name] = User(name, role, countries, entry["password"])
            return users
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ConfigError(f"{self.source}: not a users file of migkg ({exc!r}); expected "
                              '{"users": {"NAME": {"role": "admin|editor", "countries": [...], '
                              '"password": "<werkzeug hash>"}}}') from None

    def all(self) -> dict[str, User]:
        """Every user by name (the file is read again only when it changed)."""
        if self.from_env:
            key: object = self.settings.users_json
            text = self.settings.users_json or ""
        else:
            try:
                st = os.stat(self.path)
            except FileNotFoundError:
                return {}
            except OSError as exc:
                raise ConfigError(f"{self.path}: {exc.strerror or exc}") from None
            key = (st.st_ino, st.st_mtime_ns, st.st_size)
            text = None
        with self._lock:
            if self._cache is not None and self._cache[0] == key:
                return self._cache[1]
        if text is None:
            try:
                text = self.path.read_text(encoding="utf-8")
            except OSError as exc:
                raise ConfigError(f"{self.path}: {exc.strerror or exc}") from None
        users = self._parse(text)
        with self._lock:
            self._cache = (key, users)
        return users

    def get(self, name: str) -> User | None:
        return self.all().get(name)

    def count(self) -> int:
        return len(self.all())

    def verify(self, name: str, password: str) -> User | None:
        """The user if the password is theirs; None otherwise (as slow for an unknown name)."""
        user = self.get(name) if isinstance(name, str) else None
        password = password if isinstance(password, str) else ""
        if user is None:
            check_password_hash(_dummy_hash(), password)
            return None
        return user if check_password_hash(user.password_hash, password) else None

    # -- changes (`migkg users`) ----------------------------------------------------------------

    def _writable(self) -> None:
        if self.from_env:
            raise ParameterError(Problem(Location("MIGKG_USERS"), "users.read_only", {}))

    def _save(self, users: dict[str, User]) -> None:
        data = {"users": {u.name: {"role": u.role, "countries": list(u.countries),
                                   "password": u.password_hash}
                          for u in sorted(users.values(), key=lambda u: u.name)}}
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.",
                                   suffix=".tmp")  # mode 0600: hashes are secrets too
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        with self._lock:
            self._cache = None

    def _check(self, name: str, role: str | None, countries: list[str] | None,
               password: str | None) -> tuple[str | None, tuple[str, ...] | None]:
        if not NAME_RE.match(name or ""):
            raise ParameterError(Problem(Location(column="NAME"), "users.bad_name",
                                         {"name": name[:70]}))
        if password is not None and not (MIN_PASSWORD_CHARS <= len(password)
                                         <= MAX_PASSWORD_CHARS):
            raise ParameterError(Problem(Location(column="password"), "users.short_password",
                                         {"chars": MIN_PASSWORD_CHARS}))
        codes = (tuple(sorted({ISO3.parse(c, "--country") for c in countries}))
                 if countries is not None else None)
        if role == EDITOR and codes is not None and not codes:
            raise ParameterError(Problem(Location(column="--country"), "users.editor_countries",
                                         {}))
        return role, codes

    def check_new(self, name: str, role: str | None = None,
                  countries: list[str] | None = None) -> None:
        """ParameterError if name is malformed or taken, or an editor has no country (all
        before asking for a password)."""
        self._writable()
        self._check(name, role, countries, None)
        if name in self.all():
            raise ParameterError(Problem(Location(column="NAME"), "users.exists", {"name": name}))

    def add(self, name: str, password: str, role: str, countries: list[str]) -> User:
        self.check_new(name, role, countries)
        self._check(name, role, countries, password)
        users = dict(self.all())
        codes = () if role == ADMIN else tuple(sorted({ISO3.parse(c, "--country")
                                                       for c in countries}))
        user = User(name, role, codes, generate_password_hash(password))
        users[name] = user
        self._save(users)
        return user

    def change(self, name: str, *, password: str | None = None, role: str | None = None,
               countries: list[str] | None = None) -> User:
        """A new password and/or role and countries for an existing user."""
        self._writable()
        self._check(name, role, countries, password)
        users = dict(self.all())
        old = users.get(name)
        if old is None:
            raise NotFound(Problem(Location(column="NAME"), "users.unknown", {"name": name}))
        role = role or old.role
        codes = old.countries if countries is None else tuple(
            sorted({ISO3.parse(c, "--country") for c in countries}))
        if role == ADMIN:
            codes = ()
        elif not codes:
            raise ParameterError(Problem(Location(column="--country"), "users.editor_countries",
                                         {}))
        user = User(name, role, codes,
                    generate_password_hash(password) if password is not None else old.password_hash)
        users[name] = user
        self._save(users)
        return user

    def remove(self, name: str) -> None:
        self._writable()
        users = dict(self.all())
        if users.pop(name, None) is None:
            raise NotFound(Problem(Location(column="NAME"), "users.unknown", {"name": name}))
        self._save(users)
