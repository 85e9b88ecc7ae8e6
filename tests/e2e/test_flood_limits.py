"""Telegram's flood limits end to end: the sandbox refuses (429) what Telegram would, and the
bot keeps within the limits by itself; when its queue is long, a tap's answer says that the
next card is on its way."""

from __future__ import annotations

import asyncio
import itertools
import random

from conftest import UNHURRIED, World, settings_for
from sql_rows import select
from test_sort_flow import new_session

from bot.app import build_application, polling
from bot.sandbox import Sandbox
from bot.simulation import Persona, SimulatedParticipant
from bot.telegram.flood_limits import Limits, Pacer, Schedule


def refused(sandbox: Sandbox) -> list[str]:
    calls = sandbox.calls
    return [f"{c.method} to {c.params.get('chat_id')}" for c in calls if c.error_code == 429]


async def test_a_burst_of_screens_in_one_chat_is_paced_without_a_refusal(world: World) -> None:
    sandbox = world.sandbox
    sandbox.faults.enforce_rate_limits()  # Telegram's: one message a second in a chat, ...
    async with polling(build_application(settings_for(world))):
        code = await new_session(world)
        await world.facilitator.send_command(world.group, "settings", "start join")
        await sandbox.wait_for_message(world.group, text_contains="as soon as someone joins")
        person = SimulatedParticipant(
            sandbox,
            sandbox.add_user("Ann", language_code="en"),
            Persona(organisation="City of Utrecht", age_band="30-44"),
            random.Random(3),
            timeout=30,
        )
        await person.join(code)
        for _ in range(8):  # consent, age band, organisation, five cards: as fast as she taps
            await person.act()
    assert len(person.ratings) == 5
    assert refused(sandbox) == []


async def test_while_screens_queue_for_the_limits_a_tap_says_its_card_is_coming(
    world: World,
) -> None:
    sandbox = world.sandbox
    app = build_application(settings_for(world), rate_limiter=UNHURRIED)
    async with polling(app) as bot:
        code = await new_session(world)
        for setting in ("start join", "profile off"):
            sent = await world.facilitator.send_command(world.group, "settings", setting)
            await sandbox.wait_for_message(world.group, after=sent)
        people = [sandbox.add_user(f"P{i}", language_code="en") for i in range(4)]
        for user in people:
            started = await user.start_bot(code)
            await sandbox.wait_for_message(user.private_chat, after=started)
            await user.tap(chat=user.private_chat, text="Yes, I'll take part")
            await sandbox.wait_until(
                lambda u=user: any(
                    (b.callback_data or "").startswith("r:")
                    for m in sandbox.bot_messages(u.private_chat)
                    for row in m.buttons
                    for b in row
                )
            )
        pacer = app.bot.rate_limiter
        assert isinstance(pacer, Pacer)
        pacer.schedule = Schedule(Limits(per_second=1, burst=1))  # from now on: one a second
        answers = []
        for user in people:
            query = await user.tap(chat=user.private_chat, text="Most important")
            answers.append((await sandbox.wait_for_callback_answer(query)).text)
        for user in people:
            await sandbox.wait_for_message(user.private_chat, text_contains="Card 2 of 30")
        (rated,) = await bot.store.read(lambda tx: select(tx, "SELECT count(*) FROM ratings"))
    assert answers[0] in (None, "")
    assert answers[-1] == "Saved. It is busy right now: your next card follows in a moment."
    assert rated == (4,)


async def test_a_refused_retirement_of_old_buttons_is_tried_again(world: World) -> None:
    sandbox = world.sandbox
    async with polling(build_application(settings_for(world), rate_limiter=UNHURRIED)):
        code = await new_session(world)
        await world.facilitator.send_command(world.group, "settings", "start join")
        await sandbox.wait_for_message(world.group, text_contains="as soon as someone joins")
        ann = sandbox.add_user("Ann", language_code="en")
        person = SimulatedParticipant(
            sandbox,
            ann,
            Persona(organisation="City of Utrecht", age_band="30-44"),
            random.Random(4),
        )
        await person.join(code)
        # Telegram refuses the first call that takes the buttons off an answered screen.
        sandbox.faults.fail_next(429, method="editMessageReplyMarkup", retry_after=1)
        for _ in range(3):  # consent, age band, organisation: the first card follows
            await person.act()

        def with_buttons() -> list[str]:
            return [m.content for m in sandbox.bot_messages(ann.private_chat) if m.buttons]

        await sandbox.wait_until(lambda: len(with_buttons()) == 1, timeout=10)
    assert not sandbox.faults.pending_failures, "the refusal happened"
    assert "Card 1 of 30" in with_buttons()[0], "only the first card has buttons"


async def test_no_call_takes_buttons_off_a_message_that_has_none(world: World) -> None:
    sandbox = world.sandbox
    async with polling(build_application(settings_for(world), rate_limiter=UNHURRIED)):
        code = await new_session(world)
        await world.facilitator.send_command(world.group, "settings", "start join")
        await sandbox.wait_for_message(world.group, text_contains="as soon as someone joins")
        people = [
            SimulatedParticipant(
                sandbox,
                sandbox.add_user(f"P{i}", language_code="en"),
                Persona(organisation=f"Org {i}", age_band="30-44", revises=i == 0),
                random.Random(i),
            )
            for i in range(4)
        ]
        for person in people:
            await person.join(code)
        await asyncio.gather(*(p.run() for p in people))
        for command in ("tables", "seat"):
            sent = await world.facilitator.send_command(world.group, command)
            await sandbox.wait_for_message(world.group, after=sent)
        for person in people:  # the story prompt replaces "Your top 4", which has no buttons
            await sandbox.wait_for_message(person.user.private_chat, text_contains="Tell your")
        await asyncio.gather(*(p.run() for p in people))
    retirements = [c for c in sandbox.calls if c.method == "editMessageReplyMarkup"]
    assert retirements, "answered screens had their buttons taken off"
    assert [c.description for c in retirements if not c.ok] == []


async def test_a_group_post_that_waits_for_the_groups_budget_shows_typing(world: World) -> None:
    """Telegram allows a group 20 messages a minute: here 2 in 8 s, so after the session's
    two opening posts each answer waits about 8 s, and the group sees the bot typing until
    it comes."""
    sandbox = world.sandbox
    limits = Limits(
        per_second=1e6,
        burst=10**6,
        chat_per_second=1e6,
        chat_burst=10**6,
        group_per_window=2,
        group_window=8.0,
    )
    async with polling(build_application(settings_for(world), rate_limiter=limits)):
        await new_session(world)  # the invitation: the group's first message in the window
        sent = await world.facilitator.send_command(world.group, "status")
        await sandbox.wait_for_message(world.group, after=sent)
        sent = await world.facilitator.send_command(world.group, "status")
        third = await sandbox.wait_for_message(world.group, after=sent, timeout=20)
    group = str(world.group.id)
    to_group = [c for c in sandbox.calls if str(c.params.get("chat_id")) == group and c.ok]
    typing = [c for c in to_group if c.method == "sendChatAction"]
    posts = [c for c in to_group if c.method == "sendMessage"]
    assert third.content.startswith("Progress of the session") and len(posts) == 4
    waited = [(a, b) for a, b in itertools.pairwise(posts) if b.time - a.time >= 5]
    assert waited, "an answer waited for the group's budget"
    assert typing and all(c.params.get("action") == "typing" for c in typing)
    assert all(any(a.time < t.time < b.time for t in typing) for a, b in waited), (
        "typing while each post waited"
    )
