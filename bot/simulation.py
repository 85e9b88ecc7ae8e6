"""Simulated people who use the bot through the sandbox, the way people tap.

Owns: a participant who joins through the deep link, reads each screen the bot shows
them (its buttons, parsed as the bot parses a tap, which are checked, and the counts on
their labels) and answers it as the core's policy for simulated people decides
(``conversations.simulated_person``, the same as a rehearsal's people), with the texts
of their ``Persona``; and waits for the bot's answer before the next tap. It reads only
what a person would see: the messages and buttons in their private chat. Used by
end-to-end tests, the offline demo and the benchmark. Must not: touch the database or
the bot's internals, or decide on its own what a person does.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bot.sandbox import Button, Sandbox, SimUser, TranscriptMessage
from bot.telegram.callbacks import parse
from conversations import events as ev
from conversations.simulated_person import Profile, Screen, Typing, decide


def _card_of(tap: ev.Tap) -> str | None:
    card = getattr(tap, "card_id", None)
    return card if isinstance(card, str) else None


def _chosen_of(label: str) -> tuple[int, int]:
    """(chosen, size) from a confirm button's label, which ends in ``(n/size)``."""
    chosen, size = label.rsplit("(", 1)[1].rstrip(")").split("/")
    return int(chosen), int(size)


@dataclass
class Persona:
    """How a simulated person tends to answer, and what they type: it becomes their
    ``Profile`` for the core's policy (``SimulatedParticipant.profile``)."""

    organisation: str | None = None
    age_band: str | None = None
    leanings: Mapping[str, float] = field(default_factory=dict)
    """Card id -> how much this person values it (about 1..5); others are neutral."""
    noise: float = 0.8
    """How much a single rating strays from the leaning."""
    stories: int = 1
    """How many stories they tell their table."""
    revises: bool = False
    """Whether the table mates' stories make them change their top."""
    story: str = "A story by {name} about {card}."
    """What they write about a card (``{name}``, ``{card}``: its title as shown)."""
    story_texts: Mapping[str, str] = field(default_factory=dict)
    """Card id -> what they write about that card, in place of ``story``."""
    stubborn: bool = False
    """In the table's vote they approve only what they value most themselves."""
    withholds: int = 0
    """Going with the table's vote, how many of its most-held cards they do not approve."""
    rounds: int = 2
    """How many voting rounds they want before settling."""
    note: str | None = None
    """The one-line note they add when their table settles without a full top."""


