"""Persona preferences: the ``persona_preference`` task, its bundled pairs' quality check, and the pair generator."""
