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


# --- a newcomer's first hour (issue 11, items 16-23) --------------------------------------------

normalizer = _load("normalize-notebooks")

WIDGET_NOTEBOOK = [
    "import ipywidgets as w",
    "s = w.IntSlider(value=3, description='n')\nw.VBox([w.HTML('<b>t</b>'), s])",
    "print(s.value)",
    # printed text reaches the notebook in chunks that depend on when the kernel flushes
    "import time\nprint('a', flush=True)\ntime.sleep(0.2)\nprint('b', flush=True)",
]


def _execute(path: Path) -> None:
    """Execute ``path`` in place the way .ci/execute-notebooks does (its nbconvert options)."""
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", store_widget_state=True).execute()
    nbformat.write(nb, path)


def test_reexecuting_an_unchanged_notebook_changes_nothing_after_normalizing(tmp_path):
    runs = []
    for i in range(2):
        path = tmp_path / f"run{i}" / "tiny.ipynb"
        path.parent.mkdir()
        nb = nbformat.v4.new_notebook()
        nb.cells = [
            nbformat.v4.new_code_cell(src, id=f"c{j}") for j, src in enumerate(WIDGET_NOTEBOOK)
        ]
        nbformat.write(nb, path)
        _execute(path)
        raw = nbformat.read(path, as_version=4)
        assert "execution" in raw.cells[0].metadata  # nbclient's timestamps, before
        assert normalizer.main([str(path)]) == 0
        assert normalizer.main(["--check", str(path)]) == 0  # a second pass changes nothing
        runs.append(path.read_text())
    assert runs[0] == runs[1]
    nb = nbformat.reads(runs[0], as_version=4)
    assert all("execution" not in c.metadata for c in nb.cells)
    # ids renamed consistently: the displayed view, the saved state and its references agree
    state = nb.metadata.widgets["application/vnd.jupyter.widget-state+json"]["state"]
    view = nb.cells[1].outputs[0].data["application/vnd.jupyter.widget-view+json"]["model_id"]
    assert view in state and state[view]["model_name"] == "VBoxModel"
    refs = [r.removeprefix("IPY_MODEL_") for r in state[view]["state"]["children"]]
    assert len(refs) == 2 and all(r in state for r in refs)
    assert {state[r]["model_name"] for r in refs} == {"HTMLModel", "IntSliderModel"}
    assert nb.cells[2].outputs[0].text == "3\n"
    assert [o.text for o in nb.cells[3].outputs] == ["a\nb\n"]


def test_normalizing_merges_consecutive_streams_of_one_name_only():
    out = nbformat.v4.new_output
    outputs = [
        out("stream", name="stdout", text="a\n"),
        out("stream", name="stdout", text="b\n"),
        out("stream", name="stderr", text="w\n"),
        out("display_data", data={"text/plain": "x"}),
        out("stream", name="stdout", text="c\n"),
    ]
    merged = normalizer.merge_streams(outputs)
    assert [(o.output_type, o.get("name"), o.get("text")) for o in merged] == [
        ("stream", "stdout", "a\nb\n"),
        ("stream", "stderr", "w\n"),
        ("display_data", None, None),
        ("stream", "stdout", "c\n"),
    ]


def test_normalizing_keeps_every_reference_resolvable_in_the_chapters(tmp_path):
    import json
    import re

    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        nb = normalizer.normalize(nbformat.read(path, as_version=4), path.stem)
        saved = nb.metadata.get("widgets", {}).get(normalizer.STATE)
        if not saved:
            continue
        state = saved["state"]
        text = json.dumps(state)
        assert set(re.findall(r"IPY_MODEL_(\w+)", text)) <= set(state), path.name
        for cell in nb.cells:
            for view in normalizer._views(cell.get("outputs")):
                assert view["model_id"] in state, path.name
        again = normalizer.normalize(nbformat.from_dict(json.loads(json.dumps(nb))), path.stem)
        assert again == nb, path.name


def test_license_is_the_mit_licence_pyproject_declares():
    import tomllib

    assert tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"] == "MIT"
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License") and "Permission is hereby granted, free of charge" in text


def _imported_modules(source: str) -> set[str]:
    import ast

    modules = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module.split(".")[0])
    return modules


def test_readers_requirements_cover_every_import_of_the_chapters_and_stelib():
    import sys

    readers = bootstrap.readers_requirements()
    lines = (ROOT / ".binder" / "requirements.txt").read_text().splitlines()
    assert "-e ." in lines  # Binder installs the library from the repository
    imported = set()
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                source = "\n".join(
                    ln for ln in cell.source.splitlines() if not ln.lstrip().startswith(("%", "!"))
                )
                imported |= _imported_modules(source)
    for path in sorted((ROOT / "stelib").rglob("*.py")):
        imported |= _imported_modules(path.read_text())
    third_party = imported - set(sys.stdlib_module_names) - {"stelib", "__future__"}
    # installed with a listed package: IPython with ipywidgets, llvmlite with numba
    comes_with = {"IPython": "ipywidgets", "llvmlite": "numba"}
    missing = {m for m in third_party if comes_with.get(m, m) not in readers}
    assert not missing, f"add to .binder/requirements.txt: {sorted(missing)}"
    # ... and the readers get none of the developers' tools
    assert not set(readers) & {"pytest", "nbval", "ruff", "playwright", "jupyter_book"}


