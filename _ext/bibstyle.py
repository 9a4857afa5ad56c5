"""Author-year labels for the bibliography (a pybtex style for sphinxcontrib-bibtex).

The text cites author-year ("Bengio et al., 2013", ``bibtex_reference_style: author_year``);
pybtex's default labels are alpha-style (``[BLeonardC13]``), so the list would not match the
text. :class:`AuthorYearStyle` (registered as ``authoryear``, selected by
``bibtex_default_style`` in ``_config.yml``) is pybtex's ``plain`` style (entries sorted by
author, year, title) with labels made the way the text cites: "Last, 2013", "Last and Other,
2013", "Last et al., 2013", and a, b, ... appended when two entries would get the same label.
"""

from __future__ import annotations

from collections import Counter

from pybtex.plugin import register_plugin
from pybtex.richtext import Text
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.labels import BaseLabelStyle


def _last(person) -> str:
    """A person's last name(s), LaTeX decoded: ``Gy{\\"o}rgyi`` -> ``Györgyi``."""
    return Text.from_latex(" ".join(person.prelast_names + person.last_names)).render_as("text")


def author_year(entry) -> str:
    """The author-year label of a pybtex ``entry``: "Bengio et al., 2013"."""
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    names = [_last(p) for p in people]
    if not names:
        who = entry.fields.get("key") or entry.fields.get("title", entry.key)
    elif len(names) == 1:
        who = names[0]
    elif len(names) == 2:
        who = f"{names[0]} and {names[1]}"
    else:
        who = f"{names[0]} et al."
    return f"{who}, {entry.fields.get('year', 'n.d.')}"


class AuthorYearLabelStyle(BaseLabelStyle):
    def format_labels(self, sorted_entries):
        sorted_entries = list(sorted_entries)
        labels = [author_year(e) for e in sorted_entries]
        count = Counter(labels)
        seen: Counter = Counter()
        for label in labels:
            if count[label] > 1:
                seen[label] += 1
                yield label + "abcdefghijklmnopqrstuvwxyz"[seen[label] - 1]
            else:
                yield label


class AuthorYearStyle(PlainStyle):
    default_label_style = "authoryear"
    default_sorting_style = "author_year_title"


def register() -> None:
    """Make ``authoryear`` known to pybtex (labels and formatting); safe to call again."""
    for group, cls in (
        ("pybtex.style.labels", AuthorYearLabelStyle),
        ("pybtex.style.formatting", AuthorYearStyle),
    ):
        register_plugin(group, "authoryear", cls, force=True)
