"""A whole live session under Telegram's flood limits: people at a human pace, the bot as in
production.

Owns: the benchmark of issue 18. For each size (20, 60, 100 and 300 participants by default)
this process runs the sandbox Bot API on 127.0.0.1 with Telegram's flood limits on
(``faults.enforce_rate_limits``: 30 messages a second overall, one a second per chat with a
burst of three, 20 a minute per group: a call beyond them is answered 429), a facilitator
and the participants; the bot is its own process (``--serve-bot``: ``python -m bot run``'s
application with its rate limiter, polling the sandbox over loopback HTTP, its Mini App
served on 127.0.0.1). The session, as ``python -m bot demo`` runs it:

1. the facilitator opens a session (``/newsession goed-werk en``, ``/settings start
   join``); people arrive over ``--arrival`` seconds, open the invitation, consent, give
   their age band and organisation;
2. everyone sorts both lenses and chooses a top four: in the chat, one tap per card, each
   after reading it for a human delay (1.5 to 4 s, seeded); every ``--board-every``-th
   person sorts on the Mini App's board instead (one ``POST /api/board`` per card, after
   the same delays);
3. ``/tables`` and ``/seat``; the tables' stories (typed after the same delay) and the
   revision; ``/dilemma`` and ``/vote``; the votes; ``/summary``.

Time is compressed by ``--speed`` (4): every clock of both processes runs that many times
faster than the wall clock (the event loops' ``time()`` and their waits, the sandbox's
limits, the bot's clock and its rate limiter, the people's delays), so the limits, the
people and the bot keep their proportions and every duration is reported in session
seconds. CPU time does not compress: whatever the processes compute takes ``speed`` times
longer in session time, so the latencies are upper bounds (``--speed 1`` runs in real
time). ``benchmarks/README.md`` explains the figures.

Must not: send traffic anywhere but 127.0.0.1, or change the bot: it measures what is there.

Run: ``.venv/bin/python benchmarks/live_session.py [--sizes 20,60] [--speed 4]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import math
import random
import resource
import selectors
import socket
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCRIPT = Path(__file__).resolve()
ROOT = SCRIPT.parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402

from bot.demo_cast import ARCHETYPES, texts_of  # noqa: E402
from bot.render import Renderer  # noqa: E402
from bot.sandbox import BotProcess, Sandbox, SimUser, TranscriptMessage  # noqa: E402
from bot.sandbox.faults import RATE_LIMITED_METHODS, FaultInjector  # noqa: E402
from bot.sandbox.methods import ApiCall  # noqa: E402
from bot.simulation import Persona, SimulatedParticipant  # noqa: E402
from bot.telegram.callbacks import parse  # noqa: E402
from conversations import events as ev  # noqa: E402
from conversations.simulated_person import decide  # noqa: E402

TOKEN = "123456:LIVE-SESSION-token"
SIZES = (20, 60, 100, 300)
SPEED = 4.0
CEILING = 30.0
"""Telegram's messages a second overall: the sandbox's limit and the lower bound's rate."""
DELAY = (1.5, 4.0)
"""Seconds a person reads a screen before they tap (uniform, seeded)."""
BEHIND_S = 0.25
"""A second of the sort counts towards the ceiling share when, all through it, someone had
waited longer than this for their next card: the bot had work it could send."""
WAIT_S = 900.0
"""Session seconds a person waits for an answer or a screen before the run fails."""
QUIET_S = 20.0
"""Session seconds without a message from the bot (and nobody with a screen to answer) after
which a phase counts as over."""
COMING_TOASTS = ("toast_card_coming", "toast_screen_coming")
"""Labels of toasts that say a tap was taken and the next screen is on its way."""
ORGANISATIONS = ("Gemeente Utrecht", "Belastingdienst", "Provincie Zeeland", "UWV", "RWS")
BANDS = ("under-30", "30-44", "45-59", "60-plus")
TARGETS = {
    "too_many_requests": "0 at every size",
    "sort_slowdown": "<= 1.05 up to 60 people",
    "p95_next_card_ms": "<= 1000 up to 60 people",
    "ceiling_share": ">= 0.9 at 100 and 300",
    "wait_p95_over_median": "<= 2 at 100 and 300",
    "p95_toast_ms": "<= 500 at 100 and 300 (a toast saying the card is coming)",
    "board_messages": "0 during the board's sort",
    "group_max_per_minute": "<= 20 (no 429 in the group)",
}


# --- compressed time ---------------------------------------------------------------------------


