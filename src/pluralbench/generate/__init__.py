"""Dataset generators with a model: ``python -m pluralbench.generate COMMAND [options]``.

Each command lives in its task family (``COMMANDS`` in :mod:`pluralbench.generate.__main__`);
this package only dispatches and holds the shared command-line conventions (:mod:`._cli`).
"""
