"""A local stand-in for the Telegram Bot API server, strict like Telegram.

The real python-telegram-bot stack (httpx, polling, JSON parsing) runs unchanged against it:
point ``ApplicationBuilder().base_url(sandbox.base_url)`` at it. Used by end-to-end tests, the
offline demo and benchmarks.

Modules: ``world`` (state), ``validation`` (Telegram's content rules), ``methods`` (the Bot API
methods), ``faults`` (429/5xx/delays/flood limits), ``server`` (HTTP + control routes +
``serve``), ``control`` (the Python driver), ``process`` (the bot as an OS process),
``web_app`` (what a client hands a Mini App: signed initData, theme, launch URL), and the file
``telegram_web_app.js``, a stand-in for Telegram's ``telegram-web-app.js`` that tests serve in
its place (read it with :func:`web_app_script`).

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
from bot.sandbox.web_app import (
    DARK_THEME,
    LIGHT_THEME,
    WEB_APP_PLATFORM,
    WEB_APP_VERSION,
    web_app_script,
)
from bot.sandbox.world import DEFAULT_BOT_USERNAME, CallbackAnswer, WebAppLaunch

__all__ = [
    "DARK_THEME",
    "DEFAULT_BOT_USERNAME",
    "DEFAULT_TOKEN",
    "LIGHT_THEME",
    "WEB_APP_PLATFORM",
    "WEB_APP_VERSION",
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
    "WebAppLaunch",
    "build_app",
    "serve",
    "serve_async",
    "web_app_script",
]
