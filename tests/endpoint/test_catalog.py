"""/catalog.ttl, /catalog.jsonld and `migkg catalog`: the same DCAT-AP 3.0.1 document, valid
against SEMIC's official shapes (zero violations), on both backends."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from tests.catalog.test_dcat_ap import violations
from tests.conftest import run_migkg


@pytest.mark.parametrize("path, media, fmt", [
    ("/catalog.ttl", "text/turtle", ox.RdfFormat.TURTLE),
    ("/catalog.jsonld", "application/ld+json", ox.RdfFormat.JSON_LD),
])
def test_served_catalogue_has_zero_violations(client, path, media, fmt):
    response = client.get(path)
    assert response.status_code == 200 and response.mimetype == media
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert violations(response.data, fmt) == []
    triples = list(ox.parse(response.data, format=fmt))
    datasets = {t.subject for t in triples
                if t.predicate.value.endswith("#type") and t.object.value.endswith("dcat#Dataset")}
    assert len(datasets) > 10


@pytest.mark.parametrize("fmt", ["ttl", "jsonld"])
def test_cli_writes_the_same_document(client, web_settings, tmp_path, fmt):
    out = tmp_path / f"catalog.{fmt}"
    result = run_migkg(web_settings, "catalog", "--format", fmt, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == client.get(f"/catalog.{fmt}").data


def test_cli_to_stdout_and_bad_format(web_settings):
    result = run_migkg(web_settings, "catalog")
    assert result.exit_code == 0 and "dcat:Catalog" in result.stdout
    bad = run_migkg(web_settings, "catalog", "--format", "xml")
    assert bad.exit_code == 2
