"""Numbers typed by hand in the book's prose: none may be added.

A number that the prose states should come from the notebook's own output, glued with
``sl.glue(name, value, fmt=...)`` and written ``{glue:text}`name``` in Markdown, so a changed data
file changes the text and nbval checks it. This test lists the numbers typed by hand in the
Markdown cells of the chapter notebooks and in the ``.md`` pages of ``chapters/`` and fails when
one appears that is neither an allowed constant (:data:`ALLOWED`) nor in the recorded baseline
(``tests/book_numbers_baseline.json``, the hand-typed numbers the book had when this check was
introduced; it may only shrink).

The rule: a decimal number with at least two significant digits (``0.025``, ``1.25``, ``0.0370``,
``5.0``), in text or in math, also where it touches a TeX command or a letter (``\\approx0.32``,
``1.5n``). Not counted: one-digit decimals (``0.1``, ``0.5``: parameter values a
reader sets in an explorer), integers (sizes ``n = 2000``, years), numbers inside code
(``` `...` ```, fenced blocks), glue roles, link targets, arXiv identifiers and version numbers.

``python tests/test_book_numbers.py`` prints the count per file; with ``--baseline`` it also
rewrites the baseline to what the prose has now (review the diff: it should only lose numbers).
"""

from __future__ import annotations

import collections
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "chapters"
BASELINE = Path(__file__).with_name("book_numbers_baseline.json")

#: Constants the book cites or that are conventions, not results: allowed anywhere.
ALLOWED = {
    "1.96": "the 97.5% quantile of the standard normal (95% intervals)",
    "3.10": "Python 3.10, the oldest supported version",
    "1.245": "the binary perceptron's exact-recovery threshold alpha (gyorgyi1990first)",
    "1.25": "the same threshold, rounded, as the chapters quote it (gyorgyi1990first)",
    "1.49": "a constant cited from the literature (see the chapter that quotes it)",
}

_NUMBER = re.compile(r"(?<![\w.])\d+\.\d+(?![\d_]|\.\d)")
_STRIP = [
    re.compile(r"```.*?```|~~~.*?~~~", re.S),  # fenced code
    re.compile(r"\{glue(?::\w+)?\}`[^`]*`"),  # glue roles
    re.compile(r"\{abbr\}`[^`]* \(glued: [^()`]+\)`"),  # glued values (_ext/book_glue.py)
    re.compile(r"`[^`]*`"),  # inline code and role targets
    re.compile(r"\]\([^)]*\)|<https?://[^>]*>|https?://\S+"),  # link targets, URLs
    re.compile(r"arXiv[:\s]*\d{4}\.\d{4,5}(?:v\d+)?", re.I),  # arXiv identifiers
    re.compile(r"\b\d+\.\d+\.\d+(?:\.\d+)*\b"),  # version numbers 3.2.2
    re.compile(r"^\(\S+\)=\s*$", re.M),  # MyST targets
    re.compile(r"\\[A-Za-z]+"),  # TeX commands: \approx0.32 is the number 0.32
]


def significant_digits(number: str) -> int:
    """``"0.0370"`` -> 3, ``"0.025"`` -> 2, ``"5.0"`` -> 2, ``"0.1"`` -> 1."""
    return len(number.replace(".", "").lstrip("0"))


def hand_typed(text: str) -> list[str]:
    """The hand-typed numbers (the rule above) in one piece of MyST Markdown."""
    for pattern in _STRIP:
        text = pattern.sub(" ", text)
    return [n for n in _NUMBER.findall(text) if significant_digits(n) >= 2]


def markdown_sources() -> dict[str, list[str]]:
    """The prose of every chapter: Markdown cells of ``chapters/*.ipynb`` and ``chapters/*.md``."""
    sources = {}
    for path in sorted(CHAPTERS.glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        sources[path.name] = ["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"]
    for path in sorted(CHAPTERS.glob("*.md")):
        sources[path.name] = [path.read_text(encoding="utf-8")]
    return sources


def count_hand_typed() -> dict[str, collections.Counter]:
    """Per file, the hand-typed numbers that are not allowed constants, with multiplicity."""
    return {
        name: collections.Counter(n for text in texts for n in hand_typed(text) if n not in ALLOWED)
        for name, texts in markdown_sources().items()
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("levels off near 0.025 at $n = 400$", ["0.025"]),
        ("with $p = 0.1$ and $0.5$ of the trials", []),
        ("a table showing $0.0303$ and 1.25", ["0.0303", "1.25"]),
        ("arXiv:2505.18113 (v2), MathJax 3.2.2, `x = 0.125`", []),
        ("shown as {glue:text}`m50_ratio` and {glue}`c_value`", []),
        ("[see](https://example.org/a/1.234) and ```\ny = 2.75\n```", []),
        ("the exponent is 2.0, not 2.", ["2.0"]),
        (r"a step $\approx0.32$ and $m=1.5n$, $\le0.25$", ["0.32", "1.5", "0.25"]),
    ],
)
def test_rule(text, expected):
    assert hand_typed(text) == expected


def test_no_hand_typed_number_added():
    baseline = {k: collections.Counter(v) for k, v in json.loads(BASELINE.read_text()).items()}
    added = {}
    for name, found in count_hand_typed().items():
        extra = found - baseline.get(name, collections.Counter())
        if extra:
            added[name] = sorted(extra.elements())
    assert not added, (
        f"numbers typed by hand in the prose: {added}. Glue them from the notebook's output "
        "(sl.glue(name, value, fmt=...) in a code cell, {glue:text}`name` in the text), or, for "
        "a cited constant, add it to ALLOWED in tests/test_book_numbers.py with its source."
    )


def test_baseline_only_shrinks():
    found = count_hand_typed()
    stale = {}
    for name, numbers in json.loads(BASELINE.read_text()).items():
        gone = collections.Counter(numbers) - found.get(name, collections.Counter())
        if gone:
            stale[name] = sorted(gone.elements())
    assert not stale, (
        f"hand-typed numbers gone from the prose (good): remove them from {BASELINE.name}: {stale}"
    )


if __name__ == "__main__":
    import sys

    counts = count_hand_typed()
    for name, found in counts.items():
        print(f"{name:28s} {sum(found.values()):3d}  {' '.join(sorted(found.elements()))}")
    if "--baseline" in sys.argv[1:]:
        table = {name: sorted(found.elements()) for name, found in counts.items() if found}
        BASELINE.write_text(json.dumps(table, indent=1, sort_keys=True) + "\n")
        print(f"wrote {BASELINE}")
