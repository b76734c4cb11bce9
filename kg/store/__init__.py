"""The store: one interface (Store), two backends, chosen by configuration.

`open_store(settings)` gives the remote backend when `settings.endpoint` is set
(MIGKG_ENDPOINT / --endpoint), otherwise the embedded one in `settings.store_dir`
(MIGKG_STORE / --store).
"""

from __future__ import annotations

from kg.config import Settings
from kg.store.base import SelectResult, Store

__all__ = ["SelectResult", "Store", "open_store"]


def open_store(settings: Settings) -> Store:
    """The configured store, ready to query (the embedded one loads its snapshots now)."""
    if settings.endpoint:
        from kg.store.remote import RemoteStore

        return RemoteStore(
            settings.endpoint,
            update_endpoint=settings.update_endpoint,
            graph_store_endpoint=settings.graph_store_endpoint,
            user=settings.endpoint_user,
            password=settings.endpoint_password,
            lang=settings.lang,
            query_timeout_s=settings.limits.query_timeout_s,
            timeout_param=settings.endpoint_timeout_param,
        )
    from kg.store.embedded import EmbeddedStore

    return EmbeddedStore(settings.store_dir, lang=settings.lang)
