"""The guides and the bot's own help name the commands the bot has: none missing, none
that it does not have."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.app import PRIVATE_MENU
from bot.render import TEMPLATES_DIR
from bot.telegram.handlers import GROUP_COMMANDS

ROOT = Path(__file__).resolve().parent.parent
EVERYWHERE = ("decks", "help")
PRIVATE = (*PRIVATE_MENU, "start")
ALL = {*GROUP_COMMANDS, *EVERYWHERE, *PRIVATE}
COMMAND = re.compile(r"(?<![\w/.:~<-])/([a-z]{3,})(?![\w/-]|\.\w)")


def commands_in(text: str) -> set[str]:
    """The ``/commands`` a text names (not paths such as ``docs/x`` or URLs)."""
    return set(COMMAND.findall(text))


def section(text: str, heading: str) -> str:
    start = text.index(heading)
    end = text.find("\n## ", start + len(heading))
    return text[start : end if end != -1 else None]


def test_the_facilitator_guide_lists_every_command_and_no_other() -> None:
    guide = (ROOT / "docs" / "facilitator-guide.md").read_text("utf-8")
    listed = commands_in(section(guide, "## 5. Every command"))
    assert listed == ALL, f"missing {sorted(ALL - listed)}, unknown {sorted(listed - ALL)}"


def test_every_command_any_guide_or_the_readme_names_exists() -> None:
    named: dict[str, set[str]] = {}
    for path in (ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))):
        for command in commands_in(path.read_text("utf-8")):
            named.setdefault(command, set()).add(path.name)
    unknown = {c: sorted(files) for c, files in named.items() if c not in ALL | NOT_COMMANDS}
    assert not unknown, unknown


NOT_COMMANDS = {
    *("newbot", "mybots", "setprivacy", "newapp", "setjoingroups", "setcommands", "revoke"),
    *("telegram", "control"),
}
"""What the guides name that is not one of the bot's commands: @BotFather's commands, the
webhook's example path and the sandbox's control path."""


@pytest.mark.parametrize("locale", ["nl", "en"])
def test_the_help_texts_name_the_commands_of_their_chat(locale: str) -> None:
    group = commands_in((TEMPLATES_DIR / locale / "help_group.html").read_text("utf-8"))
    assert set(GROUP_COMMANDS) <= group, sorted(set(GROUP_COMMANDS) - group)
    private = commands_in((TEMPLATES_DIR / locale / "help.html").read_text("utf-8"))
    wanted = {"continue", "table", "language", "forgetme", "decks", "newsession"}
    assert wanted <= private, sorted(wanted - private)
    assert (group | private) <= ALL


def test_the_participant_guide_lists_the_private_commands() -> None:
    guide = (ROOT / "docs" / "participant-guide.md").read_text("utf-8")
    listed = commands_in(section(guide, "## Handy commands"))
    assert set(PRIVATE_MENU) - {"decks"} <= listed <= set(PRIVATE)
