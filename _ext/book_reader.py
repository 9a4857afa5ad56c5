"""What every page shows the reader besides the chapter (a local Sphinx extension).

* **Dark mode.** The theme follows the reader's setting (``default_mode: auto`` in
  ``_config.yml``; the switcher in the header still works). Figures are matplotlib PNGs with
  black text on a transparent background, unreadable on a dark page; ``static/reader.css``
  puts each figure (cell outputs and the explorers' images) on a light card in dark mode and
  keeps the colours of the colour-blind-safe palette as they are (no inversion).
* **The whole-book PDF.** When ``_build/latex/book.pdf`` exists (``bash .ci/pdf``; build it
  before the HTML), it is copied to the root of the HTML build and every page's footer links to
  it. Without it the footer says how to build it and links nothing, so no link is ever broken.
* **Versions in the footer.** The book's version (the git commit the pages were built from),
  stelib's version and the version of the paper the book follows (``book_paper_version``,
  set in ``_config.yml``).

* **Accessible names for the explorers.** ``static/a11y.js`` labels the widget sliders and
  gives the explorers' stored figures their stored text as alt text (found by axe-core).
* **The bibliography as a list.** Its entries are marked as list items (see
  ``_page_context``).
* **Link contrast.** Links inside the tinted theorem/exercise boxes get a darker blue in light
  mode (``static/reader.css``).

``tests/browser/test_a11y.py`` checks the dark mode and the accessibility audit;
``tests/browser/test_reader.py`` the footer and the PDF link.
"""

from __future__ import annotations

import html
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PDF = ROOT / "_build" / "latex" / "book.pdf"
PDF_NAME = "book.pdf"


def book_version(root: Path = ROOT) -> str:
    """``"commit 1a2b3c4 (2026-12-01)"`` of the checkout, or ``"unversioned"`` outside git."""
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "log", "-1", "--format=%h %cs"],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return "unversioned"
    return f"commit {out[0]} ({out[1]})" if len(out) == 2 else "unversioned"


def stelib_version(root: Path = ROOT) -> str:
    """stelib's ``__version__``, read from ``stelib/_version.py`` (no import of the library)."""
    scope: dict = {}
    exec((root / "stelib" / "_version.py").read_text(encoding="utf-8"), scope)  # noqa: S102
    return scope["__version__"]


def footer_html(pdf_href: str | None, *, book: str, stelib: str, paper: str) -> str:
    """The footer line: the PDF link (or how to build it) and the three versions."""
    if pdf_href:
        pdf = f'<a class="book-pdf-link" href="{html.escape(pdf_href)}">The whole book as a PDF</a>'
    else:
        pdf = (
            '<span class="book-pdf-link book-pdf-missing">The whole book as a PDF: '
            "<code>bash .ci/pdf</code>, then rebuild the HTML</span>"
        )
    versions = (
        f'<span class="book-versions">Book: {html.escape(book)} · stelib {html.escape(stelib)}'
        f" · paper: {html.escape(paper)}</span>"
    )
    return f'<p class="book-reader-footer">{pdf}<br/>{versions}</p>'


def _config_inited(app, config):
    if PDF.is_file():
        config.html_extra_path = [*config.html_extra_path, str(PDF)]
    app.env_book_versions = {  # computed once per build
        "book": book_version(),
        "stelib": stelib_version(),
        "paper": config.book_paper_version,
    }


def _page_context(app, pagename, templatename, context, doctree):
    if app.builder.format != "html":
        return
    if "body" in context:
        # Sphinx writes the bibliography as role="list" holding role="doc-biblioentry" entries;
        # a list must hold list items (axe-core: aria-required-children, critical), and
        # doc-biblioentry is deprecated in ARIA (DPUB-ARIA 1.1): make the entries list items.
        context["body"] = context["body"].replace('role="doc-biblioentry"', 'role="listitem"')
    href = context["pathto"](PDF_NAME, 1) if PDF.is_file() else None
    ours = footer_html(href, **app.env_book_versions)
    context["theme_extra_footer"] = (context.get("theme_extra_footer") or "") + ours


def _add_static(app):
    static = str(Path(__file__).parent / "static")
    if static not in app.config.html_static_path:
        app.config.html_static_path.append(static)


def setup(app):
    app.add_config_value("book_paper_version", "", "html", types=[str])
    app.connect("config-inited", _config_inited)
    app.connect("builder-inited", _add_static)
    app.connect("html-page-context", _page_context)
    app.add_css_file("reader.css")
    app.add_js_file("a11y.js", defer="defer")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
