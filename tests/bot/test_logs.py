"""bot.logs: no token and no payload in any line, at any level."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from telegram import Chat, Message, Update

from bot import logs

TOKEN = "123456:LOGS-secret-token"


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved_level, saved_handlers = root.level, list(root.handlers)
    logs.configure("DEBUG", TOKEN)
    stream = io.StringIO()
    handler = root.handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    yield stream
    for h in list(root.handlers):
        root.removeHandler(h)
    for h in saved_handlers:
        root.addHandler(h)
    root.setLevel(saved_level)


def update(text: str) -> Update:
    chat = Chat(1, "private")
    return Update(1, message=Message(1, None, chat, text=text))  # type: ignore[arg-type]


def test_update_dumping_loggers_stay_above_debug(captured: io.StringIO) -> None:
    logging.getLogger("telegram.ext.Application").debug("Processing update %s", update("s3cret"))
    logging.getLogger("telegram.Bot").debug("Calling Bot API endpoint `%s` with %s", "x", "s3cret")
    assert "s3cret" not in captured.getvalue()


def test_payload_records_of_ptb_are_withheld(captured: io.StringIO) -> None:
    updater = logging.getLogger("telegram.ext.Updater")
    updater.debug("Webhook received data: %s", '{"text": "s3cret"}')
    updater.debug("Something about %s", update("s3cret"))
    updater.debug("A mapping %(text)s", {"text": "s3cret"})
    updater.debug("Polling updates from Telegram started")
    out = captured.getvalue()
    assert "s3cret" not in out
    assert out.count("(data withheld)") == 3
    assert "Polling updates from Telegram started" in out


def test_the_bots_own_records_and_the_token(captured: io.StringIO) -> None:
    logging.getLogger("bot.x").info("effect %d for %s", 7, "chat")
    logging.getLogger("telegram.ext.Updater").error("token %s", TOKEN)
    out = captured.getvalue()
    assert "effect 7 for chat" in out
    assert TOKEN not in out and "LOGS-secret-token" not in out and "<token>" in out