class Warp:
    """A clock that runs ``speed`` times faster than the wall clock from ``origin`` (Unix
    seconds, shared by both processes, so their clocks agree), and event loops on it."""

    def __init__(self, speed: float, origin: float | None = None) -> None:
        self.speed = speed
        self.origin = time.time() if origin is None else origin

    def time(self) -> float:
        return self.origin + (time.time() - self.origin) * self.speed

    def new_loop(self) -> asyncio.AbstractEventLoop:
        """An event loop whose ``time()`` is this clock: its sleeps, timeouts and timers
        (aiolimiter's, httpx's, the sandbox's long polls) all run ``speed`` times faster."""
        speed = self.speed

        class Selector(selectors.DefaultSelector):  # type: ignore[misc,valid-type]
            def select(self, timeout: float | None = None) -> Any:
                return super().select(None if timeout is None else timeout / speed)

        loop = asyncio.SelectorEventLoop(Selector())
        loop.time = self.time  # type: ignore[method-assign]
        return loop


class Lag:
    """The event loop's longest stall: how late a short timer fired, in wall-clock ms."""

    def __init__(self) -> None:
        self.worst_ms = 0.0

    async def watch(self, speed: float) -> None:
        while True:
            due = time.perf_counter() + 0.01
            await asyncio.sleep(0.01 * speed)  # ten wall-clock milliseconds
            self.worst_ms = max(self.worst_ms, (time.perf_counter() - due) * 1000)


def serve_bot(speed: float, origin: float) -> None:
    """``--serve-bot``: the bot from the environment as ``python -m bot run`` builds it (its
    rate limiter on), on the compressed clock, until SIGTERM. Request timeouts are scaled so
    that they stay PTB's 5 s of wall-clock time."""
    from bot.app import build_application, connect
    from bot.logs import configure
    from bot.settings import load_settings
    from bot.telegram.updates import Polling, serve

    warp = Warp(speed, origin)
    settings = load_settings()
    configure(settings.log_level, settings.token)
    app = build_application(settings, clock=warp.time, request_timeout=5.0 * speed)

    lag = Lag()

    async def main() -> None:
        watching = asyncio.create_task(lag.watch(speed))
        try:
            await connect(app, settings)
            await serve(app, Polling(app))
        finally:
            watching.cancel()
            print(f"LAG {lag.worst_ms:.0f}", file=sys.stderr, flush=True)

    with asyncio.Runner(loop_factory=warp.new_loop) as runner:
        runner.run(main())


# --- watching the sandbox ----------------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    """One message the bot sent or edited (a call Telegram's flood limits count)."""

    at: float
    chat_id: int
    method: str
    group: bool


class Watch:
    """Follows the sandbox's call log as it is written: which chats changed and when, each
    tap's answer, every message and every refusal. Waiting costs O(1) per call, instead of
    waking every person on every change of the world."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.version: Counter[int] = Counter()
        self.changed_at: dict[int, float] = {}
        self.sent: list[Sent] = []
        self.refused: list[ApiCall] = []
        self.actions: Counter[int] = Counter()
        """Chat actions ("typing") per chat: a group's post that waits for its budget."""
        self.refusals: list[dict[str, Any]] = []
        """Each 429 with what had gone before it: to its chat in the last 3 s, overall in
        the last second (which of Telegram's limits it hit)."""
        self.failed: list[ApiCall] = []
        self.answers: dict[str, tuple[float, str]] = {}
        self._answer_waiters: dict[str, asyncio.Future[tuple[float, str]]] = {}
        self._change_waiters: dict[int, list[asyncio.Future[None]]] = defaultdict(list)
        self._quiet: list[asyncio.Future[None]] = []
        record = sandbox.record_call

        def record_and_watch(call: ApiCall) -> None:
            record(call)
            self._see(call)

        sandbox.record_call = record_and_watch  # type: ignore[method-assign]

    def _see(self, call: ApiCall) -> None:
        now = asyncio.get_running_loop().time()
        if call.method == "getUpdates":
            return
        if not call.ok:
            (self.refused if call.error_code == 429 else self.failed).append(call)
            if call.error_code == 429:
                self.refusals.append(self._refusal(call, now))
        if call.method == "answerCallbackQuery" and call.ok:
            query_id = str(call.params.get("callback_query_id"))
            answer = (now, str(call.params.get("text") or ""))
            self.answers[query_id] = answer
            waiter = self._answer_waiters.pop(query_id, None)
            if waiter is not None and not waiter.done():
                waiter.set_result(answer)
            return
        raw = call.params.get("chat_id")
        try:
            chat_id = int(raw) if raw is not None else None
        except (TypeError, ValueError):
            chat_id = None
        if chat_id is None:
            return
        if call.ok and call.method.lower() in RATE_LIMITED_METHODS:
            self.sent.append(Sent(now, chat_id, call.method, chat_id < 0))
        if call.ok and call.method == "sendChatAction":
            self.actions[chat_id] += 1
        self.version[chat_id] += 1
        self.changed_at[chat_id] = now
        for waiter in self._change_waiters.pop(chat_id, ()):
            if not waiter.done():
                waiter.set_result(None)

    def _refusal(self, call: ApiCall, now: float) -> dict[str, Any]:
        chat = call.params.get("chat_id")
        recent = [s for s in reversed(self.sent[-200:]) if s.at > now - 3]
        return {
            "method": call.method,
            "group": str(chat).startswith("-"),
            "to_chat_last_3s": sum(1 for s in recent if str(s.chat_id) == str(chat)),
            "overall_last_1s": sum(1 for s in recent if s.at > now - 1),
        }

    def answer(self, query_id: str) -> asyncio.Future[tuple[float, str]]:
        """(when, text) of the answer to the tap ``query_id``."""
        future = asyncio.get_running_loop().create_future()
        if query_id in self.answers:
            future.set_result(self.answers[query_id])
        else:
            self._answer_waiters[query_id] = future
        return future

    def change(self, chat_id: int) -> asyncio.Future[None]:
        """Resolved at the next call that changes ``chat_id``."""
        future = asyncio.get_running_loop().create_future()
        self._change_waiters[chat_id].append(future)
        return future

    async def quiet(self, seconds: float, ready: Callable[[], bool]) -> None:
        """Until ``ready()`` is true or the bot has sent nothing for ``seconds``."""
        loop = asyncio.get_running_loop()
        while not ready():
            last = self.sent[-1].at if self.sent else 0.0
            left = last + seconds - loop.time()
            if left <= 0:
                return
            await asyncio.sleep(min(left, 0.5))


