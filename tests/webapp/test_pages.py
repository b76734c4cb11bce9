"""Home page, language handling and the shared error path, through Flask's test client."""

from __future__ import annotations

import re

HOSTILE_LINK = re.compile(r"""(src|href|action)=["']?(https?:)?//""")


def text(response) -> str:
    return response.get_data(as_text=True)


def test_home_lists_every_demo_country_with_counts_and_status(client):
    page = client.get("/")
    assert page.status_code == 200
    assert page.mimetype == "text/html"
    html = text(page)
    for iso3 in ("XAA", "XAB", "XAC"):
        assert f'href="/id/{iso3}"' in html
    assert "Republic of Valdoria" in html
    assert 'data-value="46">46<' in html  # XAA's actors
    assert "<meter" in html and "Draft" in html


def test_home_speaks_french_and_remembers_it(client):
    page = client.get("/?lang=fr")
    html = text(page)
    assert '<html lang="fr">' in html
    assert "République de Valdorie" in html and "Complétude" in html
    assert "migkg_lang=fr" in page.headers["Set-Cookie"]
    # The cookie now wins over Accept-Language; ?lang= wins over the cookie.
    again = text(client.get("/", headers={"Accept-Language": "en"}))
    assert '<html lang="fr">' in again
    assert '<html lang="en">' in text(client.get("/?lang=en"))


def test_accept_language_then_english(client):
    assert '<html lang="fr">' in text(client.get("/", headers={"Accept-Language": "fr-FR,fr;q=0.9"}))
    assert '<html lang="en">' in text(client.get("/?lang=xx", headers={"Accept-Language": "de"}))


def test_language_switch_keeps_the_other_arguments(client):
    html = text(client.get("/?lang=en&q=abc"))
    assert 'href="/?q=abc&amp;lang=fr"' in html


def test_assets_are_local(client):
    html = text(client.get("/"))
    assert not HOSTILE_LINK.search(html)
    for asset in ("site.css", "site.js"):
        response = client.get(f"/static/{asset}")
        assert response.status_code == 200
        response.close()


def test_unknown_page_is_a_translated_404_page(client):
    page = client.get("/no/such/page?lang=fr")
    assert page.status_code == 404 and page.mimetype == "text/html"
    html = text(page)
    assert "Introuvable" in html and "Traceback" not in html


def test_errors_under_api_are_json(client):
    page = client.get("/api/no-such-thing")
    assert page.status_code == 404 and page.mimetype == "application/json"
    body = page.get_json()
    assert body["ok"] is False and body["status"] == 404
    assert body["errors"][0]["message"]


def test_unexpected_errors_never_show_a_traceback(embedded_app):
    from webapp import create_app

    app = create_app(embedded_app.config["MIGKG_SETTINGS"])

    @app.route("/boom")
    def boom():
        raise RuntimeError("secret detail")

    with app.test_client() as c:
        page = c.get("/boom")
    assert page.status_code == 500
    html = text(page)
    assert "secret detail" not in html and "Traceback" not in html
    assert "Internal error" in html
