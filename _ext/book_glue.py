"""Glued numbers that read as numbers in JupyterLab too (Sphinx extension + helpers).

The chapters paste the numbers their code computes into the prose with myst-nb's
``{glue:text}`key``` (``sl.glue(key, value, fmt=...)`` stores the formatted text in the cell's
output). jupyterlab-myst does not know the role: it shows the *key* ("T20000-local-100-200")
where the book shows the number. So in the chapter *notebooks* each glued number is written as
the text the book shows, inside an ``{abbr}`` role that jupyterlab-myst renders as the number with
the key as its hover text::

    {glue:text}`fall-200`
    {abbr}`13% (glued: fall-200)`

The notebook form is generated, never typed: ``python .ci/sync-myst-macros`` rewrites every
``{glue:text}`` of the chapter notebooks into it, with the value from the notebook's own stored
output, and refreshes the values after a re-execution (``--check`` fails on a stale one). An
author may keep writing ``{glue:text}`key```.

When the book is built, :func:`notebook_to_roles` (``source-read``) turns the notebook form back
into exactly the ``{glue:text}`` role it came from, so myst-nb pastes the value from the output as
before: the HTML book and the PDF do not change. The plain editions (``.ci/editions``) resolve
either form from the outputs.
"""

from __future__ import annotations

import json
import re

ROLE = re.compile(r"\{glue:text\}`(?P<key>[^`]+)`")
FORM = re.compile(r"\{abbr\}`(?P<value>[^`]*?) \(glued: (?P<key>[^()`]+)\)`")


def glued_values(cells) -> dict[str, str]:
    """``{name: text}`` of the values a notebook's ``cells`` glue (myst-nb's ``glue``, stored
    under its mime prefix as ``text/plain``; the quotes of a string's repr removed)."""
    values = {}
    for cell in cells:
        for output in cell.get("outputs", []):
            scrap = (output.get("metadata") or {}).get("scrapbook", {})
            key = scrap.get("mime_prefix", "") + "text/plain"
            if scrap.get("name") and key in output.get("data", {}):
                text = output["data"][key]
                text = text if isinstance(text, str) else "".join(text)
                values[scrap["name"]] = text.strip("'\"")
    return values


def to_form(text: str, glued: dict[str, str]) -> str:
    """Every ``{glue:text}`key``` of ``text`` (and every notebook-form value, refreshed) in the
    notebook form, with the values ``glued`` (:func:`glued_values`)."""

    def form(match: re.Match) -> str:
        key = match["key"]
        if key not in glued:
            raise ValueError(f"no glued value {key!r} in the notebook's outputs")
        value = glued[key]
        if any(c in value for c in "`()\n"):
            raise ValueError(f"glued value {key!r} = {value!r}: no backticks or parentheses")
        return f"{{abbr}}`{value} (glued: {key})`"

    return ROLE.sub(form, to_roles(text))


def to_roles(text: str) -> str:
    """The notebook form of ``text``'s glued values back to ``{glue:text}`key``` roles."""
    return FORM.sub(lambda m: f"{{glue:text}}`{m['key']}`", text)


def notebook_to_roles(content: str) -> str:
    """A notebook's JSON text with its markdown cells' glued values as roles."""
    if "(glued: " not in content:
        return content
    nb = json.loads(content)
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "markdown":
            source = cell["source"]
            source = source if isinstance(source, str) else "".join(source)
            cell["source"] = to_roles(source)
    return json.dumps(nb, ensure_ascii=False)


def _source_read(app, docname, source):
    if str(app.env.doc2path(docname)).endswith(".ipynb"):
        source[0] = notebook_to_roles(source[0])


def setup(app):
    app.connect("source-read", _source_read)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
