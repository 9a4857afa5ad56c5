"""The one atomic JSON writer with provenance (:func:`stelib.write_json`) and its reader; the
formats built on it are in :mod:`stelib.datafiles`, which re-exports these names.
"""

from __future__ import annotations

import json
import os
import shlex
import tempfile
from collections.abc import Sequence

from ._version import __version__


def command_line(argv: Sequence[str]) -> str:
    """The shell command ``python -m stelib ARGV…`` that a data file records."""
    return shlex.join(["python", "-m", "stelib", *[str(a) for a in argv]])


class WriteError(OSError):
    """A data file could not be written; ``text`` holds what it would have contained.

    Raised by :func:`write_json` (an :class:`OSError`, with the ``errno`` and ``strerror`` of the
    failure), so that a caller who computed for an hour can still save the result elsewhere:
    ``python -m stelib`` prints ``text`` when its ``--out`` file cannot be written.
    """

    def __init__(self, cause: OSError, path: str, text: str):
        super().__init__(cause.errno, cause.strerror or str(cause), path)
        self.text = text


_UMASK = os.umask(0o022)  # read the process's umask (by setting it) ...
os.umask(_UMASK)  # ... and set it back


def write_json(path: str | os.PathLike, obj: dict, *, command: str) -> dict:
    """Write ``obj`` with its provenance (``command``, ``version``) to ``path``, atomically.

    JSON with sorted keys, no spaces, one final newline: the same inputs give the same bytes.
    The file appears complete or not at all (a temporary file in the same folder, then
    ``os.replace``). Returns the object written; raises :class:`WriteError` if the file cannot
    be written.
    """
    if not isinstance(command, str) or not command:
        raise ValueError(f"command == {command!r}, must be a non-empty string.")
    obj = {**obj, "command": command, "version": __version__}
    text = json.dumps(obj, sort_keys=True, separators=(",", ":")) + "\n"
    path = os.fspath(path)
    folder = os.path.dirname(path)
    try:
        if folder:
            os.makedirs(folder, exist_ok=True)
        # A fresh temporary file in the same folder (so os.replace is atomic), synced to disk
        # before the rename: the file at ``path`` is the old one or the new one, never a
        # truncated one.
        fd, tmp = tempfile.mkstemp(
            dir=folder or ".", prefix=f".{os.path.basename(path)}.", suffix=".tmp"
        )
    except OSError as exc:
        raise WriteError(exc, path, text) from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; a data file is a normal file
        os.replace(tmp, path)
    except BaseException as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise WriteError(exc, path, text) from exc
        raise
    return obj


#: The keys a success file has only off the Gaussian model (chapter "Beyond Gaussian data").
def _read_json(path, kind: str, need) -> dict:
    with open(path, encoding="utf-8") as fh:
        obj = json.load(fh)
    missing = sorted(set(need) - set(obj))
    if missing:
        raise ValueError(f"{os.fspath(path)!r} is not a {kind} data file, missing {missing}.")
    return obj
