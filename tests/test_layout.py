"""The library's layout (issue 19): one home per idea, small modules, old paths still work."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import stelib as sl

STELIB = Path(sl.__file__).resolve().parent
MODULES = sorted(STELIB.glob("*.py")) + sorted((STELIB / "explorers").glob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_modules_stay_small_and_import_their_siblings_at_the_top(path):
    text = path.read_text(encoding="utf-8")
    assert text.count("\n") <= 450, f"{path.name}: split it by concept"
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.FunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.ImportFrom):
                    where = f"{path.name}:{inner.lineno}"
                    assert not inner.level, f"{where}: a sibling import inside a function"


@pytest.mark.parametrize(
    ("old", "name", "new"),
    [
        (sl.recurrence, "drift_prediction", sl.theory),
        (sl.recurrence, "latent_trajectory", sl.trajectory),
        (sl.recurrence, "recurrence_sweep", sl.experiments),
        (sl.recurrence, "read_recurrence_file", sl.datafiles),
        (sl.widgets, "setup_explorer", sl.explorers.setup),
        (sl.widgets, "threshold_curves", sl.explorers.threshold),
    ],
)
def test_moved_names_still_work_from_their_old_module_with_a_warning(old, name, new):
    with pytest.warns(DeprecationWarning, match=f"use stelib.{name}"):
        obj = getattr(old, name)
    assert obj is getattr(new, name) is getattr(sl, name)
    with pytest.raises(AttributeError, match="no attribute"):
        old.no_such_name  # noqa: B018


def test_the_constant_c_and_the_coarse_gradient_have_one_definition():
    sources = {p.name: p.read_text(encoding="utf-8") for p in MODULES}
    assert [n for n, s in sources.items() if "np.sqrt(2.0 / (np.pi * n))" in s] == ["theory.py"]
    assert [n for n, s in sources.items() if "def weights(r, a, m, k" in s] == ["_gradient.py"]
    assert [n for n, s in sources.items() if "csr_matvecs(" in s] == ["_gradient.py"]


CHAPTER_NOTEBOOKS = sorted((STELIB.parent / "chapters").glob("*.ipynb"))
PARENT_PATH = re.compile(r"""["'](?:\.\./|\.\.\\\\)""")


@pytest.mark.parametrize("path", CHAPTER_NOTEBOOKS, ids=lambda p: p.stem)
def test_chapters_read_nothing_outside_their_folder(path):
    # A chapter runs from chapters/ (the book, Binder, Colab after its bootstrap cell), from
    # editions/chapters/ (the plain editions, with data/ linked) and from a copy of chapters/
    # (the JupyterLab test): a path starting with "../" works in the first only.
    import nbformat

    nb = nbformat.read(path, as_version=4)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert not PARENT_PATH.search(cell.source), f"{path.name} cell {i}: a path in ../"
