"""Judge agreement: do two critics, or a critic and people, give the same verdicts on the same answers?

Run ``python -m pluralbench.agreement LOG LOG`` (see :mod:`.__main__`); the parts are reusable:
:mod:`.labels` reads raters from logs and human-label files, :mod:`.compare` lines them up and
accounts for every unit, :mod:`.stats` computes agreement and kappa, :mod:`.report` writes them.
"""

from .compare import Comparison, Coverage, comparisons
from .labels import HumanLabel, Rater, UnitLabel, human_raters, log_rater
from .stats import Agreement, LabelTable, agreement

__all__ = [
    "Agreement",
    "Comparison",
    "Coverage",
    "HumanLabel",
    "LabelTable",
    "Rater",
    "UnitLabel",
    "agreement",
    "comparisons",
    "human_raters",
    "log_rater",
]
