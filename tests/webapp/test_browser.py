"""The web explorer in real headless Chromium, served by waitress on 127.0.0.1.

Every test fails on a console error, an uncaught exception, a dialog (an injected
alert) or a request to any host but the test server. Screenshots go to
artefacts/browser/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import csv
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from kg.service import demo_paths
from tests.conftest import free_port
from tests.network.test_browser import browser  # noqa: F401 - the shared Chromium fixture

from .conftest import HOSTILE, IMG, SCRIPT, make_app

pytestmark = pytest.mark.browser

ARTEFACTS = Path(__file__).resolve().parents[2] / "artefacts" / "browser"


@pytest.fixture(scope="module")
def server(web_settings) -> Iterator[str]:
    """The app served by waitress (as `migkg serve` does) on a free local port."""
    from waitress import create_server

    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    port = free_port()
    srv = create_server(make_app(web_settings), host="127.0.0.1", port=port, threads=4)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    srv.close()
    thread.join(timeout=10)


class Visit:
    """A browser context that records what would show a problem."""

    def __init__(self, chromium, base: str, **options: object):
        self.base = base
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.foreign: list[str] = []
        self.context = chromium.new_context(viewport={"width": 1280, "height": 900},
                                           accept_downloads=True, **options)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", self._dialog)
        self.page.on("request", self._request)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _request(self, request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme not in ("data", "blob", "about") and parts.hostname != "127.0.0.1":
            self.foreign.append(request.url)

    def go(self, path: str):
        response = self.page.goto(self.base + path)
        assert response is not None and response.status == 200, path
        return self.page

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=False)

    def check(self) -> None:
        assert self.errors == [], self.errors
        assert self.dialogs == [], self.dialogs
        assert self.foreign == [], self.foreign


@pytest.fixture
def visit(browser, server) -> Iterator[Visit]:  # noqa: F811 - the imported fixture
    v = Visit(browser, server)
    yield v
    try:
        v.check()
    finally:
        v.context.close()


def test_home_and_sorting(visit):
    page = visit.go("/")
    assert page.locator("table#countries tbody tr").count() == 4
    visit.shot("home")
    page.click("table#countries thead th:nth-child(7) button")  # completeness, ascending
    first = page.locator("table#countries tbody tr th a").first.text_content()
    assert first in ("Republic of Lumeria", "Hostile Labour & Social <b>Affairs</b>")
    page.fill("#q", "statistics")
    page.press("#q", "Enter")
    page.wait_for_selector("#search-results")
    assert page.locator("#search-results a[href='/id/XAA/actor/nsi']").count() == 1


def test_country_page_filters_sources_live(visit):
    page = visit.go("/id/XAA")
    rows = page.locator("#sources-table tbody tr")
    total = rows.count()
    page.select_option("select[name=status]", "potential")
    visible = page.locator("#sources-table tbody tr:not([hidden])").count()
    assert 0 < visible < total
    assert page.text_content("[data-filter-status]") == f"{visible} of {total} shown"
    assert page.locator(".cycle section").count() == 6
    visit.shot("country")


def test_actor_page_and_hostile_names_stay_text(visit):
    page = visit.go("/id/XAA/actor/ncm")
    assert page.text_content("h1") == "National Migration Coordination Committee"
    visit.shot("actor")
    page = visit.go(f"/id/{HOSTILE}/actor/mha")
    assert page.text_content("h1") == IMG
    assert page.locator("main img, main script").count() == 0
    visit.shot("actor-hostile")


def test_network_draws_filters_and_opens_actor_pages(visit):
    page = visit.go("/id/XAA/network")
    page.wait_for_selector("body[data-ready='1']", state="attached", timeout=30_000)
    drawn = int(page.get_attribute("body", "data-nodes-drawn"))
    assert drawn == 46
    # 58 declared relations and one part_of link per actor with a parent organisation.
    with (next(p for p in demo_paths() if p.name == "XAA") / "actors.csv").open(
            encoding="utf-8-sig", newline="") as fh:
        units = sum(1 for row in csv.DictReader(fh) if row["parent"])
    assert units > 0
    assert page.text_content("#migkg-status") == f"46 nodes, {58 + units} links shown"
    page.select_option("#migkg-filter-relation", "part_of")
    assert page.text_content("#migkg-status").endswith(f"{units} links shown")
    page.select_option("#migkg-filter-relation", "")
    page.select_option("#migkg-filter-type", "ministry")
    status = page.text_content("#migkg-status")
    shown = int(status.split()[0])
    assert 0 < shown < 46, status
    page.select_option("#migkg-filter-type", "")
    visit.shot("network")
    # Click the coordinating committee's node: its page opens.
    node = page.evaluate("""() => {
        const data = JSON.parse(document.getElementById('migkg-data').textContent);
        return data.nodes.find(n => n.href === '/id/XAA/actor/ncm').id; }""")
    point = page.evaluate("""(id) => {
        const net = window.migkgNetwork; const pos = net.getPositions([id])[id];
        const dom = net.canvasToDOM(pos); const box = document.getElementById('migkg-network')
          .getBoundingClientRect(); return {x: box.left + dom.x, y: box.top + dom.y}; }""", node)
    with page.expect_navigation():
        page.mouse.click(point["x"], point["y"])
    assert page.url.endswith("/id/XAA/actor/ncm")


def test_network_hostile_label_stays_text(visit):
    page = visit.go(f"/id/{HOSTILE}/network")
    page.wait_for_selector("body[data-ready='1']", state="attached", timeout=30_000)
    page.fill("#migkg-search", "onerror")
    assert page.text_content("#migkg-status").endswith("1 found")
    box = page.locator("#migkg-network").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2 + 1, box["y"] + box["height"] / 2 + 1)
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    tip = page.locator("div.vis-tooltip")
    tip.wait_for(state="visible", timeout=5_000)
    assert tip.locator("strong").text_content() == IMG
    assert tip.locator("img, script, b").count() == 0
    options = page.locator("#migkg-filter-type option").all_text_contents()
    assert options[0] == "All"
    visit.shot("network-hostile")
    assert SCRIPT not in page.title()


def test_compare_sorts_and_downloads_csv(visit):
    page = visit.go("/compare")
    page.click("#compare-table thead th:nth-child(2) button")  # completeness ascending
    page.click("#compare-table thead th:nth-child(2) button")  # descending
    assert page.locator("#compare-table tbody tr th a").first.text_content() == \
        "Republic of Valdoria"
    visit.shot("compare")
    with page.expect_download() as info:
        page.click("a[href^='/compare.csv']")
    text = Path(info.value.path()).read_text(encoding="utf-8")
    assert text.startswith("Country,ISO3,Completeness")


def test_language_switch_is_remembered(visit):
    page = visit.go("/id/XAB")
    page.click("nav.langs a[hreflang=fr]")
    assert page.get_attribute("html", "lang") == "fr"
    assert page.text_content("h1").startswith("République de Sarvélie")
    page = visit.go("/compare")
    assert page.get_attribute("html", "lang") == "fr"
    assert page.text_content("h1") == "Les pays côte à côte"
    visit.shot("compare-fr")


def test_guide_download(visit):
    page = visit.go("/id/XAC/guide")
    preview = page.frame_locator("iframe.guide-preview")
    assert preview.locator("h1").first.text_content(timeout=30_000) == \
        "Guide on the use of migration data"
    visit.shot("guide")
    with page.expect_download() as info:
        page.click("#download-fr-md")
    assert info.value.suggested_filename == "guide-XAC-fr.md"
    text = Path(info.value.path()).read_text(encoding="utf-8")
    assert "Lumérie" in text


def axe_script() -> Path:
    """axe-core as installed by the Makefile (npm pack into the venv)."""
    found = sorted((Path(sys.prefix) / "npm").glob("axe-core-*/axe.min.js"))
    if not found:
        pytest.fail("axe-core is missing: run `make test` (it installs axe-core from npm)")
    return found[-1]


@pytest.fixture
def axe_visit(browser, server) -> Iterator[Visit]:  # noqa: F811 - the imported fixture
    """A visit whose pages accept the injected axe-core script: the CSP (webapp.security)
    refuses any inline script, so this context alone bypasses it (accessibility, not
    security, is what these tests check; the other visits keep the CSP)."""
    v = Visit(browser, server, bypass_csp=True)
    yield v
    try:
        v.check()
    finally:
        v.context.close()


@pytest.mark.parametrize("path", ["/", "/id/XAA", "/id/XAA/actor/ncm", "/id/XAA/network",
                                  "/compare?lang=fr", "/id/XAC/guide", "/queries/actors",
                                  "/vocab/domain", f"/id/{HOSTILE}", "/admin/",
                                  "/admin/login?lang=fr"])
def test_pages_pass_axe_wcag_a_and_aa(axe_visit, path):
    visit = axe_visit
    page = visit.go(path)
    page.add_script_tag(path=str(axe_script()))  # inlined by Playwright: no request
    violations = page.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']});
        return r.violations.map(v => v.id + ' (' + v.impact + '): ' +
                                     v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '));
    }""")
    assert violations == [], violations
