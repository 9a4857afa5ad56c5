"""The book's own tools: the Colab/Binder bootstrap cell and the student edition."""

from __future__ import annotations

import importlib.machinery
import importlib.util
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def _load(name: str):
    loader = importlib.machinery.SourceFileLoader(name.replace("-", "_"), str(ROOT / ".ci" / name))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


bootstrap = _load("sync-bootstrap")
student = _load("student-edition")


def test_repository_url_is_set_once_in_config():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    url = config["repository"]["url"]
    assert url.startswith("https://github.com/")
    assert (ROOT / "_config.yml").read_text().count(url) == 1


def test_bootstrap_cell_uses_the_config_url_and_compiles(tmp_path):
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    cfg = tmp_path / "_config.yml"
    cfg.write_text(
        yaml.safe_dump({"repository": {"url": "https://example.org/a/b", "branch": "x"}})
    )
    source = bootstrap.bootstrap_source(cfg)
    assert '"https://example.org/a/b", "x"' in source
    compile(source, "bootstrap", "exec")
    assert config["repository"]["url"] in bootstrap.bootstrap_source()


def test_bootstrap_sync_inserts_once_then_updates(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# T"), nbformat.v4.new_code_cell("import stelib")]
    path = tmp_path / "ch.ipynb"
    nbformat.write(nb, path)
    assert bootstrap.sync(path, "print(1)", check=True)  # missing: out of date, file untouched
    assert nbformat.read(path, as_version=4).cells[0].cell_type == "markdown"
    assert bootstrap.sync(path, "print(1)", check=False)
    assert not bootstrap.sync(path, "print(1)", check=True)
    assert bootstrap.sync(path, "print(2)", check=True)  # a changed URL: out of date
    assert bootstrap.sync(path, "print(2)", check=False)  # ... and the cell is rewritten
    cells = nbformat.read(path, as_version=4).cells
    # first code cell, below the title
    assert [c.source for c in cells] == ["# T", "print(2)", "import stelib"]
    assert cells[1].id == "bootstrap" and cells[1].metadata["tags"] == ["hide-cell"]
    # a bootstrap cell above the title is moved down
    nb = nbformat.read(path, as_version=4)
    nb.cells = [nb.cells[1], nb.cells[0], nb.cells[2]]
    nbformat.write(nb, path)
    assert bootstrap.sync(path, "print(2)", check=True)
    assert bootstrap.sync(path, "print(2)", check=False)
    assert [c.source for c in nbformat.read(path, as_version=4).cells][:2] == ["# T", "print(2)"]


def test_strip_solutions_keeps_exercises_and_nested_blocks_out():
    text = (
        "Intro\n:::{exercise}\n:label: ex-a-1\n\nDo it.\n:::\n\n"
        "::::{solution} ex-a-1\n:class: dropdown\n\n:::{math}\nx\n:::\nDone.\n::::\n\n"
        "```{solution} ex-a-2\nhidden\n```\nAfter.\n"
    )
    out, removed = student.strip_solutions(text)
    assert removed == 2
    assert "Do it." in out and "After." in out and ":::{exercise}" in out
    assert "Done." not in out and "hidden" not in out and "{solution}" not in out
    with pytest.raises(ValueError, match="unclosed"):
        student.strip_solutions(":::{solution} ex\nx\n")


def test_every_chapter_notebook_starts_with_the_current_bootstrap_cell():
    source = bootstrap.bootstrap_source()
    stale = [
        p.name
        for p in sorted((ROOT / "chapters").glob("*.ipynb"))
        if bootstrap.sync(p, source, check=True)
    ]
    assert not stale, f"run python .ci/sync-bootstrap && bash .ci/execute-notebooks: {stale}"


def test_library_reference_lists_every_public_name_by_concept():
    import stelib

    reference = _load("reference-page")
    assert reference.PAGE.read_text(encoding="utf-8") == reference.page()  # page up to date
    text = reference.page()
    for module in stelib._MODULES:
        assert f".. py:module:: {module.__name__}" in text
        for name in module.__all__:
            assert f":: {name}\n" in text, name
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [c["file"] for part in toc["parts"] for c in part["chapters"]]
    assert "chapters/reference" in files
