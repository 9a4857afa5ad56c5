"""The chapters as a reader meets them in JupyterLab, in headless Chromium, offline.

A real ``jupyter lab`` server on 127.0.0.1 (no token, no network) serves a copy of the chapters
and of their plain editions as committed (``editions/``, what the book's Colab buttons open).
Checked, as a reader sees the rendered notebook with no cell run:

* JupyterLab with jupyterlab-myst (the readers' environment, Binder) on the chapters, and
  JupyterLab without it (any plain Jupyter, like Colab) on the plain editions: no raw MyST
  (``:::{``, ``{cite}``, ``{prf:``, ``:label:``, ...), no undefined-macro error and no bare
  citation key (a key of ``chapters/references.bib`` shown as text) in the rendered markdown,
  solutions folded (in ``<details>``, closed), and above each explorer a text saying what to run
  (the chapters: the explorer's stored output; the editions, stored without outputs: the note);
* the same counts on the chapters in plain JupyterLab (what a Colab reader saw before the
  editions) and, with jupyterlab-myst, on the chapters with their citations as ``{cite}`` roles
  (what a JupyterLab reader saw before ``.ci/sync-myst-macros`` wrote them as text;
  ``STELIB_LAB_BEFORE``: chapter stems, default ``setup``, or ``all``), which must find what the
  check looks for: the check can fail;
* live (``STELIB_LAB_LIVE``: chapter stems, or ``all``, the default: every chapter): run all
  cells, move one control of each explorer and time until its figure changes.

Screenshots go to ``artifacts/lab-screenshots/``, the counts and latencies to
``artifacts/lab-report.txt``. Run by ``bash .ci/lab`` (part of ``.ci/run``); skips without
Chromium, playwright or JupyterLab, unless ``STELIB_REQUIRE_BROWSER=1``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
import yaml
from test_pages import CHROMIUM_ARGS, _chromium  # tests/browser is on sys.path

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
SHOTS = ARTIFACTS / "lab-screenshots"
CHAPTERS = sorted(p.stem for p in (ROOT / "chapters").glob("*.ipynb"))
REPORT: dict[str, dict] = {}
# the keys of the bibliography: one of them shown as text is a citation jupyterlab-myst could not
# resolve ("Citation Not Found"), or a {cite} shown raw
BIB_KEYS = sorted(
    re.findall(r"^@\w+\{([^,\s]+),", (ROOT / "chapters" / "references.bib").read_text(), re.M)
)
# (anywhere in the visible text: jupyterlab-myst shows a group {cite}`a,b` as the keys run together)
BARE_KEY = re.compile("|".join(map(re.escape, sorted(BIB_KEYS, key=len, reverse=True))))
# what a reader would see of MyST syntax left unrendered
RAW_MYST = re.compile(
    r":{3,}\{[\w:-]+\}|`{3,}\{[\w:-]+\}|\{(?:cite|eq|doc|ref|numref|prf:\w+|glue:?\w*|math)\}`?"
    r"|(?<![\w:]):(?:label|class|nonumber):|(?<!\S)\([\w-]+\)=(?!\S)",
)
# An undefined macro: MathJax 3 in JupyterLab (its noundefined package) writes the name in red;
# with other settings it makes <mjx-merror>; KaTeX (jupyterlab-myst) a .katex-error.
# (all selectors within the notebook in view: one page per notebook, in its own workspace)
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"
MATH_ERRORS = ", ".join(
    f"{PANEL} {s}"
    for s in (
        "mjx-merror",
        ".katex-error",
        ".MathJax_Error",
        "mjx-container [style*='color: red']",
        "mjx-container [style*='color:red']",
    )
)
# rendered markdown: JupyterLab's own renderer, or jupyterlab-myst's
MARKDOWN = f"{PANEL} .jp-MarkdownCell .jp-RenderedMarkdown, {PANEL} .jp-MarkdownCell .myst"


def _require(reason: str):
    if os.environ.get("STELIB_REQUIRE_BROWSER") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def lab_root(tmp_path_factory) -> Path:
    """A folder with ``chapters/`` (copies, with their data), ``editions/chapters/`` (the
    committed editions), ``raw/`` and ``before/`` (the chapters as they were)."""
    root = tmp_path_factory.mktemp("lab")
    # STELIB_LAB_CHAPTERS: read the notebooks from elsewhere (e.g. re-executed copies)
    source = Path(os.environ.get("STELIB_LAB_CHAPTERS", ROOT / "chapters"))
    shutil.copytree(source, root / "chapters")
    if not (root / "chapters" / "data").exists() and (ROOT / "chapters" / "data").is_dir():
        shutil.copytree(ROOT / "chapters" / "data", root / "chapters" / "data")
    # the chapters as committed after `python .ci/sync-myst-macros` (idempotent)
    notebooks = [str(p) for p in sorted((root / "chapters").glob("*.ipynb"))]
    subprocess.run([sys.executable, str(ROOT / ".ci" / "sync-myst-macros"), *notebooks], check=True)
    # ... and before it wrote the citations as text: {cite} roles, as the book reads them
    citations = _load(ROOT / "_ext" / "book_citations.py")
    url = citations.bibliography_url(yaml.safe_load((ROOT / "_config.yml").read_text()))
    shutil.copytree(root / "chapters", root / "before")
    glue = _load(ROOT / "_ext" / "book_glue.py")  # ... and its glued numbers as {glue:text} roles
    for path in (root / "before").glob("*.ipynb"):
        path.write_text(glue.notebook_to_roles(citations.notebook_to_roles(path.read_text(), url)))
    # ... and before jupyterlab-myst's macro cell as well (what Colab showed)
    shutil.copytree(root / "before", root / "raw")
    for path in (root / "raw").glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        nb.cells = [c for c in nb.cells if c.get("id") != "myst-macros"]
        nbformat.write(nb, path)
    # the plain editions as committed (tests/test_editions.py: current), data beside them
    shutil.copytree(ROOT / "editions" / "chapters", root / "editions" / "chapters", symlinks=True)
    (root / "editions" / "chapters" / "data").unlink(missing_ok=True)
    shutil.copytree(root / "chapters" / "data", root / "editions" / "chapters" / "data")
    return root


def _load(path: Path):
    import importlib.machinery
    import importlib.util

    loader = importlib.machinery.SourceFileLoader(path.stem, str(path))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def _start_lab(root: Path, home: Path, *, myst: bool):
    if (
        shutil.which("jupyter") is None
        or subprocess.run(
            [sys.executable, "-c", "import jupyterlab"], capture_output=True
        ).returncode
    ):
        _require("JupyterLab is not installed (pip install -r requirements.txt)")
    config = home / "config"
    settings = home / "settings" / "@jupyterlab" / "notebook-extension"
    (config / "labconfig").mkdir(parents=True)
    settings.mkdir(parents=True)
    disabled = {} if myst else {"jupyterlab-myst": True}
    (config / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": disabled})
    )
    # render every cell (no windowing), so that the whole notebook can be read
    (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    port = _free_port()
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(config),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "PYTHONPATH": str(ROOT),
    }
    log = open(home / "lab.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            f"--port={port}",
            "--ServerApp.ip=127.0.0.1",
            "--IdentityProvider.token=",
            "--ServerApp.password=",
            "--ServerApp.disable_check_xsrf=True",
            f"--ServerApp.root_dir={root}",
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly",  # no PyPI queries: offline
            "--allow-root",  # CI containers run as root
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(240):
        try:
            urllib.request.urlopen(f"{url}/api/status", timeout=2)
            break
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"jupyter lab exited: {(home / 'lab.log').read_text()[-2000:]}")
            time.sleep(0.5)
    else:
        proc.terminate()
        pytest.fail("jupyter lab did not answer within 120 s")
    return proc, url


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    chromium = _chromium()
    if chromium is None:
        _require("Chromium not found (apt-get install chromium, or set STELIB_CHROMIUM)")
    try:
        from playwright import sync_api
    except ImportError:
        _require("the Python package playwright is missing (pip install -r requirements.txt)")
    with sync_api.sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("lab-chromium")),
            executable_path=chromium,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 1000},
        )
        # offline: nothing but the local server
        context.route(re.compile(r"^(?!http://127\.0\.0\.1)[a-z]+://"), lambda route: route.abort())
        yield context
        context.close()
    _write_report()


@pytest.fixture(scope="session", params=["myst", "plain"])
def lab(request, lab_root, tmp_path_factory):
    myst = request.param == "myst"
    proc, url = _start_lab(lab_root, tmp_path_factory.mktemp(f"home-{request.param}"), myst=myst)
    yield request.param, url
    proc.terminate()
    proc.wait(timeout=30)


def _open(context, url: str, path: str):
    page = context.new_page()
    workspace = re.sub(r"\W", "-", path)  # a fresh workspace: no other notebook open
    page.goto(f"{url}/lab/workspaces/{workspace}/tree/{path}?reset", wait_until="domcontentloaded")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
    page.wait_for_function(
        f"() => document.querySelectorAll(`{MARKDOWN}`).length > 3",
        timeout=120_000,
    )
    # a kernel may be starting: rendering does not depend on it. Wait until every markdown cell
    # has rendered (all but at most the front-matter cell, which shows nothing) and the typeset
    # equations, rendered cells and <details> blocks stop changing (three readings in a row:
    # on a loaded machine jupyterlab-myst renders a long notebook in several passes).
    probe = f"""() => {{
        const cells = [...document.querySelectorAll('{PANEL} .jp-MarkdownCell')];
        const done = cells.filter(c => [...c.querySelectorAll(
            '.jp-RenderedMarkdown, .myst')].some(e => e.textContent.trim())).length;
        return [cells.length, done,
                document.querySelectorAll('{PANEL} mjx-container, {PANEL} .katex').length,
                document.querySelectorAll('{PANEL} details').length];
    }}"""
    readings, deadline = [], time.monotonic() + 180
    while time.monotonic() < deadline:
        cells, done, math, details = page.evaluate(probe)
        readings.append((cells, done, math, details))
        if done >= cells - 1 and math > 0 and len(readings) >= 3 and len(set(readings[-3:])) == 1:
            break
        page.wait_for_timeout(1500)
    else:
        pytest.fail(
            f"{path}: not rendered within 180 s (cells, rendered, math, details): {readings[-3:]}"
        )
    return page


def _shut_down_kernels(url: str) -> None:
    """Stop every kernel of the server: a closed tab leaves its kernel running, and eight idle
    chapter kernels would hold gigabytes and slow the next chapter's run."""
    with urllib.request.urlopen(f"{url}/api/sessions", timeout=30) as answer:
        sessions = json.load(answer)
    for session in sessions:
        request = urllib.request.Request(f"{url}/api/sessions/{session['id']}", method="DELETE")
        urllib.request.urlopen(request, timeout=60).close()


