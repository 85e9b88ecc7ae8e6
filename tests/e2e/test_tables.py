"""Virtual tables end to end (issue 5): thirteen people are seated 4/3/3/3, tell stories
that reach exactly their table mates, and keep or revise their top, once in forum
topics and once in relay mode."""

from __future__ import annotations

import asyncio
import base64
import random
import re
from collections.abc import AsyncIterator

import pytest
from conftest import World, settings_for
from sql_rows import select
from test_sort_flow import new_session

from bot.app import Services, build_application, polling
from bot.sandbox import Sandbox
from bot.simulation import Persona, SimulatedParticipant

PEOPLE = 13
ORGS = ("Gemeente Utrecht", "Belastingdienst", "Provincie Zeeland", "UWV")
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


@pytest.fixture(params=["topics", "relay"])
def rooms(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def table_world(world: World, rooms: str) -> AsyncIterator[tuple[World, Services]]:
    if rooms == "topics":
        forum = world.sandbox.add_group(
            "Plenary forum",
            members=[world.facilitator],
            admins=[world.facilitator],
            forum=True,
            bot_can_manage_topics=True,
        )
        world = World(world.sandbox, world.facilitator, forum, world.database)
    # Telegram allows a group about 20 messages a minute; PTB's rate limiter would spread
    # the topic posts over minutes. That pacing is PTB's, so it is left out here.
    app = build_application(settings_for(world), rate_limiter=False)
    async with polling(app) as services:
        yield world, services


async def sorted_people(world: World) -> list[SimulatedParticipant]:
    sandbox = world.sandbox
    code = await new_session(world)
    await world.facilitator.send_command(world.group, "settings", "start join")
    await sandbox.wait_for_message(world.group, text_contains="as soon as someone joins")
    people = [
        SimulatedParticipant(
            sandbox,
            sandbox.add_user(f"Person{i:02d}", language_code="en"),
            Persona(
                organisation=ORGS[i % 4], age_band="30-44", stories=1 + i % 2, revises=i % 3 == 0
            ),
            random.Random(i),
            timeout=20,
        )
        for i in range(PEOPLE)
    ]
    for person in people:
        await person.join(code)
    await asyncio.gather(*(p.run() for p in people))
    for person in people:
        await sandbox.wait_for_message(
            person.user.private_chat, text_contains="your sort is complete"
        )
    return people


def tables_in(text: str) -> dict[int, set[str]]:
    seating: dict[int, set[str]] = {}
    current = 0
    for line in text.splitlines():
        header = re.fullmatch(r"Table (\d+)", line.strip())
        if header:
            current = int(header.group(1))
            seating[current] = set()
        elif line.startswith("• ") and current:
            seating[current].add(line[2:].split(" (")[0])
    return seating


async def test_thirteen_people_at_four_tables(
    table_world: tuple[World, Services], rooms: str
) -> None:
    world, bot = table_world
    sandbox: Sandbox = world.sandbox
    people = await sorted_people(world)
    by_name = {p.user.first_name: p for p in people}

    sent = await world.facilitator.send_command(world.group, "tables")
    proposal = await sandbox.wait_for_message(
        world.group, text_contains="Proposed seating", after=sent
    )
    seating = tables_in(proposal.content)
    assert sorted(len(t) for t in seating.values()) == [3, 3, 3, 4]
    assert set().union(*seating.values()) == set(by_name)
    for members in seating.values():  # four organisations over tables of 3 and 4: no clash
        orgs = [by_name[name].persona.organisation for name in members]
        assert len(set(orgs)) == len(orgs)

    mover = sorted(seating[1])[0]
    sent = await world.facilitator.send_command(world.group, "move", f"{mover} 2")
    moved = await sandbox.wait_for_message(
        world.group, text_contains="Proposed seating", after=sent
    )
    assert mover in tables_in(moved.content)[2]
    sent = await world.facilitator.send_command(world.group, "move", f"{mover} 1")
    moved_back = await sandbox.wait_for_message(
        world.group, text_contains="Proposed seating", after=sent
    )
    seating = tables_in(moved_back.content)

    sent = await world.facilitator.send_command(world.group, "seat")
    await sandbox.wait_for_message(world.group, text_contains="The tables are set", after=sent)
    table_of = {name: number for number, names in seating.items() for name in names}
    for person in people:
        await sandbox.wait_for_message(person.user.private_chat, text_contains="Tell your table")

    await asyncio.gather(*(p.run() for p in people))
    for person in people:
        await sandbox.wait_for_message(
            person.user.private_chat,
            text_contains="top after the stories"
            if person.persona.revises
            else "You kept your top",
        )

    await bot.delivery.drain(30)
    if rooms == "topics":
        assert set(sandbox.chat(world.group).topics.values()) == {f"Table {n}" for n in seating}
        threads = {name: thread for thread, name in sandbox.chat(world.group).topics.items()}
        for person in people:
            number = table_of[person.user.first_name]
            in_topic = [
                m.content
                for m in sandbox.transcript(world.group)
                if m.thread_id == threads[f"Table {number}"]
            ]
            for story in person.stories_told:
                assert sum(story in text for text in in_topic) == 1
            for other in people:
                if table_of[other.user.first_name] != number:
                    assert not any(s in text for s in other.stories_told for text in in_topic)
    else:
        for person in people:
            number = table_of[person.user.first_name]
            received = [m.content for m in sandbox.bot_messages(person.user.private_chat)]
            for other in people:
                same = table_of[other.user.first_name] == number
                for story in other.stories_told:
                    assert sum(story in text for text in received) == (1 if same else 0)

    before, after, revision_rows, stories, stages = await bot.store.read(
        lambda tx: (
            select(
                tx,
                "SELECT user_id, group_concat(card_id) FROM (SELECT * FROM tops ORDER BY rank)"
                " GROUP BY user_id",
            ),
            select(
                tx,
                "SELECT user_id, group_concat(card_id)"
                " FROM (SELECT * FROM revised_tops ORDER BY rank) GROUP BY user_id",
            ),
            select(tx, "SELECT user_id, revision FROM participants"),
            select(tx, "SELECT count(*) FROM stories"),
            select(tx, "SELECT stage, count(*) FROM tables GROUP BY stage"),
        )
    )
    revisions = dict(revision_rows)
    assert len(before) == len(after) == PEOPLE
    before_of, after_of = dict(before), dict(after)
    for person in people:
        uid = person.user.state.id
        changed = set(before_of[uid].split(",")) != set(after_of[uid].split(","))
        assert changed == person.persona.revises
        assert revisions[uid] == ("revised" if person.persona.revises else "kept")
    assert stories == [(sum(p.persona.stories for p in people),)]
    assert stages == [("settled", 4)]


async def test_relay_passes_messages_and_photos_to_table_mates_only(
    world: World, bot: Services
) -> None:
    sandbox = world.sandbox
    people = await sorted_people(world)
    await world.facilitator.send_command(world.group, "tables")
    proposal = await sandbox.wait_for_message(world.group, text_contains="Proposed seating")
    seating = tables_in(proposal.content)
    await world.facilitator.send_command(world.group, "seat")
    await sandbox.wait_for_message(world.group, text_contains="The tables are set")
    table_of = {name: number for number, names in seating.items() for name in names}
    speaker = people[0]
    await sandbox.wait_for_message(speaker.user.private_chat, text_contains="You sit at Table")
    await speaker.user.send_text(
        speaker.user.private_chat, "Hello table, <b>nice</b> to meet you & all"
    )
    await speaker.user.send_photo(speaker.user.private_chat, PNG, caption="our whiteboard")
    mates = [
        p
        for p in people
        if p is not speaker and table_of[p.user.first_name] == table_of[speaker.user.first_name]
    ]
    others = [p for p in people if table_of[p.user.first_name] != table_of[speaker.user.first_name]]
    for mate in mates:
        relayed = await sandbox.wait_for_message(
            mate.user.private_chat, text_contains="Hello table"
        )
        assert relayed.content.startswith(f"{speaker.user.first_name} (Table ")
        assert "<b>nice</b>" in relayed.content, "markup is shown as text"
        photo = await sandbox.wait_for_message(
            mate.user.private_chat, lambda m: m.photo is not None
        )
        assert photo.caption == "our whiteboard"
    for other in others:
        assert not any(
            "Hello table" in m.content for m in sandbox.bot_messages(other.user.private_chat)
        )
        assert not any(m.photo for m in sandbox.bot_messages(other.user.private_chat))
    await speaker.user.send_command(speaker.user.private_chat, "table")
    answer = await sandbox.wait_for_message(
        speaker.user.private_chat,
        text_contains="You sit at Table",
        after=len(sandbox.transcript(speaker.user.private_chat)) - 1,
    )
    assert all(m.user.first_name in answer.content for m in mates)
