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
from tests.conftest import free_port, remote_settings, wipe_remote

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


@pytest.mark.remote
def test_same_data_same_bytes_on_either_backend(site: Path, one_country, tmp_path, migkg,
                                                oxigraph_server) -> None:
    """Built again from the same graphs in `oxigraph serve`: every file the same, byte for
    byte (the build is reproducible, and no page depends on the store backend)."""
    wipe_remote(oxigraph_server)
    remote = remote_settings(oxigraph_server)
    with open_store(one_country) as source, open_store(remote) as target:
        target.replace_all({g: source.graph_triples(g) for g in source.graphs()})
    again = tmp_path / "again"
    env = {"MIGKG_ENDPOINT": remote.endpoint, "MIGKG_UPDATE_ENDPOINT": remote.update_endpoint,
           "MIGKG_GRAPH_STORE_ENDPOINT": remote.graph_store_endpoint}
    result = migkg(one_country, "site", "-o", str(again), env=env)
    assert result.exit_code == 0, result.stderr
    first, second = digest(site), digest(again)
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []


def test_a_store_that_does_not_answer_stops_the_build_and_writes_nothing(tmp_path, migkg
                                                                         ) -> None:
    down = f"http://127.0.0.1:{free_port()}/query"  # nothing listens there
    folder = tmp_path / "public"
    result = migkg(tmp_path / "store", "site", "-o", str(folder),
                   env={"MIGKG_ENDPOINT": down, "MIGKG_REMOTE_READ_TIMEOUT": "5"})
    assert result.exit_code == 3
    assert result.stderr.splitlines()[-1] == \
        "migkg: / answered 503 (see the error above); nothing was written"
    assert not folder.exists()
