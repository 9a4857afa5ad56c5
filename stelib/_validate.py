"""Checks at the public boundary.

Every public function of :mod:`stelib` validates its inputs with these helpers, so a bad
argument fails early with a message that names the argument and its value (in the style of
scikit-learn's ``check_scalar``). Never ``assert``: asserts vanish under ``python -O``.
"""

from __future__ import annotations

import numbers
import os
import tempfile

import numpy as np

__all__ = [
    "check_int",
    "check_float",
    "check_binary",
    "check_array",
    "check_second_layer",
    "second_layer",
    "check_rng",
    "check_output_path",
    "check_memory",
    "MAX_ABS",
]


#: Largest magnitude a real argument may have. Larger values overflow float64 within a few
#: products of the method (``eta · ĝ``, ``(f − y)²``), so they are refused at the boundary.
MAX_ABS = 1e100


def check_int(
    value, name: str, *, min_value: int | None = None, max_value: int | None = None
) -> int:
    """Return ``value`` as ``int`` or raise naming ``name``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r} ({type(value).__name__}).")
    value = int(value)
    if min_value is not None and value < min_value:
        raise ValueError(f"{name} == {value}, must be >= {min_value}.")
    if max_value is not None and value > max_value:
        raise ValueError(f"{name} == {value}, must be <= {max_value}.")
    return value


def check_float(
    value,
    name: str,
    *,
    min_value: float | None = None,
    max_value: float | None = None,
    strict_min: bool = False,
    max_abs: float | None = MAX_ABS,
) -> float:
    """Return ``value`` as a finite ``float`` of magnitude at most ``max_abs`` (default
    :data:`MAX_ABS`; ``None`` for a quantity only used through its logarithm, like a count of
    weights) or raise naming ``name``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r} ({type(value).__name__}).")
    try:
        value = float(value)
    except OverflowError:  # an int beyond float64
        raise ValueError(f"{name} == {value}, must be at most {MAX_ABS:g} in magnitude.") from None
    if not np.isfinite(value):
        raise ValueError(f"{name} == {value}, must be finite.")
    if min_value is not None:
        if strict_min and value <= min_value:
            raise ValueError(f"{name} == {value}, must be > {min_value}.")
        if not strict_min and value < min_value:
            raise ValueError(f"{name} == {value}, must be >= {min_value}.")
    if max_value is not None and value > max_value:
        raise ValueError(f"{name} == {value}, must be <= {max_value}.")
    if max_abs is not None and abs(value) > max_abs:
        raise ValueError(
            f"{name} == {value}, must be at most {max_abs:g} in magnitude (larger values "
            "overflow float64 in the method's products)."
        )
    return value


def check_array(x, name: str, *, ndim: int | tuple[int, ...] | None = None) -> np.ndarray:
    """Return ``x`` as a float64 array of the given ``ndim`` with finite entries of magnitude at
    most :data:`MAX_ABS`, or raise naming ``name``. Complex, boolean and text arrays are refused
    (never cast silently)."""
    try:
        raw = x if isinstance(x, np.ndarray) else np.asarray(x)
    except (TypeError, ValueError) as exc:  # ragged nested lists
        raise TypeError(
            f"{name} must be an array of real numbers, got {type(x).__name__}."
        ) from exc
    if raw.dtype.kind not in "iufO":
        kind = {"c": "complex", "b": "boolean", "U": "text", "S": "bytes"}.get(raw.dtype.kind)
        raise TypeError(f"{name} must be an array of real numbers, got {kind or raw.dtype} values.")
    try:
        arr = np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError, OverflowError) as exc:
        raise TypeError(
            f"{name} must be an array of real numbers, got {type(x).__name__}."
        ) from exc
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else ndim
        if arr.ndim not in allowed:
            raise ValueError(f"{name} has shape {arr.shape}, must have ndim in {allowed}.")
    if arr.size:
        lo, hi = arr.min(), arr.max()  # NaN propagates; no temporary arrays
        if not (np.isfinite(lo) and np.isfinite(hi)):
            bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
            raise ValueError(f"{name} contains {bad} non-finite value(s) (NaN or inf).")
        if max(-lo, hi) > MAX_ABS:
            raise ValueError(
                f"{name} has entries up to {max(-lo, hi):.3g} in magnitude, must be at most "
                f"{MAX_ABS:g} (larger values overflow float64 in the method's products)."
            )
    return arr


