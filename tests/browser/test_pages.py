"""Every page of the built book in a real (headless) browser, with no network.

For each page the toc lists: no console errors, no failed or external requests (the book must
render offline), every image loaded, MathJax typeset every equation (no raw ``\\(``/``\\[``/``$$``
left, no MathJax error), the widget views rendered where the page stores widget state (with the
explorer's figure), and the launch buttons (Binder, Colab) point at the chapter's ``.ipynb``;
one search field per page (no second one in the header); code cells and text outputs wrap
instead of overflowing; explorers' controls disabled on the static page, with the note saying
how to run them live; bibliography labels author-year like the text's citations. A
screenshot of each page goes to ``artifacts/screenshots/`` and a summary to
``artifacts/browser-report.txt``.

Run by ``bash .ci/browser`` (in CI after ``.ci/book``; it sets ``STELIB_BOOK_HTML`` so the book is
not built twice). Run alone, the test builds the book first with ``bash .ci/book``. Needs
Chromium (Debian: ``apt-get install chromium``; or set ``STELIB_CHROMIUM``) and the Python
package ``playwright`` (no browser download needed); skips with the reason if either is missing.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import threading
import urllib.parse
from pathlib import Path

import pytest
import yaml
from _book import built_html

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
]
MATH_TIMEOUT_MS = 60_000
WIDGET_TIMEOUT_MS = 60_000
IMAGE_TIMEOUT_MS = 60_000


def toc_pages(toc_file: Path = ROOT / "_toc.yml") -> list[str]:
    """Docnames in the order of ``_toc.yml`` (root, then every file entry, depth first)."""
    toc = yaml.safe_load(toc_file.read_text())
    pages = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                pages.append(entry["file"])
            walk(entry.get("sections"))
            walk(entry.get("chapters"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    walk(toc.get("sections"))
    return [p.removesuffix(".md").removesuffix(".ipynb") for p in pages]


PAGES = toc_pages()
REPORT: dict[str, dict] = {}


def _chromium() -> str | None:
    explicit = os.environ.get("STELIB_CHROMIUM")
    if explicit:
        return explicit
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def html_dir() -> Path:
    return built_html()  # one place finds or builds the book (tests/browser/_book.py)


@pytest.fixture(scope="session")
def server(html_dir):
    handler = functools.partial(_QuietHandler, directory=str(html_dir))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002
        pass


@pytest.fixture(scope="session")
def browser_context(tmp_path_factory):
    chromium = _chromium()
    required = os.environ.get("STELIB_REQUIRE_BROWSER") == "1"  # set by .ci/browser (CI)
    if chromium is None:
        reason = "Chromium not found (apt-get install chromium, or set STELIB_CHROMIUM)"
        pytest.fail(reason) if required else pytest.skip(reason)
    try:
        from playwright import sync_api
    except ImportError:
        reason = "the Python package playwright is missing (pip install -r requirements.txt)"
        pytest.fail(reason) if required else pytest.skip(reason)
    with sync_api.sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),  # an empty user-data dir
            executable_path=chromium,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
            offline=False,
        )
        yield context
        context.close()
    _write_report()


def _write_report() -> None:
    if not REPORT:
        return
    ARTIFACTS.mkdir(exist_ok=True)
    lines = [
        f"{'page':40s} {'equations':>9s} {'images':>7s} {'widgets':>7s} {'launch':>7s}",
    ]
    for page in PAGES:
        r = REPORT.get(page)
        if r is None:
            lines.append(f"{page:40s} (not checked)")
            continue
        lines.append(
            f"{page:40s} {r['equations']:>9d} {r['images_loaded']:>3d}/{r['images']:<3d} "
            f"{r['widget_views']:>7d} {('ipynb' if r['launch'] else '-'):>7s}"
        )
    checked = [r for r in REPORT.values() if r.get("ok")]
    lines.append(
        f"pages checked: {len(REPORT)} of {len(PAGES)}, passed: {len(checked)}; equations "
        f"typeset: {sum(r['equations'] for r in REPORT.values())}; images loaded: "
        f"{sum(r['images_loaded'] for r in REPORT.values())} of "
        f"{sum(r['images'] for r in REPORT.values())}; widget views rendered: "
        f"{sum(r['widget_views'] for r in REPORT.values())}; external requests blocked: "
        f"{sum(len(r['external']) for r in REPORT.values())}"
    )
    (ARTIFACTS / "browser-report.txt").write_text("\n".join(lines) + "\n")
    (ARTIFACTS / "browser-report.json").write_text(json.dumps(REPORT, indent=1, sort_keys=True))


_MATH_JS = """
() => {
  const boxes = Array.from(document.querySelectorAll('span.math, div.math'));
  const untypeset = boxes.filter(el => !el.querySelector('mjx-container'))
    .map(el => el.textContent.slice(0, 80));
  // raw TeX delimiters left anywhere in the visible text outside typeset math
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const raw = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const p = n.parentElement;
    if (!p || p.closest('mjx-container, script, style, pre, code, textarea, .highlight')) continue;
    const t = n.textContent;
    if (/\\$\\$|\\\\[()\\[\\]]|\\\\begin\\{/.test(t)) raw.push(t.slice(0, 80));
  }
  return {
    typeset: document.querySelectorAll('mjx-container').length,
    boxes: boxes.length,
    untypeset: untypeset,
    raw: raw,
    // TeX errors (merror) and undefined macros (MathJax's noundefined shows them in red)
    errors: Array.from(document.querySelectorAll(
        'mjx-merror, [data-mjx-error], mjx-container [style*="color: red"]'))
      .map(el => {
        const c = el.closest('mjx-container');
        const mml = c && c.querySelector('mjx-assistive-mml');
        return (el.getAttribute('data-mjx-error') || (mml && mml.textContent) || el.outerHTML)
          .slice(0, 120);
      }),
  };
}
"""

_LAYOUT_JS = """
() => {
  const visible = el => {
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none';
  };
  return {
    search_fields: Array.from(document.querySelectorAll('.search-button-field')).filter(visible)
      .length,
    // code cells and text outputs whose lines are cut off (wider than their box)
    overflowing: Array.from(document.querySelectorAll('div.cell pre'))
      .filter(el => visible(el) && el.scrollWidth > el.clientWidth + 1)
      .map(el => el.textContent.slice(0, 60)),
    // explorer controls a reader could move on the static page
    enabled_controls: Array.from(document.querySelectorAll(
        '.jupyter-widgets input, .jupyter-widgets select, .jupyter-widgets button, ' +
        '.jupyter-widgets textarea, .jupyter-widgets .noUi-target'))
      .filter(el => !(el.disabled || el.hasAttribute('disabled') ||
                      el.closest('.mod-disabled, [disabled]')))
      .map(el => el.outerHTML.slice(0, 80)),
    static_notes: document.querySelectorAll('.jupyter-widgets .stelib-static-note').length,
    citation_labels: Array.from(document.querySelectorAll('div.citation > span.label'))
      .map(el => el.textContent.trim()),
  };
}
"""

_IMAGES_JS = """
() => Array.from(document.images).map(img => ({
  src: img.currentSrc || img.src, ok: img.complete && img.naturalWidth > 0,
}))
"""


@pytest.mark.parametrize("page", PAGES)
def test_page(page, server, browser_context, html_dir):
    html = html_dir / f"{page}.html"
    assert html.is_file(), f"{page} is in _toc.yml but {html} was not built"
    source_ipynb = (ROOT / f"{page}.ipynb").is_file()
    text = html.read_text(encoding="utf-8")
    has_widget_state = 'type="application/vnd.jupyter.widget-state+json"' in text
    n_views = text.count('type="application/vnd.jupyter.widget-view+json"')
    has_mathjax = "mathjax/tex-mml-chtml.js" in text
    # a widget view without saved state renders as nothing online (QuantEcon's known pain)
    assert has_widget_state or not n_views, (
        f"{page}: {n_views} widget views but no saved widget state; re-run the notebook with "
        "bash .ci/execute-notebooks (it stores the state)"
    )

    errors: list[str] = []
    external: list[str] = []
    failed: list[str] = []
    host = urllib.parse.urlsplit(server).netloc

    def route(r):
        if urllib.parse.urlsplit(r.request.url).netloc == host:
            r.continue_()
        else:
            external.append(r.request.url)
            r.abort()

    page_ = browser_context.new_page()
    page_.route("**/*", route)
    page_.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page_.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    page_.on("requestfailed", lambda r: failed.append(f"{r.url} ({r.failure})"))
    page_.on(
        "response",
        lambda r: failed.append(f"{r.url} (HTTP {r.status})") if r.status >= 400 else None,
    )
    try:
        page_.goto(f"{server}/{page}.html", wait_until="load")
        if has_mathjax:  # Sphinx loads MathJax only on pages with math
            page_.wait_for_function(
                "() => window.MathJax && MathJax.startup && MathJax.startup.promise",
                timeout=MATH_TIMEOUT_MS,
            )
            page_.evaluate("() => MathJax.startup.promise.then(() => true)")
        widget_views = 0
        if has_widget_state:
            # the HTML manager replaces each widget-view script by the rendered widget
            page_.wait_for_function(
                f"() => document.querySelectorAll('.jupyter-widgets.widget-vbox, "
                f".jupyter-widgets.widget-box').length >= {max(n_views, 1)}",
                timeout=WIDGET_TIMEOUT_MS,
            )
            page_.wait_for_function(
                "() => Array.from(document.querySelectorAll('.jupyter-widgets img'))"
                ".every(i => i.complete)",
                timeout=WIDGET_TIMEOUT_MS,
            )
            widget_views = page_.evaluate(
                "() => document.querySelectorAll('.widget-vbox.jupyter-widgets').length"
            )
            widget_images = page_.evaluate(
                "() => document.querySelectorAll('.jupyter-widgets img').length"
            )
        # every image finished (loaded or failed); no "networkidle": flaky on a busy machine
        page_.wait_for_function(
            "() => Array.from(document.images).every(i => i.complete)", timeout=IMAGE_TIMEOUT_MS
        )
        math = page_.evaluate(_MATH_JS)
        layout = page_.evaluate(_LAYOUT_JS)
        images = page_.evaluate(_IMAGES_JS)
        launch = page_.evaluate(
            "() => Array.from(document.querySelectorAll('a[href]')).map(a => a.href)"
            ".filter(h => h.includes('mybinder.org') || h.includes('colab.research.google.com'))"
        )
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page_.screenshot(path=str(SCREENSHOTS / f"{page.replace('/', '__')}.png"), full_page=True)
    finally:
        page_.close()

    REPORT[page] = {
        "equations": math["typeset"],
        "images": len(images),
        "images_loaded": sum(i["ok"] for i in images),
        "widget_views": widget_views,
        "launch": launch,
        "external": external,
        "ok": False,
    }
    assert not external, f"{page}: requests to the network (must render offline): {external}"
    assert not failed, f"{page}: failed requests: {failed}"
    assert not errors, f"{page}: console errors: {errors}"
    assert not math["untypeset"], f"{page}: math not typeset by MathJax: {math['untypeset']}"
    assert not math["raw"], f"{page}: raw TeX delimiters left in the text: {math['raw']}"
    assert not math["errors"], f"{page}: MathJax errors: {math['errors']}"
    assert math["typeset"] >= math["boxes"]
    assert layout["search_fields"] == 1, f"{page}: {layout['search_fields']} search fields shown"
    assert not layout["overflowing"], f"{page}: code or output cut off: {layout['overflowing']}"
    bad_labels = [
        label
        for label in layout["citation_labels"]
        if not re.fullmatch(r"\[\S.*, (\d{4}|n\.d\.)[a-z]?\]", label)
    ]
    assert not bad_labels, f"{page}: bibliography labels not author-year: {bad_labels}"
    bad = [i["src"][:100] for i in images if not i["ok"]]
    assert not bad, f"{page}: images that did not load: {bad}"
    if has_widget_state:
        assert widget_views >= n_views, f"{page}: {n_views} widget views, {widget_views} rendered"
        assert widget_images >= 1, f"{page}: the explorer's figure is missing from the widget"
        assert not layout["enabled_controls"], (
            f"{page}: explorer controls enabled on the static page: {layout['enabled_controls']}"
        )
        assert layout["static_notes"] >= n_views, (
            f"{page}: an explorer without the static-page note: its stored note differs from "
            "stelib.widgets.LIVE_KERNEL_NOTE (re-run bash .ci/execute-notebooks), see "
            "_ext/book_html.py"
        )
    if source_ipynb:
        binder = [h for h in launch if "mybinder.org" in h]
        colab = [h for h in launch if "colab.research.google.com" in h]
        assert binder and colab, f"{page}: launch buttons missing: {launch}"
        for h in launch:
            assert urllib.parse.urlsplit(h).geturl().endswith(f"{page}.ipynb"), (
                f"{page}: launch link does not open the .ipynb: {h}"
            )
    else:
        assert not launch or all(h.endswith(".ipynb") for h in launch), launch
    REPORT[page]["ok"] = True
