"""A series end to end (issue 7): nine people run a first session through tables, votes
and the summary; after ``/endsession``, ``/followup`` invites them privately (not the
one who declined), they join from that invitation and sort again, nobody is seated with
an earlier table mate, each sees their top then and now, and the follow-up's plenary
compares the group's values session by session over the series."""

from __future__ import annotations

import asyncio
import random
import re
from collections.abc import AsyncIterator

import pytest
from conftest import World, settings_for
from sql_rows import select
from test_sort_flow import join_code, new_session
from test_tables import tables_in

from bot.app import Services, build_application, polling
from bot.decks.files import load_builtin_decks
from bot.sandbox import SimUser, TranscriptMessage
from bot.simulation import Persona, SimulatedParticipant, run_all

DECK = load_builtin_decks()["goed-werk"]
PEOPLE = 9
FIRST = ("social-involved", "quality", "integrity", "fairness")
SECOND = ("social-involved", "learning", "openness", "respect")
EXTRA = "courage"
"""Person0's fifth card in the first session, which they take into their top after the
stories."""


def title(card_id: str) -> str:
    return DECK.text(DECK.card(card_id).title, "en")


@pytest.fixture
async def bot(world: World) -> AsyncIterator[Services]:
    # Telegram's pacing of group messages is PTB's business; it is left out here.
    app = build_application(settings_for(world), rate_limiter=False)
    async with polling(app) as services:
        yield services


def participant(
    world: World, user: SimUser, top: tuple[str, ...], index: int
) -> SimulatedParticipant:
    leanings = dict.fromkeys(DECK.card_ids, 2.0) | dict.fromkeys(top, 5.0)
    revises = top == FIRST and index == 0
    if revises:
        leanings[EXTRA] = 4.6  # in the "most important" pile, but not chosen at first
    persona = Persona(leanings=leanings, noise=0.0, rounds=1, revises=revises)
    return SimulatedParticipant(world.sandbox, user, persona, random.Random(index), timeout=20)


def listed(text: str, label: str) -> set[str]:
    """The titles on the line ``label: a, b, and c`` (none when the line is missing; no
    English title of the deck holds " and ")."""
    line = next((x for x in text.splitlines() if x.startswith(f"{label}: ")), None)
    return set(re.split(r", and |, | and ", line.removeprefix(f"{label}: "))) if line else set()


def has_link(message: TranscriptMessage) -> bool:
    return any(b.url for row in message.buttons for b in row)


async def command(world: World, name: str, args: str, answer: str) -> TranscriptMessage:
    sent = await world.facilitator.send_command(world.group, name, args)
    return await world.sandbox.wait_for_message(world.group, text_contains=answer, after=sent)


async def run_tables(world: World, people: list[SimulatedParticipant]) -> dict[int, set[str]]:
    """/tables and /seat, stories and revising, /vote and voting; the seating."""
    sandbox = world.sandbox
    seating = tables_in((await command(world, "tables", "", "Proposed seating")).content)
    await command(world, "seat", "", "The tables are set")
    for person in people:
        await sandbox.wait_until(lambda p=person: p.screen() is not None, 20)
    await asyncio.gather(*(p.run() for p in people))  # stories, then keep or revise
    await command(world, "vote", "", f"Voting has started at {len(seating)} tables")
    for person in people:
        await sandbox.wait_until(lambda p=person: p.screen() is not None, 20)
    await run_all(people)
    return seating


def section(text: str, heading: str) -> str:
    """The lines under a bold heading, up to the next blank line."""
    return text.split(heading, 1)[1].strip().split("\n\n", 1)[0]


