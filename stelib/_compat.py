"""Deprecation shims: names that moved to the module of their concept (issue 19), and renamed
keywords (issue 11).

Every moved name is still ``stelib.NAME`` (unchanged); only the old module path, e.g.
``stelib.recurrence.drift_prediction``, goes through a module ``__getattr__`` made here, which
warns once per access and returns the object from its new home.
"""

from __future__ import annotations

import functools
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


def renamed_keyword(old: str, new: str):
    """A decorator: the keyword ``old`` of the function still works, as ``new``, with a warning.

    For a public parameter renamed to the book's symbol (issue 11, item 12): ``f(old=x)`` calls
    ``f(new=x)`` and warns once per call with a ``DeprecationWarning``; passing both is a
    ``TypeError``. The signature shown (``inspect.signature``, the reference page) is the
    new one.
    """

    def decorate(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            if old in kwargs:
                if new in kwargs:
                    raise TypeError(
                        f"{func.__name__}() got both {new!r} and its old name {old!r}; "
                        f"pass {new!r}."
                    )
                warnings.warn(
                    f"{func.__name__}({old}=...) is deprecated; the argument is now {new!r}",
                    DeprecationWarning,
                    stacklevel=2,
                )
                kwargs[new] = kwargs.pop(old)
            return func(*args, **kwargs)

        return wrapper

    return decorate
