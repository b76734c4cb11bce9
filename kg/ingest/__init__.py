"""Reading questionnaires: CSV folders, zips and workbooks -> checked tables -> RDF (mapping)."""

from kg.ingest.readers import read_questionnaire

__all__ = ["read_questionnaire"]
