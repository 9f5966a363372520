"""Scorers: debate critic, persona identification, steerability, alignment targets."""