# --- people ------------------------------------------------------------------------------------


@dataclass
class TapRecord:
    kind: str
    tapped: float
    answered: float
    toast: str
    shown: float | None
    """When the screen changed after the tap (None: no new screen was expected)."""


@dataclass
class Sorting:
    started: float | None = None
    ended: float | None = None
    pace: float = 0.0
    """The person's own reading time during the sort: the sum of their delays."""


class Person(SimulatedParticipant):
    """A simulated participant (``bot.simulation``) who reads each screen for a human delay
    before answering it, sees their chat through the :class:`Watch` instead of scanning it on
    every change of the world, and keeps a record of every tap."""

    def __init__(
        self,
        sandbox: Sandbox,
        watch: Watch,
        user: SimUser,
        persona: Persona,
        seed: int,
        coming: frozenset[str],
    ) -> None:
        super().__init__(sandbox, user, persona, random.Random(seed), WAIT_S, WAIT_S)
        self.watch = watch
        self.chat_id = user.private_chat.state.id
        self.delays = random.Random(seed + 1)
        self.coming = coming
        """Toasts that say the tap was taken and the next card is on its way."""
        self.records: list[TapRecord] = []
        self.sorting = Sorting()
        self._delay = 0.0
        self._refused = 0
        self._seen = -1
        self._cached: TranscriptMessage | None = None

    def screen(self) -> TranscriptMessage | None:
        version = self.watch.version[self.chat_id]
        if version != self._seen:
            self._seen = version
            self._cached = self._newest_with_buttons()
        return self._cached

    def _newest_with_buttons(self) -> TranscriptMessage | None:
        state = self.sandbox.chat(self.chat_id).state
        bot_id = self.sandbox.bot_id
        for message in reversed(state.messages.values()):
            if message.deleted or message.sender_id != bot_id:
                continue
            rows = (message.reply_markup or {}).get("inline_keyboard", [])
            if any("callback_data" in b for row in rows for b in row):
                return self.sandbox.message(self.chat_id, message.message_id)
        return None

    async def _wait_for_change(self, before: tuple[int, int] | None) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        while self._screen_key() == before:
            changed = self.watch.change(self.chat_id)
            left = deadline - loop.time()
            if left <= 0:
                raise TimeoutError(f"{self.user.first_name} waited {self.timeout} s for a screen")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed, left)

    def ready(self) -> bool:
        """Whether the person has a screen they would answer now."""
        message = self.screen()
        return (
            message is not None
            and decide(self.read(self.buttons(message)), self.profile) is not None
        )

    async def act(self) -> bool:
        if self.screen() is None:
            return False
        self._delay = self.delays.uniform(*DELAY)
        await asyncio.sleep(self._delay)
        return await super().act()

    async def tap(self, message: TranscriptMessage, data: str) -> str:
        loop = asyncio.get_running_loop()
        event = parse(data, self.user.state.id, 0.0)
        kind = type(event).__name__
        sorting = self.sorting
        before = self._screen_key()
        tapped = loop.time()
        if isinstance(event, ev.CardRated) and sorting.started is None:
            sorting.started = tapped - self._delay
        if sorting.started is not None and sorting.ended is None:
            sorting.pace += self._delay
        query_id = await self.user.tap(message.message_id, self.chat_id, data=data)
        self.taps += 1
        answered, toast = await asyncio.wait_for(self.watch.answer(query_id), self.timeout)
        taken = not toast or toast in self.coming
        shown = None
        if taken:
            await self._wait_for_change(before)
            shown = self.watch.changed_at[self.chat_id]
        self.records.append(TapRecord(kind, tapped, answered, toast, shown))
        self._refused = 0 if taken else self._refused + 1
        if self._refused == 10:  # the same screen refused again and again: show it
            print(
                f"--- {self.user.first_name} is refused again and again: {toast!r} at\n"
                f"{message.describe()}\n{self.sandbox.format_transcript(self.chat_id)[-3000:]}",
                file=sys.stderr,
            )
        if isinstance(event, ev.TopConfirmed) and sorting.ended is None:
            sorting.ended = shown if shown is not None else answered
        return "" if taken else toast


