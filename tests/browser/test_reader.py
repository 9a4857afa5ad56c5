"""The built book's pages: the footer (PDF link, versions) and the claims ledger's links.

Reads the HTML files (no browser): every page of ``_toc.yml`` has the footer line of
``_ext/book_reader.py`` with the book's, stelib's and the paper's version, and links the
whole-book PDF exactly when ``book.pdf`` was copied into the build (``bash .ci/pdf`` before
``bash .ci/book``), so no link is ever broken; every link on the claims ledger resolves to a
built page and, where it has a ``#fragment``, to an element with that id.
"""

from __future__ import annotations

import html.parser
import re
import urllib.parse

import pytest
from _book import built_html
from test_pages import PAGES, ROOT


@pytest.fixture(scope="module")
def html_dir():
    return built_html()


class _Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])


def parse(path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def stelib_version() -> str:
    text = (ROOT / "stelib" / "_version.py").read_text(encoding="utf-8")
    return re.search(r'__version__ = "([^"]+)"', text).group(1)


@pytest.mark.parametrize("page", PAGES)
def test_footer(page, html_dir):
    text = (html_dir / f"{page}.html").read_text(encoding="utf-8")
    footer = re.search(r'<p class="book-reader-footer">(.*?)</p>', text, re.S)
    assert footer, f"{page}: no footer line with the PDF link and the versions"
    footer = footer.group(1)
    assert re.search(r"Book: (commit [0-9a-f]{4,} \(\d{4}-\d\d-\d\d\)|unversioned)", footer)
    assert f"stelib {stelib_version()}" in footer
    assert "arXiv:2505.18113" in footer and "v1" in footer and "v2" in footer
    pdf = html_dir / "book.pdf"
    link = re.search(r'<a class="book-pdf-link" href="([^"]+)"', footer)
    if pdf.is_file():
        assert link, f"{page}: book.pdf is in the build but the footer does not link it"
        target = (html_dir / page).parent / link.group(1)
        assert target.resolve() == pdf.resolve(), f"{page}: PDF link {link.group(1)} is wrong"
        assert pdf.read_bytes()[:5] == b"%PDF-"
    else:
        assert not link, f"{page}: links book.pdf, which is not in the build"


def test_claims_links_resolve(html_dir):
    page = html_dir / "chapters" / "claims.html"
    links = parse(page)
    internal = [h for h in links.hrefs if not urllib.parse.urlsplit(h).scheme]
    assert len(internal) >= 30, "the ledger links its derivations and measurements"
    broken = []
    for href in internal:
        url = urllib.parse.urlsplit(href)
        target = (page.parent / url.path).resolve() if url.path else page
        if not target.is_file():
            broken.append(href)
        elif url.fragment and url.fragment not in parse(target).ids:
            broken.append(href)
    assert not broken, f"claims ledger: links that do not resolve: {broken}"


@pytest.mark.parametrize("page", PAGES)
def test_glued_numbers_rendered(page, html_dir):
    """Every number glued into the prose is on the page; no role is left as raw text."""
    text = (html_dir / f"{page}.html").read_text(encoding="utf-8")
    body = re.sub(r"<(script|style|pre)\b.*?</\1>", "", text, flags=re.S)
    raw = re.findall(r"\{(?:glue(?::\w+)?|doc|ref|prf:ref|eq|cite)\}`", body)
    assert not raw, f"{page}: roles left as raw text: {raw[:5]}"
    source = ROOT / f"{page}.ipynb"
    if source.is_file():
        notebook = source.read_text(encoding="utf-8")  # roles, or values (_ext/book_glue.py)
        glued = notebook.count("{glue:text}`") + notebook.count(" (glued: ")
        pasted = text.count('class="pasted-text"')
        assert pasted >= glued, f"{page}: {glued} glue:text roles in the source, {pasted} shown"
