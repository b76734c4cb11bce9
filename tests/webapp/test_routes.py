"""Every route of the web explorer through Flask's test client, on both store backends:
status, content type, language, escaping, content negotiation, error answers."""

from __future__ import annotations

import functools
import json
import re

import pytest
import rdflib
import rdflib.compare

from kg.config import Settings
from kg.service import Workspace
from tests.query.test_golden import cases

from .conftest import HOSTILE, IMG, SCRIPT

BASE = "https://w3id.org/migkg/"
QUERIES = list(Workspace(Settings()).catalogue())
RESTRICTED = ("ops@bapd.police.valdoria.example", "registration@refugees.valdoria.example",
              "Head of Border Information Unit")

PAGES = [
    "/", "/?q=statistics", "/search?q=census", "/compare", "/compare?sort=completeness",
    "/ontology", "/vocab", "/vocab/policy-stage", "/queries", "/queries/actors",
    "/queries/actors?country=XAA&run=1", "/id/XAA", "/id/XAB", "/id/XAC",
    "/id/XAA?domain=trends&status=existing&kind=census&access=public",
    "/id/XAA/actor/ncm", "/id/XAA/actor/bpd", "/id/XAA/source/census-2021",
    "/id/XAA/challenge/overlapping-mandates", "/id/XAA/recommendation/formalise-wg",
    "/id/XAA/practice/migration-policy-drafting", "/id/XAA/process/endorsement",
    "/id/XAA/action/border-data-not-shared", "/id/XAA/contact/ncm",
    "/id/XAA/context/aliens-ordinance", "/id/XAA/figures/domain/asylum_protection",
    "/id/XAA/profile", "/id/XAA/figures", "/id/XAA/figures/stage/formulation",
    "/id/XAA/figures/category/understanding",
    "/id/XAA/participation/bpd--implementation", "/id/XAA/reference/r-census-report",
    "/id/XAA/relation/bpd--reports_to--npol",
    "/id/XAA/network", "/id/XAA/network?kind=sources&metric=degree", "/id/XAC/network",
    "/id/XAA/network?kind=shared-sources", "/id/XAA/network?kind=stages",
    "/network/partners", "/id/XAA/guide", "/id/XAA/guide/preview", "/query",
]
HOSTILE_PAGES = [f"/id/{HOSTILE}", f"/id/{HOSTILE}/actor/mha", f"/id/{HOSTILE}/actor/nbs",
                 f"/id/{HOSTILE}/source/census-2020", f"/id/{HOSTILE}/network",
                 f"/id/{HOSTILE}/guide", f"/id/{HOSTILE}/challenge/no-migration-unit",
                 "/", "/?q=onerror", "/compare", "/network/partners", f"/id/{HOSTILE}/guide/preview"]


def html(response) -> str:
    assert response.mimetype == "text/html", response.mimetype
    return response.get_data(as_text=True)


@pytest.mark.parametrize("path", PAGES)
def test_every_page_answers_in_both_languages(client, path):
    for lang, marker in (("en", '<html lang="en">'), ("fr", '<html lang="fr">')):
        sep = "&" if "?" in path else "?"
        response = client.get(f"{path}{sep}lang={lang}")
        assert response.status_code == 200, (path, response.status_code)
        page = html(response)
        assert marker in page
        assert "Traceback" not in page
        # kg.i18n.t gives back a missing message's key: no page shows one.
        assert not re.search(r"(?<![\w/.-])web\.[a-z_]+\.[a-z_.]+", page), path
        # Links to organisations' own websites are fine; no asset or form leaves 127.0.0.1.
        assert not re.search(r"""(src|action)=["'](https?:)?//|<link[^>]+href=["'](https?:)?//""",
                             page), path
        for secret in RESTRICTED:
            assert secret not in page, (path, secret)


def test_french_pages_have_no_english_interface_text(client):
    page = html(client.get("/id/XAB?lang=fr"))
    for english in ("Data sources", "Actors</", "Recommendations", "Gaps", "Contents",
                    "Completeness", "Policy stage"):
        assert english not in page, english
    assert "Sommaire" in page and "Matrice problèmes/solutions" in page


