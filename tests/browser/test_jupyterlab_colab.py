"""The built book's Colab buttons open files that are committed in the repository.

Every chapter page built from a notebook has a Colab launch button; sphinx-book-theme points it at
``chapters/NAME.ipynb`` and ``_ext/book_editions.py`` moves it into the editions folder
(``editions.folder`` of ``_config.yml``). Checked on the HTML that ``bash .ci/book`` built: each
button names the book's repository and branch (``repository:`` of ``_config.yml``) and a path
that exists in the repository's last commit (``git cat-file``), with the same content as the
working tree, and is the chapter's plain edition (``python .ci/editions``, kept current by
``tests/test_editions.py``). No browser needed; run by ``bash .ci/browser`` (the built book).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from _book import built_html  # tests/browser is on sys.path

ROOT = Path(__file__).resolve().parents[2]
COLAB = re.compile(r'href="(https://colab\.research\.google\.com/github/[^"]+)"')


def _committed(path: str) -> bytes | None:
    """The bytes of ``path`` in the repository's HEAD commit, or None if it is not there."""
    run = subprocess.run(
        ["git", "-C", str(ROOT), "cat-file", "blob", f"HEAD:{path}"], capture_output=True
    )
    return run.stdout if run.returncode == 0 else None


def test_colab_buttons_open_committed_plain_editions():
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.fail("not a git checkout: cannot tell what is committed")
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    repo = config["repository"]["url"].removeprefix("https://github.com/").strip("/")
    branch = config["repository"]["branch"]
    folder = config["editions"]["folder"].strip("/")
    html = built_html()
    notebooks = sorted(p.stem for p in (ROOT / "chapters").glob("*.ipynb"))
    seen = {}
    for stem in notebooks:
        page = html / "chapters" / f"{stem}.html"
        if not page.is_file():  # a notebook the table of contents leaves out has no page
            continue
        urls = set(COLAB.findall(page.read_text()))
        assert len(urls) == 1, f"{page.name}: Colab buttons {sorted(urls)}"
        url = urls.pop()
        prefix = f"https://colab.research.google.com/github/{repo}/blob/{branch}/"
        assert url.startswith(prefix), f"{page.name}: {url} is not on {repo}@{branch}"
        path = url.removeprefix(prefix)
        assert path == f"{folder}/chapters/{stem}.ipynb", f"{page.name}: opens {path}"
        committed = _committed(path)
        assert committed is not None, f"{page.name}: {path} is not committed (python .ci/editions)"
        assert committed == (ROOT / path).read_bytes(), f"{path}: differs from the commit"
        assert b'"generated_by": ".ci/editions"' in committed, f"{path}: not a plain edition"
        seen[stem] = path
    assert seen, "no chapter page with a Colab button in the built book"
