"""The plain-Jupyter editions (``.ci/editions``): MyST in, plain Markdown out."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import re
import shutil
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


editions = _load("editions")
RAW = re.compile(r"\{[\w:-]+\}`|^\s*(?::{3,}|`{3,})\{|^\s*:label:|^\([\w-]+\)=", re.M)


def _book(tmp_path: Path, cells: list[str], *, other: list[str] | None = None) -> Path:
    """A tiny book: _config.yml (the real macros), _toc.yml, two chapters, references.bib."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    tmp_path.mkdir(parents=True)
    (tmp_path / "_config.yml").write_text(yaml.safe_dump(config))
    (tmp_path / "_toc.yml").write_text(
        yaml.safe_dump(
            {
                "format": "jb-book",
                "root": "chapters/preface",
                "parts": [
                    {
                        "caption": "x",
                        "numbered": True,
                        "chapters": [{"file": "chapters/one"}, {"file": "chapters/two"}],
                    }
                ],
            }
        )
    )
    chapters = tmp_path / "chapters"
    chapters.mkdir()
    (chapters / "references.bib").write_text(
        "@article{bengio2013estimating, author={Bengio, Yoshua and L{\\'e}onard, Nicholas and"
        " Courville, Aaron}, title={T}, journal={J}, year={2013}}\n"
    )
    for stem, sources in (("one", other or ["# One\n\ntext"]), ("two", cells)):
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_markdown_cell(s) for s in sources]
        nbformat.write(nb, chapters / f"{stem}.ipynb")
    return tmp_path


def _edition(tmp_path, cells, **kw) -> list[str]:
    root = _book(tmp_path / "src", cells, other=kw.pop("other", None))
    paths = editions.build(tmp_path / "out", root=root, **kw)
    nb = nbformat.read(next(p for p in paths if p.stem == "two"), as_version=4)
    return [c.source for c in nb.cells if c.cell_type == "markdown"]


def test_macros_come_from_config_and_expand_only_whole_names():
    macros = editions.book_macros(yaml.safe_load((ROOT / "_config.yml").read_text()))
    assert macros["E"] == "\\mathbb{E}" and macros["wstar"] == "w^{\\star}"
    text = editions.expand_macros(r"$\E[\sign x] + \Exp + \wstar_i + \R^n + \one\{t\}$", macros)
    assert text == (
        r"${\mathbb{E}}[{\operatorname{sign}} x] + \Exp + {w^{\star}}_i + {\mathbb{R}}^n"
        r" + {\mathbb{1}}\{t\}$"
    )


def test_blocks_numbers_references_citations_and_folded_solutions(tmp_path):
    cells = [
        "# Two\n\n(sec-two)=\n## A section\n\nSee {cite}`bengio2013estimating`.",
        ":::{prf:definition} Thing\n:label: def-thing\nA $\\wstar$ thing\n\n"
        "$$\nx=1\n$$ (eq-x)\n:::",
        ":::{prf:lemma}\n:label: lem-a\nBody.\n:::\n\n:::{prf:proof}\nEasy.\n:::",
        ":::{prf:definition} Other\n:label: def-other\nB\n:::\n\n$$\ny=2\n$$ (eq-y)",
        "By {prf:ref}`def-other`, {eq}`eq-y`, {prf:ref}`that lemma <lem-a>`, {ref}`sec-two`,"
        " {doc}`one` and {prf:ref}`def-far`.",
        ":::{exercise}\n:label: ex-a\nDo it.\n:::\n\n:::{solution} ex-a\n:class: dropdown\n"
        "Done: $\\E x$.\n:::",
        ":::{admonition} Learning goals\n:class: tip\n1. one\n:::\n\n:::{note}\nN\n:::",
    ]
    other = ["# One\n\n:::{prf:definition} Far\n:label: def-far\nF\n:::"]
    md = _edition(tmp_path, cells, other=other)
    text = "\n\n".join(md)
    assert not RAW.search(text), RAW.findall(text)
    assert "\\wstar" not in text and "{w^{\\star}}" in text
    # numbered per kind within the chapter (chapter 2), as sphinx-proof does
    assert "> **Definition 2.1** (Thing)" in text and "> **Definition 2.2** (Other)" in text
    assert "> **Lemma 2.1**" in text and "> *Proof.* Easy. $\\square$" in text
    # equations tagged with the book's numbers; inside a quoted block on one line
    assert "> $$x=1 \\tag{2.1}$$" in text and "$$\ny=2\n\\tag{2.2}\n$$" in text
    assert (
        "By [Definition 2.2](#def-other), [(2.2)](#eq-eq-y), [that lemma](#lem-a), "
        "[A section](#sec-two), [One](one.ipynb) and [Definition 1.1](one.ipynb#def-far)."
    ) in text
    assert '<a id="def-thing"></a>' in text and '<a id="eq-eq-x"></a>' in text
    assert re.search(  # as the book shows it, and the chapter notebooks (_ext/book_citations.py)
        r"See \[\[Bengio et al\., 2013\]\(https?://\S+/chapters/bibliography\.html"
        r"#bengio2013estimating\)\]\.",
        text,
    )
    assert "> **Exercise 2.1**" in text
    assert "<details>\n<summary>Solution to Exercise 2.1 (click to show)</summary>" in text
    assert "Done: ${\\mathbb{E}} x$." in text and "<details open" not in text
    assert "> **Learning goals**" in text and "> **Note**" in text
    assert md[1].startswith("*This is the plain-Jupyter edition")  # the note after the title


