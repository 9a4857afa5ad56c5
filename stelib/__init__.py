"""stelib: the straight-through estimator on a two-layer binary network, in numpy.

The library behind the book *The Straight-Through Estimator, Sample by Sample*, an executable
companion to Jeong, Xin, Yin, "Beyond Discreteness: Finite-Sample Analysis of the
Straight-Through Estimator for Quantization" (arXiv:2505.18113). Chapters write
``import stelib as sl``; every public name is listed in ``__all__`` and re-exported here flat.
"""

from . import (
    concentration,
    data,
    datafiles,
    experiments,
    model,
    onebit,
    plotting,
    recurrence,
    stats,
    ste,
    theory,
    trajectory,
    widgets,
)
from .concentration import (
    coarse_gradient_deviation,
    sample_weights_at_distance,
    signal,
    union_bound_sample_size,
    weights_at_distance,
)
from .data import (
    Trial,
    clean_labels,
    gaussian_inputs,
    noisy_labels,
    sample_trial,
    sample_trials,
    teacher,
    trial_seed,
)
from .datafiles import SuccessFile, command_line, read_success_file, write_success_file
from .experiments import SuccessResult, progress_enabled, success_probability
from .model import angle_from_hamming, empirical_loss, hamming, network, sign
from .onebit import BIHTResult, biht
from .plotting import PALETTE, use_book_style
from .recurrence import (
    RETURN_TIME_BINS,
    DriftPrediction,
    RecurrenceFile,
    RecurrenceStats,
    Runs,
    drift_prediction,
    ergodic_weights,
    excursions,
    exit_time,
    latent_trajectory,
    read_recurrence_file,
    recurrence_record,
    recurrence_statistics,
    recurrence_sweep,
    return_time_histogram,
    sojourns,
    write_recurrence_file,
    wrong_fraction,
)
from .stats import (
    SCALINGS,
    Collapse,
    Interval,
    M50Fit,
    PowerLawFit,
    clopper_pearson_interval,
    collapse_spread,
    fit_m50,
    fit_power_law,
    hitting_time_survival,
    logistic_success,
    scale,
    successes_within,
    wilson_interval,
)
from .ste import (
    STES,
    STEResult,
    coarse_gradient,
    ste_derivative,
    ste_gradient_method,
    ste_gradient_method_reference,
)
from .theory import (
    PopulationRun,
    angle,
    gaussian_sign_moment,
    population_coarse_gradient,
    population_dynamics,
    population_loss,
    population_steps,
    sign_correlation,
)
from .trajectory import STETrajectory, ste_trajectory
from .widgets import (
    LIVE_KERNEL_NOTE,
    Control,
    Explorer,
    FiniteSamplesRun,
    SetupTrajectories,
    ThresholdCurves,
    checkbox,
    choice,
    explorer,
    finite_samples_explorer,
    finite_samples_run,
    geometric_grid,
    grid,
    setup_explorer,
    setup_trajectories,
    slider,
    threshold_curves,
    threshold_explorer,
)

__version__ = "0.1.0"

__all__ = [
    "__version__",
    # modules
    "onebit",
    "recurrence",
    "concentration",
    "data",
    "datafiles",
    "stats",
    "trajectory",
    "experiments",
    "model",
    "plotting",
    "ste",
    "theory",
    "widgets",
    # model
    "sign",
    "network",
    "empirical_loss",
    "hamming",
    "angle_from_hamming",
    # data
    "Trial",
    "teacher",
    "gaussian_inputs",
    "clean_labels",
    "noisy_labels",
    "trial_seed",
    "sample_trial",
    "sample_trials",
    # ste
    "STES",
    "STEResult",
    "ste_derivative",
    "coarse_gradient",
    "ste_gradient_method",
    "ste_gradient_method_reference",
    # theory
    "angle",
    "sign_correlation",
    "gaussian_sign_moment",
    "population_loss",
    "population_coarse_gradient",
    "PopulationRun",
    "population_dynamics",
    "population_steps",
    # experiments
    "SuccessResult",
    "success_probability",
    "progress_enabled",
    # statistics of success curves
    "Interval",
    "wilson_interval",
    "clopper_pearson_interval",
    "M50Fit",
    "logistic_success",
    "fit_m50",
    "PowerLawFit",
    "fit_power_law",
    "SCALINGS",
    "scale",
    "Collapse",
    "collapse_spread",
    "successes_within",
    "hitting_time_survival",
    # concentration of the coarse gradient
    "signal",
    "weights_at_distance",
    "sample_weights_at_distance",
    "coarse_gradient_deviation",
    "union_bound_sample_size",
    # BIHT
    "BIHTResult",
    "biht",
    # full trajectories
    "STETrajectory",
    "ste_trajectory",
    # data files
    "SuccessFile",
    "command_line",
    "write_success_file",
    "read_success_file",
    # label noise and recurrence
    "RecurrenceStats",
    "recurrence_statistics",
    "Runs",
    "excursions",
    "sojourns",
    "RETURN_TIME_BINS",
    "return_time_histogram",
    "DriftPrediction",
    "drift_prediction",
    "exit_time",
    "latent_trajectory",
    "wrong_fraction",
    "ergodic_weights",
    "recurrence_record",
    "recurrence_sweep",
    "RecurrenceFile",
    "write_recurrence_file",
    "read_recurrence_file",
    # plotting
    "PALETTE",
    "use_book_style",
    # widgets (interactive explorers)
    "LIVE_KERNEL_NOTE",
    "Control",
    "Explorer",
    "explorer",
    "slider",
    "grid",
    "choice",
    "checkbox",
    "geometric_grid",
    "SetupTrajectories",
    "setup_trajectories",
    "setup_explorer",
    "FiniteSamplesRun",
    "finite_samples_run",
    "finite_samples_explorer",
    "ThresholdCurves",
    "threshold_curves",
    "threshold_explorer",
]
