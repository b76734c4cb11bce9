"""`migkg site -o DIR`: the public site as static files, link-checked and reproducible."""

from __future__ import annotations

import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from kg.config import Settings
from kg.store import open_store

OUTSIDE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.I)


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refs: list[tuple[str, str, str]] = []  # (tag, attribute, value)

    def handle_starttag(self, tag, attrs) -> None:
        self.refs += [(tag, k, v) for k, v in attrs if k in ("href", "src", "action") and v]


def broken_links(folder: Path) -> tuple[list[str], list[str]]:
    """(internal links that lead nowhere, assets loaded from outside the site)."""
    broken, outside = [], []
    for page in sorted(folder.rglob("*.html")):
        parser = _Refs()
        parser.feed(page.read_text(encoding="utf-8"))
        for tag, attr, value in parser.refs:
            if value.startswith(("#", "data:", "mailto:", "tel:")):
                continue
            if OUTSIDE.match(value):
                # A link to another site is fine; an asset (script, style, image) is not.
                if attr == "src" or (tag == "link" and attr == "href"):
                    outside.append(f"{page.relative_to(folder)}: {value}")
                continue
            if value.startswith("/"):
                broken.append(f"{page.relative_to(folder)}: {value} (absolute)")
                continue
            target = (page.parent / unquote(urlsplit(value).path)).resolve()
            if not target.is_file() or folder.resolve() not in target.parents:
                broken.append(f"{page.relative_to(folder)}: {value}")
    return broken, outside


def digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def one_country(demo_store, tmp_path_factory) -> Settings:
    """The demo's vocabularies and one country (XAA, the fullest): every kind of page, a
    third of the build time (guides and networks are most of it)."""
    settings = Settings(store_dir=tmp_path_factory.mktemp("site-store"))
    with open_store(settings) as store:
        for graph in demo_store.graphs():
            if not graph.endswith(("/XAB", "/XAC")):
                store.replace_graph(graph, demo_store.graph_triples(graph))
    return settings


@pytest.fixture(scope="module")
def site(one_country, tmp_path_factory, migkg) -> Path:
    folder = tmp_path_factory.mktemp("site") / "public"
    result = migkg(one_country, "site", "-o", str(folder))
    assert result.exit_code == 0, result.stderr
    assert "pages" in result.stderr
    return folder


def test_every_public_page_guide_export_and_catalogue_is_written(site: Path) -> None:
    expected = ["index.html", "index.lang-fr.html", "compare/index.html", "ontology/index.html",
                "vocab/index.html", "queries/index.html", "network/partners/index.html",
                "catalog.ttl", "catalog.jsonld", "api/queries.json", "api/openapi.json",
                "id/XAA/index.html", "id/XAA/network/index.html",
                "id/XAA/actor/ncm/index.html", "id/XAA/actor/ncm/index.lang-fr.html",
                "queries/working-group/index.country-XAA-run-1.html",
                "api/queries/working-group.country-XAA.json"]
    expected += [f"id/XAA/guide/{lang}.{fmt}" for lang in ("en", "fr")
                 for fmt in ("html", "md", "docx", "pdf")]
    missing = [name for name in expected if not (site / name).is_file()]
    assert missing == []
    assert "Republic of Valdoria" in (site / "id/XAA/index.html").read_text(encoding="utf-8")
    # The named query's page holds its answer for the demo parameters.
    page = (site / "queries/working-group/index.country-XAA-run-1.html").read_text(encoding="utf-8")
    assert "National Migration Coordination Committee" in page
    assert "Dataset" in (site / "catalog.ttl").read_text(encoding="utf-8")


def test_no_broken_internal_link_and_no_outside_asset(site: Path) -> None:
    broken, outside = broken_links(site)
    assert broken == []
    assert outside == []


def test_links_are_relative_so_the_site_works_from_any_sub_path(site: Path) -> None:
    page = (site / "id/XAA/actor/ncm/index.html").read_text(encoding="utf-8")
    assert 'href="../../../../static/site.css"' in page
    assert 'href="/' not in page and 'src="/' not in page
    # A French page links to the French copies.
    french = (site / "id/XAA/index.lang-fr.html").read_text(encoding="utf-8")
    assert 'href="actor/ncm/index.lang-fr.html"' in french
    assert 'href="actor/ncm/index.html"' not in french
    # What a static copy cannot answer keeps its text, not its link.
    home = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="/query"' not in home and 'action="/search"' not in home


def test_same_store_same_bytes(site: Path, one_country, tmp_path, migkg) -> None:
    again = tmp_path / "again"
    assert migkg(one_country, "site", "-o", str(again)).exit_code == 0
    first, second = digest(site), digest(again)
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []
