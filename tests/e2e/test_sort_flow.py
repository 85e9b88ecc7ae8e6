"""The card sort end to end: the real PTB application against the sandbox over HTTP."""

from __future__ import annotations

import random
import re

from conftest import World
from sql_rows import select

from bot.app import Services
from bot.sandbox import TranscriptMessage
from bot.simulation import Persona, SimulatedParticipant


def join_code(invite: TranscriptMessage, bot_username: str) -> str:
    """The code in the invitation's deep link ``https://t.me/<bot>?start=<code>``."""
    url = next(b.url for row in invite.buttons for b in row if b.url)
    match = re.fullmatch(rf"https://t\.me/{bot_username}\?start=([A-Za-z0-9_-]+)", url or "")
    assert match, url
    return match.group(1)


async def new_session(world: World, args: str = "goed-werk en") -> str:
    sandbox = world.sandbox
    sent = await world.facilitator.send_command(world.group, "newsession", args)
    invite = await sandbox.wait_for_message(
        world.group, lambda m: any(b.url for r in m.buttons for b in r), after=sent
    )
    return join_code(invite, sandbox.bot_username)


async def test_a_participant_joins_and_sorts_everything(world: World, bot: Services) -> None:
    sandbox = world.sandbox
    code = await new_session(world)
    assert len(code) >= 16
    await world.facilitator.send_command(world.group, "settings", "start join")
    await sandbox.wait_for_message(world.group, text_contains="as soon as someone joins")
    ann = sandbox.add_user("Ann", language_code="en")
    person = SimulatedParticipant(
        sandbox, ann, Persona(organisation="City of Utrecht", age_band="30-44"), random.Random(1)
    )
    await person.join(code)
    welcome = sandbox.last_bot_message(ann.private_chat)
    assert welcome is not None and "Do you want to take part?" in welcome.content
    await person.run()
    await sandbox.wait_for_message(ann.private_chat, text_contains="your sort is complete")
    final = sandbox.bot_messages(ann.private_chat)
    assert "Your top 4" in final[-2].content
    assert [m.content for m in final if m.buttons] == [], "answered screens keep no buttons"
    ratings, tops, org = await bot.store.read(
        lambda tx: (
            select(tx, "SELECT lens_id, count(*) FROM ratings GROUP BY lens_id"),
            select(tx, "SELECT count(*) FROM tops"),
            select(tx, "SELECT organisation, age_band, step FROM participants"),
        )
    )
    assert sorted(ratings) == [("professional", 30), ("situation", 30)]
    assert tops == [(4,)]
    assert org == [("City of Utrecht", "30-44", "done")]
