"""The upload flow through a real `migkg serve --production` (gunicorn, two worker processes,
embedded store): a confirmed upload shows at once in every worker; the production answers
carry the security headers, a Secure session cookie and the rate limit."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.conftest import free_port
from tests.factories.uploads import ADMIN, NEW_NAME, PASSWORD, good_zip, make_store

SECRET = "test-only-secret-0123456789abcdef"


class Browser:
    """urllib with the session cookie kept by hand (it is Secure: a cookie jar would not send
    it over the test's plain http) and redirects not followed."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self, base: str) -> None:
        self.base, self.cookie = base, ""
        self.opener = urllib.request.build_opener(self._NoRedirect)

    def request(self, path: str, data: bytes | None = None, headers: dict | None = None
                ) -> tuple[int, dict, str]:
        req = urllib.request.Request(self.base + path, data=data, headers=headers or {})
        if self.cookie:
            req.add_header("Cookie", self.cookie)
        try:
            answer = self.opener.open(req, timeout=60)
        except urllib.error.HTTPError as exc:
            answer = exc
        body = answer.read().decode("utf-8", "replace")
        for value in answer.headers.get_all("Set-Cookie") or []:
            if value.startswith("migkg_session="):
                self.cookie = value.split(";", 1)[0]
        return answer.status, dict(answer.headers), body

    def form(self, path: str, fields: dict[str, str],
             files: dict[str, tuple[str, bytes]] | None = None):
        boundary = uuid.uuid4().hex
        files = files or {}
        parts = []
        for name, value in fields.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                         f"{value}\r\n".encode())
        for name, (filename, content) in files.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                         f'filename="{filename}"\r\nContent-Type: application/zip\r\n\r\n'
                         .encode() + content + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request(path, b"".join(parts),
                            {"Content-Type": f"multipart/form-data; boundary={boundary}"})


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@pytest.fixture
def production_server(tmp_path: Path):
    settings = make_store(tmp_path)
    port = free_port()
    log, access = tmp_path / "server.log", tmp_path / "access.log"
    env = {**os.environ, "MIGKG_SECRET_KEY": SECRET, "MIGKG_STORE": str(settings.store_dir),
           "MIGKG_STATE_DIR": str(settings.state), "MIGKG_RATE_LIMITS": "/api=3/60"}
    env.pop("MIGKG_USERS", None)
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "kg.cli", "serve", "--production", "--port", str(port),
             "--workers", "2", "--threads", "2", "--access-log", str(access)],
            env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=5).read()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"gunicorn did not start:\n{log.read_text()}")
                time.sleep(0.3)
        yield base, settings, access
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def test_a_confirmed_upload_shows_at_once_in_every_worker(production_server):
    base, settings, access = production_server
    b = Browser(base)
    status, headers, page = b.request("/admin/login")
    assert status == 200 and headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    status, headers, _ = b.form("/admin/login", {"name": ADMIN, "password": PASSWORD,
                                                 "csrf_token": csrf(page)})
    assert status == 302
    cookie = headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    for _ in range(20):  # both workers read (and keep) the old data first
        assert NEW_NAME not in Browser(base).request("/id/XAB")[2]
    _, _, page = b.request("/admin/upload")
    token = csrf(page)
    status, _, report = b.form("/admin/upload", {"csrf_token": token},
                               {"file": ("xab.zip", good_zip())})
    assert status == 200 and "0 errors" in report
    action = re.search(r'action="(/admin/upload/[^/"]+/confirm)"', report).group(1)
    sha = re.search(r'name="sha256" value="([0-9a-f]{64})"', report).group(1)
    status, headers, _ = b.form(action, {"sha256": sha, "csrf_token": token})
    assert status == 302 and headers["Location"].endswith("/id/XAB")
    mark = len(access.read_text().splitlines())
    served: set[int] = set()
    for _ in range(10):  # new connections each time: the two workers take turns
        for _ in range(20):
            status, _, page = Browser(base).request("/id/XAB")
            assert status == 200 and NEW_NAME in page
        time.sleep(0.2)
        after = [json.loads(line) for line in access.read_text().splitlines()[mark:]]
        served = {r["pid"] for r in after if r["path"] == "/id/XAB"}
        if len(served) == 2:
            break
    assert len(served) == 2, "both workers should have answered with the new data"


def test_production_rate_limits_the_api_with_retry_after(production_server):
    base, _, _ = production_server
    b = Browser(base)
    answers = [b.request("/api/queries") for _ in range(8)]
    limited = [a for a in answers if a[0] == 429]
    assert limited, [a[0] for a in answers]  # 3 per minute per worker process
    status, headers, body = limited[0]
    assert int(headers["Retry-After"]) >= 1
    assert json.loads(body)["status"] == 429
    assert headers["X-Content-Type-Options"] == "nosniff"
