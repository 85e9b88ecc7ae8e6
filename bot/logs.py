"""Logging set-up: one format, the chosen level, and no secrets in any line.

Owns: silencing httpx/httpcore request logs (their URLs hold the bot token), keeping PTB's
loggers that dump updates or requests above DEBUG, a filter that withholds the data of any
other record of PTB's that carries an update or a payload, and a formatter that masks the
token in any line that still carries it. Must not: log message texts, at any level.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
NOISY = ("httpx", "httpcore", "apscheduler", "aiosqlite")
"""Libraries whose INFO lines carry nothing we need (httpx's carry the token)."""
REQUEST_LOGGERS = (
    "telegram.Bot",
    "telegram.ext.ExtBot",
    "telegram.ext.Application",
    "telegram.ext.ConversationHandler",
)
"""PTB loggers that write people's texts at DEBUG, kept at INFO or above: every request's
parameters (``Bot``, ``ExtBot``), every update ("Processing update Update(...)",
"Dropping pending update" by ``Application``), conversation keys."""
SILENT_LOGGERS = ("telegram.request.BaseRequest",)
"""Logs a whole unparsable response body at ERROR (it may hold updates): the error itself
still reaches the bot as an exception."""
WITHHELD_MESSAGES = (
    "Webhook received data",
    "Request had the wrong secret token",
    "Processing update",
    "Dropping pending update",
    "Calling Bot API endpoint",
    "Can not load invalid JSON data",
)
"""PTB's log messages that quote a payload, whatever logger writes them."""


def _carries_data(value: object) -> bool:
    from telegram import TelegramObject

    return isinstance(value, TelegramObject | Mapping | list | tuple | bytes)


class WithholdData(logging.Filter):
    """On PTB's records (``telegram.*``): the message without its arguments when it is one
    known to quote a payload, or when an argument is an update or other Telegram object, a
    dict, a list or bytes. Attached to the handler, so it sees every propagated record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith("telegram"):
            return True
        message = str(record.msg)
        args = record.args if isinstance(record.args, tuple) else (record.args,)
        if message.startswith(WITHHELD_MESSAGES) or any(_carries_data(a) for a in args):
            record.msg = f"{message.split('%', 1)[0].rstrip(': `')} (data withheld)"
            record.args = None
        return True


class RedactingFormatter(logging.Formatter):
    """Masks the token anywhere in a formatted line, tracebacks included (an error from
    Telegram about a rejected token quotes it)."""

    def __init__(self, fmt: str, token: str | None) -> None:
        super().__init__(fmt)
        self.secrets = [s for s in (token, token.split(":", 1)[-1] if token else None) if s]

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        for secret in self.secrets:
            line = line.replace(secret, "<token>")
        return line


def quiet_libraries(level: int = logging.INFO) -> None:
    """Keep libraries from logging the token (httpx) or people's texts (PTB's requests)."""
    for name in NOISY:
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in REQUEST_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.INFO, level))
    for name in SILENT_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL)


def configure(level: str, token: str | None) -> None:
    root = logging.getLogger()
    root.setLevel(level)
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter(FORMAT, token))
    handler.addFilter(WithholdData())
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    quiet_libraries(root.level)