def test_student_edition_has_no_solutions(tmp_path):
    cells = ["# Two", ":::{exercise}\n:label: ex-a\nDo it.\n:::\n\n:::{solution} ex-a\nS\n:::"]
    text = "\n".join(_edition(tmp_path, cells, solutions=False))
    assert "Exercise 2.1" in text and "Solution" not in text and "S\n" not in text


@pytest.mark.parametrize(
    ("source", "match"),
    [
        (":::{figure} x.png\n:::", "directive {figure}"),
        ("{abbr}`a`", "role {abbr}"),
        ("{eq}`nowhere`", "unknown label 'nowhere'"),
        ("{cite}`nobody2000`", "unknown citation 'nobody2000'"),
        (":::{note}\nopen", "unclosed"),
    ],
)
def test_what_has_no_plain_rendering_is_an_error_not_raw_text(tmp_path, source, match):
    with pytest.raises(ValueError, match=re.escape(match)):
        _edition(tmp_path, ["# Two", source])


def test_glued_values_are_written_into_the_text(tmp_path):
    root = _book(
        tmp_path / "src",
        ["# Two\n\nRate {glue:text}`rate:.2f`, n = {glue}`n`, {glue:text}`pct` unfinished."],
    )
    path = root / "chapters" / "two.ipynb"
    nb = nbformat.read(path, as_version=4)
    out = nbformat.v4.new_output
    glue = [
        out(
            "display_data", data={"text/plain": "0.12345"}, metadata={"scrapbook": {"name": "rate"}}
        ),
        out("display_data", data={"text/plain": "50"}, metadata={"scrapbook": {"name": "n"}}),
        out(  # as myst-nb's glue(..., display=False) stores it
            "display_data",
            data={"application/papermill.record/text/plain": "'16%'"},
            metadata={"scrapbook": {"name": "pct", "mime_prefix": "application/papermill.record/"}},
        ),
    ]
    nb.cells.append(nbformat.v4.new_code_cell("glue(...)", outputs=glue))
    nbformat.write(nb, path)
    written = editions.build(tmp_path / "out", root=root)
    nb = nbformat.read(next(p for p in written if p.stem == "two"), as_version=4)
    assert "Rate 0.12, n = 50, 16% unfinished." in nb.cells[0].source
    assert nb.cells[-1].outputs == []  # shown in the text, not twice


