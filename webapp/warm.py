"""Answers ready before visitors ask (`migkg serve --production`).

Each worker, once started, opens the pages visitors open most (the home page, the
comparison, every country's page and network view) in a background thread, through the
app itself, in the configured language first and then the other: their named-query answers
and network views are then in the Workspace's memory (kg.cache) and a visit costs only its
template. It stops when the cache budget (cache_mb) is nearly used, and starts again when
the store changes (an import, a deletion, a restore), the old answers being worthless then:
once the store has not changed for SETTLE_S seconds, so that a series of imports does not
keep a core busy warming answers the next import makes stale (a pass the store changes
under is given up at once).

Why: a country page runs about 20 named queries (50 ms of CPU at 100 countries) and a
network view a layout; kept, the same page costs under 10 ms, so 20 visitors on two cores
no longer wait for each other's queries (benchmarks/webapp.py).
"""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask

from kg import i18n
from kg.service import freeze_loaded_objects

log = logging.getLogger(__name__)

# What share of the cache budget warming may fill, leaving room for what visitors ask.
FILL = 0.8
# Seconds between two looks at the store's fingerprint once everything is warm.
INTERVAL_S = 5.0
# Seconds the store must stay unchanged before warming again after a change.
SETTLE_S = 10.0


def paths(codes: list[str]) -> list[str]:
    """The pages warmed, most visited first."""
    return ["/", "/compare"] + [p for code in codes for p in (f"/id/{code}", f"/id/{code}/network")]


class Warmer:
    """Warms one app's Workspace; `start()` runs it in a daemon thread, `stop()` ends it."""

    def __init__(self, app: Flask, interval_s: float = INTERVAL_S,
                 settle_s: float = SETTLE_S, freeze: bool = False) -> None:
        self.app = app
        self.freeze = freeze  # the answers each pass keeps, out of the collector (serving)
        self.interval_s = interval_s
        self.settle_s = settle_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="migkg-warm", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def warm_once(self) -> int:
        """One pass over the pages (stopped early when the budget is used or the store
        changes); the number of pages opened."""
        ws = self.app.extensions["migkg_workspace"]
        first = ws.settings.lang
        langs = [first] + [lang for lang in i18n.LANGUAGES if lang != first]
        opened = 0
        client = self.app.test_client()
        at = ws.fingerprint()
        for lang in langs:
            for path in paths(ws.country_codes()):
                if (self._stop.is_set() or ws.cache_share() >= FILL
                        or ws.fingerprint() != at):
                    return opened
                client.get(path, query_string={"lang": lang})
                opened += 1
        return opened

    def _run(self) -> None:
        ws = self.app.extensions["migkg_workspace"]
        warmed = seen = None
        since = float("-inf")  # at start: warm at once
        while not self._stop.is_set():
            try:
                now = ws.fingerprint()
                if now != seen:  # a change: wait until the store settles
                    if seen is not None:
                        since = time.monotonic()
                    seen = now
                if now != warmed and time.monotonic() - since >= self.settle_s:
                    self.warm_once()
                    if self.freeze:
                        freeze_loaded_objects()
                    warmed = now  # a change during the pass is seen at the next look
            except Exception:  # never take the worker down; visitors still get their pages
                log.exception("warming the page answers failed; trying again later")
            self._stop.wait(min(self.interval_s, self.settle_s) if seen != warmed
                            else self.interval_s)
