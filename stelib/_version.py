"""The version of stelib, in one place (data files record it; ``python -m stelib --version``)."""

__version__ = "0.1.0"