def test_the_chapters_editions_have_no_myst_left_and_the_books_numbers(tmp_path):
    paths = editions.build(tmp_path)
    assert sorted(p.name for p in paths) == sorted(
        p.name for p in (ROOT / "chapters").glob("*.ipynb")
    )
    numbered = [f for f, n in editions.chapters() if n is not None]
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
        assert not RAW.search(text), (path.name, RAW.findall(text)[:5])
        assert not re.search(r"\\(E|R|sign|one|wstar|ghat)(?![A-Za-z])", text), path.name
        source = (ROOT / "chapters" / path.name).read_text()
        number = numbered.index(f"chapters/{path.stem}") + 1
        labelled = len(re.findall(r"\$\$ \([\w-]+\)", source))
        tags = re.findall(r"\\tag\{(\d+)\.(\d+)\}", text)
        assert [int(c) for c, _ in tags] == [number] * labelled, path.name
        assert [int(k) for _, k in tags] == list(range(1, labelled + 1)), path.name
        solutions = source.count(":::{solution}") + source.count(":::{solution-start}")
        solved = set(re.findall(r"<summary>Solution to (Exercise [\d.]+)", text))
        assert len(solved) == solutions and text.count("<details open") == 0, path.name
    assert (tmp_path / "chapters" / "data").is_dir() == (ROOT / "chapters" / "data").is_dir()


def _ext_module(name: str):
    """An extension module of ``_ext/`` (``book_editions``, ``book_citations``, ...)."""
    import importlib
    import sys

    sys.path.insert(0, str(ROOT / "_ext"))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(ROOT / "_ext"))


def test_colab_buttons_open_the_editions_folder_set_in_config():
    book_editions = _ext_module("book_editions")
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["sphinx"]["local_extensions"]["book_editions"] == "_ext"
    folder = book_editions.editions_folder(ROOT)
    assert folder == config["editions"]["folder"]
    assert editions.published_folder(ROOT) == ROOT / folder
    url = "https://colab.research.google.com/github/o/r/blob/main/chapters/setup.ipynb"
    assert book_editions.colab_to_editions(url, folder) == url.replace(
        "/main/chapters/", f"/main/{folder}/chapters/"
    )
    context = {"header_buttons": [{"type": "group", "buttons": [{"text": "Colab", "url": url}]}]}
    app = type("App", (), {"srcdir": str(ROOT)})()
    book_editions._colab_editions(app, "chapters/setup", None, context, None)
    assert context["header_buttons"][0]["buttons"][0]["url"].endswith(
        f"/blob/main/{folder}/chapters/setup.ipynb"
    )


def test_published_editions_are_committed_and_current():
    """The committed editions (``editions.folder``) are what ``python .ci/editions`` makes from
    the chapters as they are now: outputs stripped, ``data`` a relative link; one per chapter."""
    folder = editions.published_folder(ROOT)
    stems = {Path(f).stem for f, _ in editions.chapters() if (ROOT / f"{f}.ipynb").exists()}
    assert {p.stem for p in (folder / "chapters").glob("*.ipynb")} == stems
    for path in (folder / "chapters").glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        assert nb.metadata["stelib_edition"]["generated_by"] == ".ci/editions"
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), path.name
        assert "widgets" not in nb.metadata
    assert editions.stale(ROOT) == [], "the committed editions are stale: python .ci/editions"


def test_publish_replaces_a_changed_edition_and_removes_an_old_one(tmp_path):
    root = _book(tmp_path / "src", ["# Two\n\n:::{note}\nHello\n:::"])
    (root / "chapters" / "data").mkdir()
    config = yaml.safe_load((root / "_config.yml").read_text())
    config["editions"]["folder"] = "pub"
    (root / "_config.yml").write_text(yaml.safe_dump(config))
    editions.publish(root)
    (root / "pub" / "chapters" / "gone.ipynb").write_text("{}")
    assert editions.stale(root) == ["pub/chapters/gone.ipynb"]
    (root / "pub" / "chapters" / "two.ipynb").write_text("{}")
    assert editions.stale(root) == ["pub/chapters/gone.ipynb", "pub/chapters/two.ipynb"]
    editions.publish(root)
    assert editions.stale(root) == []
    assert not (root / "pub" / "chapters" / "gone.ipynb").exists()
    assert (root / "pub" / "chapters" / "data").is_symlink()
    assert not Path((root / "pub" / "chapters" / "data").readlink()).is_absolute()
    config["editions"]["folder"] = "../elsewhere"
    (root / "_config.yml").write_text(yaml.safe_dump(config))
    with pytest.raises(ValueError, match="editions.folder"):
        editions.published_folder(root)


