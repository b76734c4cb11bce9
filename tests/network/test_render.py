"""The HTML view is self-contained and escapes data; the figure is deterministic."""

from __future__ import annotations

import html as htmllib
import json
import re

import pytest

from kg.network import metrics, render

from .conftest import AMP, IMG, SCRIPT


@pytest.fixture
def page(relations, vocab) -> str:
    return render.html(relations, metrics.compute(relations), lang="en", vocab=vocab)


def test_no_remote_script_or_stylesheet(page: str) -> None:
    tags = re.findall(r"<(?:script|link|img|iframe)\b[^>]*>", page, flags=re.I)
    for tag in tags:
        assert not re.search(r"\b(?:src|href)\s*=", tag, flags=re.I), tag
    assert not re.search(r"@import|url\(\s*['\"]?(?:https?:)?//", page, flags=re.I)
    assert "sourceMappingURL" not in page
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page).group(1)
    assert htmllib.unescape(csp).startswith("default-src 'none'; script-src 'sha256-")


def test_no_data_string_appears_raw(page: str) -> None:
    for hostile in (IMG, SCRIPT, AMP, "<script>alert(1)</script>", "<b>Affairs</b>"):
        assert hostile not in page
    # Three <script> elements: the data block, vis-network, the page's own code
    # (vis-network's code holds the text "<script>" in a string literal of its own).
    own = page.replace(render._assets()[0], "")
    assert len(re.findall(r"<script\b", own)) == 3
    assert own.count("</script>") == 3


def test_data_block_decodes_to_the_exact_strings(page: str) -> None:
    block = re.search(r'<script type="application/json" id="migkg-data">(.*?)</script>',
                      page, flags=re.S).group(1)
    assert "<" not in block and ">" not in block and "&" not in block
    data = json.loads(block)
    names = {n["name"] for n in data["nodes"]}
    assert {IMG, SCRIPT, AMP} <= names  # not double-escaped: the exact text
    assert len(data["nodes"]) == 8 and len(data["edges"]) == 10
    assert data["physics"] is True and data["directed"] is True
    assert {f[0] for f in data["filters"]["stage"]} == {
        "formulation", "decision", "implementation", "monitoring_evaluation"}


def test_title_is_escaped_once(relations, vocab) -> None:
    page = render.html(relations, lang="fr", vocab=vocab, title="A & B <i>")
    assert "<title>A &amp; B &lt;i&gt;</title>" in page
    assert htmllib.unescape("A &amp; B &lt;i&gt;") == "A & B <i>"
    assert '<html lang="fr">' in page and "Rechercher par nom" in page


def test_big_graphs_start_without_physics() -> None:
    import networkx as nx

    g = nx.relaxed_caveman_graph(40, 10, 0.05, seed=1)
    page = render.html(nx.relabel_nodes(g, str), lang="en")
    block = re.search(r'id="migkg-data">(.*?)</script>', page, flags=re.S).group(1)
    data = json.loads(block)
    assert data["physics"] is False and len(data["nodes"]) == 400
    xs = {(n["x"], n["y"]) for n in data["nodes"]}
    assert len(xs) == 400  # every node has its own precomputed place


@pytest.mark.parametrize("fmt", ["svg", "png"])
def test_figure_is_deterministic(relations, fmt: str) -> None:
    one = render.figure(relations, fmt=fmt, lang="fr")
    two = render.figure(relations, metrics.compute(relations), fmt=fmt, lang="fr")
    assert one == two
    if fmt == "svg":
        assert one.startswith(b"<?xml") and b"<svg" in one
        assert b"<dc:date>" not in one
    else:
        assert one.startswith(b"\x89PNG")


def test_figure_survives_hostile_and_exotic_labels(vocab) -> None:
    from kg.network import build

    rows = [{"actor": f"x{i}", "label": label, "type": "ministry"}
            for i, label in enumerate(["$x^2$ and $$", r"\frac{1}{0}", "日本語 ☃ עברית",
                                       "<svg onload=alert(1)>", "--><svg onload=x>"])]
    rels = [{"subject": "x0", "relation_type": "coordinates", "object": f"x{i}"}
            for i in range(1, 5)]
    g = build.relation_graph(rows, rels, vocab)
    svg = render.figure(g, fmt="svg")
    # matplotlib draws text as paths and names it in an escaped XML comment.
    assert b"<svg onload" not in svg and b"-->" not in svg.replace(b" -->", b"")
    assert render.figure(g, fmt="png").startswith(b"\x89PNG")


def test_figure_draws_each_legend_once(relations) -> None:
    """Both legends (actor types, relations) and the key, each drawn once (a legend added
    twice to the figure is drawn twice, and its text comes twice in the guide's PDF)."""
    svg = render.figure(relations, fmt="svg", lang="en").decode("utf-8")
    texts = re.findall(r"<text\b[^>]*>([^<]*)</text>", svg)
    assert texts.count("Actor types") == 1 and texts.count("Relations") == 1
    assert texts.count("Key") == 1
    assert len(texts) == len(set(texts))


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_relation_labels_are_capitalised_like_the_vocabulary_ones(lang: str) -> None:
    """The legend and the relation filter mix our labels (derived links, part_of) with the
    relation types of the vocabulary (Coordinates, Member of): all start with a capital."""
    import rdflib
    from rdflib.namespace import SKOS

    from kg.resources import vocabularies_dir

    codes = ("produces", "uses", "participates_in", "supports_country", "shares_source",
             "part_of")
    ours = [render._relation_label(code, {}, lang) for code in codes]
    assert all(label[:1].isupper() for label in ours), ours
    graph = rdflib.Graph().parse(vocabularies_dir() / "relation-type.ttl")
    theirs = [str(o) for o in graph.objects(None, SKOS.prefLabel) if o.language == lang]
    assert len(theirs) > 6 and all(label[:1].isupper() for label in theirs), theirs
