"""The whole upload flow in real headless Chromium, as a working group would do it, in French:
log in, upload a workbook with errors, read the report, upload the corrected workbook,
confirm, see the country page with the new data. Like every browser test, it fails on a
console error (a CSP violation included), an uncaught exception, a dialog (an injected
alert) or a request to any host but the test server."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.service import Workspace
from tests.conftest import free_port
from tests.factories.uploads import ADMIN, HOSTILE_CODE, NEW_NAME, PASSWORD, make_store
from tests.network.test_browser import browser  # noqa: F401 - the shared Chromium fixture

from .conftest import make_app
from .test_browser import Visit

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def upload_site(tmp_path_factory) -> Iterator[tuple[str, object, dict[str, Path]]]:
    """A store with XAA and XAB and an admin, served by waitress; the two workbooks of XAB
    (current answers with one bad code, and the same corrected with a new name)."""
    import openpyxl
    from waitress import create_server

    root = tmp_path_factory.mktemp("upload-site")
    settings = make_store(root)
    with Workspace(settings) as ws:
        data = ws.questionnaire("XAB", "en", "xlsx", include_restricted=True).data
    files = {}
    for name, sheet, changes in (("bad", "actors", {"type": HOSTILE_CODE}),
                                 ("good", "country", {"name": NEW_NAME, "name_fr": NEW_NAME})):
        book = openpyxl.load_workbook(io.BytesIO(data))
        rows = book[sheet]
        header = [c.value for c in rows[1]]
        for column, value in changes.items():
            rows.cell(row=2, column=header.index(column) + 1, value=value)
        files[name] = root / f"sarvelie-{name}.xlsx"
        book.save(files[name])
    port = free_port()
    server = create_server(make_app(settings), host="127.0.0.1", port=port, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}", settings, files
    server.close()
    thread.join(timeout=10)


@pytest.fixture
def visit(browser, upload_site) -> Iterator[Visit]:  # noqa: F811 - the imported fixture
    v = Visit(browser, upload_site[0])
    yield v
    try:
        v.check()
    finally:
        v.context.close()


def test_login_bad_workbook_french_report_corrected_upload_confirm_country_page(
        visit, upload_site):
    _, settings, files = upload_site
    before = Workspace(settings).export("nq", include_restricted=True)
    page = visit.go("/admin/login?lang=fr")
    assert page.text_content("h1") == "Connexion"
    page.fill("#login-name", ADMIN)
    page.fill("#login-password", PASSWORD)
    with page.expect_navigation():
        page.click("#login-form button[type=submit]")
    assert page.url.endswith("/admin/")
    page.click("#upload-link")
    page.wait_for_selector("#upload-form")
    page.set_input_files("#upload-file", str(files["bad"]))
    with page.expect_navigation():
        page.click("#upload-form button[type=submit]")
    # the report, in French: errors by file with FILE!SHEET:ROW:COLUMN, nothing written
    assert page.text_content("#report-summary").strip() == "1 erreur, 0 avertissement."
    assert page.locator("#report-errors .report-file").count() == 1
    where = page.text_content("#report-errors code.where")
    assert where == "sarvelie-bad.xlsx!actors:2:type"
    message = page.text_content("#report-errors .message")
    assert message.startswith(f"'{HOSTILE_CODE}' n'est pas un code accepté")  # as text
    assert page.locator("#report-errors img").count() == 0
    assert page.locator("#confirm").count() == 0
    assert "Rien n'a été écrit" in page.text_content("main")
    visit.shot("upload-report-fr")
    assert Workspace(settings).export("nq", include_restricted=True) == before
    # the corrected workbook, from the report page's own form
    page.set_input_files("#upload-file", str(files["good"]))
    with page.expect_navigation():
        page.click("#upload-form button[type=submit]")
    assert page.locator("#report-errors").count() == 0
    assert "Il remplacera les données actuelles de XAB" in page.text_content("#replace-note")
    visit.shot("upload-confirm-fr")
    with page.expect_navigation():
        page.click("#confirm")
    assert page.url.endswith("/id/XAB")
    assert NEW_NAME in page.text_content("h1")
    assert "le questionnaire a été écrit" in page.text_content("#flash")
    visit.shot("upload-country-page")
    # the explorer shows it too, the history records who sent which file
    assert NEW_NAME in visit.go("/").text_content("table#countries")
    history = visit.go("/admin/countries/XAB").text_content("#import-history")
    assert "sarvelie-good.xlsx" in history and f"par {ADMIN}" in history


def test_the_sparql_editor_and_admin_pages_run_under_the_csp(visit, upload_site):
    """Pages with scripts of their own (the YASGUI editor) or forms (admin) show no CSP
    violation (Visit.check fails on any console error)."""
    visit.go("/query")
    visit.page.wait_for_selector(".yasgui .CodeMirror", timeout=10_000)
    visit.go("/admin/login")
    visit.go("/id/XAB/network")
    visit.page.wait_for_selector("#migkg-network canvas")


def _axe(page) -> list[str]:
    from .test_browser import axe_script

    page.add_script_tag(path=str(axe_script()))  # inlined by Playwright: no request
    return page.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']});
        return r.violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' '))
                                                       .slice(0, 3).join(', '));
    }""")


def test_login_and_report_pages_pass_axe(browser, upload_site):  # noqa: F811
    """The login form and a report with errors, checked by axe-core (WCAG 2.1 A and AA);
    this context alone bypasses the CSP, for axe's injected script."""
    base, _, files = upload_site
    v = Visit(browser, base, bypass_csp=True)
    try:
        page = v.go("/admin/login?lang=fr")
        assert _axe(page) == []
        page.fill("#login-name", ADMIN)
        page.fill("#login-password", PASSWORD)
        with page.expect_navigation():
            page.click("#login-form button[type=submit]")
        v.go("/admin/upload")
        page.set_input_files("#upload-file", str(files["bad"]))
        with page.expect_navigation():
            page.click("#upload-form button[type=submit]")
        assert page.locator("#report-errors").count() == 1
        assert _axe(page) == []
        v.check()
    finally:
        v.context.close()
