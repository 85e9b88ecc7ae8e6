"""The shell's error tree.

::

    BotError
     ├── SettingsError      a setting in the environment is missing or malformed
     └── StoreError         the database is unusable (e.g. newer schema than this code)
"""


class BotError(Exception):
    """Base of every error the shell raises on purpose."""


class SettingsError(BotError):
    """A setting in the environment is missing or malformed; the message says which."""


class StoreError(BotError):
    """The database cannot be used as it is."""
