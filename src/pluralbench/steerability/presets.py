"""The steerability task's presets (``-T preset=original|smoke``), kept in one place.

To add a preset, add one entry to :data:`PRESETS` and its name to the task's ``preset`` annotation.
"""

from __future__ import annotations

from pluralbench._presets import Preset

PRESETS: dict[str, Preset] = {
    "original": Preset(
        # plastic-labs/steerability-eval configs/config_template.json (the 40-persona run) and the
        # defaults of its EvalConfig, StatementsDataset and FewShotSteerable (temperature 0.0).
        options={
            "personas": 40,
            "split": "original",
            "seed": 42,
            "n_steer": 4,
            "cross": "all",
            "statements": "all",
            "include_label": True,
            "statements_per_call": 1,
            "shared_statements": "keep",
        },
        temperature=0.0,
        comparable="original_score is computed on the full matrix, as the published 0.80-0.946",
    ),
    "smoke": Preset(
        # A run of about a minute on the local model in which every headline is defined: each of
        # 4 personas is tested on its own statements and one other persona's, 8 per cell, half
        # agree and half disagree (so balanced accuracy and the margin exist in every cell).
        options={"personas": 4, "cross": 1, "statements": 8, "n_steer": 4, "statements_per_call": 1},
        comparable="a pipeline check: no number of a smoke run is comparable with anything",
    ),
}
