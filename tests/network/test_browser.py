"""The HTML view in real headless Chromium: offline, no console error, data shown as text."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest

from kg.network import metrics, render

from .conftest import AMP, IMG, SCRIPT

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run `make sysdeps` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


class Watched:
    """A page plus everything that would show a problem: errors, dialogs, requests."""

    def __init__(self, browser, path: Path):
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.requests: list[str] = []
        self.context = browser.new_context(viewport={"width": 1200, "height": 800})
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", self._dialog)
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.url = path.as_uri()
        self.page.goto(self.url)
        # Set by the page once vis-network has drawn (after stabilising, if it does).
        self.page.wait_for_selector("body[data-ready='1']", state="attached", timeout=20_000)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def close(self) -> None:
        self.context.close()


@pytest.fixture(scope="module")
def hostile(browser, tmp_path_factory, request) -> Iterator[Watched]:
    from kg.network import build

    from .conftest import actor_rows, concept_rows, relation_rows

    vocab = build.Vocabulary.from_rows(concept_rows())
    g = build.relation_graph(actor_rows(), relation_rows(), vocab, country="XZZ")
    path = tmp_path_factory.mktemp("view") / "network.html"
    path.write_text(render.html(g, metrics.compute(g), lang="en", vocab=vocab),
                    encoding="utf-8")
    watched = Watched(browser, path)
    yield watched
    watched.close()


def test_renders_offline_with_every_node_and_no_error(hostile: Watched) -> None:
    page = hostile.page
    assert page.get_attribute("body", "data-nodes-drawn") == "8"
    assert page.evaluate("Object.keys(window.migkgNetwork.getPositions()).length") == 8
    assert hostile.errors == []
    assert [u for u in hostile.requests if u != hostile.url] == []
    assert page.text_content("#migkg-status") == "8 nodes, 10 links shown"
    legend = page.locator("#migkg-legend li").all_text_contents()
    assert legend[:3] == ["Ministry", "Government agency", "Statistics office"]


@pytest.mark.parametrize("name", [IMG, SCRIPT, AMP])
def test_hostile_names_show_as_text_in_tooltips(hostile: Watched, name: str) -> None:
    page = hostile.page
    page.fill("#migkg-search", name[:12])
    assert page.text_content("#migkg-status").endswith("1 found")
    # The search centres the match: hover the middle of the canvas to get its tooltip.
    box = page.locator("#migkg-network").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2 + 1, box["y"] + box["height"] / 2 + 1)
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    tip = page.locator("div.vis-tooltip")
    tip.wait_for(state="visible", timeout=5_000)
    assert tip.locator("strong").text_content() == name
    assert tip.locator("img, script, b").count() == 0
    page.mouse.move(1, 1)
    page.fill("#migkg-search", "")
    assert hostile.dialogs == [] and hostile.errors == []


def test_filters_hide_nodes_and_links(hostile: Watched) -> None:
    page = hostile.page
    page.select_option("#migkg-filter-domain", "labour_migration")
    assert page.text_content("#migkg-status") == "1 nodes, 0 links shown"
    page.select_option("#migkg-filter-domain", "")
    page.select_option("#migkg-filter-relation", "coordinates")
    assert page.text_content("#migkg-status") == "8 nodes, 3 links shown"
    page.select_option("#migkg-filter-relation", "")
    page.select_option("#migkg-filter-type", "ministry")
    assert page.text_content("#migkg-status") == "2 nodes, 0 links shown"
    page.select_option("#migkg-filter-type", "")
    options = page.locator("#migkg-filter-type option").all_text_contents()
    assert options[0] == "All" and "Ministry" in options
    page.select_option("#migkg-metric", "degree")
    assert hostile.errors == [] and hostile.dialogs == []


def test_a_big_view_starts_frozen_and_draws_every_node(browser, tmp_path: Path) -> None:
    g = nx.relabel_nodes(nx.relaxed_caveman_graph(60, 10, 0.05, seed=2), str)
    path = tmp_path / "big.html"
    path.write_text(render.html(g, metrics.compute(g), lang="fr"), encoding="utf-8")
    watched = Watched(browser, path)
    try:
        assert watched.page.get_attribute("body", "data-nodes-drawn") == "600"
        assert watched.errors == [] and watched.dialogs == []
    finally:
        watched.close()
