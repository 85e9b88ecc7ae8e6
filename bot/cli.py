"""The command line: ``python -m bot run | deck check | sandbox | demo``.

Owns: parsing arguments, turning configuration errors into one clear sentence and a
non-zero exit, and starting the right thing. Must not: hold logic of its own.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

from bot.errors import BotError

EXIT_USAGE = 2


def _run(args: argparse.Namespace) -> int:
    from bot import logs
    from bot.app import ALLOWED_UPDATES, build_application
    from bot.settings import load_settings

    settings = load_settings()
    if not settings.token:
        print(
            "TELEGRAM_BOT_TOKEN is not set: get a token from @BotFather and set it, "
            "or run the offline demo with `python -m bot demo`.",
            file=sys.stderr,
        )
        return EXIT_USAGE
    logs.configure(settings.log_level, settings.token)
    app = build_application(settings)
    if args.webhook_url is None:
        app.run_polling(allowed_updates=ALLOWED_UPDATES)
        return 0
    secret = args.secret_token or os.environ.get("WEBHOOK_SECRET_TOKEN", "").strip()
    if not secret:
        print(
            "A webhook needs a secret token: pass --secret-token or set WEBHOOK_SECRET_TOKEN "
            "(1-256 characters of A-Z, a-z, 0-9, _ and -).",
            file=sys.stderr,
        )
        return EXIT_USAGE
    app.run_webhook(
        listen=args.listen,
        port=args.port,
        url_path=urlsplit(args.webhook_url).path.lstrip("/"),
        webhook_url=args.webhook_url,
        secret_token=secret,
        allowed_updates=ALLOWED_UPDATES,
    )
    return 0


def _deck_check(args: argparse.Namespace) -> int:
    from bot.deck_files import check_files

    paths = [Path(p) for p in args.files]
    problems = check_files(paths)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) found.", file=sys.stderr)
        return 1
    print(f"{len(paths)} deck file(s) OK.")
    return 0


def _sandbox(args: argparse.Namespace) -> int:
    from bot.sandbox.server import serve

    serve(host="127.0.0.1", port=args.port, token=args.token)
    return 0


def _demo(args: argparse.Namespace) -> int:
    from bot.demo import run_demo

    return run_demo(lang=args.lang, seed=args.seed, out=args.out)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bot", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the bot (needs TELEGRAM_BOT_TOKEN)")
    run.add_argument(
        "--webhook-url",
        help="receive updates by webhook at this public URL (behind a reverse proxy) "
        "instead of long polling",
    )
    run.add_argument("--listen", default="127.0.0.1", help="address the webhook listens on")
    run.add_argument("--port", type=int, default=8443, help="port the webhook listens on")
    run.add_argument(
        "--secret-token",
        help="checked against X-Telegram-Bot-Api-Secret-Token (or WEBHOOK_SECRET_TOKEN)",
    )
    run.set_defaults(func=_run)
    deck = sub.add_parser("deck", help="work with deck files")
    deck_sub = deck.add_subparsers(dest="deck_command", required=True)
    check = deck_sub.add_parser("check", help="validate deck files, listing every problem")
    check.add_argument("files", nargs="+", metavar="FILE")
    check.set_defaults(func=_deck_check)
    sandbox = sub.add_parser("sandbox", help="run the local Bot API sandbox on 127.0.0.1")
    sandbox.add_argument("--port", type=int, default=8081)
    sandbox.add_argument("--token", default="123456:SANDBOX-token")
    sandbox.set_defaults(func=_sandbox)
    demo = sub.add_parser("demo", help="run a whole session offline against the sandbox")
    demo.add_argument("--lang", choices=("nl", "en"), default="nl")
    demo.add_argument("--seed", type=int, default=2012)
    demo.add_argument("--out", type=Path, default=None)
    demo.set_defaults(func=_demo)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    # Opt in to python-telegram-bot's timedelta durations (RetryAfter.retry_after and
    # friends); without it PTB 22 warns on every rate limit. The bot handles both forms.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    args = parser().parse_args(argv)
    try:
        return int(args.func(args))
    except BotError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
