"""Colab buttons open the plain-Jupyter editions of the chapters (a local Sphinx extension).

Colab cannot load JupyterLab extensions, so the chapters' MyST would show raw there. The book's
Colab launch button therefore opens the chapter's plain edition (``python .ci/editions``),
committed in the folder ``editions.folder`` of ``_config.yml`` (the one place that says where
the editions are), on the branch the buttons already use (``repository.branch``):
``.../blob/main/chapters/setup.ipynb`` becomes ``.../blob/main/editions/chapters/setup.ipynb``.
Binder keeps opening the chapters themselves: it runs JupyterLab with jupyterlab-myst
(``.binder/requirements.txt``). sphinx-book-theme builds the buttons in ``html-page-context`` at
priority 501; this runs after it and changes only the Colab link's path.
"""

from __future__ import annotations

from pathlib import Path

import yaml


def editions_folder(srcdir: str | Path) -> str | None:
    """``editions.folder`` from the book's ``_config.yml`` (None when not set)."""
    config = Path(srcdir) / "_config.yml"
    if not config.is_file():
        return None
    folder = ((yaml.safe_load(config.read_text()) or {}).get("editions") or {}).get("folder")
    return str(folder).strip("/") if folder else None


def colab_to_editions(url: str, folder: str) -> str:
    """``https://colab.research.google.com/github/ORG/REPO/blob/BRANCH/PATH`` with ``PATH`` in
    ``folder``: ``.../blob/BRANCH/FOLDER/PATH``."""
    head, sep, tail = url.partition("/blob/")
    if not sep or "/" not in tail:
        raise ValueError(f"url == {url!r}, not a Colab GitHub link")
    branch, path = tail.split("/", 1)
    return f"{head}/blob/{branch}/{folder}/{path}"


def _walk(buttons):
    for button in buttons or []:
        yield button
        yield from _walk(button.get("buttons"))


def _colab_editions(app, pagename, templatename, context, doctree):
    folder = editions_folder(app.srcdir)
    if not folder:
        return
    for button in _walk(context.get("header_buttons")):
        url = button.get("url") or ""
        if button.get("text") == "Colab" and "/blob/" in url:
            button["url"] = colab_to_editions(url, folder)
            button["tooltip"] = "Launch on Colab (the chapter's plain-Jupyter edition)"


def setup(app):
    app.connect("html-page-context", _colab_editions, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
