# Sourced by the README's commands: enter a virtual environment and install what the project
# needs, once per change of requirements.txt / pyproject.toml.
#
# - Inside an active virtual environment ($VIRTUAL_ENV set) that environment is used.
# - Otherwise .venv/ at the repository root is created (once) and used.
# - Versions are pinned by .ci/constraints.txt (made by bash .ci/lock from requirements.txt).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
if [ -z "${VIRTUAL_ENV:-}" ]; then
  if [ ! -x .venv/bin/python ]; then
    echo "[env] creating .venv with $(python3 --version)"
    python3 -m venv .venv
  fi
  # shellcheck disable=SC1091
  source .venv/bin/activate
fi
export PATH="$VIRTUAL_ENV/bin:$PATH"
stamp="$VIRTUAL_ENV/.stelib-requirements"
want="$(cat requirements.txt pyproject.toml .ci/constraints.txt | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  # Pinned by .ci/constraints.txt (refresh: bash .ci/lock), so that a new release of numpy,
  # matplotlib or Jupyter cannot change stored outputs or break the build.
  echo "[env] installing requirements.txt (pinned by .ci/constraints.txt) into $VIRTUAL_ENV"
  python -m pip install -q --upgrade pip
  python -m pip install -q -r requirements.txt -c .ci/constraints.txt
  echo "$want" > "$stamp"
fi
export STELIB_PROGRESS=0   # no progress bars in stored or compared notebook outputs
export PYTHONHASHSEED=0
