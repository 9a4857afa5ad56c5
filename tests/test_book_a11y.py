"""Accessibility of the book's sources: alt text on every figure, headings in order.

* Every code cell of a chapter notebook whose output is an image (a figure) carries an alt text
  in its metadata, ``"mystnb": {"image": {"alt": "..."}}`` (or a ``figure`` caption), that says
  what the figure shows (at least :data:`MIN_ALT_WORDS` words). Figures that had none when this
  check was introduced are counted in :data:`MISSING_ALT` per chapter; that count may only fall.
* Every chapter page has one ``#`` title first and no heading level skipped going down (``##``
  then ``####`` is a skip), so screen readers can navigate by headings.

The built pages are audited in the browser as well (``tests/browser/test_a11y.py``: axe-core).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "chapters"
IMAGE_TYPES = ("image/png", "image/svg+xml", "image/jpeg")
MIN_ALT_WORDS = 6
#: Figures without alt text per chapter when this check was introduced: may only fall.
MISSING_ALT = {"finite_samples.ipynb": 0, "recurrence.ipynb": 0, "setup.ipynb": 0,
               "threshold.ipynb": 0}  # fmt: skip

NOTEBOOKS = sorted(p.name for p in CHAPTERS.glob("*.ipynb"))
PAGES = NOTEBOOKS + sorted(p.name for p in CHAPTERS.glob("*.md"))


def figure_cells(notebook: dict) -> list[dict]:
    """The code cells whose outputs hold an image (widget outputs excluded: they have text)."""
    return [
        cell
        for cell in notebook["cells"]
        if cell["cell_type"] == "code"
        and any(t in out.get("data", {}) for out in cell.get("outputs", []) for t in IMAGE_TYPES)
    ]


def alt_text(cell: dict) -> str:
    meta = cell.get("metadata", {}).get("mystnb", {})
    return (meta.get("image", {}).get("alt") or meta.get("figure", {}).get("caption") or "").strip()


def headings(text: str) -> list[int]:
    text = re.sub(r"```.*?```|~~~.*?~~~", "", text, flags=re.S)
    return [len(m) for m in re.findall(r"^(#{1,6})\s", text, re.M)]


def heading_skips(levels: list[int]) -> list[str]:
    problems = []
    if not levels or levels[0] != 1 or levels.count(1) != 1:
        problems.append(f"one '#' title first (levels {levels[:5]}...)")
    problems += [f"h{a} -> h{b}" for a, b in zip(levels, levels[1:], strict=False) if b > a + 1]
    return problems


def page_text(name: str) -> str:
    path = CHAPTERS / name
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        # the page shows the markdown cells, less those the book removes (the jupyterlab-myst
        # macro cell, tagged remove-cell, is for JupyterLab only)
        shown = [
            c
            for c in cells
            if c["cell_type"] == "markdown"
            and "remove-cell" not in c.get("metadata", {}).get("tags", [])
        ]
        return "\n".join("".join(c["source"]) for c in shown)
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_figures_have_alt_text(name):
    cells = figure_cells(json.loads((CHAPTERS / name).read_text(encoding="utf-8")))
    short = [a for a in map(alt_text, cells) if a and len(a.split()) < MIN_ALT_WORDS]
    assert not short, f"{name}: alt texts too short to say what the figure shows: {short}"
    missing = sum(not alt_text(c) for c in cells)
    allowed = MISSING_ALT.get(name, 0)
    assert missing <= allowed, (
        f"{name}: {missing} figures without alt text (allowed {allowed}): add "
        '"mystnb": {"image": {"alt": "..."}} to the cell metadata'
    )
    assert missing >= allowed, f"{name}: {missing} figures lack alt text: lower MISSING_ALT"


@pytest.mark.parametrize("name", PAGES)
def test_headings_in_order(name):
    assert not heading_skips(headings(page_text(name))), (
        f"{name}: {heading_skips(headings(page_text(name)))}"
    )


def test_heading_rule():
    assert heading_skips([1, 2, 3, 2, 3]) == []
    assert heading_skips([1, 2, 4]) == ["h2 -> h4"]
    assert heading_skips([2, 3]) and heading_skips([1, 2, 1])


def test_figure_rule():
    nb = {"cells": [
        {"cell_type": "code", "metadata": {}, "outputs": [{"data": {"image/png": ""}}]},
        {"cell_type": "code", "metadata": {"mystnb": {"image": {"alt": "a b c d e f"}}},
         "outputs": [{"data": {"image/png": "", "text/plain": ""}}]},
        {"cell_type": "code", "metadata": {}, "outputs": [{"data": {"text/plain": "1"}}]},
    ]}  # fmt: skip
    cells = figure_cells(nb)
    assert len(cells) == 2 and [alt_text(c) for c in cells] == ["", "a b c d e f"]
