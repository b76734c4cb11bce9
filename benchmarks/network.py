"""Actor-network benchmarks (issue 11): not timed tests, a report of measured figures.

    .venv/bin/python benchmarks/network.py [--no-browser] [--exact-10k]

Graphs are generated directly as query-result rows (the shape kg.query gives),
so the store plays no part. Targets:
  1. build + every metric for a 300-actor country                      < 2 s
  2. a 2,000-node HTML view written                                    < 1 s
     and drawn in headless Chromium                                    < 3 s
  3. the cross-country graph of 100 countries (10k+ nodes), all metrics
     (Louvain, sampled betweenness)                                    < 10 s
     with the sampling error measured against exact betweenness on a smaller graph.
Exit code 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import networkx as nx  # noqa: E402

from kg.network import build, export, metrics, render  # noqa: E402
from kg.network.build import PARTNER_TYPES  # noqa: E402

TYPES = ("ministry", "government_agency", "statistics_office", "local_authority", "parliament",
         "international_organisation", "regional_organisation", "development_partner",
         "academia_research", "civil_society", "private_sector", "diaspora_organisation")
TYPE_WEIGHTS = (12, 30, 4, 8, 2, 5, 2, 4, 8, 12, 8, 5)
DOMAINS = ("trends", "border_management", "crisis_migration", "migration_development",
           "labour_migration", "diaspora", "asylum_protection", "trafficking_smuggling",
           "return_reintegration", "remittances")
STAGES = ("needs_identification", "formulation", "decision", "implementation",
          "monitoring_evaluation", "reformulation")
RELATIONS = ("shares_data_with", "coordinates", "supports", "funds", "member_of", "reports_to")
# Partners common to many countries (merged across countries by acronym).
GLOBAL_PARTNERS = [f"P{i:02d}" for i in range(40)]


def country_rows(iso3: str, n_actors: int, seed: int) -> dict[str, Any]:
    """actors, relations, source links and partner rows of one synthetic country.

    Actors cluster around ministries (their agencies, who report to them and share data
    among themselves), with a few cross-cluster links, a statistics office that many
    share data with, some isolates, and partners that support several actors.
    """
    rnd = random.Random(seed)
    base = f"https://w3id.org/migkg/id/{iso3}/"
    actors, relations, links, partners = [], [], [], []
    ids = [f"{base}actor/a{i}" for i in range(n_actors)]
    types = rnd.choices(TYPES, TYPE_WEIGHTS, k=n_actors)
    types[0] = "statistics_office"
    clusters = max(2, n_actors // 12)
    cluster = [rnd.randrange(clusters) for _ in ids]
    for i, iri in enumerate(ids):
        acronym = rnd.choice(GLOBAL_PARTNERS) if types[i] in PARTNER_TYPES else f"A{i}"
        actors.append({
            "actor": iri, "label": f"{iso3} actor {i} ({types[i]})", "acronym": acronym,
            "type": types[i], "country": iso3,
            "domains": "; ".join(sorted(rnd.sample(DOMAINS, rnd.randint(1, 3)))),
            "stages": "; ".join(sorted(rnd.sample(STAGES, rnd.randint(0, 3)))),
        })
    seen = set()

    def relate(s: int, code: str, o: int) -> None:
        if s != o and (s, code, o) not in seen:
            seen.add((s, code, o))
            relations.append({"relation": f"{base}relation/{s}--{code}--{o}",
                              "subject": ids[s], "relation_type": code, "object": ids[o],
                              "note": "", "references": ""})

    by_cluster: dict[int, list[int]] = {}
    for i, c in enumerate(cluster):
        by_cluster.setdefault(c, []).append(i)
    isolated = set(rnd.sample(range(1, n_actors), max(1, n_actors // 25)))
    for members in by_cluster.values():
        members = [m for m in members if m not in isolated]
        if not members:
            continue
        head = members[0]
        for m in members[1:]:
            relate(m, "reports_to", head)
            if rnd.random() < 0.5:
                relate(m, "shares_data_with", rnd.choice(members))
        relate(head, "shares_data_with", 0)
    for _ in range(n_actors // 6):  # cross-cluster links
        a, b = rnd.sample(range(n_actors), 2)
        if a not in isolated and b not in isolated:
            relate(a, rnd.choice(RELATIONS), b)
    for i in range(n_actors):
        if types[i] in PARTNER_TYPES:
            partners.append({"partner": ids[i], "label": actors[i]["label"],
                             "acronym": actors[i]["acronym"], "type": types[i],
                             "country": iso3, "country_label": f"Country {iso3}",
                             "relation_count": sum(1 for r in relations
                                                   if r["subject"] == ids[i])})
            for _ in range(3):
                relate(i, rnd.choice(("supports", "funds")), rnd.randrange(n_actors))
    for s in range(n_actors // 3):
        src = f"{base}source/s{s}"
        producer = rnd.randrange(n_actors)
        links.append({"source": src, "source_label": f"Source {s}", "kind": "census",
                      "status": "existing", "domains": "trends", "actor": ids[producer],
                      "link": "produces"})
        for user in rnd.sample(range(n_actors), rnd.choice((0, 1, 2, 3, 4))):
            links.append({"source": src, "source_label": f"Source {s}", "kind": "census",
                          "status": "existing", "domains": "trends", "actor": ids[user],
                          "link": "uses"})
    return {"actors": actors, "relations": relations, "links": links, "partners": partners,
            "iso3": iso3}


def vocab() -> build.Vocabulary:
    rows = [{"scheme": "policy-stage", "code": c, "label": c, "position": i}
            for i, c in enumerate(STAGES)]
    rows += [{"scheme": "domain", "code": c, "label": c, "position": i}
             for i, c in enumerate(DOMAINS)]
    rows += [{"scheme": "actor-type", "code": c, "label": c, "position": i}
             for i, c in enumerate(TYPES)]
    return build.Vocabulary.from_rows(rows)


def timed(fn, repeat: int = 3):
    """(best seconds, last result) over `repeat` runs."""
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def country_build_and_metrics(rows: dict[str, Any], v: build.Vocabulary) -> object:
    g = build.relation_graph(rows["actors"], rows["relations"], v, country="XAA")
    s = build.source_graph(rows["actors"], rows["links"], v, country="XAA")
    shared = build.shared_source_graph(s)
    stages = build.stage_graph(rows["actors"], v, country="XAA")
    out = metrics.summary(g, s, v, "en")  # computes every metric of the relations graph
    metrics.compute(shared)
    metrics.compute(stages)
    return out


def draw_in_chromium(path: Path) -> float:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto("about:blank")
        t0 = time.perf_counter()
        page.goto(path.as_uri())
        page.wait_for_selector("body[data-ready='1']", state="attached", timeout=60_000)
        elapsed = time.perf_counter() - t0
        drawn = page.get_attribute("body", "data-nodes-drawn")
        browser.close()
    if errors:
        raise RuntimeError(f"page errors: {errors}")
    print(f"    nodes drawn: {drawn}")
    return elapsed


def _error(exact: dict, est: dict) -> str:
    top = sorted(exact, key=exact.get, reverse=True)[:20]
    found = set(top) & set(sorted(est, key=est.get, reverse=True)[:20])
    rel = [abs(est[x] - exact[x]) / exact[x] for x in top if exact[x] > 0]
    return (f"top-20 brokers found {len(found)}/20, median relative error on them "
            f"{statistics.median(rel):.1%}, max absolute error "
            f"{max(abs(est[x] - exact[x]) for x in exact):.4f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium timing")
    parser.add_argument("--exact-10k", action="store_true",
                        help="also measure the sampling error on the 10k graph (minutes)")
    args = parser.parse_args()
    v = vocab()
    failures: list[str] = []

    def check(name: str, seconds: float, target: float) -> None:
        ok = seconds < target
        print(f"  {name}: {seconds:.3f} s (target < {target} s) {'ok' if ok else 'MISSED'}")
        if not ok:
            failures.append(name)

    print("1. one country, 300 actors")
    rows = country_rows("XAA", 300, seed=1)
    print(f"    {len(rows['relations'])} relations, {len(rows['links'])} actor-source links")
    seconds, _ = timed(lambda: country_build_and_metrics(rows, v))
    check("build 4 graphs + all metrics + summary", seconds, 2.0)
    g = build.relation_graph(rows["actors"], rows["relations"], v, country="XAA")
    m = metrics.compute(g)
    seconds, _ = timed(lambda: render.figure(g, m, fmt="svg"))
    print(f"    static SVG figure: {seconds:.3f} s")
    seconds, _ = timed(lambda: [export.export(g, f, m) for f in export.FORMATS])
    print(f"    GraphML + GEXF + JSON + CSV exports: {seconds:.3f} s")

    print("2. HTML view of 2,000 nodes")
    rows = country_rows("XAB", 2000, seed=2)
    g = build.relation_graph(rows["actors"], rows["relations"], v, country="XAB")
    print(f"    {g.number_of_nodes()} nodes, {g.number_of_edges()} edges")
    seconds_m, m = timed(lambda: metrics.compute(g), repeat=1)
    print(f"    metrics first: {seconds_m:.3f} s (betweenness from "
          f"{m.betweenness_samples or 'all'} sources)")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "view.html"

        def write() -> int:
            return path.write_text(render.html(g, m, lang="en", vocab=v), encoding="utf-8")

        seconds, size = timed(write)
        check(f"HTML written ({size / 1e6:.1f} MB, layout included)", seconds, 1.0)
        if not args.no_browser and os.path.exists("/usr/bin/chromium"):
            check("drawn in headless Chromium (load to first frame)", draw_in_chromium(path), 3.0)

    print("3. cross-country graph, 100 countries")
    graphs, partner_rows = [], []
    for i in range(100):
        r = country_rows(f"Q{chr(65 + i // 26)}{chr(65 + i % 26)}", 115, seed=100 + i)
        graphs.append(build.relation_graph(r["actors"], r["relations"], v, country=r["iso3"]))
        partner_rows += r["partners"]
    t0 = time.perf_counter()
    partners = build.partners_graph(partner_rows, v)
    union = build.union_graph(graphs)
    t_build = time.perf_counter() - t0
    print(f"    union: {union.number_of_nodes()} nodes, {union.number_of_edges()} edges "
          f"(built in {t_build:.2f} s); partners graph: {partners.number_of_nodes()} nodes")
    seconds, mu = timed(lambda: metrics.compute(union), repeat=1)
    print(f"    betweenness sampled from {mu.betweenness_samples} sources; "
          f"{sum(1 for c in mu.communities if len(c) > 1)} communities; "
          f"{len(mu.articulation_points)} articulation points; {len(mu.bridges)} bridges")
    check("all metrics (degree, Louvain, sampled betweenness, cut points, bridges)",
          seconds, 10.0)
    seconds, _ = timed(lambda: metrics.compute(partners), repeat=1)
    print(f"    partners graph metrics: {seconds:.3f} s")

    print("   sampling error against exact betweenness, on 20 countries")
    small = build.union_graph(graphs[:20])
    n = small.number_of_nodes()
    t0 = time.perf_counter()
    exact = metrics.compute(small, betweenness_samples=n).betweenness
    t_exact = time.perf_counter() - t0
    for k in sorted({100, mu.betweenness_samples or 100, 300}):
        t0 = time.perf_counter()
        est = metrics.compute(small, betweenness_samples=k).betweenness
        t_k = time.perf_counter() - t0
        print(f"    {n} nodes, k={k}: {_error(exact, est)} ({t_k:.2f} s; exact {t_exact:.2f} s)")
    if args.exact_10k:
        print("   sampling error on the 100-country graph itself (exact: minutes)")
        t0 = time.perf_counter()
        exact = nx.betweenness_centrality(metrics.undirected(union))
        print(f"    exact: {time.perf_counter() - t0:.0f} s; k={mu.betweenness_samples}: "
              f"{_error(exact, mu.betweenness)}")
    print("all targets met" if not failures else f"MISSED: {', '.join(failures)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
