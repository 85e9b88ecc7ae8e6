"""The SQLite store: the single source of truth (aiosqlite, one writer connection).

Owns: every SQL statement of the project, split by idea: the connection and its thread
(``connection``), the schema (``migrations``), rows and records (``rows``), reads
(``reads``) and writes (``writes``) of the workshop's records, the outbox and delivery
state (``outbox``), de-duplication and the event log (``journal``), uploaded decks
(``uploads``). Must not: decide anything about the workshop or talk to Telegram. Nothing
outside this package uses SQL or ``sqlite3``: a database that is locked or failing for a
moment surfaces as :class:`bot.errors.StoreUnavailable`.

Every read and write of one event happens inside one ``Store.run(work)``: ``work`` is a
synchronous function of a ``Transaction``, run whole on aiosqlite's thread between
``BEGIN IMMEDIATE`` and ``COMMIT`` (in a savepoint: the units of work that wait together
share one transaction, one trip and one sync, see ``Store``). The methods of
``Transaction`` load only the rows an event touches, so the cost of handling a rating does
not grow with the size of the session.
"""

from bot.store.connection import Store
from bot.store.outbox import OutboxRow, SlotMessage
from bot.store.transaction import Transaction

__all__ = ["OutboxRow", "SlotMessage", "Store", "Transaction"]
