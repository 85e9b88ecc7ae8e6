"""Where the files the bot ships with are: the message templates and the built-in decks.

Owns: finding ``templates/`` and ``decks/``. In an installed wheel they are package data,
``bot/_shipped/templates`` and ``bot/_shipped/decks`` (the build copies the project's
top-level folders there, see ``pyproject.toml``); in a source checkout (an editable
install, the tests) they are the project's top-level folders themselves. Must not: read
the files.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

SHIPPED = "_shipped"


def shipped(name: str) -> Path:
    """The folder ``name`` (``"templates"`` or ``"decks"``) the bot was installed with."""
    package = Path(str(resources.files("bot")))
    packaged = package / SHIPPED / name
    if packaged.is_dir():
        return packaged
    checkout = package.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"the bot's {name}/ folder is missing from {package}")