def _rendered(page) -> dict:
    return page.evaluate(
        """(sel) => {
        const md = [...document.querySelectorAll(sel.markdown)];
        // the text a reader sees outside the typeset equations
        const text = md.map(e => {
            const copy = e.cloneNode(true);
            copy.querySelectorAll('mjx-container, .katex, .MathJax, script').forEach(
                m => m.replaceWith(' '));
            return copy.textContent;
        }).join('\\n');
        const errors = [...document.querySelectorAll(sel.errors)];
        const details = [...document.querySelectorAll(sel.panel + ' details')];
        const outputs = [...document.querySelectorAll(sel.panel + ' .jp-OutputArea-output')]
            .map(e => e.innerText);
        return {text, errors: errors.map(e => e.textContent || e.getAttribute('title') || ''),
                details: details.length, open: details.filter(d => d.open).length,
                outputs};
    }""",
        {"markdown": MARKDOWN, "errors": MATH_ERRORS, "panel": PANEL},
    )


def _shots(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-top.png"))
    for what, selector in (
        ("proof", ".jp-MarkdownCell blockquote, .jp-MarkdownCell aside"),
        ("explorer", ".jp-OutputArea-output img"),
        ("solution", ".jp-MarkdownCell details"),
    ):
        found = page.evaluate(
            """(sel) => { const e = [...document.querySelectorAll(sel)]
                .find(x => x.offsetParent !== null);
            if (e) e.scrollIntoView({block: 'start'}); return !!e; }""",
            selector,
        )
        if found:
            page.wait_for_timeout(700)
            page.screenshot(path=str(SHOTS / f"{name}-{what}.png"))


def _before_chapters() -> list[str]:
    wanted = os.environ.get("STELIB_LAB_BEFORE", "setup")
    return CHAPTERS if wanted == "all" else [c for c in wanted.split(",") if c in CHAPTERS]


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_reads_cleanly_and_its_explorers_run_live(lab, browser, chapter):
    """Rendered with no cell run: no raw MyST, macro error or bare citation key (the "before"
    and "raw" copies must show them); then, with jupyterlab-myst, the same page runs live."""
    kind, url = lab
    cases = [("editions/chapters", True)] if kind == "plain" else [("chapters", True)]
    if kind == "plain":  # what a reader without jupyterlab-myst saw: the check must find it
        cases.append(("raw", False))
    elif chapter in _before_chapters():  # the citations before they were written as text
        cases.append(("before", False))
    for folder, must_be_clean in cases:
        page = _open(browser, url, f"{folder}/{chapter}.ipynb")
        try:
            _check_page(page, kind, folder, chapter, must_be_clean)
            if folder == "chapters" and chapter in _live_chapters():
                # the same page, as a reader goes on: run all cells, move the controls
                _run_live(page, chapter)
        finally:
            page.close()
            _shut_down_kernels(url)


def _glue_keys(chapter: str) -> re.Pattern:
    """The names of the values ``chapter`` glues, as a reader would see them in place of the
    number: jupyterlab-myst shows a ``{glue:text}`` role as its key (``_ext/book_glue.py``)."""
    nb = nbformat.read(ROOT / "chapters" / f"{chapter}.ipynb", as_version=4)
    names = sorted(_load(ROOT / "_ext" / "book_glue.py").glued_values(nb.cells), key=len)
    alternatives = "|".join(map(re.escape, reversed(names))) or "(?!)"
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")


def _check_page(page, kind: str, folder: str, chapter: str, must_be_clean: bool) -> None:
    seen = _rendered(page)
    raw = RAW_MYST.findall(seen["text"])
    keys = BARE_KEY.findall(seen["text"])
    glue_keys = _glue_keys(chapter).findall(seen["text"])
    label = f"{kind}:{folder}/{chapter}"
    _shots(page, label.replace("/", "_").replace(":", "-"))
    REPORT[label] = {
        "raw_myst": len(raw),
        "math_errors": len(seen["errors"]),
        "bare_citation_keys": len(keys),
        "glue_keys": len(glue_keys),
        "solutions_folded": f"{seen['details'] - seen['open']}/{seen['details']}",
    }
    if not must_be_clean:  # the check must find what these copies showed a reader
        if folder == "raw":  # no jupyterlab-myst: the syntax itself
            assert raw or seen["errors"], f"{label}: the raw chapter should show MyST here"
        assert keys, f"{label}: the {{cite}} roles should show as bare keys here"
        if folder == "before":  # jupyterlab-myst shows a {glue:text} role as its key
            assert glue_keys, f"{label}: the {{glue:text}} roles should show as keys here"
        return
    assert not raw, f"{label}: raw MyST visible: {raw[:10]}"
    assert not seen["errors"], f"{label}: math errors: {seen['errors'][:5]}"
    assert not keys, f"{label}: bare citation keys visible: {keys[:10]}"
    assert not glue_keys, f"{label}: glue keys visible instead of numbers: {glue_keys[:10]}"
    assert seen["details"] >= 1 and seen["open"] == 0, f"{label}: solutions not folded"
    if folder == "editions/chapters":  # stored without outputs: the note says what to run
        assert "Run All Cells" in seen["text"] and "Run all" in seen["text"], label
        assert not seen["outputs"], f"{label}: the published edition has outputs"
        return
    explorer = [o for o in seen["outputs"] if "Not running yet" in o]
    assert explorer, (
        f"{label}: no note saying what to run above the stored explorer "
        "(stelib.widgets.RUN_CELLS_NOTE: re-run bash .ci/execute-notebooks)"
    )


#: Chapters not run live by default, with the reason; ``STELIB_LAB_LIVE=<stem>`` still runs them.
#: (threshold_budget was here until it stopped reading ``../benchmarks/``: the server's copy of the
#: chapters has no such folder, the cell failed, Run All Cells stopped, and the wait below timed
#: out; it now stops at the first traceback and names it.)
NOT_LIVE: dict[str, str] = {}


def _live_chapters() -> list[str]:
    wanted = os.environ.get("STELIB_LAB_LIVE", "all")
    if wanted == "all":
        return [c for c in CHAPTERS if c not in NOT_LIVE]
    return [c for c in wanted.split(",") if c in CHAPTERS]


def _run_live(page, chapter: str) -> None:
    """Run all cells of the open chapter, move one control of each explorer and time until its
    figure changes (the readers' JupyterLab only: one server is enough)."""
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator, .jp-KernelStatus", timeout=60_000)
    started = time.perf_counter()
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
    # every code cell ran: no prompt left at [*] or empty
    # ... or a cell failed: Run All Cells stops there, so stop waiting and report it below
    page.wait_for_function(
        """() => {
        const failed = [...document.querySelectorAll(
            '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
            .some(o => o.textContent.includes('Traceback'));
        const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
            .map(p => p.textContent.trim());
        return failed || (prompts.length && prompts.every(t => /^\\[\\d+\\]:$/.test(t)));
    }""",
        timeout=600_000,
        polling=1000,
    )
    ran = time.perf_counter() - started
    errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    tracebacks = [t for t in errors.all_inner_texts() if "Traceback" in t or "Error" in t]
    assert not tracebacks, f"{chapter}: errors while running: {tracebacks[:2]}"
    explorers = page.locator(".jp-OutputArea-output .widget-vbox:has(.widget-output)")
    count = explorers.count()
    assert count >= 1, f"{chapter}: no live explorer after running all cells"
    latencies = []
    for i in range(count):
        ex = explorers.nth(i)
        ex.scroll_into_view_if_needed()
        assert "rocket" not in ex.inner_text(), f"{chapter}: live explorer mentions the rocket"
        image = ex.locator(".widget-output img").first
        before = image.get_attribute("src")
        control = ex.locator(".widget-slider .noUi-handle, .widget-dropdown select").first
        tag = control.evaluate("e => e.tagName")
        start = time.perf_counter()
        if tag == "SELECT":
            options = control.locator("option").all_inner_texts()
            current = control.input_value()
            control.select_option(next(o for o in options if o != current))
        else:
            control.focus()
            page.keyboard.press("ArrowRight")
        page.wait_for_function(
            "([el, src]) => { const i = el.querySelector('.widget-output img');"
            " return i && i.getAttribute('src') !== src; }",
            arg=[ex.element_handle(), before],
            timeout=60_000,
            polling=20,
        )
        latencies.append(time.perf_counter() - start)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"live-{chapter}-explorer{i + 1}.png"))
    REPORT[f"live:{chapter}"] = {
        "run_all_s": round(ran, 1),
        "redraw_s": [round(t, 2) for t in latencies],
    }


def _write_report() -> None:
    if not REPORT:
        return
    ARTIFACTS.mkdir(exist_ok=True)
    lines = [f"{k}: {json.dumps(v)}" for k, v in sorted(REPORT.items())]
    (ARTIFACTS / "lab-report.txt").write_text("\n".join(lines) + "\n")
