"""Views of a graph: a self-contained interactive HTML page and a static SVG/PNG figure.

The HTML page is the project's own Jinja template, autoescaped, with
vis-network's JS and CSS inlined from the copy vendored under vendor/ (no CDN, no
request at all: a Content-Security-Policy allows only the page's own scripts, by hash).
Node and edge data travel as one JSON block with <, > and & escaped, and the
page's script shows every data string as text. pyvis's own template is not
used: it links a CDN in every mode and has three XSS paths.
"""

from __future__ import annotations

import base64
import hashlib
import io
import math
import re
import warnings
from functools import cache
from importlib.resources import files
from pathlib import Path

import jinja2
import networkx as nx
from markupsafe import Markup

from kg import __version__, i18n
from kg.network.build import ACTOR, COUNTRY, SOURCE, STAGE, Vocabulary, split
from kg.network.layout import layout
from kg.network.metrics import DEFAULT_SEED, Metrics, compute, label, ranked

# Above this many nodes the page starts still (precomputed layout, physics off);
# below, it stabilises from the precomputed layout once, then freezes.
PHYSICS_MAX = 300

TYPE_COLOURS: dict[str, str] = {
    "ministry": "#1f77b4",
    "government_agency": "#6baed6",
    "statistics_office": "#ff7f0e",
    "local_authority": "#fdae6b",
    "parliament": "#8c564b",
    "international_organisation": "#2ca02c",
    "regional_organisation": "#98df8a",
    "development_partner": "#d62728",
    "academia_research": "#9467bd",
    "civil_society": "#e377c2",
    "private_sector": "#bcbd22",
    "diaspora_organisation": "#17becf",
    "source": "#7f7f7f",
    "stage": "#393b79",
    "country": "#843c39",
}
UNKNOWN_COLOUR = "#c7c7c7"
RELATION_COLOURS: dict[str, str] = {
    "shares_data_with": "#1f77b4",
    "coordinates": "#ff7f0e",
    "supports": "#2ca02c",
    "funds": "#d62728",
    "member_of": "#9467bd",
    "reports_to": "#8c564b",
    "produces": "#17becf",
    "uses": "#bcbd22",
    "participates_in": "#9e9e9e",
    "supports_country": "#2ca02c",
    "shares_source": "#7f7f7f",
    "part_of": "#555555",
}
SHAPES = {ACTOR: "dot", SOURCE: "square", STAGE: "diamond", COUNTRY: "star"}
SIZE_METRICS = ("betweenness", "degree", "weighted_degree")


VIS_NETWORK_DIR = Path(__file__).resolve().parent / "vendor" / "vis-network"


def vis_asset(name: str) -> str:
    """A vendored vis-network file (vis-network.min.js or .min.css) as text, without its
    source-map comment (it names a file a browser would try to fetch with developer tools
    open). See vendor/vis-network/README.md for the version and licence."""
    if name not in ("vis-network.min.js", "vis-network.min.css"):
        raise ValueError(f"no vendored vis-network file {name!r}")
    # split("\n"), not splitlines(): the minified JS holds other line-break characters
    # inside string literals.
    text = (VIS_NETWORK_DIR / name).read_text(encoding="utf-8")
    return "\n".join(line for line in text.split("\n") if "sourceMappingURL" not in line)


_INJECTED_STYLE = re.compile(r"""A\((?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')\)""")


@cache
def vis_style_hashes() -> tuple[str, ...]:
    """CSP source expressions ('sha256-...') of the <style> elements the vendored vis-network
    injects when it loads (its standalone build carries its own CSS), so a page can allow
    exactly those styles instead of any inline style."""
    import json

    # Each <style> is appended empty, then filled: the empty one is checked too.
    out = [_sha256("")]
    for m in _INJECTED_STYLE.finditer(vis_asset("vis-network.min.js")):
        raw = m.group(1) if m.group(1) is not None else \
            m.group(2).replace("\\'", "'").replace('"', '\\"')
        try:
            text = json.loads(f'"{raw}"')
        except ValueError:
            continue
        if "{" in text and "}" in text and not text.lstrip().startswith(("function", "return")):
            out.append(_sha256(text))
    return tuple(dict.fromkeys(out))


def view_script() -> str:
    """The view's own script (templates/network.js), shared by the HTML file and the web app."""
    return files("kg.network").joinpath("templates/network.js").read_text(encoding="utf-8")