@pytest.mark.parametrize("path", HOSTILE_PAGES)
def test_hostile_text_is_escaped_everywhere(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    page = response.get_data(as_text=True)
    for raw in ("<img src=x onerror", "<script>alert(1)", "<b>Affairs</b>"):
        assert raw not in page, (path, raw)
    if path not in ("/compare", "/network/partners"):  # names not shown there
        assert any(escaped in page for escaped in ("&lt;img src=x onerror=alert(1)&gt;",
                                                   "&lt;script&gt;alert(1)&lt;/script&gt;",
                                                   "&lt;b&gt;Affairs&lt;/b&gt;",
                                                   "\\u003cimg src=x")), path


def test_home_lists_countries_with_completeness_status_and_search(client):
    page = html(client.get("/?q=STATISTICS"))
    assert 'href="/id/XAA"' in page and "<meter" in page
    assert "Published" in page and "Draft" in page
    assert 'href="/id/XAA/actor/nsi"' in page  # National Statistics Institute of Valdoria
    assert "Actors (" in page or "Actors" in page


def test_search_text_is_checked(client):
    response = client.get("/?q=" + "x" * 600)
    assert response.status_code == 400
    assert "find-by-name::name" in html(response)
    response = client.get("/search?q=%20.-%20")
    assert response.status_code == 400 and "no letter or digit" in html(response)


def test_search_ignores_case_accents_and_punctuation_best_hits_first(client):
    page = html(client.get("/search?q=ministere+DU+travail"))
    assert 'href="/id/XAA/actor/mol"' in page  # Ministère du Travail, de l'Emploi et ...
    page = html(client.get("/?q=g.d.i.e"))  # an acronym, with dots
    assert 'href="/id/XAA/actor/gdie"' in page


def test_country_page_follows_the_guide(client):
    page = html(client.get("/id/XAC"))
    positions = [page.index(f'id="{anchor}"') for anchor in
                 ("sources", "actors", "cycle", "process", "practices", "matrix",
                  "recommendations", "gaps", "references", "provenance")]
    assert positions == sorted(positions)
    assert page.count('class="flag"') >= 1  # XAC has stages with nobody / challenges without action
    assert "Nobody recorded at this stage" in page


def test_source_filters_work_without_javascript(client):
    all_rows = html(client.get("/id/XAA")).count("<tr data-domain=")
    some = html(client.get("/id/XAA?status=potential")).count("<tr data-domain=")
    assert 0 < some < all_rows


@pytest.mark.parametrize("query", ["domain=trend", "status=maybe", "kind=x", "access=%3Cb%3E"])
def test_bad_filter_values_are_a_readable_400(client, query):
    response = client.get(f"/id/XAA?{query}")
    assert response.status_code == 400
    page = html(response)
    assert "is not an accepted value" in page and "accepted:" in page
    assert "<b>" not in page


@pytest.mark.parametrize("path", ["/id/ZZZ", "/id/XAA/actor/nope", "/id/XAA/actor/a%3Cb",
                                  "/id/1234", "/vocab/nope", "/queries/nope", "/nowhere",
                                  "/id/XAA/network/relations.exe", "/id/XAA/guide/de.pdf",
                                  "/assets/network/other.js"])
def test_unknown_things_are_a_404_page(client, path):
    response = client.get(path)
    assert response.status_code == 404, path
    assert "Traceback" not in html(response)


def test_restricted_contact_points_have_no_page(client):
    assert client.get("/id/XAA/contact/bpd").status_code == 404
    assert client.get("/id/XAA/contact/ncm").status_code == 200


def test_lowercase_country_code_redirects(client):
    response = client.get("/id/xaa")
    assert response.status_code == 301 and response.headers["Location"].endswith("/id/XAA")


# --- content negotiation -----------------------------------------------------------------

def parse(body: bytes, fmt: str) -> rdflib.Graph:
    """JSON-LD read by pyoxigraph (it refuses remote contexts), the others by rdflib."""
    if fmt != "json-ld":
        return rdflib.Graph().parse(data=body, format=fmt)
    import pyoxigraph as ox

    triples = ox.parse(body, format=ox.RdfFormat.JSON_LD)
    nt = ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES)
    return rdflib.Graph().parse(data=nt, format="nt")


