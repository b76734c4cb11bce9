"""Migration data actors knowledge graph: ingest, validate, store, query, network, guide."""

__version__ = "0.1.0"
