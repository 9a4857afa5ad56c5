"""The PDF (``bash .ci/pdf``) as the HTML book reads: a local Sphinx extension for the LaTeX build.

Found by reading the PDF page by page (Jupyter Book 1 with sphinx-jupyterbook-latex):

* **Numbering.** sphinx-jupyterbook-latex sets ``numfig_secnum_depth = 2`` when the toc has
  parts, so "Definition 1.2" of the HTML became "Definition 1.3.1". The LaTeX build keeps the
  book's own value (the HTML's).
* **Appendices.** Parts become ``\\part``s and every chapter is numbered, so the appendices
  (the part with ``numbered`` unset in ``_toc.yml``) became Chapters 5-7. Chapters and sections
  of an unnumbered part are unnumbered here too (``secnumdepth``), as in the HTML.
* **Bibliography.** Sphinx's bibliography environment opens a chapter of its own, so the
  "Bibliography" chapter (``chapters/bibliography.md``) was an empty page followed by a second
  "Bibliography" chapter holding the list: the list now goes in the page's own chapter.
* **Blank pages.** The manual class opens every chapter on a right-hand page (``openright``),
  leaving blank pages in a PDF read on screen: ``openany``.
* **Preface.** The root page's title is dropped by sphinx-jupyterbook-latex, so the preface had no
  heading and its running footer still said CONTENTS: it gets an unnumbered chapter heading (the
  root page's first ``#`` title), a contents entry and its own running footer.
* **Proof index.** sphinx-proof's domain index printed every label (``alg-setup-ste``, ...) as a
  "Proof Index" at the end: domain indices are left out of the PDF (the HTML keeps them).
"""

from __future__ import annotations

import re
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

logger = logging.getLogger(__name__)

PREAMBLE = r"""
% --- _ext/book_pdf.py ---
\usepackage{etoolbox}
% the bibliography goes into the chapter of the page that holds it (no second chapter)
\makeatletter
\patchcmd{\thebibliography}{\chapter*{\bibname}}{}{}{}
\makeatother
\renewenvironment{sphinxthebibliography}[1]{\begin{thebibliography}{#1}}{\end{thebibliography}}
% parts of the toc without numbering (the appendices): unnumbered chapters and sections
\newcount\stelibsecnumdepth
\AtBeginDocument{\stelibsecnumdepth=\value{secnumdepth}}
\newcommand{\stelibnumbered}{\setcounter{secnumdepth}{\stelibsecnumdepth}}
\newcommand{\stelibunnumbered}{\setcounter{secnumdepth}{-2}}
"""

PREFACE = r"""
% the root page (the preface) follows the contents: give it a heading and a running footer
\makeatletter
\apptocmd{\sphinxtableofcontents}{%
  \chapter*{TITLE}\addcontentsline{toc}{chapter}{TITLE}\markboth{TITLE}{TITLE}}{}%
  {\PackageWarning{book_pdf}{could not add the preface heading}}
\makeatother
"""


def root_title(srcdir: Path, root_doc: str) -> str | None:
    """The first ``# Title`` of the root page (a .md file), or None."""
    path = Path(srcdir) / f"{root_doc}.md"
    if not path.is_file():
        return None
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"#\s+(.+?)\s*$", line)
        if match:
            return match[1]
    return None


def _latex_tex_escape(text: str) -> str:
    return re.sub(r"([\\{}$&#^_%~])", r"\\\1", text)


def _config(app, config):
    app.stelib_numfig_secnum_depth = config.numfig_secnum_depth
    elements = dict(config.latex_elements or {})
    preamble = elements.get("preamble", "") + PREAMBLE
    title = root_title(app.srcdir, config.master_doc)
    if title is None:
        logger.warning("[book_pdf] no '# title' in the root page %s.md", config.master_doc)
    if title:
        preamble += PREFACE.replace("TITLE", _latex_tex_escape(title))
    elements["preamble"] = preamble
    options = elements.get("extraclassoptions", "")
    if "openany" not in options:
        elements["extraclassoptions"] = ",".join(o for o in (options, "openany") if o)
    config.latex_elements = elements
    config.latex_domain_indices = False


def _keep_numbering(app):
    # after sphinx-jupyterbook-latex's builder-inited handler (priority 500) set it to 2
    if app.builder.name == "latex":
        app.config.numfig_secnum_depth = app.stelib_numfig_secnum_depth


class UnnumberedParts(SphinxPostTransform):
    """Mark each part (a toc caption made a ``\\part``) numbered or not, as ``_toc.yml`` says."""

    default_priority = 990  # after sphinx-jupyterbook-latex made the parts (700); at most 999
    builders = ("latex",)

    def run(self, **kwargs) -> None:
        sitemap = getattr(self.config, "external_site_map", None)
        if sitemap is None:
            return
        numbered = {t.caption: bool(t.numbered) for t in sitemap.root.subtrees if t.caption}
        for part in self.document.findall(addnodes.start_of_file):
            caption = part.get("docname")
            if caption in numbered:  # sphinx-jupyterbook-latex names a part's file by its caption
                command = r"\stelibnumbered" if numbered[caption] else r"\stelibunnumbered"
                part.insert(0, nodes.raw("", command + "\n", format="latex"))


def setup(app):
    # after sphinx-external-toc's config-inited handler (priority 900) sets master_doc
    app.connect("config-inited", _config, priority=950)
    app.connect("builder-inited", _keep_numbering, priority=600)
    app.add_post_transform(UnnumberedParts)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