@dataclass
class BoardSort:
    """A person who sorts on the Mini App's board."""

    opened: float = 0.0
    ended: float = 0.0
    moves: list[float] = field(default_factory=list)
    """Seconds from each POST to its answer."""
    pace: float = 0.0


async def sort_on_board(person: Person, url: str, http: aiohttp.ClientSession) -> BoardSort:
    """Sort both lenses and choose the top on the board, reading each card for a human delay
    as in the chat; the moves go to the bot's web app over loopback HTTP."""
    loop = asyncio.get_running_loop()
    card = person.screen()
    taps = [t for t, _ in person.buttons(card)] if card is not None else []
    session_id = next((t.session_id for t in taps if isinstance(t, ev.CardRated)), None)
    if session_id is None:
        raise RuntimeError(f"{person.user.first_name} has no card to open the board from")
    board = f"{url}/api/board?s={session_id}"
    headers = {"Authorization": f"tma {person.user.web_app_init_data()}"}
    result = BoardSort(opened=loop.time())
    leanings = person.persona.leanings
    rng = person.delays

    async def call(body: dict[str, Any] | None = None) -> dict[str, Any]:
        sent = loop.time()
        request = (
            http.get(board, headers=headers)
            if body is None
            else http.post(board, headers=headers, json=body)
        )
        async with request as answer:
            if answer.status != 200:
                raise RuntimeError(f"the board answered {answer.status}: {await answer.text()}")
            got = dict(await answer.json())
        if body is not None:
            result.moves.append(loop.time() - sent)
        return dict(got["state"])

    async def read() -> None:
        delay = rng.uniform(*DELAY)
        result.pace += delay
        await asyncio.sleep(delay)

    state = await call()
    # The chat says once that the sort goes on on the board (the card becomes that note):
    # from then on, the board's moves should cost no Bot API call.
    deadline = loop.time() + WAIT_S
    while _is_card(person) and loop.time() < deadline:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(person.watch.change(person.chat_id), deadline - loop.time())
    await asyncio.sleep(1.0)  # its buttons are taken off right after
    result.opened = loop.time()
    while state["step"] in ("sorting", "review", "top"):
        if state["step"] == "sorting":
            lens = state["lens"]["index"]
            for shown in state["cards"]:
                if shown["level"] is not None:
                    continue
                await read()
                leaning = leanings.get(shown["id"], 3.0)
                level = min(5, max(1, round(rng.gauss(leaning, person.persona.noise))))
                state = await call(
                    {"action": "place", "lens": lens, "card": shown["id"], "level": level}
                )
            continue
        if state["step"] == "review":
            await read()
            state = await call({"action": "confirm", "lens": state["lens"]["index"]})
            continue
        top = state["top"]
        ranked = sorted(top["candidates"], key=lambda c: -leanings.get(c, 3.0))
        for card_id in ranked[: top["size"]]:
            if card_id not in top["selected"]:
                await read()
                state = await call({"action": "toggle", "card": card_id})
        person.my_top = tuple(state["top"]["selected"]) if state.get("top") else ()
        await read()
        state = await call({"action": "confirm_top"})
    result.ended = loop.time()
    return result


def persona(index: int) -> Persona:
    archetype = sorted(ARCHETYPES)[index % len(ARCHETYPES)]
    band = BANDS[index % len(BANDS)]
    texts = texts_of("en")
    return Persona(
        organisation=ORGANISATIONS[index % len(ORGANISATIONS)],
        age_band=band,
        leanings=ARCHETYPES[archetype],
        stories=1 + index % 2,
        revises=index % 3 == 0,
        story_texts={card: texts.story(index, card) for card in texts.stories},
        story=texts.story(index, ""),
        stubborn=archetype == "idealist" and index % 3 != 2,
        rounds=1 + index % 2,
        note=texts.notes_none[index % len(texts.notes_none)] if archetype == "idealist" else None,
    )


# --- one session -------------------------------------------------------------------------------


@dataclass
class Phase:
    name: str
    started: float
    ended: float = 0.0


@dataclass
class Run:
    size: int
    people: list[Person]
    board: dict[int, BoardSort]
    watch: Watch
    phases: list[Phase]
    posts: list[tuple[str, float, list[float]]]
    """(command, when it was sent, the seconds after it of each group message until the
    bot was quiet)."""
    real_s: float
    bot_cpu_s: float
    driver_cpu_s: float
    lag_ms: tuple[float, float]
    """The longest stall of the bot's and of the driver's event loop (wall-clock ms)."""
    outbox: dict[str, dict[str, Any]]
    """Per kind of effect, from the bot's database: how many, how long they waited in the
    outbox (p50, p95, max session seconds), how many were set aside."""


