"""Small fixes to the HTML that Jupyter Book 1's theme stack emits (a local Sphinx extension).

* sphinx-thebe 0.3.1 registers its inline configuration script (``const THEBE_JS_URL = ...``)
  twice under Sphinx 7.4, so every page logs "Identifier 'THEBE_JS_URL' has already been
  declared" in the browser console. We drop exact duplicate script entries from each page.
* The Jupyter widgets HTML manager calls MathJax 2's ``MathJax.Hub.Queue``; the book loads
  MathJax 3. ``static/widgets-mathjax3.js`` maps that call onto MathJax 3 (see the file).

And one feature: the book's TeX macros are defined once, in ``_config.yml``
(``mathjax3_config.tex.macros``); for the PDF they are turned into LaTeX ``\newcommand``s in the
LaTeX preamble here, so MathJax and LaTeX read the same definitions.

The browser test (``tests/browser/test_pages.py``) fails on any console error, which is how
this was found; remove a fix here when the upstream package no longer needs it.
"""

from __future__ import annotations

from pathlib import Path


def _drop_duplicate_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen = set()
    unique = []
    for js in scripts:
        if isinstance(js, str):
            key = js
        else:  # the same script is registered once with filename None and once with ""
            key = (js.filename or "", js.priority, tuple(sorted(js.attributes.items())))
        if key in seen:
            continue
        seen.add(key)
        unique.append(js)
    context["script_files"] = unique


def _add_static(app):
    app.config.html_static_path.append(str(Path(__file__).parent / "static"))


def latex_macros(macros: dict) -> str:
    """LaTeX definitions of MathJax macros: ``{"R": "\\mathbb{R}"}`` or ``{"f": ["#1^2", 1]}``."""
    lines = []
    for name, body in macros.items():
        nargs = 0
        if isinstance(body, list | tuple):
            body, nargs = body[0], int(body[1])
        args = f"[{nargs}]" if nargs else ""
        # \providecommand then \renewcommand: ours wins whether or not LaTeX already has one
        lines.append(f"\\providecommand{{\\{name}}}{{}}\\renewcommand{{\\{name}}}{args}{{{body}}}")
    return "\n".join(lines)


def _latex_preamble(app, config):
    macros = ((config.mathjax3_config or {}).get("tex") or {}).get("macros") or {}
    if not macros:
        return
    elements = dict(config.latex_elements or {})
    elements["preamble"] = elements.get("preamble", "") + "\n" + latex_macros(macros) + "\n"
    config.latex_elements = elements


def setup(app):
    app.connect("config-inited", _latex_preamble)
    app.connect("builder-inited", _add_static)
    # deferred, after MathJax's own deferred script (priority 500)
    app.add_js_file("widgets-mathjax3.js", priority=600, defer="defer")
    # run after every other html-page-context handler (myst-nb adds per-page scripts there)
    app.connect("html-page-context", _drop_duplicate_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
