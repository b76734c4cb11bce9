"""The admin pages: login, upload, report, confirm, replace, delete, history, audit log; the
hardening hooks (headers, CSP, CSRF, rate limits, request size, proxies); production
start-up checks. Each test gets its own store (XAA and XAB imported) and users; the tests
whose pages read or write the store run on both backends (the remote one: the session's
`oxigraph serve`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.config import Settings
from kg.errors import ConfigError
from kg.service import Workspace
from kg.users import Users
from tests.conftest import remote_settings, wipe_remote
from tests.factories.uploads import (
    ADMIN,
    EDITOR,
    NEW_NAME,
    PASSWORD,
    bad_zip,
    confirm_form,
    csrf_of,
    good_zip,
    login,
    make_store,
    questionnaire_zip,
    upload,
)
from webapp import create_app

from .conftest import BACKENDS

SECRET = "test-only-secret-0123456789abcdef"


@pytest.fixture
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """An embedded store, or the session's `oxigraph serve` (wiped) for the tests marked
    `both_backends`, with XAA and XAB imported, users and state in tmp_path."""
    if getattr(request, "param", "embedded") == "embedded":
        return make_store(tmp_path)
    base = request.getfixturevalue("oxigraph_server")
    wipe_remote(base)
    return make_store(tmp_path, remote_settings(base))


# The tests whose pages read or write the store run on both backends; the others check the
# app's own hooks (sessions, limits, headers), the same whatever the store.
both_backends = pytest.mark.parametrize("settings", BACKENDS, indirect=True)
remote_only = pytest.mark.parametrize(
    "settings", [pytest.param("remote", marks=pytest.mark.remote)], indirect=True)


def app_of(settings: Settings):
    app = create_app(settings)
    app.config["TESTING"] = True
    return app


@pytest.fixture
def client(settings: Settings):
    with app_of(settings).test_client() as c:
        yield c


def export(settings: Settings) -> bytes:
    with Workspace(settings) as ws:
        return ws.export("nq", include_restricted=True)


def audit(settings: Settings) -> list[dict]:
    lines = settings.audit_path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


# --- refusals: nothing written -----------------------------------------------------------------

@both_backends
def test_upload_without_login_is_refused_and_writes_nothing(client, settings):
    before = export(settings)
    page = client.get("/admin/upload")
    assert page.status_code == 302 and page.headers["Location"].startswith("/admin/login")
    token = csrf_of(client.get("/admin/login").get_data(as_text=True))  # an anonymous session
    answer = upload(client, good_zip(), token=token)
    assert answer.status_code == 401
    assert "Log in first" in answer.get_data(as_text=True)
    fresh = app_of(settings).test_client()  # no session at all: the CSRF check comes first
    assert upload(fresh, good_zip(), token="forged").status_code == 400
    assert export(settings) == before
    assert not (settings.state / "uploads").exists() or not any(
        (settings.state / "uploads").iterdir())


@both_backends
def test_forms_without_the_csrf_token_are_refused(client, settings):
    before = export(settings)
    assert client.post("/admin/login", data={"name": ADMIN, "password": PASSWORD}
                       ).status_code == 400
    assert login(client).status_code == 302
    for data in ({}, {"csrf_token": "not-the-token"}):
        answer = client.post("/admin/upload", data={**data, "file": (__import__("io").BytesIO(
            good_zip()), "xab.zip")}, content_type="multipart/form-data")
        assert answer.status_code == 400
        assert "security token" in answer.get_data(as_text=True)
    assert client.post("/admin/countries/XAB/delete", data={"confirm_iso3": "XAB"}
                       ).status_code == 400
    fr = client.post("/admin/logout?lang=fr")
    assert fr.status_code == 400 and "jeton de sécurité" in fr.get_data(as_text=True)
    assert export(settings) == before


@both_backends
def test_an_editor_cannot_upload_replace_or_delete_another_country(client, settings):
    before = export(settings)
    login(client, EDITOR)
    answer = upload(client, questionnaire_zip("XAA"), "xaa.zip")
    assert answer.status_code == 403
    assert "You may not change the data of XAA" in answer.get_data(as_text=True)
    assert client.get("/admin/countries/XAA").status_code == 403
    token = csrf_of(client.get("/admin/upload").get_data(as_text=True))
    assert client.post("/admin/countries/XAA/delete",
                       data={"confirm_iso3": "XAA", "csrf_token": token}).status_code == 403
    assert client.get("/admin/audit").status_code == 403
    index = client.get("/admin/").get_data(as_text=True)  # their countries only
    assert 'href="/admin/countries/XAB"' in index and "/admin/countries/XAA" not in index
    assert export(settings) == before
    refused = [r for r in audit(settings) if r["event"] == "upload"]
    assert refused[-1]["outcome"] == "refused" and refused[-1]["country"] == "XAA"


# --- the report ------------------------------------------------------------------------------

@both_backends
def test_a_bad_file_shows_the_report_in_the_users_language_and_writes_nothing(client, settings):
    before = export(settings)
    login(client)
    answer = upload(client, bad_zip(), "bad.zip")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200  # the check worked: its report is the answer
    assert "2 errors, 0 warnings." in html
    assert "bad.zip!actors.csv:3:type" in html and "bad.zip!data_sources.csv:2:status" in html
    # grouped by file, each with its count; nothing to confirm
    assert html.count('class="report-file error"') == 2
    assert "Nothing was written" in html and "/confirm" not in html
    # hostile cell text is escaped, never markup
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;&#34;&amp;" in html
    client.get("/?lang=fr")  # the language switch's cookie
    french = upload(client, bad_zip(), "bad.zip").get_data(as_text=True)
    assert "2 erreurs, 0 avertissement." in french  # French: zero is singular
    assert "n&#39;est pas un code accepté ; codes acceptés" in french
    assert export(settings) == before
    assert [r["outcome"] for r in audit(settings) if r["event"] == "upload"] == ["invalid"] * 2


def test_a_file_that_is_no_questionnaire_or_too_large_is_refused(client, settings, tmp_path):
    login(client)
    answer = upload(client, b"hello", "notes.txt")
    assert answer.status_code == 400 and "upload a .zip of CSV files" in answer.get_data(
        as_text=True)
    small = Settings(store_dir=settings.store_dir, state_dir=settings.state_dir,
                     limits=type(settings.limits)(max_upload_bytes=1000))
    with app_of(small).test_client() as c:
        login(c)
        too_big = upload(c, good_zip())
        assert too_big.status_code == 413
        assert "larger than" in too_big.get_data(as_text=True)
    few = Settings(store_dir=settings.store_dir, state_dir=settings.state_dir,
                   limits=type(settings.limits)(max_rows=5, max_cell_chars=40))
    with app_of(few).test_client() as c:
        login(c)
        html = upload(c, good_zip()).get_data(as_text=True)
        assert "Nothing was written" in html and "/confirm" not in html
        assert "at most 40 are accepted" in html and "xab.zip!actors.csv:2:role" in html
    refused = [r for r in audit(settings) if r["event"] == "upload"]
    assert [r["outcome"] for r in refused[:2]] == ["refused", "refused"]
    assert refused[0]["reason"] == "admin.upload.bad_type"


# --- confirm, replace, history, diff, delete ------------------------------------------------

@both_backends
def test_a_good_file_lands_after_confirmation_and_shows_at_once(client, settings):
    login(client, EDITOR)
    before = export(settings)
    report = upload(client, good_zip())
    html = report.get_data(as_text=True)
    assert report.status_code == 200
    assert "0 errors, 3 warnings." in html
    assert "xab.zip!challenges.csv:4:corrective_action" in html
    assert "It will replace the current data of XAB" in html
    assert export(settings) == before  # not yet
    action, sha, token = confirm_form(html)
    done = client.post(action, data={"sha256": sha, "csrf_token": token})
    assert done.status_code == 302 and done.headers["Location"] == "/id/XAB"
    page = client.get("/id/XAB").get_data(as_text=True)
    assert NEW_NAME in page and "the questionnaire was written" in page
    # another app over the same store (another worker process would be the same)
    other = app_of(settings).test_client()
    assert NEW_NAME in other.get("/id/XAB").get_data(as_text=True)
    assert NEW_NAME in other.get("/").get_data(as_text=True)
    # a second confirmation of the same upload finds nothing to write
    again = client.post(action, data={"sha256": sha, "csrf_token": token})
    assert again.status_code == 404
    events = [(r["event"], r["outcome"], r["user"]) for r in audit(settings)]
    assert ("upload", "checked", EDITOR) in events and ("confirm", "written", EDITOR) in events


def staged_upload(client, settings: Settings) -> tuple[bytes, str, str, str, str]:
    """Log in as the admin and upload the good file: (the store's export before, the report,
    its confirm action, sha256 and CSRF token)."""
    login(client)
    before = export(settings)
    html = upload(client, good_zip()).get_data(as_text=True)
    return before, html, *confirm_form(html)


@both_backends
def test_a_discarded_upload_is_gone_and_writes_nothing(client, settings):
    before, html, action, sha, token = staged_upload(client, settings)
    discard = action.removesuffix("/confirm") + "/discard"
    assert f'action="{discard}"' in html
    answer = client.post(discard, data={"csrf_token": token})
    assert answer.status_code == 302 and answer.headers["Location"] == "/admin/upload"
    assert not any((settings.state / "uploads").iterdir())
    assert client.post(action, data={"sha256": sha, "csrf_token": token}).status_code == 404
    assert export(settings) == before
    assert [r["event"] for r in audit(settings)][-2:] == ["discard", "confirm"]


@both_backends
def test_another_editors_upload_cannot_be_discarded(client, settings):
    """Only its uploader (or an admin) may discard a staged upload: another user gets the
    same 404 as for an upload that is gone, and the upload stays."""
    users = Users(settings)
    users.add("otto", PASSWORD, "editor", ["XAB"])
    login(client, EDITOR)
    html = upload(client, good_zip()).get_data(as_text=True)
    action, _, _ = confirm_form(html)
    other = app_of(settings).test_client()  # otto, in a browser of his own
    login(other, "otto")
    token = csrf_of(other.get("/admin/upload").get_data(as_text=True))
    discard = action.removesuffix("/confirm") + "/discard"
    assert other.post(discard, data={"csrf_token": token}).status_code == 404
    assert any((settings.state / "uploads").iterdir())
    assert [(r["event"], r["outcome"]) for r in audit(settings)][-1] == ("discard", "refused")


@both_backends
def test_a_file_changed_after_the_check_is_refused(client, settings):
    before, _, action, sha, token = staged_upload(client, settings)
    staged = next((settings.state / "uploads").iterdir())
    (staged / "xab.zip").write_bytes(questionnaire_zip("XAB", {("country.csv", 0, "name"): "X"}))
    answer = client.post(action, data={"sha256": sha, "csrf_token": token})
    assert answer.status_code == 400
    assert "The file changed after it was checked" in answer.get_data(as_text=True)
    assert export(settings) == before
    assert audit(settings)[-1]["event"] == "confirm"
    assert audit(settings)[-1]["outcome"] == "refused"


@both_backends
def test_replace_history_diff_and_delete(client, settings):
    login(client)
    for data in (questionnaire_zip("XAB"), good_zip()):
        html = upload(client, data).get_data(as_text=True)
        action, sha, token = confirm_form(html)
        assert client.post(action, data={"sha256": sha, "csrf_token": token}).status_code == 302
    history = client.get("/admin/countries/XAB").get_data(as_text=True)
    assert history.count('<li id="import-') == 3  # the tests' import, then two uploads
    assert "by ada" in history and "by tests" in history
    assert "xab.zip!actors.csv" in history
    assert history.count('class="diff-link"') == 2  # each import with the one before it
    link = history.split('class="diff-link"')[0].rsplit('href="', 1)[1].split('"')[0]
    diff = client.get(link.replace("&amp;", "&"))
    assert diff.status_code == 200
    text = diff.get_data(as_text=True)
    assert 'id="no-change"' in text or '<section id="diff-' in text
    assert client.get("/id/XAB/guide/diff?from=nope&to=x").status_code == 404
    assert client.get("/id/XAB/guide/diff?from=../../x&to=x").status_code == 404
    # delete: a confirmation page, a mismatched code refused, then gone
    token = csrf_of(client.get("/admin/countries/XAB/delete").get_data(as_text=True))
    assert client.post("/admin/countries/XAB/delete",
                       data={"confirm_iso3": "XAA", "csrf_token": token}).status_code == 400
    assert client.get("/id/XAB").status_code == 200
    gone = client.post("/admin/countries/XAB/delete", data={"confirm_iso3": "xab",
                                                             "csrf_token": token})
    assert gone.status_code == 302
    assert client.get("/id/XAB").status_code == 404
    assert client.get("/id/XAA").status_code == 200
    assert [r for r in audit(settings) if r["event"] == "delete"][-1]["country"] == "XAB"


@remote_only
def test_on_a_remote_store_a_write_shows_at_once_in_every_worker(settings):
    """A remote store's fingerprint is trusted for a while; the write marker in the state
    folder makes another worker (here another app) forget what it kept at once."""
    one, two = app_of(settings).test_client(), app_of(settings).test_client()
    ask = "/sparql?query=" + __import__("urllib.parse").parse.quote(
        "SELECT ?n WHERE { <https://w3id.org/migkg/id/XAB> "
        "<http://www.w3.org/2004/02/skos/core#prefLabel> ?n }")
    assert NEW_NAME not in two.get("/id/XAB").get_data(as_text=True)
    assert NEW_NAME not in two.get(ask).get_data(as_text=True)
    assert NEW_NAME not in two.get("/").get_data(as_text=True)
    login(one)
    action, sha, token = confirm_form(upload(one, good_zip()).get_data(as_text=True))
    assert one.post(action, data={"sha256": sha, "csrf_token": token}).status_code == 302
    for path in ("/id/XAB", "/"):
        assert NEW_NAME in two.get(path).get_data(as_text=True), path
    assert NEW_NAME in one.get("/id/XAB").get_data(as_text=True)
    token = csrf_of(one.get("/admin/countries/XAB/delete").get_data(as_text=True))
    one.post("/admin/countries/XAB/delete", data={"confirm_iso3": "XAB", "csrf_token": token})
    assert two.get("/id/XAB").status_code == 404


# --- login, sessions, audit --------------------------------------------------------------

def test_login_failures_lock_out_without_telling_who_exists(settings):
    limited = Settings(store_dir=settings.store_dir, state_dir=settings.state_dir,
                       login_max_failures=2)
    app = app_of(limited)
    answers = {}
    for name in (ADMIN, "nobody"):
        with app.test_client() as c:
            for _ in range(2):
                assert login(c, name, "wrong password!").status_code == 401
            locked = login(c, name, PASSWORD if name == ADMIN else "x")
            answers[name] = (locked.status_code, locked.get_data(as_text=True))
    assert answers[ADMIN][0] == answers["nobody"][0] == 429
    message = "Too many failed attempts for this user name or from this address."
    assert message in answers[ADMIN][1] and message in answers["nobody"][1]
    with app.test_client() as c:
        wrong = login(c, "nobody-else", "x").get_data(as_text=True)
        assert "The user name or the password is wrong." in wrong
    outcomes = [(r["user"], r["outcome"]) for r in audit(settings) if r["event"] == "login"]
    assert outcomes[:3] == [(ADMIN, "failure"), (ADMIN, "failure"), (ADMIN, "locked")]
    assert all(r["ip"] == "127.0.0.1" for r in audit(settings))


def test_a_password_change_or_removal_ends_the_session(client, settings, monkeypatch):
    login(client)
    assert client.get("/admin/").status_code == 200
    monkeypatch.setenv("MIGKG_STORE", str(settings.store_dir))
    monkeypatch.setenv("MIGKG_STATE_DIR", str(settings.state_dir))
    runner = CliRunner()
    changed = runner.invoke(main, ["users", "passwd", ADMIN, "--password-stdin"],
                            input="another long password\n")
    assert changed.exit_code == 0, changed.output
    assert client.get("/admin/").status_code == 302
    assert login(client, ADMIN, "another long password").status_code == 302
    assert runner.invoke(main, ["users", "remove", ADMIN]).exit_code == 0
    assert client.get("/admin/").status_code == 302
    kinds = [(r["event"], r.get("action"), r["target"]) for r in audit(settings)
             if r["event"] == "user"]
    assert kinds[-2:] == [("user", "passwd", ADMIN), ("user", "remove", ADMIN)]


@both_backends
def test_audit_log_lines_and_page(client, settings):
    login(client, ADMIN, "not the password")
    login(client)
    html = upload(client, bad_zip(), "bad.zip")
    records = audit(settings)
    for r in records:
        assert set(r) >= {"time", "event", "user", "ip", "outcome"}
        assert r["time"].endswith("Z")
    assert [(r["event"], r["outcome"]) for r in records][:3] == [
        ("login", "failure"), ("login", "success"), ("upload", "invalid")]
    assert records[2]["file"] == "bad.zip" and len(records[2]["sha256"]) == 64
    page = client.get("/admin/audit").get_data(as_text=True)
    assert page.index("invalid") < page.index("success")  # newest first
    assert html.status_code == 200


def test_users_cli(settings, monkeypatch):
    monkeypatch.setenv("MIGKG_STORE", str(settings.store_dir))
    monkeypatch.setenv("MIGKG_STATE_DIR", str(settings.state_dir))
    runner = CliRunner()
    added = runner.invoke(main, ["users", "add", "kofi", "--role", "editor", "--country", "gha",
                                 "--country", "SEN", "--password-stdin"],
                          input="a long enough password\n")
    assert added.exit_code == 0, added.output
    listed = runner.invoke(main, ["users", "list", "--format", "json"])
    users = {u["name"]: u for u in json.loads(listed.stdout)}
    assert users["kofi"] == {"name": "kofi", "role": "editor", "countries": ["GHA", "SEN"]}
    assert "scrypt" not in listed.output and "pbkdf2" not in listed.output
    stored = json.loads(settings.users_path.read_text())
    assert stored["users"]["kofi"]["password"].startswith(("scrypt:", "pbkdf2:"))
    assert oct(settings.users_path.stat().st_mode & 0o777) == "0o600"
    for args, words in ((["add", "kofi", "--role", "admin"], "already exists"),
                        (["add", "x y", "--role", "admin"], "is not a user name"),
                        (["add", "zed", "--role", "editor"], "needs at least one country"),
                        (["add", "zed", "--role", "admin"], "10 characters or more"),
                        (["remove", "nobody"], "there is no user nobody")):
        failed = runner.invoke(main, ["users", *args, "--password-stdin"][:len(args) + 1]
                               + (["--password-stdin"] if args[0] == "add" else []),
                               input="short\n")
        assert failed.exit_code == 2, (args, failed.output)
        assert words in failed.output, (args, failed.output)
    monkeypatch.setenv("MIGKG_USERS", settings.users_path.read_text())
    read_only = runner.invoke(main, ["users", "remove", "kofi"])
    assert read_only.exit_code == 2 and "MIGKG_USERS" in read_only.output


def test_no_users_yet_the_admin_pages_say_how_to_add_one(tmp_path):
    settings = Settings(store_dir=tmp_path / "store", state_dir=tmp_path / "state")
    with app_of(settings).test_client() as c:
        for path in ("/admin/", "/admin/login", "/admin/login?lang=fr"):
            html = c.get(path).get_data(as_text=True)
            assert "migkg users add NAME --role admin" in html
        assert "Personne ne peut encore se connecter" in html


# --- hardening ---------------------------------------------------------------------------------

PAGES = {
    "html": ["/", "/id/XAA", "/id/XAA/actor/ncm", "/id/XAA/network", "/id/XAA/guide",
             "/admin/login", "/queries", "/no-such-page"],
    "json": ["/healthz", "/readyz"],
    "rdf": ["/id/XAA.ttl", "/id/XAA/actor/ncm.jsonld"],
    "files": ["/static/site.css", "/assets/network/vis-network.min.js",
              "/id/XAA/network/relations.graphml"],
}


@pytest.mark.parametrize("kind", sorted(PAGES))
def test_security_headers_on_every_page_type(client, kind):
    for path in PAGES[kind]:
        answer = client.get(path)
        answer.close()
        headers = answer.headers
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["Referrer-Policy"] == "same-origin", path
        if kind != "html":
            continue
        csp = dict(d.strip().split(" ", 1) for d in headers["Content-Security-Policy"].split(";"))
        assert "'unsafe-inline'" not in csp["script-src"] and "'nonce-" in csp["script-src"]
        assert "'unsafe-inline'" not in csp["default-src"]
        assert csp["frame-ancestors"] == "'none'" and headers["X-Frame-Options"] == "DENY"
        assert csp["object-src"] == "'none'"


def test_the_guide_preview_may_be_framed_by_the_site_only(client):
    headers = client.get("/id/XAA/guide/preview").headers
    csp = headers["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in csp and "sandbox" in csp
    assert "script-src 'self' 'nonce-" in csp
    assert headers["X-Frame-Options"] == "SAMEORIGIN"


def test_production_refuses_to_build_the_app_without_a_key_or_a_user(tmp_path):
    bare = Settings(store_dir=tmp_path / "store", state_dir=tmp_path / "state", production=True)
    with pytest.raises(ConfigError) as missing:
        create_app(bare)
    assert "MIGKG_SECRET_KEY" in str(missing.value) and "at least one user" in str(missing.value)


def production(settings: Settings, **changes) -> Settings:
    return Settings(store_dir=settings.store_dir, state_dir=settings.state_dir,
                    secret_key=SECRET, production=True, **changes)


def test_production_cookies_and_no_debug(settings):
    app = app_of(production(settings))
    assert not app.debug
    with app.test_client() as c:
        answer = login(c)
        cookie = answer.headers["Set-Cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    plain = app_of(settings)
    with plain.test_client() as c:
        assert "Secure" not in login(c).headers["Set-Cookie"]


def test_rate_limits_in_production_only(settings):
    limited = app_of(production(settings, rate_limits="/api=2/60,/sparql=1/60"))
    with limited.test_client() as c:
        assert [c.get("/api/queries").status_code for _ in range(2)] != [429, 429]
        third = c.get("/api/anything/below")
        assert third.status_code == 429
        assert int(third.headers["Retry-After"]) >= 59
        body = third.get_json()
        assert body["ok"] is False and body["status"] == 429
        assert "wait" in body["errors"][0]["message"]
        assert c.get("/sparql").status_code != 429
        assert c.get("/sparql?query=x").status_code == 429
        assert c.get("/apiary").status_code == 404  # another prefix
        assert all(c.get("/healthz").status_code == 200 for _ in range(5))
        # another client address has its own count
        assert c.get("/api/queries", environ_base={"REMOTE_ADDR": "10.0.0.9"}
                     ).status_code != 429
    plain = app_of(settings)
    with plain.test_client() as c:
        assert all(c.get("/api/queries").status_code != 429 for _ in range(5))


def test_proxy_headers_are_trusted_only_when_configured(settings):
    trusting = Settings(store_dir=settings.store_dir, state_dir=settings.state_dir, proxies=1)
    for app, expected in ((app_of(settings), "127.0.0.1"), (app_of(trusting), "203.0.113.7")):
        with app.test_client() as c:
            page = c.get("/admin/login")
            c.post("/admin/login", data={"name": ADMIN, "password": "wrong",
                                         "csrf_token": csrf_of(page.get_data(as_text=True))},
                   headers={"X-Forwarded-For": "203.0.113.7"})
        assert audit(settings)[-1]["ip"] == expected


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil",
                                    "javascript:alert(1)"])
def test_login_never_sends_the_user_to_another_site(client, target):
    page = client.get("/admin/login")
    answer = client.post("/admin/login", data={
        "name": ADMIN, "password": PASSWORD, "next": target,
        "csrf_token": csrf_of(page.get_data(as_text=True))})
    assert answer.status_code == 302 and answer.headers["Location"] == "/admin/"


def test_login_goes_back_to_the_page_asked_for(client):
    assert client.get("/admin/countries/XAB").headers["Location"] == \
        "/admin/login?next=/admin/countries/XAB"
    page = client.get("/admin/login?next=/admin/countries/XAB")
    answer = client.post("/admin/login", data={
        "name": ADMIN, "password": PASSWORD, "next": "/admin/countries/XAB",
        "csrf_token": csrf_of(page.get_data(as_text=True))})
    assert answer.headers["Location"] == "/admin/countries/XAB"


@both_backends
def test_questionnaire_download_has_restricted_contacts_for_the_country_editors_only(
        client, settings):
    import io
    import zipfile

    def actors(path: str) -> str:
        answer = client.get(path)
        assert answer.status_code == 200
        return zipfile.ZipFile(io.BytesIO(answer.data)).read("XAB/actors.csv").decode()

    restricted = "dgpaf@interieur.sarvelie.example"
    assert restricted not in actors("/id/XAB/questionnaire.zip")  # anonymous
    login(client, EDITOR)  # editor of XAB
    assert restricted in actors("/id/XAB/questionnaire.zip")
    assert client.get("/id/XAB/questionnaire.zip").headers["Cache-Control"] == \
        "private, no-store"
    xaa = client.get("/id/XAA/questionnaire.zip")  # not their country: public only
    assert "Cache-Control" not in xaa.headers or "no-store" not in xaa.headers["Cache-Control"]
