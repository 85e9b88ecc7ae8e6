"""The edges of joining and sorting, through the real PTB stack: facilitator commands,
wrong input, stale and forged buttons, resuming, languages and deck uploads."""

from __future__ import annotations

import random
from collections.abc import Callable

from conftest import World
from sql_rows import select
from test_sort_flow import new_session

from bot.app import Services
from bot.sandbox import Sandbox, SimUser, TranscriptMessage
from bot.simulation import Persona, SimulatedParticipant


async def joined(
    world: World, code: str, name: str = "Ann", **persona: object
) -> SimulatedParticipant:
    user = world.sandbox.add_user(name, language_code="en")
    person = SimulatedParticipant(
        world.sandbox, user, Persona(**persona), random.Random(name), timeout=10
    )  # type: ignore[arg-type]
    await person.join(code)
    return person


async def until_card(person: SimulatedParticipant) -> None:
    """Consent and skip the profile questions."""
    while (screen := person.screen()) is not None and not any(
        (b.callback_data or "").startswith("r:") for row in screen.buttons for b in row
    ):
        await person.act()


async def at_first_card(world: World) -> tuple[SimulatedParticipant, TranscriptMessage]:
    """A session that sorts on joining, and Ann looking at her first card."""
    code = await new_session(world)
    await world.facilitator.send_command(world.group, "settings", "start join")
    ann = await joined(world, code)
    await until_card(ann)
    screen = ann.screen()
    assert screen is not None
    return ann, screen


def button_data(screen: TranscriptMessage, wanted: Callable[[str], bool]) -> str:
    return next(
        b.callback_data for row in screen.buttons for b in row if wanted(b.callback_data or "")
    )


async def ratings_count(bot: Services) -> int:
    rows = await bot.store.read(lambda tx: select(tx, "SELECT count(*) FROM ratings"))
    return int(rows[0][0])


async def test_facilitator_waits_then_starts_the_sort_and_sees_counts(
    world: World, bot: Services
) -> None:
    sandbox = world.sandbox
    code = await new_session(world)
    ann = await joined(world, code)
    await ann.run()  # consent and profile, then nothing to tap: waiting for the facilitator
    waiting = sandbox.last_bot_message(ann.user.private_chat)
    assert waiting is not None and "starts when the facilitator" in waiting.content
    bo = await joined(world, code, "Bo")
    await bo.act()  # consent only
    await world.facilitator.send_command(world.group, "status")
    status = await sandbox.wait_for_message(world.group, text_contains="Progress of the session")
    assert "Joined: 2" in status.content and "gave consent: 2" in status.content
    assert "Ann" not in status.content and "Bo" not in status.content
    await world.facilitator.send_command(world.group, "startsort")
    await sandbox.wait_for_message(world.group, text_contains="The sort has started")
    card = await sandbox.wait_for_message(ann.user.private_chat, text_contains="Card 1 of 30")
    assert len(card.buttons) == 6  # five piles, then Undo and Pause
    await world.facilitator.send_command(world.group, "startsort")
    await sandbox.wait_for_message(world.group, text_contains="already started")


async def test_strangers_cannot_steer(world: World, bot: Services) -> None:
    sandbox = world.sandbox
    sam = sandbox.add_user("Sam", language_code="en")
    await sam.join(world.group)
    for command in ("newsession", "status", "startsort", "endsession", "settings"):
        await sam.send_command(world.group, command)
    await sandbox.wait_until(
        lambda: (
            len(
                [
                    m
                    for m in sandbox.bot_messages(world.group)
                    if "only the facilitators" in m.content
                ]
            )
            == 5
        )
    )
    assert await bot.store.read(lambda tx: select(tx, "SELECT count(*) FROM sessions")) == [(0,)]
    await sam.start_bot()
    await sam.send_command(sam.private_chat, "newsession")
    await sandbox.wait_for_message(sam.private_chat, text_contains="works in the group")


async def test_wrong_codes_double_joins_and_typed_text(world: World, bot: Services) -> None:
    sandbox = world.sandbox
    code = await new_session(world)
    await world.facilitator.send_command(world.group, "settings", "start join")
    eve = sandbox.add_user("Eve", language_code="en")
    await eve.start_bot("not-a-real-code")
    await sandbox.wait_for_message(
        eve.private_chat, text_contains="does not belong to an open session"
    )
    ann = await joined(world, code)
    await until_card(ann)
    await ann.user.send_text(ann.user.private_chat, "Most important!")
    await sandbox.wait_for_message(ann.user.private_chat, text_contains="tap one of the piles")
    before = sandbox.bot_messages(ann.user.private_chat)[-1].message_id
    await ann.user.start_bot(code)  # the invitation link again
    back = await sandbox.wait_for_message(
        ann.user.private_chat, text_contains="Welcome back", after=before
    )
    card = await sandbox.wait_for_message(
        ann.user.private_chat, text_contains="Card 1 of 30", after=back
    )
    assert card.buttons
    assert await bot.store.read(lambda tx: select(tx, "SELECT count(*) FROM participants")) == [
        (1,)
    ]