@functools.cache
def _export(app, iso3: str) -> rdflib.Graph:
    """A country's export by the app's own workspace (once per backend and country)."""
    ws: Workspace = app.extensions["migkg_workspace"]
    return rdflib.Graph().parse(data=ws.export("nt", iso3=iso3), format="nt")


def _export_triples(app, iri: str) -> rdflib.Graph:
    full = _export(app, iri.split("/id/")[1][:3])
    out = rdflib.Graph()
    for triple in full.triples((rdflib.URIRef(iri), None, None)):
        out.add(triple)
    return out


# One IRI of each kind the country's export has (test_every_kind_of_iri_is_negotiated checks
# none is missing); IMPORT: the country's latest import, whose id each store run mints anew.
IMPORT = "{import}"
ENTITY_PATHS = {
    "country": "/id/XAA", "profile": "/id/XAA/profile", "actor": "/id/XAA/actor/ncm",
    "source": "/id/XAA/source/census-2021",
    "challenge": "/id/XAA/challenge/overlapping-mandates",
    "action": "/id/XAA/action/border-data-not-shared",
    "recommendation": "/id/XAA/recommendation/formalise-wg",
    "practice": "/id/XAA/practice/emigration-districts", "process": "/id/XAA/process/endorsement",
    "reference": "/id/XAA/reference/r-census-report", "contact": "/id/XAA/contact/ncm",
    "context": "/id/XAA/context/aliens-ordinance",
    "figures": "/id/XAA/figures", "domain figures": "/id/XAA/figures/domain/asylum_protection",
    "participation": "/id/XAA/participation/bpd--implementation",
    "relation": "/id/XAA/relation/bpd--reports_to--npol",
    "import": IMPORT, "import file": IMPORT + "/file/actors.csv",
    "import row": IMPORT + "/file/actors.csv/row/10",
}


def test_every_kind_of_iri_is_negotiated(app):
    kinds = {str(s).split("/id/XAA/")[1].split("/")[0] for s in _export(app, "XAA").subjects()
             if str(s).startswith(f"{BASE}id/XAA/")}
    assert kinds and kinds <= set(ENTITY_PATHS)


def _resolve(app, path: str) -> str:
    if IMPORT not in path:
        return path
    ws: Workspace = app.extensions["migkg_workspace"]
    latest = ws.imports("XAA")[0]["iri"]
    return path.replace(IMPORT, "/" + latest.removeprefix(BASE))


@pytest.mark.parametrize("path", [*ENTITY_PATHS.values(), "/id/XAA/actor/bpd"],
                         ids=[*ENTITY_PATHS, "actor with a restricted contact"])
@pytest.mark.parametrize("how", ["suffix", "accept"])
def test_rdf_answers_match_the_export(app, client, path, how):
    path = _resolve(app, path)
    iri = BASE + path[1:]
    want = _export_triples(app, iri)
    assert len(want) >= 3
    page = client.get(path)
    assert page.status_code == 200 and page.mimetype == "text/html", path
    assert f'<{path}.ttl>; rel="alternate"' in page.headers["Link"]
    for fmt, media, parse_as in (("ttl", "text/turtle", "turtle"),
                                 ("nt", "application/n-triples", "nt"),
                                 ("jsonld", "application/ld+json", "json-ld")):
        if how == "suffix":
            response = client.get(f"{path}.{fmt}")
        else:
            response = client.get(path, headers={"Accept": f"{media}, text/html;q=0.5"})
        assert response.status_code == 200 and response.mimetype == media, (path, fmt)
        assert "Accept" in response.headers.get("Vary", "")
        body = response.get_data()
        if fmt == "jsonld":
            doc = json.loads(body)
            assert isinstance(doc["@context"], dict)  # inline, never a remote context
        got = parse(body, parse_as)
        assert rdflib.compare.isomorphic(got, want), (path, fmt)
        for secret in RESTRICTED:
            assert secret.encode() not in body


