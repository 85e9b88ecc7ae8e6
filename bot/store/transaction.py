"""A unit of work's view of the database: every query and write, on the connection's thread.

Owns: putting the parts together. Must not: hold queries of its own.
"""

from __future__ import annotations

from bot.store.journal import Journal
from bot.store.outbox import Outbox
from bot.store.reads import Reads
from bot.store.writes import Writes


class Transaction(Journal, Reads, Writes, Outbox):
    """Queries and writes on the connection's thread (see ``Store.run``), synchronous."""
