"""One warning per outage: a thing that fails again and again is reported once.

Owns: the state "failing or not" of one dependency (the Bot API server, the database) for
one user of it, a warning when it starts failing and one info line when it works again.
Must not: retry anything itself.
"""

from __future__ import annotations

import logging

log = logging.getLogger("bot")


class Outage:
    """``failed`` logs ``warning`` (with ``%s`` for the reason) the first time only;
    ``succeeded`` logs ``recovered`` once after a failure; nothing in between."""

    def __init__(self, warning: str, recovered: str, logger: logging.Logger = log) -> None:
        self.warning = warning
        self.recovered = recovered
        self.logger = logger
        self.failing = False

    def failed(self, reason: str) -> None:
        if not self.failing:
            self.failing = True
            self.logger.warning(self.warning, reason)

    def succeeded(self) -> None:
        if self.failing:
            self.failing = False
            self.logger.info(self.recovered)
