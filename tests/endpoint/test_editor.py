"""The /query editor (vendored YASGUI) and a named-query form in real headless Chromium, on both
backends: an example runs and shows its table, the shareable link reopens the query, the
page asks nothing of any host but the test server, no console error."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.network.test_browser import browser  # noqa: F401 - the shared Chromium fixture
from tests.webapp.test_browser import ARTEFACTS, Visit

pytestmark = pytest.mark.browser


@pytest.fixture
def visit(browser, served) -> Iterator[Visit]:  # noqa: F811 - the imported fixture
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    v = Visit(browser, served)
    yield v
    try:
        v.check()
    finally:
        v.context.close()


def test_editor_runs_an_example_and_shares_it(visit):
    page = visit.go("/query?lang=fr")
    page.wait_for_selector("body[data-editor-ready='1']", state="attached", timeout=30_000)
    link = page.locator("#examples a[data-example='actors']")
    title = link.text_content()
    assert title and "acteur" in title.lower()  # the title in the page's language
    with page.expect_response(lambda r: urlsplit(r.url).path == "/sparql") as answer:
        link.click()
    assert answer.value.status == 200
    assert answer.value.headers["content-type"].startswith("application/sparql-results+json")
    page.wait_for_selector(".yasr table.dataTable tbody tr", timeout=30_000)
    rows = page.locator(".yasr table.dataTable tbody tr").count()
    assert rows > 5
    assert "XAA" in page.locator(".yasr table.dataTable").text_content()
    visit.shot("editor-example")
    # The result table downloads as CSV.
    with page.expect_download() as download:
        page.click(".yasr .yasr_downloadIcon")
    path = download.value.path()
    assert download.value.suggested_filename.endswith(".csv")
    head = Path(path).read_text(encoding="utf-8").splitlines()[0]
    assert head.startswith('"actor","name"')
    # The shareable link carries the query; opening it shows the same text in the editor.
    href = page.get_attribute("#share", "href")
    shared = parse_qs(urlsplit(href).query)["query"][0]
    text = page.evaluate("() => window.migkgYasgui.getTab().getYasqe().getValue()")
    assert shared == text and "VALUES" in text
    reopened = visit.go(href)
    reopened.wait_for_selector("body[data-editor-ready='1']", state="attached", timeout=30_000)
    assert reopened.evaluate("() => window.migkgYasgui.getTab().getYasqe().getValue()") == text


def test_editor_runs_a_typed_query(visit):
    page = visit.go("/query")
    page.wait_for_selector("body[data-editor-ready='1']", state="attached", timeout=30_000)
    query = "SELECT ?n WHERE { VALUES ?n { 1 2 3 } }"
    page.evaluate("(q) => window.migkgYasgui.getTab().getYasqe().setValue(q)", query)
    with page.expect_response(lambda r: urlsplit(r.url).path == "/sparql") as answer:
        page.evaluate("() => window.migkgYasgui.getTab().getYasqe().query()")
    assert answer.value.status == 200
    page.wait_for_selector(".yasr table.dataTable tbody tr", timeout=30_000)
    assert page.locator(".yasr table.dataTable tbody tr").count() == 3
    assert parse_qs(urlsplit(page.get_attribute("#share", "href")).query)["query"][0] == query


def test_named_query_form_runs(visit):
    page = visit.go("/queries/actors")
    page.fill("#p-country", "XAB")
    with page.expect_navigation():
        page.click("form.params button[type=submit]")
    assert "country=XAB" in page.url and "run=1" in page.url
    rows = page.locator("#result table tbody tr")
    assert rows.count() > 3
    assert "/id/XAB/" in (page.locator("#result table").inner_html())
    visit.shot("named-query-form")
