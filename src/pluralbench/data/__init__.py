"""Bundled data files (personas, questions, steerability statements, alignment items)."""
