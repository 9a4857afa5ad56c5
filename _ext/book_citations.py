"""Citations that read as author-year text in JupyterLab too (Sphinx extension + helpers).

The book cites with ``{cite}`key``` (sphinxcontrib-bibtex, labels from ``chapters/references.bib``
by ``_ext/bibstyle.py``: "[Jeong et al., 2025]", the label linked to the bibliography, several
keys as "[Barbier et al., 2019, Györgyi, 1990]": sphinxcontrib-bibtex's brackets, separator and
order for ``{cite}``). jupyterlab-myst
2.x cannot load a ``.bib`` file: it shows every ``{cite}`` as its bare key, marked "Citation Not
Found". So in the chapter *notebooks* each citation is written as the text the book shows,
linked to the book's bibliography page, with the key in the link's fragment::

    {cite}`gyorgyi1990first,barbier2019optimal`
    [[Barbier et al., 2019](BIB#barbier2019optimal), [Györgyi, 1990](BIB#gyorgyi1990first)]

(``BIB``: ``editions.book_url`` of ``_config.yml`` + ``/chapters/bibliography.html``). The
notebook form is generated, never typed: ``python .ci/sync-myst-macros`` rewrites every
``{cite}`` of the chapter notebooks into it and refreshes the labels from ``references.bib`` (the
one source; ``--check`` fails on a stale or hand-edited one). An author may keep writing
``{cite}`key```.

When the book is built, :func:`to_roles` (``source-read``) turns the notebook form back into
exactly the ``{cite}`` role it came from, so sphinxcontrib-bibtex renders, links and lists the
citation as before: the HTML book and the PDF do not change.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROLE = re.compile(r"\{cite\}`(?P<keys>[^`]+)`")
KEY = r"[\w:.+-]+"


def bibliography_url(config: dict) -> str:
    """The book's bibliography page, from ``editions.book_url`` of ``_config.yml``."""
    book = ((config.get("editions") or {}).get("book_url") or "").rstrip("/")
    if not book:
        raise ValueError("_config.yml: editions.book_url is needed to link citations")
    return f"{book}/chapters/bibliography.html"


def _group(url: str) -> re.Pattern:
    link = rf"\[[^\[\]\n]+\]\({re.escape(url)}#{KEY}\)"
    return re.compile(rf"\[(?P<links>{link}(?:, {link})*)\]")


def to_links(text: str, labels: dict[str, str], url: str) -> str:
    """Every ``{cite}`keys``` (and every notebook-form citation, relabelled) of ``text`` in the
    notebook form, with the labels ``{key: "Jeong et al., 2025"}`` in the bibliography's order
    (:func:`book_labels`): several keys are shown in that order, as sphinxcontrib-bibtex does."""

    order = {key: i for i, key in enumerate(labels)}

    def link(keys: list[str]) -> str:
        missing = [k for k in keys if k not in labels]
        if missing:
            raise ValueError(f"unknown citation {missing[0]!r} (not in references.bib)")
        keys = sorted(keys, key=order.__getitem__)  # the bibliography's order, as the book shows
        return "[" + ", ".join(f"[{labels[k]}]({url}#{k})" for k in keys) + "]"

    text = to_roles(text, url)  # relabel what is there already
    return ROLE.sub(lambda m: link([k.strip() for k in m["keys"].split(",")]), text)


def to_roles(text: str, url: str) -> str:
    """The notebook form of ``text``'s citations back to ``{cite}`keys``` roles."""
    keys = re.compile(rf"\]\({re.escape(url)}#(?P<key>{KEY})\)")
    return _group(url).sub(lambda m: "{cite}`" + ",".join(keys.findall(m["links"])) + "`", text)


def notebook_to_roles(content: str, url: str) -> str:
    """A notebook's JSON text with its markdown cells' citations as roles."""
    if url not in content:
        return content
    nb = json.loads(content)
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "markdown":
            source = cell["source"]
            source = source if isinstance(source, str) else "".join(source)
            cell["source"] = to_roles(source, url)
    return json.dumps(nb, ensure_ascii=False)


def book_labels(bib: Path) -> dict[str, str]:
    """``{key: label}`` of ``bib`` with the book's labels (``_ext/bibstyle.py``)."""
    from pybtex.database import parse_file
    from pybtex.plugin import find_plugin

    here = str(Path(__file__).resolve().parent)
    sys.path.insert(0, here)
    try:
        import bibstyle
    finally:
        sys.path.remove(here)
    bibstyle.register()
    data = parse_file(str(bib))
    style = find_plugin("pybtex.style.formatting", "authoryear")()
    return {e.key: e.label for e in style.format_entries(data.entries.values())}


def _source_read(app, docname, source):
    if not str(app.env.doc2path(docname)).endswith(".ipynb"):
        return
    import yaml

    config = yaml.safe_load((Path(app.srcdir) / "_config.yml").read_text()) or {}
    source[0] = notebook_to_roles(source[0], bibliography_url(config))


def setup(app):
    app.connect("source-read", _source_read)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