@cache
def _assets() -> tuple[str, str, str]:
    """(vis JS, vis CSS, page JS) with the source-map comment dropped (it names a file
    the page would try to fetch when developer tools are open)."""
    js, css, app = vis_asset("vis-network.min.js"), vis_asset("vis-network.min.css"), view_script()
    for text in (js, css, app):
        if "</script" in text.lower() or "</style" in text.lower():  # pragma: no cover
            raise RuntimeError("bundled asset would close its element early")
    return js, css, app


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("kg.network", "templates"),
        autoescape=True,  # every template, whatever its name
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() \
        + "'"


def _colour(data: dict) -> str:
    kind = data.get("kind")
    code = data.get("type") if kind == ACTOR else kind
    return TYPE_COLOURS.get(str(code), UNKNOWN_COLOUR)


def _kind_label(kind: str, lang: str) -> str:
    return i18n.t(f"network.kind.{kind}", lang)


def _type_label(data: dict, lang: str) -> str:
    kind = data.get("kind", ACTOR)
    if kind != ACTOR:
        return _kind_label(str(kind), lang)
    return str(data.get("type_label") or data.get("type") or i18n.t("network.kind.unknown", lang))


def _labels(codes: str, scheme: str, vocab: Vocabulary) -> str:
    return "; ".join(vocab.label(scheme, c) for c in split(codes))


def _relation_label(code: str, data: dict, lang: str) -> str:
    """A relation's label: the vocabulary's for declared relations, ours for derived links."""
    if code in ("produces", "uses", "participates_in", "supports_country", "shares_source",
                "part_of"):
        return i18n.t(f"network.relation.{code}", lang)
    return str(data.get("relation_label") or code)


def _fmt(value: float) -> str:
    return f"{value:.3f}" if value and value < 1 else f"{value:g}"


def _title(g: nx.Graph, lang: str) -> str:
    kind = g.graph.get("kind", "relations")
    country = g.graph.get("country", "")
    title = i18n.t(f"network.title.{kind}", lang)
    return f"{title} — {country}" if country else title


