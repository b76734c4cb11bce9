"""/healthz and /readyz, the request id, and `migkg serve --production` (a real gunicorn)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.config import Settings, load_settings
from tests.conftest import free_port
from tests.factories import fault_endpoints
from webapp import create_app
from webapp.production import options, usable_cores

SECRET = "test-only-secret-0123456789abcdef"
HEX_ID = re.compile(r"[0-9a-f]{32}\Z")


def test_healthz_and_readyz_answer_json_with_a_request_id(client) -> None:
    live = client.get("/healthz")
    assert live.status_code == 200 and live.get_json() == {"ok": True, "status": 200}
    assert live.headers["Cache-Control"] == "no-store"
    assert HEX_ID.match(live.headers["X-Request-Id"])
    ready = client.get("/readyz", headers={"X-Request-Id": "lb-0001.abc"})
    assert ready.status_code == 200
    assert ready.get_json() == {"ok": True, "status": 200, "checks": {"store": "ok"}}
    assert ready.headers["X-Request-Id"] == "lb-0001.abc"  # a proxy's id is kept
    other = client.get("/healthz").headers["X-Request-Id"]
    assert HEX_ID.match(other) and other != live.headers["X-Request-Id"]


def test_a_malformed_request_id_is_replaced(client) -> None:
    for bad in ("short", "x" * 129, "a b c d e f g h", "<script>alert(1)</script>"):
        answer = client.get("/", headers={"X-Request-Id": bad})
        assert HEX_ID.match(answer.headers["X-Request-Id"]), bad


def test_readyz_is_503_when_the_store_fails_and_healthz_stays_200() -> None:
    with fault_endpoints.status(503) as down:
        app = create_app(Settings(endpoint=f"{down.base}/query", remote_read_timeout_s=5))
        client = app.test_client()
        live = client.get("/healthz")
        assert live.status_code == 200
        assert down.requests == []  # liveness never touches the store
        for lang, words in (("en", "cannot be reached"), ("fr", "injoignable")):
            ready = client.get(f"/readyz?lang={lang}")
            assert ready.status_code == 503 and ready.mimetype == "application/json"
            body = ready.get_json()
            assert body["ok"] is False and body["status"] == 503
            assert body["checks"] == {"store": "failing"}
            assert words in body["errors"][0]["message"]
            assert "127.0.0.1" not in ready.get_data(as_text=True)  # details go to the log only
        assert len(down.requests) == 2


def test_production_refuses_to_start_without_a_secret_key_or_a_user(monkeypatch: pytest.MonkeyPatch,
                                                          tmp_path: Path) -> None:
    monkeypatch.setenv("MIGKG_STORE", str(tmp_path / "store"))
    monkeypatch.delenv("MIGKG_SECRET_KEY", raising=False)
    runner = CliRunner()
    missing = runner.invoke(main, ["serve", "--production"])
    assert missing.exit_code == 2
    assert "MIGKG_SECRET_KEY is not set" in missing.output
    french = runner.invoke(main, ["--lang", "fr", "serve", "--production"])
    assert french.exit_code == 2 and "MIGKG_SECRET_KEY n'est pas définie" in french.output
    assert "at least one user" in missing.output  # both missing things named at once
    assert "migkg users add NAME --role admin" in missing.output
    monkeypatch.setenv("MIGKG_SECRET_KEY", "too-short")
    short = runner.invoke(main, ["serve", "--production"])
    assert short.exit_code == 2 and "MIGKG_SECRET_KEY is too short" in short.output
    monkeypatch.setenv("MIGKG_SECRET_KEY", SECRET)
    no_user = runner.invoke(main, ["serve", "--production"])
    assert no_user.exit_code == 2 and "MIGKG_SECRET_KEY" not in no_user.output
    assert "needs at least one user" in no_user.output and str(tmp_path) in no_user.output
    french = runner.invoke(main, ["--lang", "fr", "serve", "--production"])
    assert french.exit_code == 2 and "au moins un utilisateur" in french.output


def test_workers_default_to_the_usable_cores_and_can_be_set(
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert usable_cores() == len(os.sched_getaffinity(0))
    assert options(Settings(), "127.0.0.1", 8000, 4)["workers"] == usable_cores()
    monkeypatch.setenv("MIGKG_WORKERS", "3")
    assert options(load_settings(), "127.0.0.1", 8000, 4)["workers"] == 3
    assert options(load_settings(), "127.0.0.1", 8000, 4, workers=5)["workers"] == 5
    assert options(Settings(), "::1", 8000, 4)["bind"] == "[::1]:8000"


def users_json() -> str:
    """One admin, as MIGKG_USERS holds users (production refuses to start without one)."""
    from werkzeug.security import generate_password_hash

    return json.dumps({"users": {"root": {"role": "admin", "countries": [],
                                          "password": generate_password_hash("x" * 12)}}})


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict, dict]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, dict(answer.headers), json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), json.loads(exc.read())


@pytest.fixture
def gunicorn_server(tmp_path: Path):
    """`migkg serve --production` (gunicorn, one worker) on 127.0.0.1 over a store endpoint
    that never answers (reads give up after 3 s); yields (base URL, process, log file)."""
    with fault_endpoints.silent() as hung:
        port = free_port()
        log = tmp_path / "server.log"
        env = {**os.environ, "MIGKG_SECRET_KEY": SECRET, "MIGKG_ENDPOINT": f"{hung.base}/query",
               "MIGKG_REMOTE_READ_TIMEOUT": "3", "MIGKG_GRACEFUL_TIMEOUT": "20",
               "MIGKG_USERS": users_json(), "MIGKG_STATE_DIR": str(tmp_path / "state")}
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "kg.cli", "serve", "--production", "--port", str(port),
                 "--workers", "1", "--threads", "2"],
                env=env, stdout=out, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    _get(f"{base}/healthz")
                    break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        pytest.fail(f"gunicorn did not start:\n{log.read_text()}")
                    time.sleep(0.2)
            yield base, process, log
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(10)


def test_gunicorn_logs_json_and_finishes_requests_in_flight_on_sigterm(gunicorn_server) -> None:
    base, process, log = gunicorn_server
    status, headers, body = _get(f"{base}/healthz", {"X-Request-Id": "probe-0001"})
    assert status == 200 and headers["X-Request-Id"] == "probe-0001"
    answers: list[tuple[int, dict, dict]] = []
    in_flight = threading.Thread(target=lambda: answers.append(_get(f"{base}/readyz")))
    started = time.monotonic()
    in_flight.start()
    time.sleep(1.0)  # /readyz now waits on the silent store (3 s)
    process.send_signal(signal.SIGTERM)
    in_flight.join(30)
    assert answers, "the request in flight got no answer"
    status, headers, body = answers[0]
    assert status == 503 and body["checks"] == {"store": "failing"}
    assert time.monotonic() - started >= 2.5  # it was answered, not cut, by the stopping server
    assert process.wait(30) == 0
    with pytest.raises(OSError):
        _get(f"{base}/healthz")  # stopped: nothing listens any more
    records = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    by_id = {r["request_id"]: r for r in records}
    assert by_id["probe-0001"]["path"] == "/healthz" and by_id["probe-0001"]["status"] == 200
    ready = by_id[headers["X-Request-Id"]]
    assert ready["path"] == "/readyz" and ready["status"] == 503
    assert ready["duration_ms"] >= 2000 and ready["method"] == "GET"
