"""The rehearsal actor: simulated participants answer what the bot shows them.

Owns: taking the outbox effects addressed to simulated people's chats (ids reserved by
``conversations.rehearsal``; delivery never sends those to Telegram), letting each
person answer their current screen as their profile says (``simulated_person``) after a
short pause, and submitting the answer to the runner as the event a person's tap or text
would make: the same core, store and outbox as everyone else. Like a person, a simulated
participant answers only the newest version of their screen.

An effect is marked done only after its answer was submitted: after a crash or restart
the actor finds the unanswered screens in the outbox and answers them (an answer given
twice is a stale tap to the core, which changes nothing). Must not: talk to Telegram,
write to the database other than marking outbox rows, or decide workshop rules.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable

from bot.background import cancel_all
from bot.codec import decode_effect
from bot.decks.library import DeckLibrary
from bot.render import Renderer
from bot.runner import Runner
from bot.store import Store, Transaction
from conversations import effects as fx
from conversations.events import Event, TextReceived
from conversations.rehearsal import is_simulated
from conversations.simulated_person import Profile, Typing, respond

log = logging.getLogger(__name__)

DEFAULT_DELAY = 0.5
"""Seconds a simulated person takes for one answer, on average."""
BATCH = 1000
MAX_ATTEMPTS = 5


class RehearsalActor:
    def __init__(
        self,
        store: Store,
        runner: Runner,
        decks: DeckLibrary,
        renderer: Renderer,
        delay: float = DEFAULT_DELAY,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.runner = runner
        self.decks = decks
        self.renderer = renderer
        self.delay = delay
        self.clock = clock
        self._wake = asyncio.Event()
        self._workers: dict[int, asyncio.Task[None]] = {}
        self._dirty: set[int] = set()
        self._profiles: dict[int, Profile | None] = {}
        self._task: asyncio.Task[None] | None = None

    # --- running ------------------------------------------------------------------------

    def kick(self, chat_ids: Iterable[int] | None = None) -> None:
        """Something was written to the outbox for ``chat_ids`` (None: anywhere)."""
        if chat_ids is None or self._task is None:
            self._wake.set()
            return
        for chat_id in chat_ids:
            if is_simulated(chat_id):
                self._start_worker(chat_id)

    def start(self) -> None:
        """Start answering, beginning with what is in the outbox from before a restart."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="rehearsal")
            self._wake.set()

    async def stop(self) -> None:
        await cancel_all((self._task, *self._workers.values()))
        self._task = None
        self._workers.clear()

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                chats = await self.store.read(Transaction.chats_with_pending_effects)
            except Exception:
                log.exception("the rehearsal actor could not read the outbox")
                await asyncio.sleep(1.0)
                self._wake.set()
                continue
            for chat_id, _ in chats:
                if is_simulated(chat_id):
                    self._start_worker(chat_id)

    def _start_worker(self, chat_id: int) -> None:
        if chat_id in self._workers:
            self._dirty.add(chat_id)
            return
        task = asyncio.get_running_loop().create_task(self._work(chat_id))
        self._workers[chat_id] = task

    async def _work(self, chat_id: int) -> None:
        try:
            while True:
                self._dirty.discard(chat_id)
                if not await self._answer(chat_id) and chat_id not in self._dirty:
                    break
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("a simulated participant could not answer")
        finally:
            self._workers.pop(chat_id, None)

    # --- one simulated person -----------------------------------------------------------

    async def _answer(self, chat_id: int) -> bool:
        """Answer the newest screen among the chat's pending effects and mark them done;
        True if anything was pending."""
        rows = await self.store.read(lambda tx: tx.pending_effects(chat_id, BATCH))
        if not rows:
            return False
        screens = []
        broken = []
        for row in rows:
            try:
                effect = decode_effect(row.kind, row.payload)
            except Exception:  # a bug: set it aside rather than read it forever
                log.exception("could not read outbox effect %d (%s)", row.id, row.kind)
                broken.append(row.id)
                continue
            if effect.SLOT == fx.MAIN_SLOT:
                screens.append(effect)
        if screens:
            await self._act(screens[-1])
        at = self.clock()

        def mark(tx: Transaction) -> None:
            for row in rows:
                if row.id in broken:
                    tx.mark_failed(row.id, "unreadable")
                else:
                    tx.mark_delivered(row.id, at)

        await self.store.run(mark)
        return True

    async def _profile(self, effect: fx.Effect) -> Profile | None:
        user_id = effect.chat_id
        if user_id not in self._profiles:
            session_id = getattr(effect, "session_id", None)
            seed = None
            if session_id is not None:
                sid = session_id
                seed = await self.store.read(lambda tx: tx.simulated_profile_seed(sid, user_id))
            self._profiles[user_id] = Profile.from_seed(seed) if seed is not None else None
        return self._profiles[user_id]

    async def _act(self, screen: fx.Effect) -> None:
        profile = await self._profile(screen)
        if profile is None:  # the session was deleted: nobody is left to answer
            return
        response = respond(screen, profile, self.clock())
        if response is None:
            return
        if self.delay > 0:
            await asyncio.sleep(self.delay * profile.pace)
        event = self._typed(screen, response) if isinstance(response, Typing) else response
        await self._submit(event)

    def _typed(self, screen: fx.Effect, typing: Typing) -> Event:
        """The text a simulated person types, in the language of their screen."""
        title = ""
        if typing.deck_id is not None and typing.card_id is not None:
            deck = self.decks.get(typing.deck_id)
            title = deck.text(deck.card(typing.card_id).title, deck.language(screen.locale))
        variants = self.renderer.label(screen.locale, typing.label).split("|")
        text = variants[typing.variant % len(variants)].strip().replace("{card}", title)
        return TextReceived(self.clock(), typing.session_id, typing.user_id, text)

    async def _submit(self, event: Event) -> None:
        for attempt in range(MAX_ATTEMPTS):
            try:
                await self.runner.submit(event)
                return
            except Exception:
                log.exception("a simulated participant's answer failed (try %d)", attempt + 1)
                await asyncio.sleep(0.5 * 2**attempt)
        log.error("a simulated participant's answer was given up after %d tries", MAX_ATTEMPTS)
