"""Where a sweep runs: in this process, in local processes, or on a Dask cluster.

The command line's ``--workers`` and ``--scheduler`` options. Every sweep of
:mod:`stelib.experiments` takes any :class:`concurrent.futures.Executor` and returns the same
results whichever runs it; this module only makes and shuts down the executor. Dask is optional
(``pip install 'stelib[cluster]'``) and imported only when a scheduler is named.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager

__all__ = ["Unavailable", "executor_for"]


class Unavailable(Exception):
    """A resource the options name (a Dask scheduler) cannot be used: exit status 2."""


@contextmanager
def executor_for(workers: int, scheduler: str | None = None) -> Iterator[Executor | None]:
    """The executor of a sweep, shut down after: a Dask cluster's (``scheduler``), ``workers``
    local processes, or none (1 worker: the sweep runs in this process)."""
    if scheduler is not None:
        if workers > 1:
            raise Unavailable(
                "argument --scheduler: not allowed with --workers (the cluster runs it)"
            )
        try:
            from distributed import Client
        except ImportError:
            raise Unavailable(
                "argument --scheduler: needs Dask's distributed package: "
                "pip install 'stelib[cluster]' (or pip install 'dask[distributed]')"
            ) from None
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError, ValueError) as exc:
            msg = " ".join(str(exc).split()) or type(exc).__name__
            raise Unavailable(
                f"argument --scheduler: cannot connect to {scheduler!r}: {msg}"
            ) from None
        with client:
            yield client.get_executor()
        return
    if workers <= 1:
        yield None
        return
    with ProcessPoolExecutor(workers) as executor:
        yield executor
