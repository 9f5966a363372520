"""Paths shared by the tests: the repository root and the fixture folder."""

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
