"""Small fixes to the HTML that Jupyter Book 1's theme stack emits (a local Sphinx extension).

* sphinx-thebe 0.3.1 registers its inline configuration script (``const THEBE_JS_URL = ...``)
  twice under Sphinx 7.4, so every page logs "Identifier 'THEBE_JS_URL' has already been
  declared" in the browser console. We drop exact duplicate script entries from each page.
* The Jupyter widgets HTML manager calls MathJax 2's ``MathJax.Hub.Queue``; the book loads
  MathJax 3. ``static/widgets-mathjax3.js`` maps that call onto MathJax 3 (see the file).

* pydata-sphinx-theme >= 0.16 puts a search field in the page header unless the theme option
  ``navbar_persistent`` is set, and sphinx-book-theme already has one in the sidebar: every page
  showed a second, empty search box. We set the option to nothing (no header bar at all).
* ``static/book.css``: code cells and text outputs wrap instead of being cut off; the
  bibliography's author-year labels (``_ext/bibstyle.py``) sit on their own line.

And features:

* The book's TeX macros are defined once, in ``_config.yml`` (``mathjax3_config.tex.macros``);
  for the PDF they are turned into LaTeX ``\newcommand``s in the LaTeX preamble here, so MathJax
  and LaTeX read the same definitions.
* Static explorers are honest: on the HTML page there is no kernel, so a moved slider would
  change nothing. In the widget state stored on each page every control is saved disabled, and
  the explorer's live-kernel note (``stelib.widgets.LIVE_KERNEL_NOTE``) is replaced by one that
  says the page is a static copy and how to run it live. Notebooks are not changed.

The browser test (``tests/browser/test_pages.py``) fails on any console error, which is how
this was found; remove a fix here when the upstream package no longer needs it.
"""

from __future__ import annotations

import json
from pathlib import Path

from bibstyle import register as _register_bibstyle
from myst_nb.core.render import sanitize_script_content

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"

STATIC_NOTE = (
    "<div class='stelib-static-note'><strong>Static copy:</strong> this page has no Python "
    "kernel, so the controls are disabled and the figure shows their initial values. To move "
    "them, run the chapter live: the rocket icon at the top of the page opens it on Binder or "
    "Colab, or open <code>{notebook}</code> in Jupyter (<code>.venv/bin/jupyter lab "
    "chapters/</code> in a clone, see the preface).</div>"
)


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


def _live_kernel_note() -> str | None:
    try:
        from stelib.widgets import LIVE_KERNEL_NOTE
    except ImportError:  # stelib not importable: leave the notes as they are
        return None
    return LIVE_KERNEL_NOTE


def static_widget_state(state: dict, notebook: str, live_note: str | None) -> dict:
    """The saved widget ``state`` (``{"state": {id: model}, ...}``) as the static page shows it.

    Every model with a ``disabled`` attribute (sliders, dropdowns, checkboxes, buttons) is saved
    disabled; an HTML model whose value contains ``live_note`` gets :data:`STATIC_NOTE` instead.
    """
    models = {}
    for model_id, model in state.get("state", {}).items():
        attrs = dict(model.get("state") or {})
        if "disabled" in attrs:
            attrs["disabled"] = True
        value = attrs.get("value")
        if live_note and isinstance(value, str) and live_note in value:
            attrs["value"] = STATIC_NOTE.format(notebook=notebook)
        models[model_id] = {**model, "state": attrs}
    return {**state, "state": models}


def _static_explorers(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    live_note = _live_kernel_note()
    for i, js in enumerate(scripts):
        attributes = getattr(js, "attributes", None) or {}
        if attributes.get("type") != WIDGET_STATE or "body" not in attributes:
            continue
        state = json.loads(attributes["body"])
        static = static_widget_state(state, f"{pagename}.ipynb", live_note)
        body = sanitize_script_content(json.dumps(static))
        scripts[i] = type(js)(js.filename, priority=js.priority, **{**attributes, "body": body})


def _theme_options(app, config):
    # no search field in the header: the sidebar has one (see the module docstring)
    options = dict(config.html_theme_options or {})
    options.setdefault("navbar_persistent", [])
    config.html_theme_options = options


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
    _register_bibstyle()  # bibtex_default_style: authoryear
    app.connect("config-inited", _latex_preamble)
    app.connect("config-inited", _theme_options)
    app.connect("builder-inited", _add_static)
    # deferred, after MathJax's own deferred script (priority 500)
    app.add_js_file("widgets-mathjax3.js", priority=600, defer="defer")
    app.add_css_file("book.css")
    # run after every other html-page-context handler (myst-nb adds per-page scripts there)
    app.connect("html-page-context", _static_explorers, priority=890)
    app.connect("html-page-context", _drop_duplicate_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