class OutboxWatch:
    """What the bot queued and how long each kind waited, read from its database while it
    runs (someone's ``/forgetme`` deletes the delivered rows, so they are read as they go)."""

    def __init__(self, database: Path) -> None:
        self.database = database
        self.rows: dict[int, tuple[str, float | None, str | None]] = {}
        self.floor = 0
        self.seen = 0

    def poll(self) -> None:
        """Read the rows from the oldest one still pending on."""
        if not self.database.exists():
            return
        with contextlib.closing(sqlite3.connect(self.database, timeout=5)) as db:
            pending = None
            for number, kind, wait, failed in db.execute(
                "SELECT id, kind, delivered_at - created_at, failed FROM outbox WHERE id >= ?",
                (self.floor,),
            ):
                if wait is None and failed is None:
                    pending = number if pending is None else pending
                else:
                    self.rows[number] = (kind, wait, failed)
                    self.seen = max(self.seen, number)
            self.floor = pending if pending is not None else self.seen + 1


def outbox_profile(watch: OutboxWatch) -> dict[str, dict[str, Any]]:
    """Per kind of effect: how many, how long they waited (session seconds), how many were
    set aside."""
    rows = [watch.rows[number] for number in sorted(watch.rows)]
    waits: dict[str, list[float]] = defaultdict(list)
    failed: Counter[str] = Counter()
    for kind, wait, reason in rows:
        if reason is not None:
            failed[kind] += 1
        elif wait is not None:
            waits[kind].append(wait)
    kinds = sorted(set(waits) | set(failed), key=lambda k: -len(waits[k]))
    return {
        kind: {
            "count": len(waits[kind]) + failed[kind],
            "p50_s": round(statistics.median(waits[kind]), 2) if waits[kind] else None,
            "p95_s": round(percentile(waits[kind], 95), 2) if waits[kind] else None,
            "max_s": round(max(waits[kind]), 2) if waits[kind] else None,
            "failed": failed[kind],
        }
        for kind in kinds
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def run_session(size: int, args: argparse.Namespace, warp: Warp, folder: Path) -> Run:
    loop = asyncio.get_running_loop()
    sandbox = Sandbox(TOKEN, clock=warp.time)
    sandbox.faults = FaultInjector(clock=warp.time)
    sandbox.faults.enforce_rate_limits()
    watch = Watch(sandbox)
    renderer = Renderer(fallback="en")
    coming = frozenset(
        renderer.label(locale, key)
        for key in COMING_TOASTS
        for locale in ("en", "nl")
        if key in renderer.label_keys(locale)
    )
    outbox = OutboxWatch(folder / "bot.sqlite3")
    lag = Lag()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    await sandbox.start()
    phases: list[Phase] = []
    people: list[Person] = []
    posts: list[tuple[str, float, list[float]]] = []
    cpu = time.process_time()
    real = time.time()

    def phase(name: str) -> None:
        now = loop.time()
        if phases:
            phases[-1].ended = now
        phases.append(Phase(name, now))

    try:
        facilitator = sandbox.add_user("Fenna", "Facilitator", language_code="en")
        group = sandbox.add_group(
            "Plenary",
            members=[facilitator],
            admins=[facilitator],
            forum=args.forum,
            bot_can_manage_topics=args.forum,
        )
        process = BotProcess(
            sandbox.base_url,
            TOKEN,
            folder / "bot.sqlite3",
            {
                "DEFAULT_LOCALE": "en",
                "LOG_LEVEL": "WARNING",
                "PTB_TIMEDELTA": "true",
                "WEBAPP_URL": url,
                "WEBAPP_LISTEN": f"127.0.0.1:{port}",
            },
            argv=(
                sys.executable,
                str(SCRIPT),
                "--serve-bot",
                "--speed",
                str(warp.speed),
                "--origin",
                repr(warp.origin),
            ),
            log_path=folder / "bot.log",
        )
        async with process, aiohttp.ClientSession() as http:
            reporter = asyncio.create_task(progress(phases, people, watch, warp, outbox))
            lagging = asyncio.create_task(lag.watch(warp.speed))

            async def command(name: str, text: str = "") -> TranscriptMessage:
                sent = await facilitator.send_command(group, name, text)
                at = loop.time()
                reply = await sandbox.wait_for_message(group, after=sent, timeout=WAIT_S)
                await watch.quiet(QUIET_S, lambda: False)
                offsets = [round(s.at - at, 1) for s in watch.sent if s.group and s.at >= at]
                posts.append((name, at, offsets))
                return reply

            phase("join")
            sent = await facilitator.send_command(group, "newsession", "goed-werk en")
            invite = await sandbox.wait_for_message(
                group, lambda m: any(b.url for r in m.buttons for b in r), after=sent, timeout=60
            )
            link = next(b.url for r in invite.buttons for b in r if b.url) or ""
            code = link.rsplit("=", 1)[-1]
            await command("settings", "start join")
            for index in range(size):
                user = sandbox.add_user(f"P{index}", language_code="en")
                await user.join(group)
                seed = args.seed * 100_003 + index * 7
                people.append(Person(sandbox, watch, user, persona(index), seed, coming))
            on_board = {
                index for index in range(size) if args.board_every and index % args.board_every == 1
            }
            arrivals = random.Random(args.seed)
            board: dict[int, BoardSort] = {}

            async def take_part(index: int, person: Person) -> None:
                await asyncio.sleep(arrivals.uniform(0, args.arrival))
                await person.join(code)
                while person.screen() is not None and not _is_card(person):
                    await person.act()  # the welcome: consent, age band, organisation
                if index in on_board:
                    board[index] = await sort_on_board(person, url, http)
                await person.run()

            phase("sort")
            await asyncio.gather(*(take_part(i, p) for i, p in enumerate(people)))
            await watch.quiet(QUIET_S, lambda: False)

            if not args.sort_only:
                await the_rest(command, people, watch, phase)
            phases[-1].ended = loop.time()
            reporter.cancel()
            lagging.cancel()
            outbox.poll()
            if await process.terminate() != 0:
                raise RuntimeError("the bot process failed:\n" + process.read_stderr())
            errors = process.read_stderr()
            if "Traceback" in errors or "ERROR" in errors:
                print(errors[-3000:], file=sys.stderr)
            bot_lag = max(
                (float(line.split()[1]) for line in errors.splitlines() if line.startswith("LAG ")),
                default=-1.0,
            )
    finally:
        await sandbox.stop()
    # A connection the bot's process dropped as it stopped is no failure of the sandbox.
    failures = [e for e in sandbox.internal_errors if not isinstance(e, ConnectionError)]
    if failures:
        raise RuntimeError(f"the sandbox failed: {failures[:3]}")
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return Run(
        size,
        people,
        board,
        watch,
        phases,
        posts,
        time.time() - real,
        children.ru_utime + children.ru_stime,
        time.process_time() - cpu,
        (bot_lag, lag.worst_ms),
        outbox_profile(outbox),
    )


async def the_rest(
    command: Callable[[str], Awaitable[TranscriptMessage]],
    people: list[Person],
    watch: Watch,
    phase: Callable[[str], None],
) -> None:
    """After the sort: the tables and their stories, the votes, the plenary."""
    phase("tables")
    await command("tables")
    await command("seat")
    await everyone(people, watch)
    phase("vote")
    await command("dilemma")
    await command("vote")
    await everyone(people, watch)
    phase("summary")
    await command("summary")


async def progress(
    phases: list[Phase], people: list[Person], watch: Watch, warp: Warp, outbox: OutboxWatch
) -> None:
    """A line on stderr every 10 s of wall-clock time: where the session stands; the
    screens of a few people who wait when nothing moves for 30 s."""
    still = 0
    before = -1
    while True:
        await asyncio.sleep(10 * warp.speed)
        # The sandbox keeps every message and call: frozen, the garbage collector does not
        # walk them again (its long pauses would make the sandbox see calls in bunches).
        gc.freeze()
        await asyncio.to_thread(outbox.poll)
        taps = sum(p.taps for p in people)
        still = still + 1 if taps == before else 0
        before = taps
        if still == 3:
            for person in [p for p in people if p.ready()][:3]:
                screen = person.screen()
                print(f"--- {person.user.first_name} waits at:", file=sys.stderr)
                print(screen.describe() if screen else None, file=sys.stderr)
                print(person.records[-2:], file=sys.stderr)
        ready = sum(1 for p in people if p.ready())
        print(
            f"    {phases[-1].name if phases else '-'}: {taps} taps, {len(watch.sent)} messages, "
            f"{len(watch.refused)} refused (429), {ready} with a screen to answer, "
            f"{len(outbox.rows)} outbox rows read",
            file=sys.stderr,
            flush=True,
        )


def _is_card(person: Person) -> bool:
    screen = person.screen()
    if screen is None:
        return False
    return any(isinstance(t, ev.CardRated) for t, _ in person.buttons(screen))


async def everyone(people: Sequence[Person], watch: Watch) -> None:
    """Let everyone answer their screens until the bot is quiet and nobody has one left."""
    while True:
        await asyncio.gather(*(p.run() for p in people))
        await watch.quiet(QUIET_S, lambda: any(p.ready() for p in people))
        if not any(p.ready() for p in people):
            return


# --- figures -----------------------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return math.nan
    index = min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))
    return ordered[index]


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def behind_seconds(waits: list[tuple[float, float]], start: float, end: float) -> list[float]:
    """The starts of the whole seconds in [start, end) during all of which someone had been
    waiting for their next card longer than ``BEHIND_S``."""
    overdue = sorted((a + BEHIND_S, b) for a, b in waits if b - a > BEHIND_S)
    covered: list[tuple[float, float]] = []
    for a, b in overdue:
        if covered and a <= covered[-1][1]:
            covered[-1] = (covered[-1][0], max(covered[-1][1], b))
        else:
            covered.append((a, b))
    seconds = []
    for a, b in covered:
        n = max(math.ceil(a - start), 0)
        while start + n + 1 <= min(b, end):
            seconds.append(start + n)
            n += 1
    return seconds


