"""One figure style for the whole book, set in one place.

Chapters call :func:`use_book_style` once at the top. It sets a colour-blind-safe palette
(Okabe–Ito), labelled-axis defaults, and, inside IPython, a plain-text representation of
figures that states the figure's title instead of ``<Figure size …>``, so stored notebook
outputs hold no memory-dependent or size-dependent text.
"""

from __future__ import annotations

import matplotlib as mpl

__all__ = ["PALETTE", "use_book_style"]

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