def payload(g: nx.Graph, metrics: Metrics | None = None, *, lang: str = "en",
            metric: str = "betweenness", vocab: Vocabulary | None = None,
            seed: int = DEFAULT_SEED) -> dict:
    """What the view's script draws (templates/network.js): nodes with positions, colours,
    filter codes and text-only tooltips; edges; legends; filter choices; UI texts.
    Plain JSON-able data; every string is shown as text by the script."""
    vocab = vocab or Vocabulary()
    metrics = metrics or compute(g, seed=seed)
    if metric not in SIZE_METRICS:
        metric = "betweenness"
    pos = layout(g, seed=seed, groups=metrics.communities)
    n = g.number_of_nodes()
    spread = 90.0 * math.sqrt(max(n, 4))
    index = {node: i for i, node in enumerate(g.nodes)}
    t = lambda key: i18n.t(f"network.{key}", lang)  # noqa: E731
    max_between = max(metrics.betweenness.values(), default=0.0) or 1.0
    nodes, legend_codes = [], {}
    for node, data in g.nodes(data=True):
        kind = data.get("kind", ACTOR)
        colour = _colour(data)
        legend_codes.setdefault(str(data.get("type") or "") if kind == ACTOR else str(kind),
                                (_type_label(data, lang), colour))
        x, y = pos.get(node, (0.0, 0.0))
        name = str(data.get("label") or node)
        acronym = str(data.get("acronym") or "")
        between = metrics.betweenness.get(node, 0.0)
        nodes.append({
            "id": index[node], "iri": str(node) if kind == ACTOR else "",
            "name": name, "label": acronym or _short(name),
            "x": round(x * spread, 2), "y": round(-y * spread, 2),
            "shape": SHAPES.get(str(kind), "dot"), "color": colour, "border": "#333333",
            "actor": kind == ACTOR, "type": str(data.get("type") or ""),
            "domains": split(data.get("domains")), "stages": split(data.get("stages")),
            "search": f"{name} {acronym}".lower(),
            "m": {"betweenness": round(between / max_between, 6),
                  "degree": metrics.degree.get(node, 0),
                  "weighted_degree": metrics.weighted_degree.get(node, 0.0)},
            "tip": [
                [t("field.acronym"), acronym],
                [t("field.type"), _type_label(data, lang)],
                [t("field.country"), str(data.get("country") or "")],
                [t("field.domains"), _labels(str(data.get("domains") or ""), "domain", vocab)],
                [t("field.stages"), _labels(str(data.get("stages") or ""), "policy-stage", vocab)],
                [t("metric.degree.label"), str(metrics.degree.get(node, 0))],
                [t("metric.betweenness.label"), _fmt(between)],
                [t("field.community"), str(metrics.community.get(node, ""))],
            ],
        })
    edges, relations = [], {}
    multi = g.is_multigraph()
    edge_iter = g.edges(keys=True, data=True) if multi else (
        (a, b, None, d) for a, b, d in g.edges(data=True))
    for i, (a, b, _key, data) in enumerate(edge_iter):
        code = str(data.get("relation") or "")
        colour = RELATION_COLOURS.get(code, "#999999")
        rel_label = _relation_label(code, data, lang)
        relations.setdefault(code, (rel_label, colour))
        weight = float(data.get("weight", 1) or 1)
        edges.append({
            "id": i, "from": index[a], "to": index[b], "relation": code, "color": colour,
            "width": round(1 + 1.5 * math.log1p(weight - 1), 2) if weight > 1 else 1,
            "dashes": code in ("uses", "part_of"),
            "name": f"{g.nodes[a].get('label', a)} → {g.nodes[b].get('label', b)}",
            "tip": [[t("field.relation"), rel_label],
                    [t("field.weight"), _fmt(weight) if weight != 1 else ""],
                    [t("field.sources"), str(data.get("sources") or "")],
                    [t("field.note"), str(data.get("note") or "")],
                    [t("field.references"), str(data.get("references") or "")]],
        })
    type_codes = _ordered(legend_codes)
    actor_types = {str(d.get("type") or "") for _n, d in g.nodes(data=True)
                   if d.get("kind", ACTOR) == ACTOR}
    filters = {
        "domain": [[c, vocab.label("domain", c)] for c in _present(g, "domains", vocab, "domain")],
        "stage": [[c, vocab.label("policy-stage", c)]
                  for c in _present(g, "stages", vocab, "policy-stage")],
        "type": [[c, legend_codes[c][0]] for c in type_codes if c in actor_types and c],
        "relation": [[c, relations[c][0]] for c in sorted(relations)],
    }
    return {
        "directed": g.is_directed(), "physics": n <= PHYSICS_MAX, "metric": metric,
        "nodes": nodes, "edges": edges,
        "legend": [{"label": legend_codes[c][0], "color": legend_codes[c][1]}
                   for c in type_codes],
        "relations": [{"label": relations[c][0], "color": relations[c][1]}
                      for c in sorted(relations)],
        "filters": filters,
        "ui": {"shown": t("ui.shown"), "found": t("ui.found")},
    }


def html(g: nx.Graph, metrics: Metrics | None = None, *, lang: str = "en",
         metric: str = "betweenness", vocab: Vocabulary | None = None,
         title: str | None = None, seed: int = DEFAULT_SEED) -> str:
    """The interactive view of g as one self-contained HTML page (a str)."""
    vocab = vocab or Vocabulary()
    metrics = metrics or compute(g, seed=seed)
    if metric not in SIZE_METRICS:
        metric = "betweenness"
    data = payload(g, metrics, lang=lang, metric=metric, vocab=vocab, seed=seed)
    filters = data["filters"]
    t = lambda key: i18n.t(f"network.{key}", lang)  # noqa: E731
    vis_js, vis_css, app_js = _assets()
    csp = ("default-src 'none'; "
           f"script-src {_sha256(vis_js)} {_sha256(app_js)}; "
           "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'")
    filter_meta = [{"key": k, "label": t(f"ui.filter_{k}")} for k in filters if filters[k]]
    return _environment().get_template("network.html").render(
        lang=lang, title=title or _title(g, lang), version=__version__, csp=csp,
        vis_js=Markup(vis_js), vis_css=Markup(vis_css), app_js=Markup(app_js),
        data=data, filters=filter_meta, metric=metric,
        metrics=[{"key": m, "label": t(f"metric.{m}.label")} for m in SIZE_METRICS],
        ui={k: t(f"ui.{k}") for k in ("search", "all", "size_by", "legend_types",
                                       "legend_relations", "help")},
    )


def _marker_area(value: float, vmax: float) -> float:
    return 40 + 560 * float(value) / vmax


def _ordered(codes: dict[str, object]) -> list[str]:
    """Type codes in legend order: the known ones as listed in TYPE_COLOURS, then the rest."""
    return [c for c in TYPE_COLOURS if c in codes] + sorted(c for c in codes
                                                            if c not in TYPE_COLOURS)