def figures(run: Run) -> dict[str, Any]:
    watch = run.watch
    chatters = [p for i, p in enumerate(run.people) if i not in run.board]
    rated = [r for p in chatters for r in p.records if r.kind == "CardRated"]
    toast = [r.answered - r.tapped for r in rated]
    card = [r.shown - r.tapped for r in rated if r.shown is not None]
    sorts = [p.sorting for p in chatters if p.sorting.ended is not None]
    sort_time = sum(s.ended - s.started for s in sorts if s.started is not None and s.ended)
    pace = sum(s.pace for s in sorts)
    worst = max(((s.ended - s.started) / s.pace for s in sorts if s.pace and s.started), default=0)
    sort_phase = next(ph for ph in run.phases if ph.name == "sort")
    sort_start = min((s.started for s in sorts if s.started is not None), default=0.0)
    sort_end = max((s.ended for s in sorts if s.ended is not None), default=0.0)
    waits = [(r.tapped, r.shown) for r in rated if r.shown is not None]
    behind = behind_seconds(waits, sort_start, sort_end)
    behind_set = {int(b - sort_start) for b in behind}
    in_behind = sum(
        1
        for s in watch.sent
        if sort_start <= s.at < sort_end and int(s.at - sort_start) in behind_set
    )
    sent = watch.sent
    traffic_s = (sent[-1].at - sent[0].at) if len(sent) > 1 else 0.0
    group = [s.at for s in sent if s.group]
    per_minute = max((sum(1 for t in group if a <= t < a + 60) for a in group), default=0)
    board_chats = {run.people[i].chat_id: b for i, b in run.board.items()}
    board_messages = Counter(
        s.method
        for s in sent
        if s.chat_id in board_chats
        and board_chats[s.chat_id].opened < s.at < board_chats[s.chat_id].ended
    )
    board_moves = [m for b in run.board.values() for m in b.moves]
    median_card = statistics.median(card) if card else math.nan
    coming = sum(1 for r in rated if r.toast and r.shown is not None)
    mean_waits = [
        statistics.mean(r.shown - r.tapped for r in p.records if r.kind == "CardRated" and r.shown)
        for p in chatters
        if any(r.kind == "CardRated" and r.shown for r in p.records)
    ]
    return {
        "participants": run.size,
        "in_chat": len(chatters),
        "on_board": len(run.board),
        "too_many_requests": len(watch.refused),
        "refused_by_method": dict(Counter(c.method for c in watch.refused)),
        "refusals": watch.refusals[:10],
        "other_failures": dict(
            Counter(f"{c.method}: {c.description}" for c in watch.failed).most_common(5)
        ),
        "ratings_in_chat": len(rated),
        "p50_toast_ms": ms(statistics.median(toast)) if toast else None,
        "p95_toast_ms": ms(percentile(toast, 95)) if toast else None,
        "p50_next_card_ms": ms(median_card) if card else None,
        "p95_next_card_ms": ms(percentile(card, 95)) if card else None,
        "max_next_card_ms": ms(max(card)) if card else None,
        "wait_p95_over_median": round(percentile(card, 95) / median_card, 2) if card else None,
        "slowest_person_mean_over_median": round(max(mean_waits) / median_card, 2)
        if mean_waits
        else None,
        "coming_toasts": round(coming / len(rated), 3) if rated else None,
        "sort_slowdown": round(sort_time / pace, 4) if pace else None,
        "sort_slowdown_max": round(worst, 4),
        "sort_s": round(sort_end - sort_start, 1),
        "behind_s": len(behind),
        "ceiling_share": round(in_behind / len(behind) / CEILING, 3) if behind else None,
        "messages": len(sent),
        "traffic_s": round(traffic_s, 1),
        "lower_bound_s": round(len(sent) / CEILING, 1),
        "traffic_over_bound": round(traffic_s / (len(sent) / CEILING), 2) if sent else None,
        "group_messages": len(group),
        "group_max_per_minute": per_minute,
        "group_typing": sum(n for chat, n in watch.actions.items() if chat < 0),
        "posts": [
            {"command": c, "last_post_after_s": max(offsets, default=0.0), "offsets": offsets}
            for c, _, offsets in run.posts
        ],
        "board_moves": len(board_moves),
        "board_p95_ms": ms(percentile(board_moves, 95)) if board_moves else None,
        "board_messages": sum(board_messages.values()),
        "board_messages_by_method": dict(board_messages),
        "phases_s": {ph.name: round(ph.ended - ph.started, 1) for ph in run.phases},
        "session_s": round(run.phases[-1].ended - run.phases[0].started, 1),
        "real_s": round(run.real_s, 1),
        "bot_cpu_s": round(run.bot_cpu_s, 1),
        "driver_cpu_s": round(run.driver_cpu_s, 1),
        "bot_lag_ms": round(run.lag_ms[0]),
        "driver_lag_ms": round(run.lag_ms[1]),
        "sort_phase_s": round(sort_phase.ended - sort_phase.started, 1),
        "outbox": run.outbox,
    }


