"""Chapter explorers, one module per chapter, built on the framework in :mod:`stelib.widgets`.

``inputs``: chapter "Beyond Gaussian data".
"""

from .inputs import InputsView, inputs_explorer, inputs_view

__all__ = ["InputsView", "inputs_view", "inputs_explorer"]
