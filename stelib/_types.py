"""Public type aliases for the library's signatures (re-exported as ``stelib.ArrayLike`` etc.).

``ArrayLike`` is numpy's (anything ``numpy.asarray`` accepts); ``SeedLike`` is what an ``rng``
keyword accepts, as :func:`numpy.random.default_rng` does (checked by
``stelib._validate.check_rng``).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["ArrayLike", "SeedLike"]

#: What an ``rng`` keyword accepts: None (fresh entropy), a seed, a SeedSequence, a bit generator
#: or a Generator (used as is).
SeedLike = int | np.random.SeedSequence | np.random.BitGenerator | np.random.Generator | None