def _present(g: nx.Graph, attribute: str, vocab: Vocabulary, scheme: str) -> list[str]:
    """Codes of a multi-valued attribute present in g, in vocabulary order, unknown ones last."""
    found = {c for _n, d in g.nodes(data=True) for c in split(d.get(attribute))}
    known = [c for c in vocab.codes(scheme) if c in found]
    return known + sorted(found - set(known))


def _short(name: str, limit: int = 32) -> str:
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "…"


# --- static figure -----------------------------------------------------------------

def _components(g: nx.Graph, nodes: list[str]) -> tuple[list[str], list[list[str]], list[str]]:
    """(the largest connected group, the other groups of two or more, the isolated nodes),
    each in g's node order, groups by size then first node: deterministic."""
    u = g.to_undirected(as_view=False) if g.is_directed() else g
    keep = set(nodes)
    seen: set[str] = set()
    groups: list[list[str]] = []
    for n in nodes:
        if n in seen:
            continue
        found = nx.node_connected_component(u, n) & keep
        seen |= found
        groups.append([m for m in nodes if m in found])
    isolated = [grp[0] for grp in groups if len(grp) == 1]
    linked = sorted((grp for grp in groups if len(grp) > 1), key=lambda grp: -len(grp))
    main = linked[0] if linked else []
    return main, linked[1:], isolated


