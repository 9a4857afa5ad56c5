"""The one task runner behind every sweep (:func:`stelib.run_tasks`): any executor, an on-disk
cache of finished tasks, a progress bar. Public through :mod:`stelib.experiments`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import Executor

import joblib
from tqdm.auto import tqdm


def progress_enabled(progress: bool | None) -> bool:
    """Whether to show progress bars: ``progress`` if given, else env ``STELIB_PROGRESS != "0"``.

    Notebooks are executed for the book and for nbval with ``STELIB_PROGRESS=0`` so that no
    progress bar (with its timings) lands in a stored output; a reader running a notebook sees
    the bars.
    """
    if progress is None:
        return os.environ.get("STELIB_PROGRESS", "1") != "0"
    return bool(progress)


def run_tasks(
    fn: Callable,
    tasks: Sequence[tuple],
    *,
    executor: Executor | None = None,
    memory=None,
    progress: bool | None = None,
    desc: str = "",
    unit: str = "task",
) -> list:
    """``[fn(*task) for task in tasks]``, on ``executor``, cached in ``memory``, with a bar.

    The one task runner of every sweep. ``fn`` must be a pure module-level function (so that
    processes can run it and joblib can key its cache by its arguments); the results come back
    in the order of ``tasks`` whatever the executor.

    Parameters
    ----------
    fn : callable
        Runs one task.
    tasks : sequence of tuple
        The positional arguments of each call.
    executor : concurrent.futures.Executor, optional
        Runs the tasks (processes locally, a Dask ``Client``'s executor on a cluster); ``None``
        runs them in this process, one after the other.
    memory : str, os.PathLike or joblib.Memory, optional
        On-disk cache of finished tasks, keyed by ``fn`` and its arguments: an interrupted
        sweep resumes where it stopped.
    progress : bool, optional
        Progress bar (tqdm); default from :func:`progress_enabled`.
    desc, unit : str
        Labels of the progress bar.
    """
    if executor is not None and not isinstance(executor, Executor):
        raise TypeError(
            f"executor must be a concurrent.futures.Executor, got {type(executor).__name__}."
        )
    if memory is not None:
        if not isinstance(memory, joblib.Memory):
            memory = joblib.Memory(os.fspath(memory), verbose=0)
        fn = memory.cache(fn)
    bar = tqdm(total=len(tasks), desc=desc, unit=unit, disable=not progress_enabled(progress))
    out = []
    try:
        if executor is None:
            for task in tasks:
                out.append(fn(*task))
                bar.update()
        else:
            for future in [executor.submit(fn, *task) for task in tasks]:
                out.append(future.result())
                bar.update()
    finally:
        bar.close()
    return out