class SimulatedParticipant:
    def __init__(
        self,
        sandbox: Sandbox,
        user: SimUser,
        persona: Persona,
        rng: random.Random,
        timeout: float = 10.0,
        patience: float = 5.0,
    ) -> None:
        self.sandbox = sandbox
        self.user = user
        self.persona = persona
        self.rng = rng
        self.seed = rng.random()
        self.timeout = timeout
        self.patience = min(patience, timeout)
        """Seconds to wait for the answer to a tap before tapping again."""
        self.taps = 0
        self.ratings: dict[tuple[int, str], int] = {}
        """(lens index, card id) -> level, for every rating the bot acknowledged."""
        self.stories_told: list[str] = []
        """The texts of the stories this person typed."""
        self._story_card: tuple[str, str] | None = None
        """The card they write a story about: its id and its title as shown."""
        self._revising = False
        self._round = 0
        self.my_top: tuple[str, ...] = ()

    # --- what the person sees -----------------------------------------------------------

    def screen(self) -> TranscriptMessage | None:
        """The newest bot message in the private chat that has buttons to tap."""
        for message in reversed(self.sandbox.bot_messages(self.user.private_chat)):
            if any(b.callback_data for row in message.buttons for b in row):
                return message
        return None

    def _screen_key(self) -> tuple[int, int] | None:
        screen = self.screen()
        return None if screen is None else (screen.message_id, screen.edit_count)

    @staticmethod
    def _data(message: TranscriptMessage) -> list[str]:
        return [b.callback_data for row in message.buttons for b in row if b.callback_data]

    # --- acting -------------------------------------------------------------------------

    async def join(self, join_code: str) -> None:
        before = self._screen_key()
        await self.user.start_bot(join_code)
        await self._wait_for_change(before)

    async def tap(self, message: TranscriptMessage, data: str) -> str:
        """Tap a button and wait until the bot answered the tap and changed the screen.

        Like a person, taps again when no answer comes in time (the bot may be down, or
        slow); gives up after ``timeout`` seconds."""
        before = self._screen_key()
        chat = self.user.private_chat
        for _ in range(max(1, int(self.timeout / self.patience))):
            query_id = await self.user.tap(message.message_id, chat, data=data)
            self.taps += 1
            try:
                answer = await self.sandbox.wait_for_callback_answer(query_id, self.patience)
            except TimeoutError:
                if self.sandbox.message(chat, message.message_id).button(data=data) is None:
                    return ""  # handled, but the answer was lost with the bot: screen moved on
                continue
            if not answer.text:  # a silent answer means the tap was taken: a new screen follows
                await self._wait_for_change(before)
            return answer.text or ""
        raise TimeoutError(f"the bot never answered {self.user.first_name}'s tap")

    async def say(self, text: str) -> None:
        before = self._screen_key()
        await self.user.send_text(self.user.private_chat, text)
        await self._wait_for_change(before)

    async def talk(self, text: str, mates: Sequence[SimulatedParticipant]) -> None:
        """Say something to the table (typed in the private chat, which the bot relays)
        and wait until every one of ``mates`` has it."""
        await self.user.send_text(self.user.private_chat, text)
        await self.sandbox.wait_until(
            lambda: (
                all(
                    any(
                        text in m.content for m in self.sandbox.bot_messages(mate.user.private_chat)
                    )
                    for mate in mates
                )
                or None
            ),
            self.timeout,
            what=f"{self.user.first_name}'s words relayed to their table",
        )

    async def _wait_for_change(self, before: tuple[int, int] | None) -> None:
        """Until the screen to work in is another message, or the same one edited."""
        await self.sandbox.wait_until(
            lambda: self._screen_key() != before or None,
            self.timeout,
            what=f"the bot's answer to {self.user.first_name}",
        )

    @property
    def profile(self) -> Profile:
        """The persona as the core's policy for simulated people reads it."""
        p = self.persona
        return Profile(
            seed=self.seed,
            age_band=p.age_band,
            organisation=0 if p.organisation else None,
            stories=p.stories,
            revises=p.revises,
            stubborn=p.stubborn,
            withholds=p.withholds,
            rounds=p.rounds,
            writes_note=p.note is not None,
            leanings=p.leanings,
            noise=p.noise,
        )

    def buttons(self, message: TranscriptMessage) -> list[tuple[ev.Tap, Button]]:
        """What each button of ``message`` does, parsed as the bot parses a tap."""
        user = self.user.state.id
        return [
            (parse(b.callback_data, user, 0.0), b)
            for row in message.buttons
            for b in row
            if b.callback_data
        ]

    def read(self, pairs: list[tuple[ev.Tap, Button]]) -> Screen:
        """The screen as a person reads it: what its buttons do, which of them are
        checked, and the counts their labels show."""
        user = self.user.state.id
        taps = tuple(tap for tap, _ in pairs)
        session_id = taps[0].session_id if taps else 0
        kinds = {type(t) for t in taps}
        checked = tuple(_card_of(t) for t, b in pairs if b.text.startswith("✅"))
        limit = next(
            (
                _chosen_of(b.text)[1]
                for t, b in pairs
                if isinstance(t, ev.TopConfirmed | ev.VoteConfirmed)
            ),
            0,
        )
        holders = {
            t.card_id: int(b.text.removeprefix("✅ ").split("·", 1)[0])
            for t, b in pairs
            if isinstance(t, ev.VoteToggled)
        }
        asks = None
        if ev.OrganisationAnswered in kinds:
            asks = "organisation"
        elif ev.NoteSkipped in kinds:
            asks = "note"
        elif kinds == {ev.StoryCardChosen} and len(taps) == 1:  # the prompt to write a story
            asks = "story"
        return Screen(
            session_id,
            user,
            taps,
            asks=asks,
            selected=tuple(c for c in checked if c is not None),
            limit=limit,
            holders=holders,
            revising=self._revising,
            round=self._round,
            own_top=self.my_top,
        )

    async def act(self) -> bool:
        """Answer the current screen once, as the core's policy for simulated people
        decides; False when there is nothing left to tap."""
        message = self.screen()
        if message is None:
            return False
        pairs = self.buttons(message)
        screen = self.read(pairs)
        answer = decide(screen, self.profile)
        if answer is None:
            return False
        if isinstance(answer, Typing):
            await self.say(self._typed(answer))
            return True
        button = next(b for tap, b in pairs if tap == answer)
        data = button.callback_data or ""
        if isinstance(answer, ev.StoryCardChosen) and answer.card_id is not None:
            self._story_card = (answer.card_id, button.text.removeprefix("✅ "))
        elif isinstance(answer, ev.RevisionAnswered):
            self._revising = not answer.keep
        elif isinstance(answer, ev.TopConfirmed):
            self.my_top = screen.selected
        elif isinstance(answer, ev.VoteConfirmed):
            self._round += 1
        if isinstance(answer, ev.CardRated):
            key = (answer.lens_index, answer.card_id)
            if not await self.tap(message, data):  # a silent answer: the rating was taken
                self.ratings[key] = answer.level
            return True
        await self.tap(message, data)
        return True

    def _typed(self, typing: Typing) -> str:
        """What this person types where the policy says they type."""
        persona = self.persona
        if typing.label == "rehearsal_stories":
            card_id, title = self._story_card or ("", "")
            story = persona.story_texts.get(card_id, persona.story)
            text = story.format(name=self.user.first_name, card=title)
            self.stories_told.append(text)
            return text
        if typing.label == "rehearsal_notes" and persona.note is not None:
            return persona.note
        return persona.organisation or ""

    async def run(self, max_taps: int = 1000) -> None:
        """Answer screens until there is nothing left to tap."""
        for _ in range(max_taps):
            if not await self.act():
                return
        screen = self.screen()
        raise RuntimeError(
            f"{self.user.first_name} did not finish within {max_taps} taps; stuck at "
            f"#{screen.message_id if screen else None}; the chat:\n"
            + self.sandbox.format_transcript(self.user.private_chat)
        )


async def run_all(people: Sequence[SimulatedParticipant], quiet: float = 2.0) -> None:
    """Let everyone answer their screens until ``quiet`` seconds pass with nothing new to
    tap (a person who waits for their table gets the next screen later)."""
    if not people:
        return
    sandbox = people[0].sandbox
    while True:
        await asyncio.gather(*(person.run() for person in people))
        try:
            await sandbox.wait_until(lambda: any(p.screen() for p in people), quiet)
        except TimeoutError:
            return
