#!/usr/bin/env bash
# The test command: sets up .venv, then lint, format check, type check and the test suite.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
# The web app's browser tests drive Debian's Chromium (never a downloaded browser); the
# report's tests read its PDF with Debian's poppler-utils (pdftotext, pdftoppm).
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
{ [ -x /usr/bin/pdftotext ] && [ -x /usr/bin/pdftoppm ]; } || missing+=(poppler-utils)
if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y -q "${missing[@]}" || { apt-get update -q && apt-get install -y -q "${missing[@]}"; }
    else
        echo "The tests need Debian's ${missing[*]}: run 'apt-get install -y ${missing[*]}' as root." >&2
        exit 2
    fi
fi
.venv/bin/python -m pytest "$@"
