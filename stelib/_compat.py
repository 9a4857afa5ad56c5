"""Deprecation shims for names that moved to the module of their concept (issue 19).

Every moved name is still ``stelib.NAME`` (unchanged); only the old module path, e.g.
``stelib.recurrence.drift_prediction``, goes through a module ``__getattr__`` made here, which
warns once per access and returns the object from its new home.
"""

from __future__ import annotations

import importlib
import warnings


def moved(old: str, homes: dict[str, str]):
    """A module ``__getattr__`` for module ``old``: ``homes`` maps a moved name to its module."""

    def __getattr__(name: str):
        if name not in homes:
            raise AttributeError(f"module {old!r} has no attribute {name!r}")
        warnings.warn(
            f"{old}.{name} moved to {homes[name]}.{name}; use stelib.{name}",
            DeprecationWarning,
            stacklevel=2,
        )
        return getattr(importlib.import_module(homes[name]), name)

    return __getattr__
