"""Logging set-up: one format, the chosen level, and no secrets in any line.

Owns: silencing httpx/httpcore request logs (their URLs hold the bot token) and a filter
that masks the token in any record that still carries it. Must not: log message texts.
"""

from __future__ import annotations

import logging

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
NOISY = ("httpx", "httpcore", "apscheduler", "aiosqlite")
"""Libraries whose INFO lines carry nothing we need (httpx's carry the token)."""
REQUEST_LOGGERS = ("telegram.Bot", "telegram.ext.ExtBot")
"""PTB logs every request's parameters (people's texts) at DEBUG: kept at INFO or above."""


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


def configure(level: str, token: str | None) -> None:
    root = logging.getLogger()
    root.setLevel(level)
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter(FORMAT, token))
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    quiet_libraries(root.level)
