"""Simulated people who use the bot through the sandbox, the way people tap.

Owns: a participant who joins through the deep link and answers each screen the bot
shows (consent, profile, every card, the piles, the top) following a persona, and waits
for the bot's answer before the next tap. It reads only what a person would see: the
messages and buttons in their private chat. Used by end-to-end tests, the offline demo
and the benchmark. Must not: touch the database or the bot's internals.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from bot.sandbox import Sandbox, SimUser, TranscriptMessage

LEVELS = (1, 2, 3, 4, 5)


@dataclass
class Persona:
    """How a simulated person tends to answer."""

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
    stubborn: bool = False
    """In the table's vote they approve only their own top cards."""
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
        self._intended: dict[tuple[int, str], int] = {}
        self.stories_told: list[str] = []
        """The texts of the stories this person typed."""
        self._story_card: str | None = None
        self._revising = False
        self._dropped: str | None = None
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

    async def _wait_for_change(self, before: tuple[int, int] | None) -> None:
        """Until the screen to work in is another message, or the same one edited."""
        await self.sandbox.wait_until(
            lambda: self._screen_key() != before or None,
            self.timeout,
            what=f"the bot's answer to {self.user.first_name}",
        )

    def level_for(self, card_id: str, lens: int = 0) -> int:
        """The level this person gives a card: their leaning plus noise that depends only on
        the person, card and lens, so it does not matter in which order cards come."""
        leaning = self.persona.leanings.get(card_id, 3.0)
        noise = random.Random(f"{self.seed}:{card_id}:{lens}").gauss(0, self.persona.noise)
        return min(5, max(1, round(leaning + noise)))

    async def act(self) -> bool:
        """Answer the current screen once; False when there is nothing left to tap."""
        message = self.screen()
        if message is None:
            return False
        data = self._data(message)
        kinds = {d.split(":", 1)[0] for d in data}
        if "c" in kinds:
            return await self._tap_first(message, data, lambda d: d.endswith(":1"))
        if "ag" in kinds:
            band = self.persona.age_band or "-"
            return await self._tap_first(message, data, lambda d: d.endswith(f":{band}"))
        if "or" in kinds:
            if self.persona.organisation:
                await self.say(self.persona.organisation)
                return True
            return await self._tap_first(message, data, lambda d: d.startswith("or:"))
        if "r" in kinds:
            sample = next(d for d in data if d.startswith("r:"))
            _, _, lens, card_id, _ = sample.split(":")
            key = (int(lens), card_id)
            level = self._intended.setdefault(key, self.level_for(card_id, int(lens)))
            wanted = f"{sample.rsplit(':', 1)[0]}:{level}"
            if not await self.tap(message, wanted):  # a silent answer: the rating was taken
                self.ratings[key] = level
            return True
        if "sc" in kinds:
            return await self._tell(message, data)
        if "rv" in kinds:
            self._revising = self.persona.revises
            keep = not self.persona.revises
            return await self._tap_first(message, data, lambda d: d.endswith(f":{int(keep)}"))
        if "vt" in kinds or "vc" in kinds:
            return await self._vote(message, data)
        if "rd" in kinds:
            again = self._round < self.persona.rounds
            return await self._tap_first(message, data, lambda d: d.endswith(f":{int(again)}"))
        if "nt" in kinds:
            if self.persona.note:
                await self.say(self.persona.note)
                return True
            return await self._tap_first(message, data, lambda d: d.startswith("nt:"))
        if "go" in kinds:
            return await self._tap_first(message, data, lambda d: d.startswith("go:"))
        if "pc" in kinds:
            return await self._tap_first(message, data, lambda d: d.startswith("pc:"))
        if "tt" in kinds:
            return await self._choose_top(message, data)
        return False

    async def _tap_first(
        self, message: TranscriptMessage, data: list[str], wanted: Callable[[str], bool]
    ) -> bool:
        choice = next(d for d in data if wanted(d))
        await self.tap(message, choice)
        return True

    async def _tell(self, message: TranscriptMessage, data: list[str]) -> bool:
        """Pick a card to tell about, type the story, or say "done"."""
        done = next(d for d in data if d.endswith(":-"))
        cards = [d for d in data if not d.endswith(":-")]
        if not cards:  # the prompt to write about the card chosen
            text = self.persona.story.format(name=self.user.first_name, card=self._story_card)
            self.stories_told.append(text)
            await self.say(text)
            return True
        if len(self.stories_told) < self.persona.stories:
            choice = cards[len(self.stories_told) % len(cards)]
            self._story_card = next(
                b.text.removeprefix("✅ ")
                for row in message.buttons
                for b in row
                if b.callback_data == choice
            )
            await self.tap(message, choice)
            return True
        await self.tap(message, done)
        return True

    async def _vote(self, message: TranscriptMessage, data: list[str]) -> bool:
        """Approve the most-held candidates (or only their own top, if stubborn), then confirm."""
        buttons = [b for row in message.buttons for b in row if b.callback_data]
        confirm = next(b for b in buttons if (b.callback_data or "").startswith("vc:"))
        chosen_count, size = (int(x) for x in confirm.text.rsplit("(", 1)[1].rstrip(")").split("/"))
        options = []
        for b in buttons:
            if not (b.callback_data or "").startswith("vt:"):
                continue
            holders = int(b.text.removeprefix("✅ ").split("·", 1)[0])
            card = (b.callback_data or "").rsplit(":", 1)[1]
            options.append((b, card, holders, b.text.startswith("✅")))
        if self.persona.stubborn:
            wanted = [o for o in options if o[1] in self.my_top]
        else:
            ranked = sorted(options, key=lambda o: -o[2])  # most held first, then as listed
            wanted = ranked[:size]
        wanted_cards = {o[1] for o in wanted}
        for button, card, _, selected in options:
            if selected != (card in wanted_cards) and (selected or chosen_count < size):
                await self.tap(message, button.callback_data or "")
                return True
        self._round += 1
        await self.tap(message, confirm.callback_data or "")
        return True

    async def _choose_top(self, message: TranscriptMessage, data: list[str]) -> bool:
        chosen = [
            b.callback_data
            for row in message.buttons
            for b in row
            if b.callback_data and b.callback_data.startswith("tt:") and b.text.startswith("✅")
        ]
        confirm = next(d for d in data if d.startswith("tc:"))
        open_slots = [d for d in data if d.startswith("tt:") and d not in chosen]
        confirm_text = next(
            b.text for row in message.buttons for b in row if b.callback_data == confirm
        )
        chosen_count, size = (int(x) for x in confirm_text.rsplit("(", 1)[1].rstrip(")").split("/"))
        if self._revising and self._dropped is None and chosen:
            weakest = min(chosen, key=lambda d: self.persona.leanings.get(d.split(":")[2], 3.0))
            self._dropped = weakest
            await self.tap(message, weakest)
            return True
        open_slots = [d for d in open_slots if d != self._dropped]
        if not (chosen_count < size and open_slots):
            self.my_top = tuple(d.rsplit(":", 1)[1] for d in chosen if d)
        if chosen_count < size and open_slots:
            best = max(open_slots, key=lambda d: self.persona.leanings.get(d.split(":")[2], 3.0))
            await self.tap(message, best)
        else:
            await self.tap(message, confirm)
        return True

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
