"""Answers a process keeps while the store does not change: a least-recently-used map
bounded by an estimate of the memory its values take, each value kept with the store
fingerprint it was computed at (a value computed at another fingerprint is never returned).

Why by memory and not by count: a dashboard over 100 countries asks about 2,000 small
answers, while one ad-hoc answer can hold 10,000 rows; a count bound either thrashes on
the first or lets the second take hundreds of megabytes.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any

# Bytes a cell takes besides its text (str header, dict slot) and a row takes (its dict),
# measured with tracemalloc on the country page: the estimate is within 20 % of it.
CELL_OVERHEAD = 100
ROW_OVERHEAD = 400


# Rows rows_cost() looks at, at most (evenly spaced; the rest are counted alike): it runs on
# every answer a Workspace keeps, and a cell by cell sum cost 4-5 % of a few-ms query.
COST_SAMPLE = 64


def rows_cost(rows: Iterable[Mapping[str, Any]]) -> int:
    """About how many bytes rows of short values (dicts of str / int / None) take: exact up
    to COST_SAMPLE rows, estimated from COST_SAMPLE evenly spaced rows above."""
    rows = rows if isinstance(rows, Sequence) else list(rows)
    if not rows:
        return 0
    sample = rows[::max(1, len(rows) // COST_SAMPLE)]
    total = 0
    for row in sample:
        total += ROW_OVERHEAD
        for value in row.values():
            total += CELL_OVERHEAD + (len(value) if isinstance(value, str) else 8)
    return total * len(rows) // len(sample)


class Kept:
    """A thread-safe LRU of (fingerprint, value) bounded by `budget` estimated bytes; a
    value costing more than the whole budget is not kept. Budget 0: nothing is kept."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.used = 0
        self._items: OrderedDict[Hashable, tuple[object, Any, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, fingerprint: object) -> Any | None:
        """The value kept under key if it was computed at this fingerprint, else None."""
        with self._lock:
            item = self._items.get(key)
            if item is None or item[0] != fingerprint:
                return None
            self._items.move_to_end(key)
            return item[1]

    def put(self, key: Hashable, fingerprint: object, value: Any, cost: int) -> None:
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self.used -= old[2]
            if cost > self.budget:
                return
            self._items[key] = (fingerprint, value, cost)
            self.used += cost
            while self.used > self.budget:
                _, (_, _, freed) = self._items.popitem(last=False)
                self.used -= freed

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.used = 0

    def __len__(self) -> int:
        return len(self._items)
