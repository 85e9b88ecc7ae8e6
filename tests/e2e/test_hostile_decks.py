"""Parser-hostile and malformed deck uploads (issues 14 and 17) through the real PTB stack:
the facilitator gets the usual problem list, never silence, in their own language."""

from __future__ import annotations

from conftest import World
from test_sort_flow import new_session

from bot.app import Services
from bot.sandbox import SimUser

MANY = b"".join(b"card-" + str(i).encode() + b"-" + b"x" * 80 + b",,\n" for i in range(300))
HOSTILE = {
    # file name: (contents, what the English reply says, what the Dutch reply says)
    "deep.toml": (
        b"a = " + b"[" * 5000 + b"]" * 5000 + b"\n",
        "line 1: not valid TOML: nesting too deep",
        "regel 1: geen geldige TOML: te diep genest",
    ),
    "tables.toml": (
        b"a = " + b"{a = " * 3000 + b"1" + b"}" * 3000 + b"\n",
        "nesting too deep",
        "te diep genest",
    ),
    "number.toml": (
        b"version = " + b"9" * 5000 + b"\n",
        "a number has too many digits",
        "een getal heeft te veel cijfers",
    ),
    "hex.toml": (
        b"languages = [0x" + b"f" * 20_000 + b"]\n",
        "item 1: a number too large to show is not a two-letter code",
        "waarde 1: een getal dat te groot is om te tonen is geen taalcode van twee letters",
    ),
    "field.csv": (
        b'id,title_en,description_en\nx,"' + b"y" * 200_000 + b'",z\n',
        "not valid CSV (the reader says: field larger",
        "geen geldige CSV (technische melding, in het Engels: field larger",
    ),
    "syntax.toml": (
        b'id = "x"\nversion = \n',
        "line 2, column 11: not valid TOML (the reader says: Invalid value)",
        "regel 2, kolom 11: geen geldige TOML (technische melding, in het Engels: Invalid value)",
    ),
    "cards.csv": (
        b"id,title_nl,description_nl,colour\nA b,,x,red\n",
        "header: colour: unknown column",
        "kopregel: colour: onbekende kolom",
    ),
    # hundreds of long problems: the reply quotes what fits in one message, and counts the rest
    "a-deck-with-very-many-problems-in-it.csv": (
        b"id,title_en,description_en\n" + MANY,
        "more.",
        "…en nog ",
    ),
}


async def test_hostile_uploads_get_a_reply_listing_the_problem_in_the_senders_language(
    world: World, bot: Services
) -> None:
    sandbox = world.sandbox
    fenna: SimUser = world.facilitator
    joost = sandbox.add_user("Joost", language_code="nl")
    await joost.join(world.group)
    await joost.become_admin(world.group)
    await new_session(world)  # admins of a group that held a session may add decks
    await fenna.send_command(world.group, "endsession")
    await sandbox.wait_for_message(world.group, text_contains="session is closed")
    for person in (fenna, joost):
        await person.start_bot()
    for filename, (data, english, dutch) in HOSTILE.items():
        for person, head, expected, wrong in (
            (fenna, "The deck has", english, dutch),
            (joost, "De kaartset heeft", dutch, english),
        ):
            sent = await person.send_document(person.private_chat, filename, data)
            reply = await sandbox.wait_for_message(
                person.private_chat, text_contains=head, after=sent
            )
            assert filename in reply.content and expected in reply.content, reply.content
            assert wrong not in reply.content
            assert len(reply.content) < 4000
        assert "Fix them and send the file again." not in reply.content, "Dutch, all of it"
    await fenna.send_command(fenna.private_chat, "decks")
    listing = await sandbox.wait_for_message(fenna.private_chat, text_contains="Decks you can use")
    assert "deep" not in listing.content and "field" not in listing.content
