"""The book's figure palette survives colour blindness; ``sl.glue`` glues formatted numbers."""

from __future__ import annotations

import itertools
import sys

import numpy as np
import pytest

import stelib as sl

# Machado, Oliveira, Fernandes (2009), "A physiologically-based model for simulation of color
# vision deficiency", IEEE TVCG 15(6), 1291-1298: the matrices for severity 1.0, applied to
# linear RGB.
CVD = {
    "protanopia": [
        [0.152286, 1.052583, -0.204868],
        [0.114503, 0.786281, 0.099216],
        [-0.003882, -0.048116, 1.051998],
    ],
    "deuteranopia": [
        [0.367322, 0.860646, -0.227968],
        [0.280085, 0.672501, 0.047413],
        [-0.011820, 0.042940, 0.968881],
    ],
    "tritanopia": [
        [1.255528, -0.076749, -0.178779],
        [-0.078411, 0.930809, 0.147602],
        [0.004733, 0.691367, 0.303900],
    ],
}
# CIE76 colour difference: about 2.3 is just noticeable; 15 keeps line colours apart at a glance.
MIN_DELTA_E = 15.0
# matplotlib's default colours (tab10), which are known not to survive red-green colour blindness
TAB10 = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")


def _linear_rgb(hex_colour: str) -> np.ndarray:
    srgb = np.array([int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def _lab(linear: np.ndarray) -> np.ndarray:
    """CIE L*a*b* (D65) of a linear sRGB colour."""
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    t = xyz @ linear / np.array([0.95047, 1.0, 1.08883])
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def closest_pair(palette, vision: str) -> tuple[float, str, str]:
    """The smallest CIE76 distance between two colours of ``palette`` as seen with ``vision``."""
    matrix = np.eye(3) if vision == "normal" else np.array(CVD[vision])
    labs = [_lab(np.clip(matrix @ _linear_rgb(c), 0.0, 1.0)) for c in palette]
    return min(
        (float(np.linalg.norm(labs[i] - labs[j])), palette[i], palette[j])
        for i, j in itertools.combinations(range(len(palette)), 2)
    )


@pytest.mark.parametrize("vision", ["normal", *CVD])
def test_palette_distinct_under_colour_blindness(vision):
    distance, a, b = closest_pair(sl.PALETTE, vision)
    assert distance >= MIN_DELTA_E, f"{a} and {b} look alike with {vision}: dE = {distance:.1f}"


@pytest.mark.parametrize("vision", ["protanopia", "deuteranopia"])
def test_check_catches_a_red_green_palette(vision):
    # the same check fails for matplotlib's default colours, which confuse red and green
    assert closest_pair(TAB10, vision)[0] < MIN_DELTA_E


def test_book_style_uses_the_palette():
    import matplotlib as mpl

    sl.use_book_style()
    assert tuple(mpl.rcParams["axes.prop_cycle"].by_key()["color"]) == sl.PALETTE


def test_glue_stores_the_formatted_text(monkeypatch):
    myst_nb = pytest.importorskip("myst_nb")
    calls = []
    monkeypatch.setattr(myst_nb, "glue", lambda name, v, display: calls.append((name, v, display)))
    sl.glue("ratio", np.float64(0.030312), fmt=".4f")
    sl.glue("trials", np.int64(200))
    sl.glue("share", 0.25, fmt=".0%", display=True)
    # what the {glue:text} role shows: myst-nb's reading of the stored text/plain
    from myst_nb.core.variables import format_plain_text

    assert [(n, format_plain_text(repr(v), ""), d) for n, v, d in calls] == [
        ("ratio", "0.0303", False),
        ("trials", "200", False),
        ("share", "25%", True),
    ]
    sl.glue("zero", 0.0370, fmt=".4f")  # the trailing zero survives
    assert format_plain_text(repr(calls[-1][1]), "") == "0.0370"
    assert format_plain_text(repr(calls[-1][1]), ".2f") == "0.04"  # a role's format spec works


def test_glue_without_myst_nb_displays_the_value(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setitem(sys.modules, "myst_nb", None)  # import myst_nb raises ImportError
    monkeypatch.setattr(IPython.display, "display", lambda obj: shown.append(obj.data))
    sl.glue("m50", 1234.5, fmt=",.1f")
    assert shown == ["`m50` = 1,234.5"]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"name": 3, "value": 1.0}, TypeError, "name"),
        ({"name": "2x", "value": 1.0}, ValueError, "name"),
        ({"name": "a b", "value": 1.0}, ValueError, "name"),
        ({"name": "x", "value": [1.0]}, TypeError, "value"),
        ({"name": "x", "value": True}, TypeError, "value"),
        ({"name": "x", "value": 1.0, "fmt": 3}, TypeError, "fmt"),
        ({"name": "x", "value": "text", "fmt": ".2f"}, ValueError, "fmt"),
    ],
)
def test_glue_validates(kwargs, error, match):
    with pytest.raises(error, match=match):
        sl.glue(**kwargs)
