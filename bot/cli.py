"""The command line: ``python -m bot run | deck check | sandbox | demo``.

Owns: parsing arguments, turning configuration errors into one clear sentence and a
non-zero exit, and starting the right thing. Must not: hold logic of its own.

Exit statuses of ``python -m bot run`` (each failure is one sentence on stderr, without
the token or a traceback):

====  ==========================================================================
0     stopped normally (SIGINT or SIGTERM)
1     a deck file problem (``deck check``)
2     a setting is missing or malformed (``EXIT_USAGE``)
3     the Bot API server rejected the token (``EXIT_TOKEN_REJECTED``)
4     no Bot API server answers at BOT_API_BASE_URL (``EXIT_BOT_API_UNREACHABLE``)
5     the database cannot be used (``EXIT_DATABASE_UNUSABLE``)
6     another bot process runs on the database (``EXIT_DATABASE_IN_USE``)
130   interrupted before start-up finished
====  ==========================================================================
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

from bot.errors import (
    BotApiUnreachable,
    BotError,
    DatabaseInUse,
    SettingsError,
    StoreError,
    TokenRejected,
)

EXIT_USAGE = 2
EXIT_TOKEN_REJECTED = 3
EXIT_BOT_API_UNREACHABLE = 4
EXIT_DATABASE_UNUSABLE = 5
EXIT_DATABASE_IN_USE = 6

EXIT_STATUS: tuple[tuple[type[BotError], int], ...] = (
    (SettingsError, EXIT_USAGE),
    (TokenRejected, EXIT_TOKEN_REJECTED),
    (BotApiUnreachable, EXIT_BOT_API_UNREACHABLE),
    (DatabaseInUse, EXIT_DATABASE_IN_USE),
    (StoreError, EXIT_DATABASE_UNUSABLE),
)
"""The first matching class gives the status (subclasses before their bases)."""


def exit_status(error: BotError) -> int:
    return next((code for kind, code in EXIT_STATUS if isinstance(error, kind)), EXIT_USAGE)


def _run(args: argparse.Namespace) -> int:
    import asyncio

    from telegram.error import TelegramError

    from bot import logs
    from bot.app import build_application, check_database, connect, startup_error
    from bot.process_lock import ProcessLock
    from bot.settings import load_settings
    from bot.telegram.updates import Polling, Receiver, Webhook, serve

    settings = load_settings()
    if not settings.token:
        print(
            "TELEGRAM_BOT_TOKEN is not set: get a token from @BotFather and set it, "
            "or run the offline demo with `python -m bot demo`.",
            file=sys.stderr,
        )
        return EXIT_USAGE
    secret = ""
    if args.webhook_url is not None:
        secret = args.secret_token or os.environ.get("WEBHOOK_SECRET_TOKEN", "").strip()
        if not secret:
            print(
                "A webhook needs a secret token: pass --secret-token or set "
                "WEBHOOK_SECRET_TOKEN (1-256 characters of A-Z, a-z, 0-9, _ and -).",
                file=sys.stderr,
            )
            return EXIT_USAGE
    logs.configure(settings.log_level, settings.token)
    lock = ProcessLock.acquire(settings.database_path)  # before the database is touched
    try:
        app = build_application(settings)
        receiver: Receiver
        if args.webhook_url is None:
            receiver = Polling(app)
        else:
            path = urlsplit(args.webhook_url).path
            receiver = Webhook(app, args.webhook_url, path, args.listen, args.port, secret)

        async def start_and_serve() -> None:
            # Start-up checks first, so that a failure is one sentence, not a traceback.
            await connect(app, settings)
            await check_database(settings)
            try:
                await serve(app, receiver)
            except TelegramError as exc:  # the command menu or the webhook, while starting
                raise startup_error(exc, settings.base_url) from None

        asyncio.run(start_and_serve())
    finally:
        if lock is not None:
            lock.release()
    return 0


def _deck_check(args: argparse.Namespace) -> int:
    from bot.decks.files import check_files

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

    return run_demo(lang=args.lang, seed=args.seed, out=args.out, web=args.web, wait=args.wait)


class _Help(argparse.ArgumentDefaultsHelpFormatter):
    """Help that names each option's default, where it has one worth naming."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if action.default is None or action.default is False or "default" in text:
            return text
        return super()._get_help_string(action) or text


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m bot",
        description="The value cards bot: run it, check deck files, or try it offline.",
        epilog="Settings come from the environment (TELEGRAM_BOT_TOKEN, DATABASE_PATH, ...); "
        "see docs/configuration.md. Each command has its own --help.",
        formatter_class=_Help,
    )
    sub = p.add_subparsers(dest="command", required=True)
    run = sub.add_parser(
        "run",
        help="run the bot (needs TELEGRAM_BOT_TOKEN)",
        description="Run the bot with long polling, or by webhook with --webhook-url. "
        "Needs TELEGRAM_BOT_TOKEN; the other settings come from the environment.",
        formatter_class=_Help,
    )
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
    deck = sub.add_parser("deck", help="work with deck files", description="Work with deck files.")
    deck_sub = deck.add_subparsers(dest="deck_command", required=True)
    check = deck_sub.add_parser(
        "check",
        help="validate deck files, listing every problem",
        description="Validate deck files (TOML or CSV) and list every problem with its file, "
        "card or dilemma and field; exit status 1 on any problem.",
    )
    check.add_argument("files", nargs="+", metavar="FILE", help="deck files to check")
    check.set_defaults(func=_deck_check)
    sandbox = sub.add_parser(
        "sandbox",
        help="run the local Bot API sandbox on 127.0.0.1",
        description="Run the local Bot API sandbox (a stand-in for Telegram) on 127.0.0.1; "
        "point a bot at it with BOT_API_BASE_URL=http://127.0.0.1:PORT/bot.",
        formatter_class=_Help,
    )
    sandbox.add_argument("--port", type=int, default=8081, help="the port it listens on")
    sandbox.add_argument(
        "--token", default="123456:SANDBOX-token", help="the one bot token it accepts"
    )
    sandbox.set_defaults(func=_sandbox)
    demo = sub.add_parser(
        "demo",
        help="run a whole session offline against the sandbox",
        description="Run a whole session offline: the sandbox and the real bot on 127.0.0.1, "
        "a facilitator and twenty simulated participants; no token, no network.",
        formatter_class=_Help,
    )
    demo.add_argument("--lang", choices=("nl", "en"), default="nl", help="the session's language")
    demo.add_argument(
        "--seed", type=int, default=2012, help="seed of the simulated people's choices"
    )
    demo.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="FOLDER",
        help="where to write the database, transcripts, chart and export (default: a new "
        "temporary folder)",
    )
    demo.add_argument(
        "--web",
        type=int,
        nargs="?",
        const=8090,
        default=None,
        metavar="PORT",
        help="also serve the sort board and the dashboard on 127.0.0.1:PORT (8090 when "
        "given without a port) and print their addresses to open in a browser",
    )
    demo.add_argument(
        "--wait",
        type=float,
        default=600.0,
        metavar="SECONDS",
        help="with --web: how long the tables wait for your sort, and the pages stay open",
    )
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
        return exit_status(exc)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (``deck check ... | head``)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
