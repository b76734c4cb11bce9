"""The store: one interface (Store), two backends, chosen by configuration.

`open_store(settings)` gives the remote backend when `settings.endpoint` is set
(MIGKG_ENDPOINT / --endpoint), otherwise the embedded one in `settings.store_dir`
(MIGKG_STORE / --store).
"""

from __future__ import annotations

from kg.config import Settings
from kg.namespaces import DataIRIs
from kg.store.base import SelectResult, Store

__all__ = ["SelectResult", "Store", "open_store"]


def open_store(settings: Settings, *, lazy: bool = False) -> Store:
    """The configured store, ready to query (the embedded one loads its snapshots now, or
    with lazy=True, for writers, on the first query: see kg.store.embedded)."""
    if settings.endpoint:
        from kg.store.remote import RemoteStore

        return RemoteStore(
            settings.endpoint,
            update_endpoint=settings.update_endpoint,
            graph_store_endpoint=settings.graph_store_endpoint,
            user=settings.endpoint_user,
            password=settings.endpoint_password,
            read_timeout_s=settings.remote_read_timeout_s,
            write_timeout_s=settings.remote_write_timeout_s,
            dataset=settings.endpoint_dataset,
            graph_prefix=DataIRIs(settings.base).graph(""),
            lang=settings.lang,
            query_timeout_s=settings.limits.query_timeout_s,
            timeout_param=settings.endpoint_timeout_param,
        )
    from kg.store.embedded import EmbeddedStore

    return EmbeddedStore(settings.store_dir, lang=settings.lang, lazy=lazy)
