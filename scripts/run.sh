#!/usr/bin/env bash
# The run command: sets up .venv, then runs the bot when TELEGRAM_BOT_TOKEN is set,
# and the offline demo (sandbox + bot on loopback) when it is not.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
if [ -n "${TELEGRAM_BOT_TOKEN:-}" ]; then
    exec .venv/bin/python -m bot run "$@"
else
    exec .venv/bin/python -m bot demo "$@"
fi