def test_myst_macro_cell_is_written_from_config_first_and_removed_from_the_book(tmp_path):
    sync = _load("sync-myst-macros")
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    macros = config["sphinx"]["config"]["mathjax3_config"]["tex"]["macros"]
    source = sync.frontmatter()
    front = yaml.safe_load(source.strip().removeprefix("---").removesuffix("---"))
    assert front["math"] == {f"\\{name}": body for name, body in macros.items()}
    for path in (ROOT / "chapters").glob("*.ipynb"):
        shutil.copy(path, tmp_path / path.name)
    copies = sorted(tmp_path.glob("*.ipynb"))
    assert all(
        sync.sync(p, source, check=True) for p in copies if "myst-macros" not in p.read_text()
    )
    assert sync.main([str(p) for p in copies]) == 0
    assert sync.main(["--check", *map(str, copies)]) == 0  # a second pass changes nothing
    for path in copies:
        nb = nbformat.read(path, as_version=4)
        first = nb.cells[0]
        # numbered like the book in jupyterlab-myst: "Definition 2.1", "(2.3)"
        number = sync.chapter_number(path)
        assert (f"chapters/{path.stem}", number) in editions.chapters() and number is not None
        wanted = sync.frontmatter(chapter=number)
        assert (
            wanted == source.removesuffix("---") + f"numbering:\n  enumerator: '{number}.%s'\n---"
        )
        assert (first.id, first.cell_type, first.source) == ("myst-macros", "markdown", wanted)
        assert first.metadata["tags"] == ["remove-cell"]  # Jupyter Book leaves it out
        assert nb.cells[1].source.startswith("# ")  # the title comes next
        original = nbformat.read(ROOT / "chapters" / path.name, as_version=4)
        assert [c for c in nb.cells if c.id != "myst-macros"] == [
            c for c in original.cells if c.id != "myst-macros"
        ]
    # the editions drop the cell (their macros are expanded)
    out = editions.build(tmp_path / "ed", root=_copy_book(tmp_path, copies))
    for path in out:
        nb = nbformat.read(path, as_version=4)
        assert nb.cells[0].source.startswith("# ") and "myst-macros" not in [c.id for c in nb.cells]


def _copy_book(tmp_path: Path, notebooks: list[Path]) -> Path:
    root = tmp_path / "book"
    (root / "chapters").mkdir(parents=True)
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy(ROOT / name, root / name)
    shutil.copy(ROOT / "chapters" / "references.bib", root / "chapters" / "references.bib")
    for path in notebooks:
        shutil.copy(path, root / "chapters" / path.name)
    return root


def test_every_chapter_notebook_has_the_current_myst_macros_cell():
    sync = _load("sync-myst-macros")
    stale = [
        p.name
        for p in sorted((ROOT / "chapters").glob("*.ipynb"))
        if sync.sync(p, sync.frontmatter(chapter=sync.chapter_number(p)), check=True)
    ]
    assert not stale, f"run python .ci/sync-myst-macros: {stale}"


