#!/usr/bin/env bash
# Creates .venv and installs the project with its test tools into it.
# Run by scripts/run.sh and scripts/test.sh; safe to run again. PYTHON picks the
# interpreter (default python3; 3.11 or newer). A .venv that is broken or was made by
# another Python is rebuilt.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
python="${PYTHON:-python3}"
version_of() {
    "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null
}
wanted="$(version_of "$python" || true)"
if [ -z "$wanted" ]; then
    echo "PYTHON=$python cannot be run: set PYTHON to a Python 3.11 or newer." >&2
    exit 2
fi
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "PYTHON=$python is Python $wanted, but this project needs Python 3.11 or newer." >&2
    exit 2
fi
if [ -e .venv ] && [ "$(version_of .venv/bin/python || true)" != "$wanted" ]; then
    echo "Rebuilding .venv: it is broken or was made by another Python." >&2
    rm -rf .venv
fi
if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
fi
stamp=.venv/.installed-stamp
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
    touch "$stamp"
fi