def figure(g: nx.Graph, metrics: Metrics | None = None, *, fmt: str = "svg", lang: str = "en",
           metric: str = "betweenness", top: int = 10, title: str | None = None,
           seed: int = DEFAULT_SEED) -> bytes:
    """A static picture of g readable on an A4 page (SVG or PNG bytes): the largest connected
    group fills the frame, smaller groups sit in a strip below it, actors with no relation
    are counted in a note (the guide lists them); colour by type, size by metric; the top
    actors by metric carry a number, explained in a key beside the legend, so no label
    overlaps (only actors above zero are numbered). Text stays text (selectable,
    searchable). The same graph gives the same bytes."""
    if fmt not in ("svg", "png"):
        raise ValueError(f"figure format must be svg or png, not {fmt!r}")
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import LineCollection
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    metrics = metrics or compute(g, seed=seed)
    if metric not in SIZE_METRICS:
        metric = "betweenness"
    values = getattr(metrics, metric)
    nodes = list(g.nodes)
    main, others, isolated = _components(g, nodes)
    drawn = main + [n for grp in others for n in grp]
    pos: dict[str, tuple[float, float]] = {}
    if main:
        # Main group in the unit square (y up), filling it.
        pos.update(_fit(layout(g.subgraph(main).copy(), seed=seed), 0.0, 0.0, 1.0, 1.0))
    if others:
        # Smaller groups side by side in a strip under the main one, each in its own cell.
        cells = len(others)
        width = 1.0 / cells
        for i, grp in enumerate(others):
            sub = layout(g.subgraph(grp).copy(), seed=seed)
            pos.update(_fit(sub, i * width + 0.15 * width, -0.2, (i + 1) * width - 0.15 * width,
                            -0.08))
    rc = {"svg.hashsalt": "migkg-network", "svg.fonttype": "none", "text.parse_math": False,
          "text.usetex": False, "font.family": "DejaVu Sans", "path.simplify": True}
    with matplotlib.rc_context(rc), warnings.catch_warnings():
        # A glyph the bundled font lacks is drawn as a box; that is not worth failing a guide.
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        fig = Figure(figsize=(10, 6.6), dpi=100)
        FigureCanvasAgg(fig)
        ax = fig.add_axes((0.005, 0.06, 0.66, 0.86))
        ax.set_axis_off()
        segments, colours, relation_names = [], [], {}
        for a, b, data in g.edges(data=True):
            if a == b or a not in pos or b not in pos:
                continue
            code = str(data.get("relation") or "")
            segments.append([pos[a], pos[b]])
            colours.append(RELATION_COLOURS.get(code, "#999999"))
            relation_names.setdefault(code, _relation_label(code, data, lang))
        if segments:
            ax.add_collection(LineCollection(segments, colors=colours, linewidths=0.9,
                                             alpha=0.6, zorder=1))
        vmax = max(values.values(), default=0) or 1
        groups: dict[str, tuple[str, str, list[str]]] = {}
        for node, data in g.nodes(data=True):
            kind = str(data.get("kind", ACTOR))
            code = str(data.get("type") if kind == ACTOR else kind)
            groups.setdefault(code, (_type_label(data, lang), _colour(data), []))[2].append(node)
        handles = []
        markers = {SOURCE: "s", STAGE: "D", COUNTRY: "*"}
        for code in _ordered(groups):
            lab, colour, members = groups[code]
            shown = [m for m in members if m in pos]
            marker = markers.get(code, "o")
            if shown:
                ax.scatter([pos[m][0] for m in shown], [pos[m][1] for m in shown],
                           s=[_marker_area(values.get(m, 0), vmax) for m in shown], c=colour,
                           marker=marker, edgecolors="#333333", linewidths=0.6, zorder=2)
            handles.append(Line2D([], [], marker=marker, linestyle="", markersize=8,
                                  markerfacecolor=colour, markeredgecolor="#333333",
                                  label=f"{lab} ({len(members)})"))
        # Numbers on the top actors, explained in the key: names never overlap.
        actors = [n for n in drawn if g.nodes[n].get("kind", ACTOR) == ACTOR]
        numbered = ranked({n: float(values.get(n, 0)) for n in actors}, actors, g, top,
                          positive=True)
        key = []
        for i, node in enumerate(numbered, 1):
            x, y = pos[node]
            lift = math.sqrt(_marker_area(values.get(node, 0), vmax)) / 2 + 1
            ax.annotate(str(i), (x, y), xytext=(0, lift), textcoords="offset points",
                        ha="center", va="bottom", fontsize=8, weight="bold", zorder=3,
                        annotation_clip=False,
                        bbox={"boxstyle": "circle,pad=0.15", "fc": "white", "ec": "#333333",
                              "lw": 0.5})
            data = g.nodes[node]
            acronym = str(data.get("acronym") or "")
            name = _short(label(g, node), 44)
            key.append(f"{i}  {acronym} – {name}" if acronym else f"{i}  {name}")
        low = -0.24 if others else -0.04
        ax.set_xlim(-0.04, 1.04)
        ax.set_ylim(low, 1.06)
        fig.text(0.01, 0.985, title or _title(g, lang), fontsize=12, weight="bold",
                 va="top", ha="left")
        notes = [i18n.t("network.figure.note", lang,
                        metric=i18n.t(f"network.metric.{metric}.label", lang), top=top)]
        if isolated:
            notes.append(i18n.t("network.figure.isolated", lang, n=len(isolated)))
        fig.text(0.01, 0.012, " ".join(notes), fontsize=7, color="#555555", va="bottom")
        # Legend and key beside the drawing, in one column.
        y = 0.93
        # Each fig.legend call adds one legend to the figure (adding it again as an artist
        # would draw it twice).
        fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.675, y),
                   fontsize=7.5, frameon=False, alignment="left", title_fontsize=8.5,
                   title=i18n.t("network.ui.legend_types", lang), borderaxespad=0)
        y -= 0.0275 * (len(handles) + 1.5)
        if relation_names:
            fig.legend(handles=[Line2D([], [], color=RELATION_COLOURS.get(c, "#999999"),
                                       linewidth=2, label=relation_names[c])
                                for c in sorted(relation_names)],
                       loc="upper left", bbox_to_anchor=(0.675, y), fontsize=7.5,
                       frameon=False, alignment="left", title_fontsize=8.5,
                       title=i18n.t("network.ui.legend_relations", lang), borderaxespad=0)
            y -= 0.0275 * (len(relation_names) + 1.5)
        if key:
            fig.text(0.675, y, i18n.t("network.figure.key", lang), fontsize=8.5,
                     weight="bold", va="top", ha="left")
            fig.text(0.675, y - 0.03, "\n".join(key), fontsize=7, va="top", ha="left",
                     linespacing=1.35)
        buf = io.BytesIO()
        if fmt == "svg":
            fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": "migkg"},
                        bbox_inches="tight", pad_inches=0.1)
        else:
            fig.savefig(buf, format="png", dpi=150, bbox_inches="tight", pad_inches=0.1,
                        metadata={"Software": f"migkg {__version__}"})
    return buf.getvalue()


def _fit(pos: dict[str, tuple[float, float]], x0: float, y0: float, x1: float, y1: float
         ) -> dict[str, tuple[float, float]]:
    """Positions scaled into the box (x0, y0)-(x1, y1), keeping their aspect, centred."""
    if not pos:
        return {}
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    w, h = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
    scale = min((x1 - x0) / w, (y1 - y0) / h)
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2
    return {n: (mx + (x - cx) * scale, my + (y - cy) * scale) for n, (x, y) in pos.items()}