def test_gated_solutions_across_cells_are_folded_or_dropped(tmp_path):
    root = _book(tmp_path / "src", ["# Two"])
    path = root / "chapters" / "two.ipynb"
    nb = nbformat.read(path, as_version=4)
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    nb.cells += [
        md(":::{exercise}\n:label: ex-g\nDo.\n:::\n\n:::{solution-start} ex-g\n:::\n\nFirst."),
        code("x = 1", id="sol-code"),
        md("Second.\n\n:::{solution-end}\n:::\n\nAfter."),
        code("y = 2", id="after-code"),
    ]
    nbformat.write(nb, path)
    for solutions in (True, False):
        out = editions.build(tmp_path / f"out{solutions}", root=root, solutions=solutions)
        cells = nbformat.read(next(p for p in out if p.stem == "two"), as_version=4).cells
        text = "\n".join(c.source for c in cells if c.cell_type == "markdown")
        codes = {c.id: c for c in cells if c.cell_type == "code"}
        assert "> **Exercise 2.1**" in text and "After." in text and "after-code" in codes
        assert not codes["after-code"].metadata.get("jupyter")
        assert not RAW.search(text)
        if solutions:
            assert "<summary>Solution to Exercise 2.1 (click" in text and "First." in text
            assert "<summary>Solution to Exercise 2.1 (continued)" in text and "Second." in text
            assert codes["sol-code"].metadata["jupyter"] == {
                "source_hidden": True,
                "outputs_hidden": True,
            }
        else:
            assert "First." not in text and "Second." not in text and "sol-code" not in codes


def _explorer_note():
    import sys

    sys.path.insert(0, str(ROOT / "_ext"))
    try:
        import book_explorer_note
    finally:
        sys.path.remove(str(ROOT / "_ext"))
    return book_explorer_note


EXPLORER_NOTE = re.compile(r"^:::\{note\}\n(?P<options>(?::[\w-]+:.*\n)*)The explorer below", re.M)


def test_every_explorer_note_is_marked_and_speaks_to_a_notebook_reader():
    """The book replaces the note's text by builder (_ext/book_explorer_note.py): every chapter's
    note carries the class, and its own text (JupyterLab, the plain editions) is for a reader
    with a kernel: no "web page", no "print"."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["sphinx"]["local_extensions"]["book_explorer_note"] == "_ext"
    found = 0
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            for match in EXPLORER_NOTE.finditer(cell.source):
                found += 1
                assert ":class: explorer-note" in match["options"], path.name
                body = cell.source[match.end() :].split(":::", 1)[0]
                assert "Run All Cells" in body and "web page" not in body, path.name
    assert found >= len(list((ROOT / "chapters").glob("*.ipynb")))


def test_explorer_note_reads_right_on_the_web_in_print_and_elsewhere():
    from docutils import nodes

    mod = _explorer_note()
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    web = mod.note_text("html", "chapters/setup", config)
    assert "web page" in web and "launch buttons" in web
    printed = mod.note_text("latex", "chapters/setup", config)
    assert "in print" in printed and "web page" not in printed and "launch buttons" not in printed
    assert f"chapters/setup.ipynb in the book's repository ({config['repository']['url']})" in (
        printed
    )
    assert config["editions"]["book_url"].rstrip("/") + "/chapters/setup.html" in printed
    assert mod.note_text("text", "chapters/setup", config) is None

    def doc(*notes):
        root = nodes.section()
        for classes, text in notes:
            note = nodes.note(classes=classes)
            note += nodes.paragraph(text, text)
            root += note
        return root

    for fmt, expected in (("latex", printed), ("html", web), ("text", "kernel here")):
        tree = doc(([mod.CLASS], "kernel here"), ([], "another note"))
        app = type("App", (), {"srcdir": str(ROOT)})()
        app.builder = type("Builder", (), {"format": fmt})()
        app.env = type("Env", (), {"docname": "chapters/setup"})()
        mod._mark(app, tree)
        mod._replace(app, tree, "index")  # the PDF: one assembled document, named index
        notes = list(tree.findall(nodes.note))
        assert [n.astext() for n in notes] == [expected, "another note"], fmt
    tree = doc(([mod.CLASS], "x"))
    tree[0] += nodes.bullet_list()
    with pytest.raises(ValueError, match="more than paragraphs"):
        mod._replace(app, tree, "chapters/setup")


def test_citations_in_the_notebooks_are_the_books_text_and_turn_back_into_roles():
    bc = _ext_module("book_citations")
    url = "https://b.example/chapters/bibliography.html"
    labels = {"a2013x": "Ab et al., 2013", "c1990": "Cé, 1990"}  # the bibliography's order
    text = "See {cite}`a2013x` and ({cite}`c1990, a2013x`); {eq}`e` stays."
    linked = bc.to_links(text, labels, url)
    assert linked == (  # several keys in the bibliography's order, as sphinxcontrib-bibtex
        f"See [[Ab et al., 2013]({url}#a2013x)] and ([[Ab et al., 2013]({url}#a2013x), "
        f"[Cé, 1990]({url}#c1990)]); {{eq}}`e` stays."
    )
    roles = "See {cite}`a2013x` and ({cite}`a2013x,c1990`); {eq}`e` stays."
    assert bc.to_roles(linked, url) == roles
    # relabelled from the bibliography (the one source), never kept as typed
    stale = linked.replace("Ab et al., 2013", "Ab, 2013")
    assert bc.to_links(stale, labels, url) == linked
    with pytest.raises(ValueError, match="nobody"):
        bc.to_links("{cite}`nobody`", labels, url)
    # a link to elsewhere is not a citation
    other = "[Ab et al., 2013](https://else.example/x.html#a2013x)"
    assert bc.to_roles(f"[{other}]", url) == f"[{other}]"


def test_every_chapter_cites_as_text_in_the_notebook_and_as_roles_in_the_book():
    """No ``{cite}`` left in the chapter notebooks (jupyterlab-myst would show its bare key);
    the book's build (``source-read``) sees exactly the roles the citations stand for."""
    import json

    bc = _ext_module("book_citations")
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["sphinx"]["local_extensions"]["book_citations"] == "_ext"
    url = bc.bibliography_url(config)
    labels = bc.book_labels(ROOT / "chapters" / "references.bib")
    cited = 0
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        content = path.read_text()
        nb = json.loads(content)
        book = json.loads(bc.notebook_to_roles(content, url))
        for cell, seen in zip(nb["cells"], book["cells"], strict=True):
            if cell["cell_type"] != "markdown":
                assert cell == seen
                continue
            source = "".join(cell["source"])
            assert "{cite}" not in source, f"{path.name}: run python .ci/sync-myst-macros"
            roles = seen["source"]
            assert url not in roles, f"{path.name}: a citation the book would not see"
            cited += len(bc.ROLE.findall(roles))
            assert bc.to_links(roles, labels, url) == source, path.name
    assert cited >= 10


