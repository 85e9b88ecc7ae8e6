#!/usr/bin/env bash
# The test command: sets up .venv, then lint, format check, type check and the test suite.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
# The web app's browser tests drive Debian's Chromium (never a downloaded browser).
if [ ! -x /usr/bin/chromium ]; then
    if [ "$(id -u)" = 0 ]; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y -q chromium || { apt-get update -q && apt-get install -y -q chromium; }
    else
        echo "The browser tests need /usr/bin/chromium: run 'apt-get install -y chromium' as root." >&2
        exit 2
    fi
fi
.venv/bin/python -m pytest "$@"
