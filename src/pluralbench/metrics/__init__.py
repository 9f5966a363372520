"""Run-level metrics: plain functions for the math and thin ``@metric`` wrappers."""

from pluralbench.metrics.steerability import (
    Observation,
    OriginalScore,
    accuracy_matrix,
    balanced_accuracy,
    balanced_accuracy_score,
    mean_margin,
    observations_of,
    original_score,
    original_steerability_score,
    own_accuracies,
    own_balanced_accuracy,
    persona_interval,
    persona_margins,
    steerability_margin,
)

__all__ = [
    "Observation",
    "OriginalScore",
    "accuracy_matrix",
    "balanced_accuracy",
    "balanced_accuracy_score",
    "mean_margin",
    "observations_of",
    "original_score",
    "original_steerability_score",
    "own_accuracies",
    "own_balanced_accuracy",
    "persona_interval",
    "persona_margins",
    "steerability_margin",
]
