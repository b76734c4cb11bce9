"""The web app's countries page, through Flask's test client over the demo store."""

from __future__ import annotations

import re

import pytest

from webapp import create_app


@pytest.fixture(scope="module")
def client(demo_store, demo_settings):
    app = create_app(demo_settings)
    app.config["TESTING"] = True
    return app.test_client()


def test_countries_page_lists_every_demo_country_with_counts(client):
    page = client.get("/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for iso3 in ("XAA", "XAB", "XAC"):
        assert iso3 in html
    assert "Republic of Valdoria" in html
    # counts are shown: XAA has 46 actors
    assert ">46<" in html


def test_countries_page_speaks_french(client):
    html = client.get("/?lang=fr").get_data(as_text=True)
    assert '<html lang="fr">' in html
    assert "Pays" in html and "République de Valdorie" in html


def test_unknown_language_falls_back_to_english(client):
    html = client.get("/?lang=xx", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert '<html lang="en">' in html


def test_assets_are_local(client):
    html = client.get("/").get_data(as_text=True)
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    css = client.get("/static/site.css")
    assert css.status_code == 200
    css.close()
