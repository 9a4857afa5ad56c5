"""The claims ledger (chapters/claims.md) says where every claim comes from, and links it.

Checked here, on the Markdown source: every table row names one of the four sources (abstract,
reported, derived, measured); abstract rows name the abstract's version; derived rows link a
derivation that exists in a chapter; measured rows link the chapter of the measurement, name the
section (a heading that exists in that chapter) and state $n$, trials and seed; the page links the
list of open questions. That every link resolves in the built HTML is checked by
``tests/browser/test_reader.py``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CLAIMS = ROOT / "chapters" / "claims.md"
SOURCES = ("abstract", "reported", "derived", "measured")


def ledger_rows(text: str) -> list[dict]:
    """The rows of the ledger's tables as ``{"claim", "source", "where", "rest"}``."""
    rows = []
    for line in text.splitlines():
        if not line.startswith("|") or set(line) <= set("|- "):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[0] == "claim":  # a header row
            continue
        rows.append({"claim": cells[0], "source": cells[1], "where": cells[2], "rest": cells[3:]})
    return rows


def chapter_labels_and_headings(name: str) -> tuple[set[str], set[str]]:
    """The ``:label:``s and the heading texts of a chapter notebook or page."""
    path = ROOT / "chapters" / name
    if path.suffix == ".ipynb":
        text = "\n".join(
            "".join(c["source"]) for c in json.loads(path.read_text(encoding="utf-8"))["cells"]
        )
    else:
        text = path.read_text(encoding="utf-8")
    labels = set(re.findall(r"^:label:\s*(\S+)", text, re.M))
    labels |= set(re.findall(r"^\((\S+)\)=\s*$", text, re.M))
    headings = {h.strip() for h in re.findall(r"^#+\s+(.+)$", text, re.M)}
    return labels, headings


def all_labels() -> set[str]:
    labels: set[str] = set()
    for path in (ROOT / "chapters").glob("*.ipynb"):
        labels |= chapter_labels_and_headings(path.name)[0]
    for path in (ROOT / "chapters").glob("*.md"):
        labels |= chapter_labels_and_headings(path.name)[0]
    return labels


ROWS = ledger_rows(CLAIMS.read_text(encoding="utf-8"))


def test_ledger_has_rows_of_every_kind_it_claims():
    kinds = {row["source"].split()[0] for row in ROWS}
    assert {"abstract", "derived", "measured"} <= kinds
    assert len(ROWS) >= 20


@pytest.mark.parametrize("row", ROWS, ids=[r["claim"][:40] for r in ROWS])
def test_row(row):
    kind = row["source"].split()[0]
    assert kind in SOURCES, f"unknown source {row['source']!r}"
    where = row["where"]
    if kind == "abstract":
        assert re.search(r"\(v[12](, v2)?\)", row["source"]), "name the abstract's version"
    if kind == "reported":
        assert "{cite}" in where or "{cite}" in row["claim"], "a reported claim cites its source"
    if kind == "derived":
        refs = re.findall(r"\{prf:ref\}`([^`]+)`|\{eq\}`([^`]+)`", where)
        targets = [a or b for a, b in refs]
        assert targets or "{doc}" in where, "a derived claim links its derivation"
        missing = set(targets) - all_labels()
        assert not missing, f"derivations not found in the chapters: {missing}"
    if kind == "measured":
        docs = re.findall(r"\{doc\}`([^`]+)`", where)
        assert docs, "a measured claim links the chapter of its measurement"
        section = re.search(r'section "([^"]+)"', where)
        if section:
            chapter = docs[0]
            headings = chapter_labels_and_headings(f"{chapter}.ipynb")[1]
            assert section.group(1) in headings, f"no section {section.group(1)!r} in {chapter}"
        params = row["rest"][0]
        assert "seed" in params, "a measured claim states its seed"
        assert re.search(r"trial|starts|samples", params), "a measured claim states its trials"
        assert re.search(r"\$n\s*[=\\l<]|\$n\$", params) or "trial" in params, "state n"


def test_links_the_open_questions():
    text = CLAIMS.read_text(encoding="utf-8")
    labels = all_labels()
    if "open-questions" in labels:  # the instructor page's list
        assert "{ref}`open-questions`" in text or "<open-questions>`" in text
    assert "open" in ledger_header(text)


def ledger_header(text: str) -> list[str]:
    header = next(line for line in text.splitlines() if line.startswith("| claim"))
    return [c.strip() for c in header.strip().strip("|").split("|")]


def test_rule_on_a_bad_row():
    bad = ledger_rows(
        "| claim | source | where | open |\n| --- | --- | --- | --- |\n"
        "| Something. | folklore | nowhere | |\n"
    )
    with pytest.raises(AssertionError):
        test_row(bad[0])
