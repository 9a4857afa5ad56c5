"""Accessibility and dark mode of every page of the built book, in headless Chromium, offline.

For each page of ``_toc.yml``, in the light and in the dark colour scheme:

* an automated accessibility audit with axe-core (run inside the page; the npm tarball is pinned
  and cached in ``cache/npm/`` like ``.ci/fetch-assets`` does): zero violations of impact
  "serious" or "critical";
* headings in order (one ``h1``; no level skipped going down) and every image with an ``alt``
  text that is neither empty nor its file name (the figures' alt texts come from the cell
  metadata, ``mystnb.image.alt``);
* in the dark scheme the page really is dark (the theme follows the reader's setting, nothing
  forces light mode) and every figure image sits on a white card with its colours unfiltered
  (matplotlib draws black text on a transparent background; ``_ext/static/reader.css``), so
  the figure stays readable and the checked palette keeps its colours;
* a screenshot of the page in each mode: ``artifacts/screenshots/light/`` and ``.../dark/``.

The counts of violations per page and mode go to ``artifacts/a11y-report.txt`` (and ``.json``),
written before the assertions, so a failing run still says what failed. Run by ``bash
.ci/browser`` together with ``test_pages.py``, whose browser settings it uses.
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import importlib.util
import json
import os
import shutil
import subprocess
import tarfile
import threading
import urllib.request
from pathlib import Path

import pytest
import test_pages as _pages
from _book import built_html
from test_pages import ARTIFACTS, IMAGE_TIMEOUT_MS, MATH_TIMEOUT_MS, PAGES, ROOT, WIDGET_TIMEOUT_MS

AXE_VERSION = "4.10.3"
AXE_SHA256 = "0f2b4d7dcdf7d1219df8d1959ad68e565f51d14c3f0d88bb71cd59abeb956292"
FAILING_IMPACTS = ("serious", "critical")
MODES = ("light", "dark")
A11Y: dict[str, dict] = {}


def _missing_alt_allowed() -> dict[str, int]:
    """Figures per chapter still without alt text (tests/test_book_a11y.py; may only fall)."""
    spec = importlib.util.spec_from_file_location(
        "_book_a11y", ROOT / "tests" / "test_book_a11y.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.MISSING_ALT


def axe_tarball(cache: Path = ROOT / "cache" / "npm") -> Path:
    """The pinned axe-core npm tarball in ``cache/npm/`` (fetched once, checksum checked)."""
    tarball = cache / f"axe-core-{AXE_VERSION}.tgz"
    if not tarball.is_file():
        cache.mkdir(parents=True, exist_ok=True)
        if shutil.which("npm"):
            subprocess.run(
                ["npm", "pack", "--silent", f"axe-core@{AXE_VERSION}"], cwd=cache, check=True
            )
        else:  # no Node.js: the same tarball from the registry's download URL
            url = f"https://registry.npmjs.org/axe-core/-/axe-core-{AXE_VERSION}.tgz"
            urllib.request.urlretrieve(url, tarball)  # noqa: S310
    digest = hashlib.sha256(tarball.read_bytes()).hexdigest()
    if digest != AXE_SHA256:
        raise RuntimeError(f"checksum mismatch for {tarball} (delete it to refetch)")
    return tarball


@pytest.fixture(scope="module")
def html_dir() -> Path:
    return built_html()


@pytest.fixture(scope="module")
def server(html_dir):
    handler = functools.partial(_pages._QuietHandler, directory=str(html_dir))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory):
    """Chromium as in test_pages.py, closed at the end of this module (before test_pages)."""
    chromium = _pages._chromium()
    required = os.environ.get("STELIB_REQUIRE_BROWSER") == "1"
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
            str(tmp_path_factory.mktemp("chromium-profile-a11y")),
            executable_path=chromium,
            headless=True,
            args=_pages.CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
        )
        yield context
        context.close()


@pytest.fixture(scope="module")
def axe_source() -> str:
    with tarfile.open(axe_tarball()) as tar:
        return tar.extractfile("package/axe.min.js").read().decode("utf-8")


_HEADINGS_JS = """
() => {
  const main = document.querySelector('main') || document.body;
  const hs = Array.from(main.querySelectorAll('h1, h2, h3, h4, h5, h6'))
    .filter(h => h.offsetParent !== null);
  const levels = hs.map(h => Number(h.tagName[1]));
  const skips = [];
  for (let i = 1; i < levels.length; i++) {
    if (levels[i] > levels[i - 1] + 1) {
      const where = hs[i].textContent.trim().slice(0, 60);
      skips.push(`h${levels[i - 1]} -> h${levels[i]} at "${where}"`);
    }
  }
  return {h1: levels.filter(l => l === 1).length, first: levels[0] || 0, skips: skips};
}
"""

_ALT_JS = """
() => Array.from(document.images).filter(img => {
  const alt = (img.getAttribute('alt') || '').trim();
  const file = (img.getAttribute('src') || '').split('/').pop();
  if (img.closest('.navbar-brand, .logo, .btn, button, a')) return !img.hasAttribute('alt');
  return !alt || (file && alt.endsWith(file)) || alt.startsWith('data:');
}).map(img => (img.getAttribute('src') || '').slice(0, 80))
"""

# figure images: cell outputs (matplotlib PNG/SVG) and the explorers' figures (widget images)
_FIGURES_JS = """
() => {
  const lum = c => {
    const m = c.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const [r, g, b, a] = m[1].split(',').map(Number);
    if (a === 0) return null;  // transparent: look further up
    const lin = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  };
  const backing = el => {
    for (let e = el; e; e = e.parentElement) {
      const l = lum(getComputedStyle(e).backgroundColor);
      if (l !== null) return l;
    }
    return lum(getComputedStyle(document.body).backgroundColor);
  };
  const imgs = Array.from(document.querySelectorAll(
    '.cell_output img, .output img, .jupyter-widgets img'));
  return {
    theme: document.documentElement.dataset.theme,
    body: lum(getComputedStyle(document.body).backgroundColor),
    figures: imgs.map(i => ({
      src: (i.getAttribute('src') || '').slice(0, 60), backing: backing(i),
      filter: getComputedStyle(i).filter,
    })),
  };
}
"""


def _settle(page_, text: str) -> None:
    """Wait until MathJax has typeset, widgets rendered and images finished (as test_pages)."""
    if "mathjax/tex-mml-chtml.js" in text:
        page_.wait_for_function(
            "() => window.MathJax && MathJax.startup && MathJax.startup.promise",
            timeout=MATH_TIMEOUT_MS,
        )
        page_.evaluate("() => MathJax.startup.promise.then(() => true)")
    if 'type="application/vnd.jupyter.widget-state+json"' in text:
        n_views = text.count('type="application/vnd.jupyter.widget-view+json"')
        page_.wait_for_function(
            f"() => document.querySelectorAll('.jupyter-widgets.widget-vbox, "
            f".jupyter-widgets.widget-box').length >= {max(n_views, 1)}",
            timeout=WIDGET_TIMEOUT_MS,
        )
    page_.wait_for_function(
        "() => Array.from(document.images).every(i => i.complete)", timeout=IMAGE_TIMEOUT_MS
    )


def _write_report() -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    lines = [
        f"{'page':32s} {'mode':5s} {'critical':>8s} {'serious':>7s} {'moderate':>8s} "
        f"{'minor':>5s}  rules (serious/critical)"
    ]
    for page in PAGES:
        for mode in MODES:
            r = A11Y.get(f"{page}:{mode}")
            if r is None:
                continue
            c = r["counts"]
            bad = ", ".join(
                sorted({v["id"] for v in r["violations"] if v["impact"] in FAILING_IMPACTS})
            )
            lines.append(
                f"{page:32s} {mode:5s} {c['critical']:>8d} {c['serious']:>7d} "
                f"{c['moderate']:>8d} {c['minor']:>5d}  {bad}"
            )
    (ARTIFACTS / "a11y-report.txt").write_text("\n".join(lines) + "\n")
    (ARTIFACTS / "a11y-report.json").write_text(json.dumps(A11Y, indent=1, sort_keys=True))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("page", PAGES)
def test_accessible(page, mode, server, browser_context, html_dir, axe_source):
    text = (html_dir / f"{page}.html").read_text(encoding="utf-8")
    page_ = browser_context.new_page()
    host = server.split("//", 1)[1]
    page_.route("**/*", lambda r: r.continue_() if f"//{host}/" in r.request.url else r.abort())
    try:
        page_.emulate_media(color_scheme=mode)
        page_.goto(f"{server}/{page}.html", wait_until="load")
        _settle(page_, text)
        headings = page_.evaluate(_HEADINGS_JS)
        bad_alt = page_.evaluate(_ALT_JS)
        figures = page_.evaluate(_FIGURES_JS)
        shots = ARTIFACTS / "screenshots" / mode
        shots.mkdir(parents=True, exist_ok=True)
        page_.screenshot(path=str(shots / f"{page.replace('/', '__')}.png"), full_page=True)
        page_.add_script_tag(content=axe_source)
        result = page_.evaluate(
            "() => axe.run(document, {resultTypes: ['violations']})"
            ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
            " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5), count: v.nodes.length})))"
        )
    finally:
        page_.close()

    counts = {k: 0 for k in ("critical", "serious", "moderate", "minor")}
    for v in result:
        counts[v["impact"] or "minor"] += v["count"]
    A11Y[f"{page}:{mode}"] = {
        "counts": counts,
        "violations": result,
        "headings": headings,
        "bad_alt": bad_alt,
        "figures": figures,
    }
    _write_report()

    failing = [v for v in result if v["impact"] in FAILING_IMPACTS]
    assert not failing, f"{page} ({mode}): axe violations: {json.dumps(failing, indent=1)}"
    assert headings["h1"] == 1 and headings["first"] == 1, f"{page}: headings {headings}"
    assert not headings["skips"], f"{page}: headings out of order: {headings['skips']}"
    allowed = _missing_alt_allowed().get(f"{page.split('/')[-1]}.ipynb", 0)
    assert len(bad_alt) <= allowed, f"{page}: images without a real alt text: {bad_alt}"
    assert figures["theme"] == mode, f"{page}: theme {figures['theme']!r} in {mode} mode"
    if mode == "dark":
        assert figures["body"] < 0.1, f"{page}: the page is not dark ({figures['body']:.2f})"
        # a white card (black text on it: contrast 21:1), colours not dimmed or inverted
        dim = [f["src"] for f in figures["figures"] if f["backing"] is None or f["backing"] < 0.9]
        assert not dim, f"{page}: figures without a white card in dark mode: {dim}"
        filtered = [f["src"] for f in figures["figures"] if f["filter"] != "none"]
        assert not filtered, f"{page}: figure colours filtered in dark mode: {filtered}"