async def test_double_taps_stale_and_forged_buttons_change_nothing(
    world: World, bot: Services
) -> None:
    sandbox = world.sandbox
    ann, screen = await at_first_card(world)
    data = button_data(screen, lambda d: d.endswith(":5"))
    first = await ann.user.tap(screen.message_id, ann.user.private_chat, data=data)
    second = await ann.user.tap(screen.message_id, ann.user.private_chat, data=data)
    answers = [await sandbox.wait_for_callback_answer(q) for q in (first, second)]
    assert [a.text for a in answers] == [None, "You already sorted that card."]
    assert await ratings_count(bot) == 1

    await sandbox.wait_for_message(ann.user.private_chat, text_contains="Card 2 of 30")
    forged = [
        data,  # the card before, already rated: stale now
        data.replace("r:1:", "r:999:"),  # another session
        "r:1:0:no-such-card:5",
        "r:1:0:trust:9",
        "ag:1:ancient",
        "x" * 64,
        "süß",
    ]
    for payload in forged:
        query = await ann.user.tap_stale(screen.message_id, ann.user.private_chat, data=payload)
        answer = await sandbox.wait_for_callback_answer(query)
        assert answer.text, payload
    assert await ratings_count(bot) == 1


async def test_continue_language_and_pause(world: World, bot: Services) -> None:
    sandbox = world.sandbox
    ann, screen = await at_first_card(world)
    pause = button_data(screen, lambda d: d.startswith("ps:"))
    await ann.tap(screen, pause)
    paused = sandbox.message(ann.user.private_chat, screen.message_id)
    assert "Paused" in paused.content
    await ann.user.send_command(ann.user.private_chat, "continue")
    fresh = await sandbox.wait_for_message(
        ann.user.private_chat, text_contains="Card 1 of 30", after=screen.message_id
    )
    assert fresh.message_id > screen.message_id and fresh.buttons
    await ann.user.send_command(ann.user.private_chat, "language", "nl")
    await sandbox.wait_for_message(ann.user.private_chat, text_contains="Nederlands met je")
    dutch = await sandbox.wait_for_message(ann.user.private_chat, text_contains="Kaart 1 van 30")
    assert "Meest belangrijk" in dutch.button_texts


async def test_a_facilitator_uploads_a_csv_deck_and_uses_it(
    world: World, bot: Services, tmp_path: object
) -> None:
    sandbox = world.sandbox
    fenna: SimUser = world.facilitator
    await new_session(world)  # admins of a group that held a session may add decks
    await fenna.send_command(world.group, "endsession")
    await sandbox.wait_for_message(world.group, text_contains="session is closed")
    await fenna.start_bot()
    bad = b"id,title_en,description_en\nok,Fine,A card\nok,Twice,Same id\n"
    await fenna.send_document(fenna.private_chat, "broken.csv", bad)
    problems = await sandbox.wait_for_message(fenna.private_chat, text_contains="problem")
    assert "ok" in problems.content
    rows = ["id,title_nl,description_nl,title_en,description_en"]
    rows += [f"card-{i},Kaart {i},Beschrijving {i},Card {i},Description {i}" for i in range(8)]
    await fenna.send_document(fenna.private_chat, "Our Team.csv", "\n".join(rows).encode())
    added = await sandbox.wait_for_message(fenna.private_chat, text_contains="Deck added")
    assert "our-team" in added.content and "8 cards" in added.content
    await fenna.send_command(fenna.private_chat, "decks")
    listing = await sandbox.wait_for_message(fenna.private_chat, text_contains="Decks you can use")
    assert "our-team" in listing.content and "goed-werk" in listing.content
    code = await new_session(world, "our-team en")
    await fenna.send_command(world.group, "settings", "start join")
    ann = await joined(world, code)
    await until_card(ann)
    card = await sandbox.wait_for_message(ann.user.private_chat, text_contains="of 8")
    print(sandbox.format_transcript(world.group))
    assert "Card " in card.content


async def test_uploads_from_non_facilitators_are_refused(world: World, bot: Services) -> None:
    sandbox: Sandbox = world.sandbox
    sam = sandbox.add_user("Sam", language_code="en")
    await sam.start_bot()
    await sam.send_document(sam.private_chat, "deck.csv", b"id,title_en,description_en\na,A,a\n")
    await sandbox.wait_for_message(
        sam.private_chat, text_contains="Only facilitators can add decks"
    )


async def test_a_seating_too_long_for_one_message_arrives_in_parts(
    world: World, bot: Services
) -> None:
    from conversations.effects import ShowSeating

    tables = tuple(
        (n, tuple((f"Participant {n}-{i} <i>", f"Organisation {i}") for i in range(4)))
        for n in range(1, 251)
    )
    await bot.runner.say(ShowSeating(world.group.id, "en", 1, tables, False, 0))
    await bot.delivery.drain(30)
    sent = [m for m in world.sandbox.bot_messages(world.group)]
    assert len(sent) > 5
    text = "\n".join(m.content for m in sent)
    assert "Participant 250-3 <i> (Organisation 3)" in text
    assert all(len(m.content) <= 4096 for m in sent)
    assert not [c for c in world.sandbox.failed_calls if c.method == "sendMessage"]


async def test_help_in_private_tells_people_their_user_id(world: World, bot: Services) -> None:
    sandbox = world.sandbox
    sent = await world.facilitator.send_command(world.facilitator.private_chat, "help")
    answer = await sandbox.wait_for_message(world.facilitator.private_chat, after=sent)
    assert f"Your Telegram user id is {world.facilitator.id}" in answer.content
    sent = await world.facilitator.send_command(world.group, "help")
    in_group = await sandbox.wait_for_message(world.group, after=sent)
    assert "user id" not in in_group.content, "ids are not for the group"
