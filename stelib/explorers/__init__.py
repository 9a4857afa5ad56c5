"""Chapter explorers, one module per chapter, built on the framework in :mod:`stelib.widgets`.

Re-exported flat from :mod:`stelib` (``sl.optimum_explorer``).
"""

from .optimum import OptimumView, optimum_explorer, optimum_view

__all__ = ["OptimumView", "optimum_view", "optimum_explorer"]
