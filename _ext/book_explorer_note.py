"""The note above each chapter's explorer says what is right where it is read (Sphinx extension).

Each chapter's "Explore" section opens with ``:::{note}`` ``:class: explorer-note``. Its text in
the notebook is for a reader with a kernel (JupyterLab, where jupyterlab-myst renders it, and
the plain editions of ``.ci/editions`` on Colab or any Jupyter, which render it as a quoted
note): run the cells, then move the controls. The book has no kernel, and says so in its own
words: this extension replaces the note's text when the book is built,

* HTML (``format == "html"``): the page shows only the explorer's initial view; open the
  notebook in Jupyter or use the launch buttons at the top of the page (Binder, Colab);
* LaTeX (the PDF): the printed page shows only the initial view; the chapter's notebook is
  ``chapters/NAME.ipynb`` in the book's repository (``repository.url`` of ``_config.yml``),
  and the online book's page (``editions.book_url``) opens it on Binder or Colab.

Any other builder keeps the notebook's text. A note with the class but another kind of content
(a title, more than text) is an error, so the mechanism cannot silently miss one.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from docutils import nodes

CLASS = "explorer-note"

WEB = (
    "The explorer below needs a live Python kernel: on this web page it shows only its initial "
    "view. Open the notebook in Jupyter, or use the launch buttons at the top of the page "
    "(Binder, Colab), to move the controls."
)
PRINT = (
    "The explorer below needs a live Python kernel: in print it shows only its initial view. "
    "To move the controls, run this chapter's notebook, {notebook} in the book's repository "
    "({repository}), in Jupyter, or open it from the online book ({page}) with the Binder or "
    "Colab button at the top of the page."
)


def _config(srcdir: str | Path) -> dict:
    path = Path(srcdir) / "_config.yml"
    return (yaml.safe_load(path.read_text()) or {}) if path.is_file() else {}


def note_text(fmt: str, docname: str, config: dict) -> str | None:
    """The note's text for the builder format ``fmt`` (None: keep the notebook's text)."""
    if fmt == "html":
        return WEB
    if fmt == "latex":
        repository = (config.get("repository") or {}).get("url", "").rstrip("/")
        book = (config.get("editions") or {}).get("book_url", "").rstrip("/")
        if not repository or not book:
            raise ValueError("_config.yml: repository.url and editions.book_url are needed")
        return PRINT.format(
            notebook=f"{docname}.ipynb", repository=repository, page=f"{book}/{docname}.html"
        )
    return None


def _mark(app, doctree):
    """At read time: remember each explorer note's page (the PDF assembles all pages in one)."""
    for note in doctree.findall(nodes.note):
        if CLASS in note["classes"]:
            note["explorer_docname"] = app.env.docname


def _replace(app, doctree, docname):
    config = None
    for note in doctree.findall(nodes.note):
        if CLASS not in note["classes"]:
            continue
        if not all(isinstance(child, nodes.paragraph) for child in note.children):
            raise ValueError(f"{docname}: the explorer note holds more than paragraphs")
        config = _config(app.srcdir) if config is None else config
        text = note_text(app.builder.format, note.get("explorer_docname", docname), config)
        if text is not None:
            del note[:]
            note += nodes.paragraph(text, text)


def setup(app):
    app.connect("doctree-read", _mark)
    app.connect("doctree-resolved", _replace)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
