"""The shell's error tree.

::

    BotError
     ├── SettingsError      a setting in the environment is missing or malformed
     ├── StoreError         the database is unusable (e.g. newer schema than this code)
     │    └── DatabaseInUse another bot process holds the database
     ├── StoreUnavailable   the database cannot be written right now (locked, disk failing)
     ├── TokenRejected      the Bot API server refused the token (401)
     └── BotApiUnreachable  no Bot API server answers at BOT_API_BASE_URL (or not as one)

Each message is one sentence for a person, without the token; ``python -m bot`` prints it
and exits with the status :mod:`bot.cli` gives the class.
"""


class BotError(Exception):
    """Base of every error the shell raises on purpose."""


class SettingsError(BotError):
    """A setting in the environment is missing or malformed; the message says which."""


class StoreError(BotError):
    """The database cannot be used as it is."""


class DatabaseInUse(StoreError):
    """Another bot process already runs on this database."""


class StoreUnavailable(BotError):
    """A unit of work could not run: the database is locked beyond its busy timeout, or the
    disk is full or failing. Nothing of it was written; it may be tried again."""


class TokenRejected(BotError):
    """The Bot API server answered that the token is not valid."""


class BotApiUnreachable(BotError):
    """The Bot API server at ``BOT_API_BASE_URL`` could not be reached, or did not answer
    as a Bot API server."""
