"""Offline voice assistant that runs a back-pain triage (not a diagnosis)."""

__version__ = "0.1.0"
