"""Serving an aiohttp application on an address: the webhook's and the Mini App's servers.

Owns: setting the application up, binding it to the address, and a bind that fails (the
port in use, an address this machine does not have) as one ``SettingsError`` sentence that
names what to change. Must not: know the routes of either server.
"""

from __future__ import annotations

from aiohttp import web

from bot.errors import SettingsError


async def serve(app: web.Application, host: str, port: int, what: str, fix: str) -> web.AppRunner:
    """``app`` listening on ``host:port``; the runner to ``cleanup()`` when done. ``what``
    names the server in the error ("The webhook"), ``fix`` the setting to change."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as exc:
        await runner.cleanup()
        raise SettingsError(
            f"{what} cannot listen on {host}:{port} ({exc.strerror or exc}): choose another {fix}."
        ) from None
    return runner