def test_bootstrap_cell_installs_only_missing_readers_packages_and_is_ruff_formatted(tmp_path):
    import shutil
    import subprocess

    source = bootstrap.bootstrap_source()
    for module, requirement in bootstrap.readers_requirements().items():
        assert f'"{module}": "{requirement}",' in source
    assert "find_spec(mod) is None" in source
    ruff = shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff not installed")
    done = subprocess.run(
        [ruff, "format", "--config", str(ROOT / "pyproject.toml"), "-"],
        input=source + "\n",
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout == source + "\n"  # the notebooks' lint (ruff format) keeps it as is


def test_developers_requirements_install_jupyterlab():
    lines = [
        ln.split("#")[0].strip() for ln in (ROOT / "requirements.txt").read_text().splitlines()
    ]
    assert any(ln.startswith("jupyterlab") for ln in lines)


def test_bibliography_is_author_year_in_text_and_list():
    import sys

    config = yaml.safe_load((ROOT / "_config.yml").read_text())["sphinx"]["config"]
    assert config["bibtex_reference_style"] == "author_year"
    assert config["bibtex_default_style"] == "authoryear"
    sys.path.insert(0, str(ROOT / "_ext"))
    try:
        import bibstyle
    finally:
        sys.path.remove(str(ROOT / "_ext"))
    from pybtex.database import parse_string
    from pybtex.plugin import find_plugin

    bibstyle.register()
    bib = parse_string(
        "@article{a, author={Bengio, Yoshua and L{\\'e}onard, Nicholas and Courville, Aaron},"
        " title={T}, journal={J}, year={2013}}\n"
        "@article{b, author={Jacques, L. and Degraeve, K.}, title={U}, journal={J}, year={2013}}\n"
        '@article{c, author={Gy{\\"o}rgyi, G.}, title={V}, journal={J}, year={1990}}\n'
        '@article{d, author={Gy{\\"o}rgyi, G.}, title={W}, journal={J}, year={1990}}\n',
        "bibtex",
    )
    style = find_plugin("pybtex.style.formatting", "authoryear")()
    labels = [e.label for e in style.format_entries(bib.entries.values())]
    # sorted by author, year, title; LaTeX accents decoded; a, b for equal labels
    assert labels == [
        "Bengio et al., 2013",
        "Györgyi, 1990a",
        "Györgyi, 1990b",
        "Jacques and Degraeve, 2013",
    ]


def test_pdf_extension_is_loaded_and_finds_the_preface_title():
    import sys

    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["sphinx"]["local_extensions"]["book_pdf"] == "_ext"
    sys.path.insert(0, str(ROOT / "_ext"))
    try:
        import book_pdf
    finally:
        sys.path.remove(str(ROOT / "_ext"))
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    assert book_pdf.root_title(ROOT, toc["root"]) == "Preface"
    assert book_pdf.root_title(ROOT, "no/such/page") is None
    # UnnumberedParts reads the parts' numbered flags: the appendices have none
    appendices = [p for p in toc["parts"] if p.get("caption") == "Appendices"]
    assert appendices and not appendices[0].get("numbered")


def test_static_page_saves_explorer_controls_disabled_with_the_static_note():
    import sys

    sys.path.insert(0, str(ROOT / "_ext"))
    try:
        import book_html
    finally:
        sys.path.remove(str(ROOT / "_ext"))
    from stelib.widgets import LIVE_KERNEL_NOTE

    state = {
        "version_major": 2,
        "state": {
            "s": {"model_name": "IntSliderModel", "state": {"value": 3, "disabled": False}},
            "n": {"model_name": "HTMLModel", "state": {"value": f"<em>{LIVE_KERNEL_NOTE}</em>"}},
            "t": {"model_name": "HTMLModel", "state": {"value": "<b>title</b>"}},
            "o": {"model_name": "OutputModel", "state": {"outputs": []}},
        },
    }
    static = book_html.static_widget_state(state, "chapters/x.ipynb", LIVE_KERNEL_NOTE)
    models = static["state"]
    assert models["s"]["state"] == {"value": 3, "disabled": True}
    assert "Static copy" in models["n"]["state"]["value"]
    assert "chapters/x.ipynb" in models["n"]["state"]["value"]
    assert models["t"] == state["state"]["t"] and models["o"] == state["state"]["o"]
    assert state["state"]["s"]["state"]["disabled"] is False  # the input is left alone


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