async def test_a_followup_session_in_a_series(world: World, bot: Services) -> None:
    sandbox = world.sandbox
    code = await new_session(world)
    await command(world, "settings", "start join", "as soon as someone joins")
    await command(world, "settings", "tables 3", "Tables of 3")
    users = [sandbox.add_user(f"Person{i}", language_code="en") for i in range(PEOPLE)]
    people = [participant(world, user, FIRST, i) for i, user in enumerate(users)]
    for person in people:
        await person.join(code)
    decliner = sandbox.add_user("Dora", language_code="en")
    shy = SimulatedParticipant(sandbox, decliner, Persona(), random.Random(99))
    await shy.join(code)
    consent = shy.screen()
    assert consent is not None
    buttons = [b.callback_data for row in consent.buttons for b in row if b.callback_data]
    await shy.tap(consent, next(d for d in buttons if d.endswith(":0")))
    await asyncio.gather(*(p.run() for p in people))
    for person in people:
        await sandbox.wait_for_message(
            person.user.private_chat, text_contains="your sort is complete"
        )

    first_seating = await run_tables(world, people)
    assert sorted(len(t) for t in first_seating.values()) == [3, 3, 3]
    await command(world, "summary", "", "Plenary")

    refused = await command(world, "followup", "", "is still open")
    assert "/endsession" in refused.content
    await command(world, "endsession", "", "The session is closed")

    sent = await world.facilitator.send_command(world.group, "followup")
    invitation = await sandbox.wait_for_message(world.group, has_link, after=sent)
    new_code = join_code(invitation, sandbox.bot_username)
    assert new_code != code
    posted = await sandbox.wait_for_message(
        world.group, text_contains="session 2 of the series", after=sent
    )
    assert f"I invited {PEOPLE} of its participants privately" in posted.content
    for user in users:
        private = await sandbox.wait_for_message(
            user.private_chat, text_contains="A follow-up session in “Plenary”"
        )
        assert "session 2 of the series" in private.content
        assert has_link(private) and join_code(private, sandbox.bot_username) == new_code
    await bot.delivery.drain(10)
    assert not any("follow-up" in m.content for m in sandbox.bot_messages(decliner.private_chat)), (
        "someone who declined is not invited"
    )

    # The follow-up: the same people, with other values now. Settings carried over:
    # they sort as soon as they join, at tables of three.
    again = [participant(world, user, SECOND, i) for i, user in enumerate(users)]
    for person in again:
        await person.join(new_code)
    await asyncio.gather(*(p.run() for p in again))
    sessions = await bot.store.read(
        lambda tx: select(tx, "SELECT id, previous_id, table_size, sort_on_join FROM sessions")
    )
    revised = await bot.store.read(
        lambda tx: select(
            tx, "SELECT user_id, card_id FROM revised_tops WHERE session_id = 1 ORDER BY rank"
        )
    )
    assert sessions == [(1, None, 3, 1), (2, 1, 3, 1)]
    then_of: dict[int, list[str]] = {}
    for user_id, card_id in revised:
        then_of.setdefault(user_id, []).append(card_id)
    assert len(then_of) == PEOPLE
    assert EXTRA in then_of[users[0].state.id], "Person0 revised their top after the stories"
    assert all(set(then_of[u.state.id]) == set(FIRST) for u in users[1:])
    for user in users:
        shown = await sandbox.wait_for_message(
            user.private_chat, text_contains="Your top 4 then and now"
        )
        text, then = shown.content, then_of[user.state.id]
        then_part, now_part = section(text, "Then"), section(text, "Now")
        assert [line.split(". ", 1)[1] for line in then_part.splitlines()[1:]] == [
            title(c) for c in then
        ]
        assert {line.split(". ", 1)[1] for line in now_part.splitlines()[1:]} == {
            title(c) for c in SECOND
        }
        assert listed(text, "Stayed") == {title(c) for c in SECOND if c in then}
        assert listed(text, "Came") == {title(c) for c in SECOND if c not in then}
        assert listed(text, "Went") == {title(c) for c in then if c not in SECOND}

    before = {name: number for number, names in first_seating.items() for name in names}
    second_seating = await run_tables(world, again)
    assert sorted(len(t) for t in second_seating.values()) == [3, 3, 3]
    for names in second_seating.values():  # three tables of three: a seating exists
        assert len({before[name] for name in names}) == len(names), second_seating

    sent = await world.facilitator.send_command(world.group, "summary")
    await sandbox.wait_for_message(world.group, text_contains="Plenary", after=sent)
    comparison = await sandbox.wait_for_message(
        world.group, text_contains="The series: 2 sessions side by side", after=sent
    )
    text = comparison.content
    assert f"1. Session 1: {PEOPLE} participants, 3 tables voted\n" in text
    assert f"2. Session 2 (this one): {PEOPLE} participants, 3 tables voted\n" in text
    agreed = section(text, "Agreed at tables, session by session").splitlines()[1:]
    assert set(agreed) == {
        *(f"• {title(c)}: {3 if c in FIRST else 0} · 3" for c in SECOND),
        *(f"• {title(c)}: 3 · 0" for c in FIRST if c not in SECOND),
    }
    assert agreed[0] == f"• {title('social-involved')}: 3 · 3", "most now, then most before"
    assert listed(text, "Agreed in every session") == {title("social-involved")}
    assert listed(text, "New this time") == {title(c) for c in SECOND if c not in FIRST}
    assert listed(text, "Agreed before, not this time") == {
        title(c) for c in FIRST if c not in SECOND
    }
    frequent = section(text, "Most frequent values, session by session").splitlines()[1:]
    counted_then = {c: sum(c in top for top in then_of.values()) for c in DECK.card_ids}
    assert frequent[:4] == [
        f"• {title(c)}: {counted_then[c]} · {PEOPLE}"
        for c in sorted(SECOND, key=lambda c: (-counted_then[c], DECK.card_ids.index(c)))
    ]
    assert f"• {title(EXTRA)}: 1 · 0" in frequent
