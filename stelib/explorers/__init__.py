"""The chapter explorers, one module per chapter (the framework is :mod:`stelib.widgets`).

Each module holds a chapter's explorer: its figure, its one-line readout and its controls, on
top of a computation that lives in the module of its concept. ``ipywidgets`` is imported only
when an explorer is built.
"""

from .finite_samples import finite_samples_explorer
from .inputs import InputsView, inputs_explorer, inputs_view
from .optimum import OptimumView, optimum_explorer, optimum_view
from .quantisation import QuantisationRun, quantisation_explorer, quantisation_run
from .recurrence import RecurrenceView, recurrence_explorer, recurrence_view
from .setup import setup_explorer
from .threshold import ThresholdCurves, threshold_curves, threshold_explorer
from .threshold_origin import (
    ThresholdOriginView,
    threshold_origin_explorer,
    threshold_origin_view,
)
from .variants import VariantsView, variants_explorer, variants_view

__all__ = [
    "QuantisationRun",
    "quantisation_run",
    "quantisation_explorer",
    "setup_explorer",
    "finite_samples_explorer",
    "ThresholdCurves",
    "threshold_curves",
    "threshold_explorer",
    "ThresholdOriginView",
    "threshold_origin_view",
    "threshold_origin_explorer",
    "RecurrenceView",
    "recurrence_view",
    "recurrence_explorer",
    "OptimumView",
    "optimum_view",
    "optimum_explorer",
    "InputsView",
    "inputs_view",
    "inputs_explorer",
    "VariantsView",
    "variants_view",
    "variants_explorer",
]
