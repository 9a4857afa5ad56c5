"""stelib: the straight-through estimator on a two-layer binary network, in numpy.

The library behind the book *The Straight-Through Estimator, Sample by Sample*, an executable
companion to Jeong, Xin, Yin, "Beyond Discreteness: Finite-Sample Analysis of the
Straight-Through Estimator for Quantization" (arXiv:2505.18113). Chapters write
``import stelib as sl``; every public name is listed in ``__all__`` and re-exported here flat.
"""

# The public names, flat, grouped by concept (SPEC §5); each module's ``__all__`` lists its own.
from . import (
    _types,
    censoring,
    concentration,
    data,
    datafiles,
    design,
    experiments,
    explorers,
    input_families,
    message_passing,
    model,
    moments,
    onebit,
    optimum,
    plotting,
    practice,
    recurrence,
    stats,
    ste,
    theory,
    trajectory,
    variants,
    widgets,
)
from ._types import *  # noqa: F403
from ._version import __version__
from .censoring import *  # noqa: F403  stuck and censored runs, m₅₀ without a budget
from .concentration import *  # noqa: F403  the coarse gradient's error, union bound
from .data import *  # noqa: F403  teacher, inputs, labels, trials and their seeds
from .datafiles import *  # noqa: F403  data-file formats
from .design import *  # noqa: F403  the adaptive design on m
from .experiments import *  # noqa: F403  sweeps on one task runner
from .explorers import *  # noqa: F403  one explorer per chapter
from .input_families import *  # noqa: F403  input families and the normalisation layer
from .message_passing import *  # noqa: F403  AMP and its state evolution
from .model import *  # noqa: F403  the network, sign, losses, Hamming distance
from .moments import *  # noqa: F403  the sign moment off Gaussian data
from .onebit import *  # noqa: F403  BIHT
from .optimum import *  # noqa: F403  version space, Bayes-optimal exact recovery
from .plotting import *  # noqa: F403  book figure style
from .practice import *  # noqa: F403  a binary network on real data (digits)
from .recurrence import *  # noqa: F403  recurrence statistics
from .stats import *  # noqa: F403  intervals, threshold fits, collapse
from .ste import *  # noqa: F403  STE surrogates, the coarse gradient, the STE-gradient method
from .theory import *  # noqa: F403  closed forms: population model, c, drift at w*
from .trajectory import *  # noqa: F403  recorded paths of the method
from .variants import *  # noqa: F403  STE variants, options of practice
from .widgets import *  # noqa: F403  the explorer framework

_MODULES = (
    model,
    data,
    input_families,
    ste,
    trajectory,
    theory,
    moments,
    concentration,
    onebit,
    optimum,
    message_passing,
    recurrence,
    stats,
    censoring,
    design,
    variants,
    practice,
    experiments,
    datafiles,
    plotting,
    widgets,
    explorers,
)

__all__ = [
    "__version__",
    *_types.__all__,
    *(module.__name__.rpartition(".")[2] for module in _MODULES),
    *(name for module in _MODULES for name in module.__all__),
]
