"""Entry point target of the ``inspect_ai`` group: registers every task and the local model."""

from pluralbench.model import local

__all__ = ["local"]