def show(size: int, f: dict[str, Any], speed: float) -> None:
    def value(key: str, unit: str = "") -> str:
        got = f.get(key)
        return "-" if got is None else f"{got}{unit}"

    print(f"\n== {size} participants ({f['in_chat']} in the chat, {f['on_board']} on the board)")
    print(f"  429 answers from the sandbox     {f['too_many_requests']} {f['refused_by_method']}")
    print(
        f"  tap -> toast p50/p95             {value('p50_toast_ms')} / {value('p95_toast_ms')} ms"
        f"  (toasts saying the card is coming: {value('coming_toasts')})"
    )
    print(
        f"  tap -> next card p50/p95/max     {value('p50_next_card_ms')} / "
        f"{value('p95_next_card_ms')} / {value('max_next_card_ms')} ms"
        f"  (p95/median {value('wait_p95_over_median')}, slowest person's mean/median "
        f"{value('slowest_person_mean_over_median')})"
    )
    print(
        f"  sort time / own pace             {value('sort_slowdown')} "
        f"(worst person {value('sort_slowdown_max')}; the sort took {f['sort_s']} s)"
    )
    print(
        f"  messages a second when behind    {value('ceiling_share')} of {CEILING:.0f}/s "
        f"over {f['behind_s']} s behind"
    )
    print(
        f"  Bot API messages                 {f['messages']} in {f['traffic_s']} s; lower bound "
        f"{f['lower_bound_s']} s (x{value('traffic_over_bound')})"
    )
    print(
        f"  group                            {f['group_messages']} messages, at most "
        f"{f['group_max_per_minute']} in a minute, 'typing' {f['group_typing']} times; "
        + ", ".join(f"/{p['command']} {p['last_post_after_s']} s" for p in f["posts"])
    )
    if f["on_board"]:
        print(
            f"  board                            {f['board_moves']} moves, p95 "
            f"{value('board_p95_ms')} ms, {f['board_messages']} Bot API messages while sorting"
        )
    print(
        f"  phases (session s)               {f['phases_s']}; {f['session_s']} s of session "
        f"in {f['real_s']} s (x{speed:g}); CPU bot {f['bot_cpu_s']} s, driver "
        f"{f['driver_cpu_s']} s; longest stall bot {f['bot_lag_ms']} ms, driver "
        f"{f['driver_lag_ms']} ms"
    )


