"""A requested report, written from the database off the tap path.

Owns: answering a ``SendReport`` as delivery sends it: reading the session with
``conversations.report.REPORT_NEEDS`` (one read of the store), asking the core for the
report's facts, and writing the files on a worker thread, so that the event loop keeps
answering everybody's taps while a report of 250 tables is laid out. A session that is
gone, or a report that fails to be written, is logged and becomes None (delivery says so
to the facilitator). Must not: word or lay out anything (``bot.report.write_report``).
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from bot.render import Renderer
from bot.report import write_report
from conversations.effects import SendReport
from conversations.report import REPORT_NEEDS, report_of

if TYPE_CHECKING:
    from bot.runner import Runner

log = logging.getLogger(__name__)


class StoredReports:
    """``ReportWriter`` for delivery: the report of a session in the store."""

    def __init__(self, runner: Runner, renderer: Renderer) -> None:
        self.runner = runner
        self.renderer = renderer

    async def __call__(self, request: SendReport) -> list[tuple[str, bytes]] | None:
        view = await self.runner.session_view(request.session_id, REPORT_NEEDS)
        if view is None:
            log.warning("no report of session %d: it is gone", request.session_id)
            return None
        report = report_of(view, request.names, request.facilitator)
        try:
            return await asyncio.to_thread(write_report, report, self.renderer)
        except Exception:  # a bug: the facilitator hears that it failed, the log says why
            log.exception("could not write the report of session %d", request.session_id)
            return None
