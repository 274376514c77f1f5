"""Deterministic detectors: each returns spans on the submitted text."""
