"""`migkg site -o DIR`: the public web app as static files, for a portal or a file share.

The app renders every page through its test client (no server, no network); a crawl from
the home page, the documentation pages, the query catalogue, the catalogue files and every
country's guides and exports follows each internal link. Each answer becomes a file:

- an HTML page at PATH/index.html (PATH/index.lang-fr.html for `?lang=fr`): a page and
  the pages under it (/id/XAA and /id/XAA/network, an import's file/actors.csv and
  file/actors.csv/row/10) both fit; unless PATH ends in .html (/id/XAA/guide/en.html);
- anything else with an extension at that path (/catalog.ttl, /id/XAA/guide/en.pdf), the
  query string before the extension (compare.lang-fr.csv);
- anything else with an extension from its type (/api/queries -> api/queries.json).

Links, sources and form actions in the pages are rewritten to relative paths, so the
site works from file:// and under any sub-path; in a page in one language (?lang=fr), a
link goes to the same language's copy of its target when there is one (the app keeps the
language in a cookie, a static site in its links). What a static site cannot answer (the
SPARQL endpoint and editor, search, the probes, anything that is not 200) loses its link:
the text stays, the href goes. Same store, same bytes: nothing depends on the time or
the order of the crawl, nor on the store's backend. A page answering 5xx (the store
unreachable or failing: 503) stops the build before any file is written.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections import deque
from dataclasses import dataclass, field
from html import escape as html_escape
from html import unescape as html_unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from kg import i18n
from kg.config import Settings
from kg.errors import MigkgError, StoreError

# Routes a static copy cannot serve: their links lose their href.
DYNAMIC = ("/sparql", "/query", "/search", "/healthz", "/readyz", "/admin")
DYNAMIC_RE = re.compile(r"^/id/[^/]+/guide/(diff|preview)$")
EXTENSIONS = {"application/json": ".json", "text/csv": ".csv", "text/turtle": ".ttl",
              "application/ld+json": ".jsonld", "application/n-triples": ".nt",
              "text/markdown": ".md", "application/pdf": ".pdf", "text/plain": ".txt",
              "application/trig": ".trig", "application/xml": ".xml", "image/png": ".png",
              "image/svg+xml": ".svg", "text/css": ".css", "text/javascript": ".js",
              "application/javascript": ".js", "application/sparql-results+json": ".json"}
LINK_ATTRS = {"href", "src", "action"}
# Attribute values in a page: name="value" (the app's templates always quote with ").
ATTR_RE = re.compile(r'(?P<name>\b(?:href|src|action))="(?P<value>[^"]*)"')
GUIDE_FORMATS = ("html", "md", "docx", "pdf")


@dataclass
class SiteReport:
    folder: Path
    pages: int = 0
    files: int = 0
    bytes: int = 0
    dropped: list[str] = field(default_factory=list)  # internal links a static site cannot serve


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.links += [v for k, v in attrs if k in LINK_ATTRS and v]


OUTSIDE_RE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//|#)", re.I)


def internal_links(html: str, base: str) -> list[str]:
    """The links of a page at `base` (href, src, form action) into the site, as paths."""
    parser = _Links()
    parser.feed(html)
    return [urljoin(base, link) for link in parser.links if not OUTSIDE_RE.match(link)]


def _key(url: str) -> str:
    """One spelling per page: the path and the sorted query, without the fragment."""
    parts = urlsplit(url)
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return parts.path + (f"?{query}" if query else "")


def _dynamic(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in DYNAMIC) or bool(
        DYNAMIC_RE.match(path))


def _slug(query: str) -> str:
    text = re.sub(r"[^A-Za-z0-9_.-]+", "-", query.replace("=", "-")).strip("-")
    if len(text) > 60:  # long parameter values: a short stable digest instead
        text = text[:40] + "-" + hashlib.sha256(query.encode()).hexdigest()[:12]
    return text


def file_for(key: str, content_type: str) -> str:
    """The site-relative file of one answer (see the module's docstring)."""
    parts = urlsplit(key)
    path = parts.path.strip("/")
    slug = _slug(parts.query) if parts.query else ""
    mime = content_type.split(";")[0].strip()
    stem, ext = posixpath.splitext(path)
    if mime == "text/html" and ext != ".html":  # a page (an IRI may end in .csv: a folder)
        return posixpath.join(path, f"index.{slug}.html" if slug else "index.html")
    if not ext or "/" in ext:  # no extension of its own: one from the type
        stem, ext = path, EXTENSIONS.get(mime, ".bin")
    return f"{stem}.{slug}{ext}" if slug else f"{stem}{ext}"


def _json(client, url: str):
    response = client.get(url)
    try:
        return response.get_json(silent=True)
    finally:
        response.close()


def seeds(client) -> list[str]:
    """Where the crawl starts: every page a portal would link to, every guide and export."""
    urls = ["/", "/compare", "/compare.csv", "/ontology", "/vocab", "/queries",
            "/network/partners", "/catalog.ttl", "/catalog.jsonld", "/api/queries",
            "/api/openapi.json", "/questionnaire/template.xlsx"]
    answer = _json(client, "/api/queries/guide-countries") or {}
    iso3s = sorted({b["iso3"]["value"] for b in answer.get("results", {}).get("bindings", [])
                    if "iso3" in b})
    for iso3 in iso3s:
        urls += [f"/id/{iso3}", f"/id/{iso3}/network", f"/id/{iso3}/guide",
                 f"/id/{iso3}.ttl", f"/id/{iso3}.jsonld"]
        urls += [f"/id/{iso3}/guide/{lang}.{fmt}" for lang in ("en", "fr")
                 for fmt in GUIDE_FORMATS]
    # The query catalogue with precomputed answers for the demo parameters: each query's
    # page run for the first country, or with its defaults when it needs no parameter
    # (queries needing another value, an actor or a text, keep their form only).
    catalogue = _json(client, "/api/queries") or []
    for entry in catalogue:
        name = entry.get("name")
        params = {p.get("name") for p in entry.get("parameters", [])}
        required = {p.get("name") for p in entry.get("parameters", []) if p.get("required")}
        urls.append(f"/queries/{name}")
        if "country" in params and iso3s and required <= {"country"}:
            urls += [f"/queries/{name}?country={iso3s[0]}&run=1",
                     f"/api/queries/{name}?country={iso3s[0]}"]
        elif not required:
            urls += [f"/queries/{name}?run=1", f"/api/queries/{name}"]
    return urls


def build_site(settings: Settings, folder: Path) -> SiteReport:
    """Render the public site into folder (created; files of an older build replaced)."""
    from webapp import create_app

    app = create_app(settings)
    client = app.test_client(use_cookies=False)  # each page in its own language, no cookie
    answers: dict[str, tuple[str, bytes]] = {}  # key -> (content type, body)
    failed: set[str] = set()
    queue = deque(_key(u) for u in seeds(client))
    seen = set(queue)
    while queue:
        key = queue.popleft()
        response = client.get(key, headers={"Accept": "text/html,*/*;q=0.1"})
        body = response.get_data()
        response.close()
        if response.status_code >= 500:
            # The store failed (503) or a page did: stop before any file is written, rather
            # than leave a site with the pages that happened to answer.
            error = StoreError if response.status_code == 503 else MigkgError
            raise error(i18n.t("site.page_failed", settings.lang, page=key,
                               status=response.status_code))
        if response.status_code != 200:
            failed.add(key)
            continue
        answers[key] = (response.content_type or "application/octet-stream", body)
        if response.mimetype == "text/html":
            for link in internal_links(body.decode("utf-8"), key):
                target = _key(link)
                if target not in seen and not _dynamic(urlsplit(target).path):
                    seen.add(target)
                    queue.append(target)
    files = {key: file_for(key, ctype) for key, (ctype, _) in answers.items()}
    report = SiteReport(folder=folder)
    dropped: set[str] = set()
    for key, (ctype, body) in sorted(answers.items()):
        name = files[key]
        if ctype.startswith("text/html"):
            body = _rewrite(body.decode("utf-8"), key, name, files, dropped).encode("utf-8")
            report.pages += 1
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
        report.files += 1
        report.bytes += len(body)
    report.dropped = sorted(dropped | failed)
    return report


def _rewrite(html: str, key: str, name: str, files: dict[str, str], dropped: set[str]) -> str:
    here = posixpath.dirname(name) or "."
    lang = dict(parse_qsl(urlsplit(key).query)).get("lang", "")

    def relative(match: re.Match) -> str:
        attr, value = match.group("name"), match.group("value")
        value = html_unescape(value)
        if OUTSIDE_RE.match(value) or value == "":
            return match.group(0)
        link, _, fragment = urljoin(key, value).partition("#")
        target = files.get(_key(link))
        if lang and "lang=" not in link:  # stay in the page's language where there is a copy
            target = files.get(_key(f"{link}{'&' if '?' in link else '?'}lang={lang}"), target)
        if target is None:
            dropped.add(_key(link))
            return f'data-{attr}-dropped=""' if attr != "action" else ""
        rel = posixpath.relpath(target, here)
        return f'{attr}="{html_escape(rel)}{"#" + html_escape(fragment) if fragment else ""}"'

    return ATTR_RE.sub(relative, html)
