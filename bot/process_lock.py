"""One bot process per database: an exclusive lock on ``<DATABASE_PATH>.lock``.

Owns: taking the lock (``fcntl.flock`` with ``LOCK_EX | LOCK_NB``) before the database is
touched, and holding it through an open file descriptor for the life of the process; the
operating system releases it when the process ends, however it ends (SIGKILL included).
Must not: be taken by tests, the demo or tools that open a store next to a running bot;
only ``python -m bot run`` takes it.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from bot.errors import DatabaseInUse, StoreError


def check_database_path(database: Path) -> None:
    """A :class:`StoreError` if ``database`` exists but is no regular file (a directory,
    a device such as /dev/full): neither SQLite nor the lock belongs next to it."""
    try:
        unusable = database.exists() and not database.is_file()
    except OSError as exc:
        raise StoreError(
            f"The database {database} cannot be reached ({exc.strerror or exc}): "
            "check DATABASE_PATH."
        ) from exc
    parent = database.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise StoreError(
            f"The database {database} cannot be created: {parent} is not a directory; "
            "check DATABASE_PATH."
        )
    if unusable:
        raise StoreError(
            f"The database {database} is not a regular file (a directory or a device): "
            "point DATABASE_PATH at a file."
        )


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


class ProcessLock:
    """Held while the file descriptor is open; :meth:`release` or the process's end frees it."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    @classmethod
    def acquire(cls, database: Path) -> ProcessLock | None:
        """The lock for ``database`` (None for ``:memory:``, which nobody shares), or
        :class:`DatabaseInUse` if another process holds it."""
        if str(database) == ":memory:":
            return None
        check_database_path(database)
        path = lock_path(database)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_CREAT | os.O_RDWR | os.O_CLOEXEC, 0o600)
        except OSError as exc:
            raise StoreError(
                f"The database {database} cannot be used: its lock file {path} cannot be "
                f"created ({exc.strerror or exc})."
            ) from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            raise DatabaseInUse(
                f"Another bot process is already running on the database {database} "
                f"(it holds {path}); stop it first, or give this one its own DATABASE_PATH."
            ) from exc
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        return cls(path, fd)

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
