"""A session over three days with a fake clock (issue 7): deadlines move the session on
with those who are ready, reminders reach exactly the stragglers, within waking hours,
at most once a day, and a restart in the middle loses no deadline and fires none twice.

Time is an input: the bot runs on a clock the test sets; the scheduler's round is run
by the test after each step of the clock, as the JobQueue would run it every minute."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from zoneinfo import ZoneInfo

from conftest import World, settings_for
from test_sort_flow import new_session

from bot.app import Services, build_application, polling
from bot.sandbox import Sandbox, SimChat, SimUser
from bot.simulation import Persona, SimulatedParticipant, run_all

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
START = datetime(2026, 11, 30, 8, 0, tzinfo=AMSTERDAM).timestamp()
"""Monday 08:00 in Amsterdam."""
HOUR = 3600.0
DAY = 24 * HOUR
REMINDER = "A reminder"


class FakeClock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def set(self, days: float = 0, hours: float = 0) -> None:
        """Day ``days`` after the start, at ``hours`` past 08:00."""
        self.now = START + days * DAY + hours * HOUR


@asynccontextmanager
async def running(world: World, clock: FakeClock) -> AsyncIterator[Services]:
    app = build_application(settings_for(world), clock=clock, rate_limiter=False)
    async with polling(app) as services:
        yield services


def texts(sandbox: Sandbox, chat: SimChat, contains: str) -> list[str]:
    return [m.text for m in sandbox.bot_messages(chat) if contains in m.text]


def reminders(sandbox: Sandbox, user: SimUser) -> int:
    return len(texts(sandbox, user.private_chat, REMINDER))


async def settle(services: Services) -> None:
    """Until every queued message is delivered."""
    for _ in range(200):
        if await services.store.read(lambda tx: tx.pending_count()) == 0:
            return
        await asyncio.sleep(0.05)
    raise TimeoutError("messages stayed queued")


async def tick(services: Services) -> None:
    await services.scheduler.run_due()
    await settle(services)


async def command(world: World, name: str, args: str, expect: str) -> None:
    sent = await world.facilitator.send_command(world.group, name, args)
    await world.sandbox.wait_for_message(world.group, text_contains=expect, after=sent)


async def test_a_three_day_session(world: World) -> None:
    sandbox, clock = world.sandbox, FakeClock(START)
    people = [
        SimulatedParticipant(
            sandbox,
            sandbox.add_user(f"Person{i}", language_code="en"),
            Persona(organisation=f"Org {i % 3}", age_band="30-44"),
            random.Random(i),
            timeout=20,
        )
        for i in range(6)
    ]
    sally = SimulatedParticipant(
        sandbox, sandbox.add_user("Sally", language_code="en"), Persona(), random.Random(9)
    )
    tom = SimulatedParticipant(
        sandbox, sandbox.add_user("Tom", language_code="en"), Persona(), random.Random(10)
    )
    everyone = [*people, sally, tom]

    async with running(world, clock) as services:
        code = await new_session(world)
        await command(world, "settings", "start join", "as soon as someone joins")
        await command(world, "deadline", "sort 1d", "Deadlines")
        await command(world, "deadline", "stories 1d12h", "Deadlines")
        await command(world, "deadline", "revision 2d", "Deadlines")
        await command(world, "deadline", "vote 3d", "Deadlines")
        await command(world, "deadline", "sort soon", "Use /deadline")
        for person in everyone:
            await person.join(code)
        await asyncio.gather(*(p.run() for p in people))  # sort and wait for a table
        for _ in range(3):  # consent, age band, organisation: then Sally leaves it
            await sally.act()
        screen = sally.screen()
        assert screen is not None and any(d.startswith("r:") for d in sally._data(screen))

        # Monday evening and Tuesday early: nobody has been idle for a day, and 22:00
        # and 07:00 are outside the waking hours (09:00-21:00).
        clock.set(hours=14)
        await tick(services)
        clock.set(days=1, hours=-1)
        await tick(services)
        assert all(reminders(sandbox, p.user) == 0 for p in everyone)

        # Tuesday 08:05: the sort's deadline seats the six who finished.
        clock.set(days=1, hours=1 / 12)
        await tick(services)
        assert texts(sandbox, world.group, "The deadline for the sort has passed")
        for late in (sally, tom):
            assert texts(sandbox, late.user.private_chat, "The tables have started")
        for person in people:
            assert texts(sandbox, person.user.private_chat, "You sit at Table")
        assert all(reminders(sandbox, p.user) == 0 for p in everyone)  # 08:05 is too early

        # The six tell their stories and answer the revision question right away.
        clock.set(days=1, hours=0.25)
        await run_all(people)

        # Tuesday 09:30: the two stragglers have been idle for a day; the six have not.
        clock.set(days=1, hours=1.5)
        await tick(services)
        assert [reminders(sandbox, p.user) for p in everyone] == [0] * 6 + [1, 1]
        assert texts(sandbox, tom.user.private_chat, "not finished joining the session")
        assert texts(sandbox, sally.user.private_chat, "not finished sorting")

        # Tuesday 15:00: at most once a day.
        clock.set(days=1, hours=7)
        await tick(services)
        assert [reminders(sandbox, p.user) for p in everyone] == [0] * 6 + [1, 1]

    # The bot is down from Tuesday 15:00 to Wednesday 09:00: the deadlines of the stories
    # (Tuesday 20:00) and the revision (Wednesday 08:00) pass meanwhile.
    clock.set(days=2, hours=1)
    async with running(world, clock) as services:
        await tick(services)  # the JobQueue's first round runs at start as well
        await tick(services)
        stories = texts(sandbox, world.group, "The deadline for the stories has passed")
        revision = texts(sandbox, world.group, "The deadline for revising has passed")
        assert len(stories) <= 1 and len(revision) == 1
        assert texts(sandbox, world.group, "Voting has started")
        # Wednesday 09:00: Sally and Tom were last reminded 23.5 hours ago.
        assert [reminders(sandbox, p.user) for p in everyone] == [0] * 6 + [1, 1]

        # Tom asks for no more reminders; Sally is reminded again at 09:45.
        mute = await sandbox.wait_for_message(tom.user.private_chat, text_contains=REMINDER)
        button = mute.button(text="🔕 No more reminders")
        assert button is not None and button.callback_data is not None
        await tom.tap(mute, button.callback_data)
        clock.set(days=2, hours=1.75)
        await tick(services)
        assert [reminders(sandbox, p.user) for p in everyone] == [0] * 6 + [2, 1]

        # Four of the six vote on Wednesday; the last two never do. Thursday 08:00 the
        # votes close with the ballots in, and the plenary is next.
        voters = people[:4]
        await run_all(voters)
        clock.set(days=3, hours=0.1)
        await tick(services)
        assert texts(sandbox, world.group, "The deadline for the votes has passed")
        assert texts(sandbox, world.group, "The votes are closed")
        for silent in people[4:]:
            assert texts(sandbox, silent.user.private_chat, "The votes are closed")

        # Nothing fires twice, however often the round runs.
        before = len(sandbox.bot_messages(world.group))
        await tick(services)
        await tick(services)
        assert len(sandbox.bot_messages(world.group)) == before

        # /next: the summary and the end, after a confirmation by a facilitator only.
        await world.facilitator.send_command(world.group, "next")
        asked = await sandbox.wait_for_message(
            world.group, text_contains="Move on from the plenary"
        )
        move = asked.button(text="⏭ Move on to the end")
        assert move is not None and move.callback_data is not None
        stranger = sandbox.add_user("Sam", language_code="en")
        await stranger.join(world.group)
        refused = await stranger.tap(asked.message_id, world.group, data=move.callback_data)
        answer = await sandbox.wait_for_callback_answer(refused)
        assert answer.text == "Only a facilitator can do this."
        confirmed = await world.facilitator.tap(
            asked.message_id, world.group, data=move.callback_data
        )
        assert (await sandbox.wait_for_callback_answer(confirmed)).text == "Moved on."
        await sandbox.wait_for_message(world.group, text_contains="Moved on from the plenary")
        await sandbox.wait_for_message(world.group, text_contains="The session is closed")


async def test_pause_resume_remind_and_time_zone(world: World) -> None:
    sandbox, clock = world.sandbox, FakeClock(START)
    ann = SimulatedParticipant(
        sandbox, sandbox.add_user("Ann", language_code="en"), Persona(), random.Random(1)
    )
    async with running(world, clock) as services:
        code = await new_session(world, "goed-werk en sort=1d")
        await sandbox.wait_for_message(world.group, text_contains="2026-12-01 08:00")
        await ann.join(code)
        consent = ann.screen()
        assert consent is not None

        await command(world, "pause", "", "The session is paused")
        tapped = await ann.user.tap(consent.message_id, ann.user.private_chat, data="c:1:1")
        answer = await sandbox.wait_for_callback_answer(tapped)
        assert answer.text == "The session is paused for a moment."
        assert ann.screen() == consent  # nothing moved on

        clock.set(hours=2)
        await command(world, "resume", "", "1 deadline moved 120 minutes later")
        await command(world, "deadline", "", "2026-12-01 10:00")
        await tick(services)  # the old time of the deadline is not a deadline any more

        await command(world, "remind", "", "Reminded 1 participant")
        await sandbox.wait_for_message(ann.user.private_chat, text_contains=REMINDER)
        await command(world, "remind", "", "1 had a reminder less than a day ago")
        assert reminders(sandbox, ann.user) == 1

        await command(world, "settings", "timezone europe/london", "(Europe/London)")
        await command(world, "settings", "timezone Mars/Base", "I do not know the time zone")
        await command(world, "deadline", "", "2026-12-01 09:00 (Europe/London)")

        stranger = sandbox.add_user("Sam", language_code="en")
        await stranger.join(world.group)
        sent = await stranger.send_command(world.group, "pause")
        await sandbox.wait_for_message(
            world.group, text_contains="only the facilitators", after=sent
        )
        await command(
            world, "status", "", "Stage: joining; the deadline for the sort is 2026-12-01 09:00"
        )
