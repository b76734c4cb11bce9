"""The country page's context section (template 1.1: context.csv): background facts, the
policy and legal framework table with its instruments' pages, "not yet documented" when a
country has no context; on both backends."""

from __future__ import annotations

import re

import pytest

from kg.service import Workspace


def test_context_section_lists_the_framework(client, web_settings):
    with Workspace(web_settings) as ws:
        framework = ws.run_query("policy-framework", {"country": "XAA"}, "en").rows
    assert framework
    body = client.get("/id/XAA?lang=en").get_data(as_text=True)
    section = body[body.index('<section id="context"'):body.index('<section id="sources"')]
    assert ">1. Context and policy framework</h2>" in section
    for row in framework:
        path = row["instrument"].removeprefix("https://w3id.org/migkg")
        assert f'<a href="{path}">{row["title"]}</a>' in section
    assert ">2019<" in section and "2,019" not in section  # years are not quantities
    assert "Migration and development" in section and "migration_development" not in section
    assert 'id="context-missing"' not in section
    assert '<a href="#context">' in body and ">2. Data sources</h2>" in body


@pytest.mark.parametrize("lang, text", [
    ("en", "are not yet documented"), ("fr", "ne sont pas encore documentés")])
def test_missing_context_is_said(client, lang, text):
    body = client.get(f"/id/XAC?lang={lang}").get_data(as_text=True)
    section = body[body.index('<section id="context"'):body.index('<section id="sources"')]
    assert 'id="context-missing"' in section and text in section
    gaps = body[body.index('<section id="gaps"'):body.index('<section id="references"')]
    assert text in gaps


def test_every_context_link_opens(client):
    body = client.get("/id/XAA").get_data(as_text=True)
    links = sorted(set(re.findall(r'href="(/id/XAA/context/[^"#]+)"', body)))
    assert len(links) >= 5
    for link in links:
        page = client.get(link)
        assert page.status_code == 200, link
        assert 'href="/id/XAA#context"' in page.get_data(as_text=True)
    assert client.get("/id/XAA/context/npm.ttl").mimetype == "text/turtle"


def test_domain_filter_of_the_country_page_takes_in_sub_domains(client):
    body = client.get("/id/XAA?domain=migration_development").get_data(as_text=True)
    table = body[body.index('id="sources-table"'):body.index("</table>", body.index('id="sources-table"'))]
    assert "/id/XAA/source/remittances-bop" in table  # remittances: under migration_development
    only = client.get("/id/XAA?domain=remittances").get_data(as_text=True)
    rows = only[only.index('id="sources-table"'):only.index("</table>", only.index('id="sources-table"'))]
    assert 1 < rows.count("</tr>") < table.count("</tr>")
