"""Build a country's guide from the store, through the named queries of queries/guide/ only.

No SPARQL is written here and nothing is read from the questionnaire files: a
guide always says what the graph says. The network figure and findings come
from kg.network (itself fed by named queries).
"""

from __future__ import annotations

from kg.errors import Location, NotFound, Problem
from kg.guide.sections import Guide, GuideRows, NetworkPart, guide_from_rows
from kg.i18n import check_lang
from kg.namespaces import ISO3
from kg.query.execute import rows
from kg.store import Store

# Role in the guide -> named query (queries/guide/<name>.rq) and whether it takes `lang`.
QUERIES: dict[str, tuple[str, bool]] = {
    "country": ("guide-country", True),
    "concepts": ("concepts", True),
    "actors": ("guide-actors", True),
    "contacts": ("guide-contacts", False),
    "sources": ("guide-sources", True),
    "practices": ("guide-practices", True),
    "challenges": ("guide-matrix", True),
    "recommendations": ("guide-recommendations", True),
    "process": ("guide-process", False),
    "context": ("guide-context", True),
    "relations": ("guide-relations", False),
    "references": ("guide-references", False),
    "provenance": ("guide-provenance", False),
}
COUNTRIES_QUERY = "guide-countries"


def countries(store: Store) -> list[str]:
    """ISO3 codes of every country in the store, sorted."""
    return sorted({str(r["iso3"]) for r in rows(store, COUNTRIES_QUERY, {}) if r.get("iso3")})


def guide_rows(store: Store, iso3: str, lang: str, include_restricted: bool, *,
               concepts: list[dict] | None = None) -> GuideRows:
    """The rows of every guide query for one country (NotFound if it is not in the store);
    `concepts`: the `concepts` rows in lang when the caller already has them."""
    def params(role: str) -> dict[str, str]:
        name, with_lang = QUERIES[role]
        p = {"lang": lang} if with_lang else {}
        if role != "concepts":
            p["country"] = iso3
        if role == "contacts":
            p["include_restricted"] = "true" if include_restricted else "false"
        return p

    country = rows(store, QUERIES["country"][0], params("country"))
    if not country:
        raise NotFound(Problem(Location("ISO3"), "guide.cli.unknown_country", {"iso3": iso3}))
    found = {"country": country}
    if concepts is not None:
        found["concepts"] = concepts
    for role, (name, _lang) in QUERIES.items():
        if role not in found:
            found[role] = rows(store, name, params(role))
    return GuideRows(**found)


def network_part(store: Store, iso3: str, lang: str, png: bool = True, net=None
                 ) -> NetworkPart | None:
    """The network figure (SVG, and PNG for DOCX) and findings, from kg.network.

    `net` is the country's kg.network.load.CountryNetwork when the caller has it: its
    queries run and its metrics are computed once for the figures and the findings.
    """
    from kg import network
    from kg.network import load

    if net is None:
        net = load.country(store, iso3, lang)
    return NetworkPart(
        svg=network.figure_of(net, "svg"),
        png=network.figure_of(net, "png") if png else b"",
        findings=network.findings_of(net),
    )


def build_guide(store: Store, iso3: str, lang: str = "en", *, include_restricted: bool = False,
                network: bool = True, png: bool = True, data: GuideRows | None = None,
                net=None) -> Guide:
    """The country's guide: every section, the network part unless network=False.

    `data` (guide_rows()) and `net` (a CountryNetwork) are the country's data when the
    caller has already read them (kg.service shares one read between guide and network).
    """
    code, lang = ISO3.parse(iso3), check_lang(lang)
    if data is None:
        data = guide_rows(store, code, lang, include_restricted)
    part = network_part(store, code, lang, png, net) if network else None
    return guide_from_rows(code, lang, data, include_restricted=include_restricted, network=part)
