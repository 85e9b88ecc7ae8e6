"""Parser-hostile deck uploads (issue 14) through the real PTB stack: the facilitator
gets the usual problem list, never silence."""

from __future__ import annotations

from conftest import World
from test_sort_flow import new_session

from bot.app import Services
from bot.sandbox import SimUser

HOSTILE = {
    "deep.toml": (b"a = " + b"[" * 5000 + b"]" * 5000 + b"\n", "nesting too deep"),
    "tables.toml": (b"a = " + b"{a = " * 3000 + b"1" + b"}" * 3000 + b"\n", "nesting too deep"),
    "number.toml": (b"version = " + b"9" * 5000 + b"\n", "a number has too many digits"),
    "hex.toml": (b"languages = [0x" + b"f" * 20_000 + b"]\n", "a number too large to show"),
    "field.csv": (b'id,title_en,description_en\nx,"' + b"y" * 200_000 + b'",z\n', "field larger"),
    # hundreds of long problems: the reply quotes what fits in one message, and counts the rest
    "a-deck-with-very-many-problems-in-it.csv": (
        b"id,title_en,description_en\n"
        + b"".join(b"card-" + str(i).encode() + b"-" + b"x" * 80 + b",,\n" for i in range(300)),
        "more.",
    ),
}


async def test_hostile_uploads_get_a_reply_listing_the_problem(world: World, bot: Services) -> None:
    sandbox = world.sandbox
    fenna: SimUser = world.facilitator
    await new_session(world)  # admins of a group that held a session may add decks
    await fenna.send_command(world.group, "endsession")
    await sandbox.wait_for_message(world.group, text_contains="session is closed")
    await fenna.start_bot()
    for filename, (data, expected) in HOSTILE.items():
        sent = await fenna.send_document(fenna.private_chat, filename, data)
        reply = await sandbox.wait_for_message(
            fenna.private_chat, text_contains="problem", after=sent
        )
        assert filename in reply.content and expected in reply.content, reply.content
        assert len(reply.content) < 4000
    await fenna.send_command(fenna.private_chat, "decks")
    listing = await sandbox.wait_for_message(fenna.private_chat, text_contains="Decks you can use")
    assert "deep" not in listing.content and "field" not in listing.content