def show_outbox(outbox: dict[str, dict[str, Any]]) -> None:
    print("  outbox (kind: count, wait p50/p95/max s)")
    for kind, f in outbox.items():
        failed = f", {f['failed']} set aside" if f["failed"] else ""
        print(f"    {kind:<22} {f['count']:>6}  {f['p50_s']} / {f['p95_s']} / {f['max_s']}{failed}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="e.g. 20,60")
    parser.add_argument("--speed", type=float, default=SPEED, help="time compression (4)")
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--arrival", type=float, default=60.0, help="arrivals over S s (60)")
    parser.add_argument(
        "--board-every", type=int, default=10, help="every Nth person sorts on the board (10)"
    )
    parser.add_argument("--outbox", action="store_true", help="print the outbox's profile")
    parser.add_argument("--sort-only", action="store_true", help="stop after the sort")
    parser.add_argument(
        "--forum", action="store_true", help="the group is a forum: each table gets a topic"
    )
    parser.add_argument("--serve-bot", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--origin", type=float, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_bot:
        serve_bot(args.speed, args.origin)
        return
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    by_size: dict[str, dict[str, Any]] = {}
    for size in sizes:
        warp = Warp(args.speed)
        with tempfile.TemporaryDirectory(prefix="live-session-") as tmp:
            print(f"{size} participants ...", flush=True)
            try:
                with asyncio.Runner(loop_factory=warp.new_loop) as runner:
                    run = runner.run(run_session(size, args, warp, Path(tmp)))
            except (RuntimeError, TimeoutError) as exc:  # the figures say the session failed
                print(f"\n== {size} participants: the session did not finish: {exc}")
                by_size[str(size)] = {"participants": size, "error": str(exc)[:500]}
                continue
        by_size[str(size)] = figures(run)
        show(size, by_size[str(size)], args.speed)
        if args.outbox:
            show_outbox(run.outbox)
    print(
        json.dumps(
            {"speed": args.speed, "forum": args.forum, "targets": TARGETS, "by_size": by_size}
        )
    )


if __name__ == "__main__":
    main()
