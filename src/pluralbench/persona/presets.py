"""The PERSONA tasks' smoke presets (``-T preset=smoke``), kept in one place.

Each is a run of a few minutes on the local model in which the task's headline is defined: at
least two personas (or groups), and for the leave-one-out, intersectionality and pass@k tasks at
least one importance, a gap between two groups and attempts beyond the first. Their numbers are
comparable with nothing.
"""

from __future__ import annotations

from pluralbench._presets import Preset

SMOKE_NOTE = "a pipeline check: no number of a smoke run is comparable with anything"

PERSONA_PRESETS = {"smoke": Preset(options={"n": 4}, comparable=SMOKE_NOTE)}
"""4 (persona, question) pairs: 8 calls."""

LOO_PRESETS = {"smoke": Preset(options={"n": 2, "attributes": "religion"}, comparable=SMOKE_NOTE)}
"""2 pairs, each with the full persona, without religion and with every listed attribute hidden: 6 samples."""

INTERSECTIONALITY_PRESETS = {"smoke": Preset(options={"n_per_group": 1, "min_n": 1}, comparable=SMOKE_NOTE)}
"""One pair per default group (sex x age bands), every group in the gap."""

PASS_AT_K_PRESETS = {"smoke": Preset(options={"n": 2, "k": 2}, comparable=SMOKE_NOTE)}
"""2 pairs, 2 attempts each: pass@1 and pass@2."""

GROUP_PRESETS = {"smoke": Preset(options={"n": 2, "m": 2}, comparable=SMOKE_NOTE)}
"""2 groups of 2 people: 2 answers, 4 judgements."""

PREFERENCE_PRESETS = {"smoke": Preset(options={"n": 4}, comparable=SMOKE_NOTE)}
"""4 bundled pairs, each asked in both orders: 8 samples."""
