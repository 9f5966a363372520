"""Alignment targets: choose the response nearest a numeric target over attributes."""
