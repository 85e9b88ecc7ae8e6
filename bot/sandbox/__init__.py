"""A local stand-in for the Telegram Bot API server, strict like Telegram.

The real python-telegram-bot stack (httpx, polling, JSON parsing) runs unchanged against it:
point ``ApplicationBuilder().base_url(sandbox.base_url)`` at it. Used by end-to-end tests, the
offline demo and benchmarks.

Modules: ``world`` (state), ``validation`` (Telegram's content rules), ``methods`` (the Bot API
methods), ``faults`` (429/5xx/delays/flood limits), ``server`` (HTTP + control routes +
``serve``), ``control`` (the Python driver), ``process`` (the bot as an OS process).

This package must not import anything of the bot itself: it is Telegram, not the product.
"""

from bot.sandbox.control import (
    DEFAULT_TOKEN,
    Button,
    FileInfo,
    Sandbox,
    SimChat,
    SimUser,
    TranscriptMessage,
)
from bot.sandbox.errors import ApiError, SandboxError
from bot.sandbox.faults import FaultInjector, RateLimits
from bot.sandbox.methods import ApiCall
from bot.sandbox.process import BotProcess
from bot.sandbox.server import build_app, serve, serve_async
from bot.sandbox.transport import SandboxRequest as SandboxRequest
from bot.sandbox.world import DEFAULT_BOT_USERNAME, CallbackAnswer

__all__ = [
    "DEFAULT_BOT_USERNAME",
    "DEFAULT_TOKEN",
    "ApiCall",
    "ApiError",
    "BotProcess",
    "Button",
    "CallbackAnswer",
    "FaultInjector",
    "FileInfo",
    "RateLimits",
    "Sandbox",
    "SandboxError",
    "SimChat",
    "SimUser",
    "TranscriptMessage",
    "build_app",
    "serve",
    "serve_async",
]
