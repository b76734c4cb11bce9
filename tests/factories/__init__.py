"""Synthetic data shared by the tests and the benchmarks, in one place.

    synthetic       ~10k-triple country graphs shaped like the importer's output
    questionnaires  valid questionnaires in the template's CSV format
    shapes          the SHACL fixtures of tests/shapes/ as triples

Benchmarks import from here (never from a test module), tests never from benchmarks/.
Everything is deterministic for given arguments.
"""
