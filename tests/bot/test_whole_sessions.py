"""Whole sessions walked at random through the real runner and store: at every turn a
random person does one of the things ``conversations.options`` says they may do now (a
kind of tap first, so that the board's many moves do not crowd out the rest), or types
where their step asks for text, and the facilitator moves the session on
when nobody has anything left to do. Every offered tap is taken, never stale, and every
session ends with every table's outcome agreed and every person done."""

from __future__ import annotations

import itertools
import random
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.decks.files import load_builtin_decks
from bot.decks.library import DeckLibrary
from bot.runner import Runner
from bot.store import Store
from conversations import events as ev
from conversations.decision import Decision, SaveSession
from conversations.effects import ShowSummary
from conversations.machine import SPECS
from conversations.model import Step, TableStage

GROUP = -5
FACILITATOR = 7
REFUSALS = {"stale_button", "invalid_button", "not_participant", "top_full", "top_incomplete"}
"""Answers to a tap that was not one the person could make."""


@pytest.fixture
async def runner(tmp_path: Path) -> AsyncIterator[Runner]:
    store = await Store.open(tmp_path / "db.sqlite3")
    try:
        yield Runner(store, DeckLibrary(load_builtin_decks().values()), clock=lambda: 100.0)
    finally:
        await store.close()


class Walk:
    def __init__(self, runner: Runner, seed: int) -> None:
        self.runner = runner
        self.session_id = 0
        self.group = GROUP - seed
        self.code = f"code{seed}"
        self.rng = random.Random(seed)
        self.clock = itertools.count(10)
        self.people = [100 * seed + i for i in range(self.rng.randint(5, 9))]
        self.taken: set[type[ev.Event]] = set()

    def at(self) -> float:
        return float(next(self.clock))

    async def facilitator(self, make: type[ev.FacilitatorEvent], *args: object) -> Decision:
        decision = await self.runner.submit(make(self.at(), self.group, FACILITATOR, True, *args))
        assert decision.changes or isinstance(decision.effects[0], ShowSummary), make.__name__
        return decision

    async def everyone_acts(self, turns: int = 20_000) -> None:
        """Until nobody has anything left to do."""
        for _ in range(turns):
            able = []
            for user_id in self.people:
                now = await self.runner.options(self.session_id, user_id)
                assert now is not None
                if now.taps or now.typing:
                    able.append((user_id, now))
            if not able:
                return
            user_id, now = self.rng.choice(able)
            taps = [t for t in now.taps if not _declines(t) or user_id == self.people[-1]]
            if now.typing and (not taps or self.rng.random() < 0.3):
                text = f"words of {user_id} #{self.rng.randrange(1000)}"
                await self.runner.submit(ev.TextReceived(self.at(), self.session_id, user_id, text))
                continue
            kind = self.rng.choice(sorted({type(t).__name__ for t in taps}))
            tap = self.rng.choice([t for t in taps if type(t).__name__ == kind])
            self.taken.add(type(tap))
            decision = await self.runner.submit(replace(tap, at=self.at()))
            refused = decision.toast.key if decision.toast else None
            assert refused not in REFUSALS, (tap, refused)
            assert decision.changes or decision.effects, tap
        raise AssertionError("the walk did not settle")


def _declines(tap: ev.ParticipantEvent) -> bool:
    return isinstance(tap, ev.ConsentAnswered) and not tap.agreed


async def walk_a_session(runner: Runner, seed: int) -> set[type[ev.Event]]:
    """One session from ``/newsession`` to the summary; the kinds of taps taken."""
    walk = Walk(runner, seed)
    created = await runner.submit(
        ev.SessionRequested(
            1.0,
            walk.group,
            FACILITATOR,
            True,
            None,
            "en",
            seed,
            walk.code,
            "nl",
            ("goed-werk",),
            "goed-werk",
        )
    )
    walk.session_id = next(c.session.id for c in created.changes if isinstance(c, SaveSession))
    for user_id in walk.people:
        order = walk.rng.getrandbits(32)
        await runner.submit(
            ev.JoinRequested(walk.at(), user_id, user_id, f"P{user_id}", "en", walk.code, order)
        )
    await walk.everyone_acts()  # the welcome: consent, age, organisation
    await walk.facilitator(ev.SortStartRequested)
    await walk.everyone_acts()  # the sort, lens by lens, and the top
    await walk.facilitator(ev.TablesRequested, seed)
    await walk.facilitator(ev.SeatingConfirmed, False)
    await walk.everyone_acts()  # stories, then revising (the tables move on by themselves)
    await walk.facilitator(ev.VoteRequested)
    await walk.everyone_acts()  # rounds of votes, decisions, notes

    people = await runner.store.read(lambda tx: tx.participants(walk.session_id))
    declined = [p for p in people if p.step is Step.DECLINED]
    assert len(declined) <= 1
    assert {p.step for p in people if p.step is not Step.DECLINED} == {Step.FINAL}
    tables = await runner.store.read(lambda tx: tx.table_views(walk.session_id))
    assert tables and {t.table.stage for t in tables} == {TableStage.AGREED}
    summary = await walk.facilitator(ev.SummaryRequested)
    (shown,) = summary.effects
    assert isinstance(shown, ShowSummary) and len(shown.tables) == len(tables)
    return walk.taken


async def test_random_walks_reach_the_end_of_every_phase(runner: Runner) -> None:
    taken: set[type[ev.Event]] = set()
    for seed in range(1, 6):
        taken |= await walk_a_session(runner, seed)
    offered = {
        kind
        for kind, spec in SPECS.items()
        if spec.steps is not None and kind is not ev.OrganisationAnswered
    }
    assert offered <= taken, f"never taken: {sorted(k.__name__ for k in offered - taken)}"