def test_every_link_of_an_actor_page_opens(client):
    """Its relations both ways link every IRI they name (the country's profile among them)."""
    page = html(client.get("/id/XAA/actor/ncm"))
    links = sorted(set(re.findall(r'href="(/id/[^"#?]+)"', page)))
    assert "/id/XAA/profile" in links and len(links) > 20
    assert [link for link in links if client.get(link).status_code != 200] == []


def test_html_by_default_and_link_header(client):
    for accept in (None, "*/*", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"):
        headers = {"Accept": accept} if accept else {}
        response = client.get("/id/XAA/actor/ncm", headers=headers)
        assert response.status_code == 200 and response.mimetype == "text/html"
    link = response.headers["Link"]
    for alt in ('</id/XAA/actor/ncm.ttl>; rel="alternate"; type="text/turtle"',
                '</id/XAA/actor/ncm.jsonld>; rel="alternate"; type="application/ld+json"',
                '</id/XAA/actor/ncm.nt>; rel="alternate"; type="application/n-triples"'):
        assert alt in link


def test_unsupported_type_is_406(client):
    response = client.get("/id/XAA/actor/ncm", headers={"Accept": "application/pdf"})
    assert response.status_code == 406
    assert "Turtle" in html(response)


# --- downloads -----------------------------------------------------------------------------

@pytest.mark.parametrize("fmt,media", [("graphml", "application/graphml+xml"),
                                       ("gexf", "application/gexf+xml"),
                                       ("json", "application/json"), ("csv", "text/csv"),
                                       ("svg", "image/svg+xml"), ("png", "image/png")])
@pytest.mark.parametrize("path", ["/id/XAB/network/relations", "/network/partners"])
def test_network_downloads(client, web_settings, path, fmt, media):
    response = client.get(f"{path}.{fmt}?lang=fr")
    assert response.status_code == 200 and response.mimetype == media
    assert "attachment" in response.headers["Content-Disposition"]
    assert len(response.data) > 100
    # The same bytes as the embedded store's workspace writes (the remote holds its graphs).
    iso3, kind = ("XAB", "relations") if path.startswith("/id/") else (None, "partners")
    with Workspace(web_settings) as ws:
        assert response.data == ws.network(iso3, kind, fmt, lang="fr")[0]


@pytest.mark.parametrize("kind", ["sources", "shared-sources", "stages"])
def test_every_network_kind_downloads(client, web_settings, kind):
    response = client.get(f"/id/XAA/network/{kind}.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.json["nodes"]
    with Workspace(web_settings) as ws:
        assert response.data == ws.network("XAA", kind, "json", lang="en")[0]


def _network_data(client, path: str) -> tuple[str, dict]:
    page = html(client.get(path))
    block = re.search(r'<script type="application/json" id="migkg-data">(.*?)</script>', page,
                      re.S).group(1)
    return page, json.loads(block)


def test_network_page_embeds_its_data_as_escaped_json_and_local_links(client):
    page, data = _network_data(client, f"/id/{HOSTILE}/network")
    names = {n["name"] for n in data["nodes"]}
    assert IMG in names and SCRIPT in names
    assert all(n["href"] == "" or n["href"].startswith(f"/id/{HOSTILE}/actor/")
               for n in data["nodes"])
    assert "/assets/network/vis-network.min.js" in page


def test_network_page_asked_again_draws_the_same_view(client):
    """The workspace keeps the view's data with its country: the page's links are added to a
    copy, so the next request gets them too (and no IRI)."""
    first = _network_data(client, "/id/XAA/network?kind=sources")[1]
    again = _network_data(client, "/id/XAA/network?kind=sources")[1]
    assert again == first
    assert any(n["href"].startswith("/id/XAA/actor/") for n in again["nodes"])
    assert not any("iri" in n for n in again["nodes"])


def test_bad_network_options_are_400(client):
    assert client.get("/id/XAA/network?kind=everything").status_code == 400
    assert client.get("/id/XAA/network?metric=size").status_code == 400


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("fmt,media", [("html", "text/html"), ("md", "text/markdown")])
def test_guide_downloads(client, lang, fmt, media):
    response = client.get(f"/id/XAC/guide/{lang}.{fmt}")
    assert response.status_code == 200 and response.mimetype == media
    assert f'filename="guide-XAC-{lang}.{fmt}"' in response.headers["Content-Disposition"]


def test_guide_docx(client):
    docx = client.get("/id/XAC/guide/en.docx")  # with the network drawn as PNG
    assert docx.status_code == 200 and docx.data.startswith(b"PK")
    assert docx.mimetype.endswith("wordprocessingml.document")


def test_guide_pdf(embedded_app):
    """Embedded only: the PDF is drawn from the same guide as the HTML and Markdown downloads
    (test_guide_downloads, both backends), and drawing it takes seconds."""
    with embedded_app.test_client() as c:
        pdf = c.get("/id/XAC/guide/fr.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_compare_csv_is_neutralised_and_translated(client):
    response = client.get("/compare.csv?lang=fr")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.splitlines()[0].startswith("Pays,ISO3,Complétude")
    assert "République de Valdorie,XAA,100" in text


def test_compare_sorts(client):
    page = html(client.get("/compare?sort=completeness"))
    assert page.index("/id/XAA") < page.index("/id/XAC")
    assert client.get("/compare?sort=evil").status_code == 400


def test_query_form_is_built_from_declarations_and_checks_values(client):
    page = html(client.get("/queries/actors"))
    assert 'name="country"' in page and 'required' in page
    assert '<option value="border_management">' in page  # a code parameter is a select
    bad = client.get("/queries/actors?country=X1&run=1")
    assert bad.status_code == 400 and "actors::country" in html(bad)


def test_every_query_form_runs_its_example(client):
    """Each named query's page: its form has a field per declared parameter; run with the
    golden files' first example, its table has as many rows as the API answers."""
    failures = []
    for q in QUERIES:
        params = next(iter(cases(q).values()))
        page = html(client.get(f"/queries/{q.name}"))
        missing = [p.name for p in q.parameters if f'name="{p.name}"' not in page]
        ran = client.get(f"/queries/{q.name}", query_string={**params, "run": "1"})
        api = client.get(f"/api/queries/{q.name}", query_string=params)
        body = html(ran)
        result = body.split('id="result"', 1)[-1]
        rows = result.split("<tbody>", 1)[-1].split("</tbody>", 1)[0].count("<tr>") \
            if "<tbody>" in result else 0
        if missing or ran.status_code != 200 or rows != len(api.json["records"]):
            failures.append((q.name, missing, ran.status_code, rows, len(api.json["records"])))
    assert failures == []


def test_every_vocabulary_page(client):
    schemes = re.findall(r'href="/vocab/([a-z-]+)"', html(client.get("/vocab")))
    assert len(schemes) > 10
    for scheme in schemes:
        page = client.get(f"/vocab/{scheme}?lang=fr")
        assert page.status_code == 200, scheme
        assert html(page).count("<tr") > 1, scheme


def test_vocab_page_shows_both_languages(client):
    page = html(client.get("/vocab/policy-stage?lang=fr"))
    assert "Needs identification" in page and "Identification des besoins" in page


def test_ontology_lists_terms_with_alignments(client):
    page = html(client.get("/ontology"))
    assert "mkg:Challenge" in page and "http://purl.org/dc/terms/Location" in page


def test_assets(client):
    for name, media in (("vis-network.min.js", "text/javascript"),
                        ("vis-network.min.css", "text/css"), ("network.js", "text/javascript")):
        response = client.get(f"/assets/network/{name}")
        assert response.status_code == 200 and response.mimetype == media
        assert b"sourceMappingURL" not in response.data
        response.close()


def test_figures_pages_say_what_each_figure_is(client):
    """A figures node's properties are named by their query's column description (the .rq
    file computing them), not by the column's code; the page names the node and its concept."""
    page = html(client.get("/id/XAA/figures/stage/formulation?lang=fr"))
    assert "<h1>Chiffres par étape · Elaboration</h1>" in page
    assert "Nombre d&#39;acteurs du pays prenant part à l&#39;étape" in page
    assert not re.search(r">\s*actor_count\s*<", page)
    page = html(client.get("/id/XAA/figures?lang=en"))
    assert "Completeness score, 10 points per check met (0-100)" in page
    assert not re.search(r">\s*(completeness|existing_source_count|status)\s*<", page)