def test_glued_numbers_read_as_values_in_the_notebooks_and_as_roles_in_the_book():
    """jupyterlab-myst shows a {glue:text} role as its key: the chapter notebooks hold the value
    (from their own outputs, with the key as hover text), and the build sees the role again."""
    import json

    bg = _ext_module("book_glue")
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["sphinx"]["local_extensions"]["book_glue"] == "_ext"
    pasted = 0
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        content = path.read_text()
        nb = json.loads(content)
        glued = bg.glued_values(nb["cells"])
        book = json.loads(bg.notebook_to_roles(content))
        for cell, seen in zip(nb["cells"], book["cells"], strict=True):
            if cell["cell_type"] != "markdown":
                assert cell == seen
                continue
            source = "".join(cell["source"])
            assert "{glue:text}" not in source, f"{path.name}: run python .ci/sync-myst-macros"
            for value, key in ((m["value"], m["key"]) for m in bg.FORM.finditer(source)):
                assert glued[key] == value, f"{path.name}: {key} is {glued[key]}, text {value}"
                pasted += 1
            assert "(glued: " not in seen["source"], f"{path.name}: a value the book would not see"
            assert bg.to_form(seen["source"], glued) == source, path.name
    assert pasted >= 100


def test_glue_form_refuses_an_unknown_key():
    bg = _ext_module("book_glue")
    assert bg.to_form("a {glue:text}`x` b", {"x": "0.25"}) == "a {abbr}`0.25 (glued: x)` b"
    assert bg.to_roles("a {abbr}`0.25 (glued: x)` b") == "a {glue:text}`x` b"
    with pytest.raises(ValueError, match="no glued value 'y'"):
        bg.to_form("{glue:text}`y`", {"x": "1"})