def check_binary(w, name: str, *, ndim: int | tuple[int, ...] = 1) -> np.ndarray:
    """Return ``w`` as a float64 array with entries in {-1, +1} or raise naming ``name``."""
    arr = check_array(w, name, ndim=ndim)
    if arr.size == 0:
        raise ValueError(f"{name} is empty, must have at least one entry.")
    if not np.all(np.abs(arr) == 1.0):
        bad = arr[np.abs(arr) != 1.0].ravel()[:3]
        raise ValueError(f"{name} must have entries in {{-1, +1}}, found {bad.tolist()}.")
    return arr


def check_second_layer(a, k: int) -> np.ndarray:
    """The second layer ``a`` of length ``k``; ``None`` gives the default ``1/k``."""
    if a is None:
        return np.full(k, 1.0 / k)
    arr = check_array(a, "a", ndim=1)
    if arr.shape != (k,):
        raise ValueError(f"a has shape {arr.shape}, must be ({k},) to match k == {k}.")
    return arr


def second_layer(a, k: int = 1) -> np.ndarray:
    """The second layer ``a`` as given (its length is ``k``), or the default ``1/k``.

    For the functions with both an ``a`` and a ``k`` keyword: ``k`` counts only when ``a`` is
    None.
    """
    k = check_int(k, "k", min_value=1)
    return check_second_layer(a, k if a is None else np.asarray(a).shape[0])


def check_rng(rng) -> np.random.Generator:
    """``np.random.default_rng(rng)`` with a clear error for unusable seeds."""
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, bool) or (
        rng is not None
        and not isinstance(rng, (numbers.Integral, np.random.SeedSequence, np.random.BitGenerator))
    ):
        raise TypeError(
            f"rng must be None, an int, a SeedSequence or a Generator, got {rng!r} "
            f"({type(rng).__name__})."
        )
    if isinstance(rng, numbers.Integral) and rng < 0:
        raise ValueError(f"rng == {rng}, must be >= 0.")
    return np.random.default_rng(rng)


def check_output_path(path, name: str, *, folder: bool = False) -> str:
    """Return ``path`` (a file to write, or with ``folder`` a folder to write in) as ``str`` if
    it can be written, else raise ``ValueError`` naming ``name``. Nothing is left behind.

    Checked before a long computation, so that a typo does not lose its results: ``path`` must
    not be a folder (a file with ``folder``); its nearest existing parent must be a folder (not a
    file) in which a file can be created (tried: permissions alone do not tell, e.g. in
    ``/proc`` or on a read-only file system). Missing folders in between are created later, by
    the writer.
    """
    try:
        path = os.fspath(path)
    except TypeError:
        raise TypeError(
            f"{name} must be a path (str or os.PathLike), got {type(path).__name__}."
        ) from None
    if isinstance(path, bytes) or not path or "\0" in path:
        raise ValueError(f"{name} == {path!r}, must be a non-empty text path.")
    if folder and os.path.exists(path) and not os.path.isdir(path):
        raise ValueError(f"{name} == {path!r} is a file, must be a folder.")
    if not folder and os.path.isdir(path):
        raise ValueError(f"{name} == {path!r} is a folder, must be a file name.")
    base = os.path.abspath(path if folder else os.path.dirname(os.path.abspath(path)))
    while not os.path.lexists(base):
        base = os.path.dirname(base)
    if not os.path.isdir(base):
        raise ValueError(f"{name} == {path!r}: its parent {base!r} is a file, not a folder.")
    try:
        fd, probe = tempfile.mkstemp(dir=base, prefix=".stelib-probe-")
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ValueError(
            f"{name} == {path!r}: cannot create a file in {base!r} ({reason})."
        ) from None
    os.close(fd)
    os.unlink(probe)
    return path


def check_memory(shape: tuple[int, ...], names: str, *, itemsize: int = 8) -> None:
    """Raise ``ValueError`` naming ``names`` if an array of ``shape`` would not fit in this
    machine's memory (instead of numpy's allocation error, or an integer overflow, deep inside)."""
    size = 1
    for d in shape:
        size *= int(d)
    need = size * itemsize
    try:
        have = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # not POSIX: numpy's own limit applies
        have = 2**63 - 1
    if need > have:
        gib = need >> 30  # an int: need may be beyond float64
        amount = f"{gib:,} GiB" if gib < 10**15 else f"about 10^{len(str(gib)) - 1} GiB"
        raise ValueError(
            f"{names} == {' × '.join(str(int(d)) for d in shape)} needs {amount}, "
            f"more than this machine's {have / 2**30:.3g} GiB of memory."
        )
