"""The API against its own OpenAPI document, with schemathesis, on the running app (waitress)
on both backends: every operation, no 5xx, every response (status, content type, headers,
body) as the document says.

schemathesis runs as its command line (`schemathesis run`), deterministic and with a fixed
seed; its JUnit report tells which operations ran and how each ended."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from kg.config import Settings
from kg.service import Workspace

CHECKS = ("not_a_server_error,status_code_conformance,content_type_conformance,"
          "response_headers_conformance,response_schema_conformance")


def test_api_conforms_to_its_openapi_document(served, tmp_path):
    binary = Path(sys.executable).with_name("schemathesis")
    junit = tmp_path / "junit.xml"
    done = subprocess.run(
        [str(binary), "run", f"{served}/api/openapi.json", "--checks", CHECKS,
         "--max-examples", "6", "--seed", "17", "--generation-deterministic",
         "--continue-on-failure", "--request-timeout", "30", "--no-color",
         "--report", "junit", "--report-junit-path", str(junit)],
        capture_output=True, text=True, timeout=900, cwd=tmp_path)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-6000:]
    cases = ET.parse(junit).getroot().iter("testcase")
    names = {case.get("name") for case in cases}
    expected = {"GET /api/queries"} | {f"GET /api/queries/{q.name}"
                                       for q in Workspace(Settings()).catalogue()}
    assert expected <= names, sorted(expected - names)
