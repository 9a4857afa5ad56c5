"""The built book for the browser tests that sit beside ``test_pages.py``.

``test_pages.py`` keeps its own session fixtures; the other modules use these module-scoped
ones, so that no two Playwright instances are open at the same time (Playwright's sync API
refuses a second one in the same thread) and the book is built at most once for them.
"""

from __future__ import annotations

import functools
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@functools.cache
def built_html() -> Path:
    """``$STELIB_BOOK_HTML`` (set by ``.ci/browser``), else the book built by ``.ci/book``."""
    given = os.environ.get("STELIB_BOOK_HTML")
    if given:
        path = Path(given).resolve()
    else:  # a developer running the test alone: build the book like CI does
        subprocess.run(["bash", str(ROOT / ".ci" / "book")], cwd=ROOT, check=True)
        path = ROOT / "_build" / "html"
    if not (path / "index.html").is_file():
        pytest.fail(f"no built book at {path} (index.html missing)")
    return path
