"""How the book shows results: one figure style and the numbers the prose quotes.

Chapters call :func:`use_book_style` once at the top. It sets a colour-blind-safe palette
(Okabe–Ito, checked under simulated colour blindness by ``tests/test_plotting.py``),
labelled-axis defaults, and, inside IPython, a plain-text representation of figures that states
the figure's title instead of ``<Figure size …>``, so stored notebook outputs hold no
memory-dependent or size-dependent text.

Numbers that the prose states come from the notebook's own outputs through :func:`glue`
(myst-nb's glue, quoted by a ``{glue:text}`` role with the name in a Markdown cell), so a
changed data file changes the text and nbval checks the glued value with every other output.
"""

from __future__ import annotations

import numbers

import matplotlib as mpl

__all__ = ["PALETTE", "glue", "use_book_style"]

#: Okabe–Ito colour-blind-safe palette.
PALETTE = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
)


def figure_titles(fig) -> str:
    """The figure's titles, ``"suptitle | axes title | …"`` (empty ones left out).

    The deterministic text that stands for a figure in stored notebook outputs (nbval compares
    it), used by the explorers and by :func:`stelib.use_book_style`'s text representation.
    """
    titles = [fig.get_suptitle()] if fig.get_suptitle() else []
    titles += [ax.get_title() for ax in fig.axes if ax.get_title()]
    return " | ".join(titles)


def _figure_text(fig, p, cycle):
    titles = figure_titles(fig)
    p.text(f"[figure: {titles}]" if titles else "[figure]")


def use_book_style() -> None:
    """Set the book's matplotlib style (and figure text repr inside IPython)."""
    mpl.rcParams.update(
        {
            "axes.prop_cycle": mpl.cycler(color=PALETTE),
            "figure.figsize": (7.0, 4.0),
            "figure.dpi": 100,
            "savefig.dpi": 100,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "font.size": 11,
            "legend.frameon": False,
            "image.cmap": "viridis",
            "svg.hashsalt": "stelib",
        }
    )
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a book requirement
        return
    ip = get_ipython()
    if ip is not None:
        import matplotlib.pyplot as plt
        from matplotlib.figure import Figure

        # Load the backend now: the inline backend resets all Figure formatters when it loads.
        plt.switch_backend(mpl.get_backend())
        ip.display_formatter.formatters["text/plain"].for_type(Figure, _figure_text)


class _Glued:
    """A glued value: ``{glue:text}`` shows exactly its formatted text.

    myst-nb reads the stored text/plain back with ``ast.literal_eval``, which would turn
    ``0.0370`` into ``0.037``; a quoted string comes back verbatim.
    """

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return repr(self.text)

    def _repr_markdown_(self) -> str:
        return self.text


def glue(name: str, value, *, fmt: str = "", display: bool = False) -> None:
    """Make ``value`` quotable in the chapter's prose by its ``name`` (myst-nb's glue).

    Inside Jupyter Book (myst-nb installed) the formatted value is stored in the cell's output
    under ``name`` (``myst_nb.glue``); the page shows it wherever a Markdown cell has a
    ``{glue:text}`` role with that name (or ``{glue}``), and nbval compares it like any output.
    Where myst-nb is absent (e.g. on Colab) the value is displayed as ``name = text`` instead,
    so a reader still sees the number the prose refers to. Used by every chapter's prose.

    Parameters
    ----------
    name : str
        The key the prose uses: letters, digits, ``_`` and ``-``, starting with a letter.
    value : number or str
        A Python or numpy scalar (numpy scalars are converted, so ``np.float64(0.5)`` shows as
        ``0.5``), or a string.
    fmt : str, optional
        A format spec (``format(value, fmt)``), e.g. ``".3f"``, ``".2%"``, ``","``. Default: the
        value's ``str``.
    display : bool, optional
        Also show the value in the cell's output on the page (default: only in the prose).

    Notes
    -----
    Returns nothing, so a cell may end with it; the glued text is ``format(value, fmt)``.
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__}")
    if not name or not name[0].isalpha() or not all(ch.isalnum() or ch in "_-" for ch in name):
        raise ValueError(
            f"name must be letters, digits, '_' or '-', starting with a letter: {name!r}"
        )
    if not isinstance(fmt, str):
        raise TypeError(f"fmt must be a str, got {type(fmt).__name__}")
    if hasattr(value, "item") and getattr(value, "shape", None) == ():
        value = value.item()  # numpy scalar -> Python scalar
    if isinstance(value, bool) or not isinstance(value, numbers.Number | str):
        raise TypeError(f"value must be a number or a str, got {type(value).__name__}")
    try:
        text = format(value, fmt)
    except ValueError as err:
        raise ValueError(f"fmt {fmt!r} does not apply to value {value!r}: {err}") from None
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        myst_glue = None
    if myst_glue is not None:
        myst_glue(name, _Glued(text), display=display)
    else:  # no myst-nb (e.g. Colab): show the number the prose quotes
        from IPython.display import Markdown
        from IPython.display import display as show

        show(Markdown(f"`{name}` = {text}"))
