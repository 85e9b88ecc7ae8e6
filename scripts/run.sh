#!/usr/bin/env bash
# The run command: sets up .venv, then runs the bot when TELEGRAM_BOT_TOKEN is set,
# and the offline demo (sandbox + bot on loopback) when it is not.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
    cat <<'USAGE'
usage: scripts/run.sh [OPTIONS]

With TELEGRAM_BOT_TOKEN set: runs the bot (python -m bot run OPTIONS), with the other
settings from the environment (see docs/configuration.md).
Without it: runs the offline demo (python -m bot demo OPTIONS), e.g. --lang en --web.
The first run sets up .venv/. The options of the mode it would run now:

USAGE
fi
bash scripts/setup.sh
if [ -n "${TELEGRAM_BOT_TOKEN:-}" ]; then
    exec .venv/bin/python -m bot run "$@"
else
    exec .venv/bin/python -m bot demo "$@"
fi
