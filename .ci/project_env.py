"""Let the ``.ci`` Python scripts run as the README writes them, from any Python.

``python .ci/NAME`` may start a Python that lacks the project's packages (the system one, with
no environment active). :func:`ensure` then runs the script again inside the project's
environment, the one ``.ci/env.sh`` makes and fills (``.venv/`` at the repository root, or the
active virtual environment), so the command works exactly as written. :func:`tool` finds a
console script of that environment (``jupyter-book``) even when its ``bin/`` is not on PATH.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_FLAG = "STELIB_CI_REEXEC"


def ensure(*modules: str) -> None:
    """Re-run the calling script in the project environment if one of ``modules`` is missing."""
    missing = [name for name in modules if importlib.util.find_spec(name) is None]
    if not missing:
        return
    if os.environ.get(_FLAG):
        raise SystemExit(
            f"[env] {', '.join(missing)} not importable by {sys.executable}, "
            "even in the project environment: see .ci/env.sh"
        )
    print(
        f"[env] {', '.join(missing)} not importable by {sys.executable}: "
        "running again in the project environment (.ci/env.sh)",
        file=sys.stderr,
    )
    sys.stdout.flush()
    os.environ[_FLAG] = "1"
    script = os.path.abspath(sys.argv[0])
    # env.sh changes into the repository root; go back so relative arguments keep their meaning
    command = 'source "$0" && cd "$1" && shift && exec python "$@"'
    env_sh = str(ROOT / ".ci" / "env.sh")
    os.execvp("bash", ["bash", "-c", command, env_sh, os.getcwd(), script, *sys.argv[1:]])


def tool(name: str) -> str:
    """Path of the console script ``name``: beside this Python first, then on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"[env] {name} not found beside {sys.executable} or on PATH")
    return found
