"""The offline demo: the seed's workshop replayed through the real bot, without Telegram.

Owns: a fresh SQLite file, the sandbox Bot API on 127.0.0.1 and the project's real
python-telegram-bot application polling it; a facilitator and twenty simulated civil
servants from several organisations and age bands who join through the deep link,
sort both lenses, choose a top four, sit at tables, tell stories and revise; progress
while it runs; the group chat as a readable transcript with an excerpt of one
participant's private chat; and a folder with the database and the transcripts. With
``web`` (a port), the bot serves its Mini App on 127.0.0.1 too: the demo prints the
addresses of the sort board (as one more participant, "you", with the sandbox's signed
``initData``) and of the facilitator's dashboard, to open in a desktop browser; the
simulated people carry on around you, the tables wait until you have sorted (or ``wait``
seconds, after which a simulated colleague sorts for you in the chat), and the pages stay
open ``wait`` seconds after the plenary. Must not: take any shortcut around the bot: every
step goes through HTTP, PTB, the handlers, the core, the store and the outbox.
"""

from __future__ import annotations

import asyncio
import logging
import random
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.app import Services, build_application, polling
from bot.sandbox import Sandbox, SimChat, SimUser, TranscriptMessage, web_app_script
from bot.settings import Settings
from bot.simulation import Persona, SimulatedParticipant, run_all

TOKEN = "4242:DEMO-offline-token"

# What different people tend to value (levels about 1..5); the rest is neutral with noise.
ARCHETYPES: dict[str, dict[str, float]] = {
    "connector": {
        "social-involved": 5,
        "openness": 4.6,
        "cooperation": 4.6,
        "social-contacts": 4.4,
        "helpfulness": 4.2,
        "efficiency": 1.8,
        "decisiveness": 2.2,
        "political-sense": 2,
    },
    "craftsman": {
        "quality": 5,
        "craftsmanship": 4.8,
        "diligence": 4.4,
        "reliability": 4.4,
        "social-involved": 3.8,
        "recognition": 1.8,
        "spirituality": 1.3,
        "creativity": 2.5,
    },
    "idealist": {
        "public-interest": 5,
        "integrity": 4.8,
        "fairness": 4.6,
        "social-involved": 4.4,
        "courage": 4,
        "efficiency": 1.6,
        "recognition": 1.5,
        "loyalty": 2.2,
    },
    "pioneer": {
        "new-ideas": 5,
        "learning": 4.8,
        "creativity": 4.6,
        "autonomy": 4.2,
        "enjoyment": 4.2,
        "diligence": 2,
        "loyalty": 1.8,
        "reliability": 2.6,
    },
}

STORIES = {
    "nl": (
        "Toen een inwoner vastliep tussen twee regelingen, zijn we samen gaan zitten en "
        "hebben we het binnen een week opgelost.",
        "Bij een reorganisatie merkte ik hoe belangrijk het is dat je elkaar eerlijk kunt "
        "blijven aanspreken.",
        "Een nota die ik drie keer heb herschreven, omdat die echt moest kloppen voor de raad.",
    ),
    "en": (
        "When a citizen got stuck between two schemes, we sat down together and solved it "
        "within a week.",
        "During a reorganisation I noticed how much it matters that we can still speak to "
        "each other frankly.",
        "A memo I rewrote three times because it really had to be right for the council.",
    ),
}

NOTES = {
    "nl": "We waren het eens over het gesprek, niet over de kaarten.",
    "en": "We agreed on the conversation, not on the cards.",
}

PEOPLE: tuple[tuple[str, str, str, str], ...] = (
    ("Anneke", "Gemeente Utrecht", "45-59", "connector"),
    ("Bram", "Belastingdienst", "30-44", "craftsman"),
    ("Chantal", "Provincie Zeeland", "under-30", "pioneer"),
    ("Dirk", "Rijkswaterstaat", "60-plus", "craftsman"),
    ("Esra", "Gemeente Utrecht", "30-44", "idealist"),
    ("Frank", "UWV", "45-59", "connector"),
    ("Greet", "Rijkswaterstaat", "45-59", "idealist"),
    ("Hamid", "Belastingdienst", "under-30", "pioneer"),
    ("Ilse", "Provincie Zeeland", "30-44", "connector"),
    ("Joost", "UWV", "60-plus", "craftsman"),
    ("Karin", "Gemeente Utrecht", "60-plus", "idealist"),
    ("Lars", "Rijkswaterstaat", "under-30", "pioneer"),
    ("Mirjam", "Belastingdienst", "45-59", "idealist"),
    ("Nadia", "UWV", "30-44", "connector"),
    ("Olaf", "Provincie Zeeland", "45-59", "craftsman"),
    ("Petra", "Gemeente Utrecht", "30-44", "pioneer"),
    ("Quinten", "Belastingdienst", "60-plus", "connector"),
    ("Rosa", "Rijkswaterstaat", "30-44", "idealist"),
    ("Sven", "UWV", "under-30", "pioneer"),
    ("Tineke", "Provincie Zeeland", "60-plus", "craftsman"),
)


class Demo:
    def __init__(
        self,
        lang: str,
        seed: int,
        out: Path,
        say: Callable[[str], None],
        web: int | None = None,
        wait: float = 600.0,
        linger: float | None = None,
    ) -> None:
        self.lang = lang
        self.seed = seed
        self.out = out
        self.say = say
        self.web = web
        self.wait = wait
        self.linger = wait if linger is None else linger
        """Seconds the pages stay open after the plenary."""
        self.rng = random.Random(seed)

    async def run(self) -> None:
        async with Sandbox(token=TOKEN, bot_username="goedwerk_demo_bot") as sandbox:
            facilitator = sandbox.add_user("Femke", "Facilitator", language_code=self.lang)
            group = sandbox.add_group(
                "Ambtelijk vakmanschap" if self.lang == "nl" else "Public craftsmanship",
                members=[facilitator],
                admins=[facilitator],
            )
            settings = Settings(
                token=TOKEN,
                base_url=sandbox.base_url,
                database_path=self.out / "demo.sqlite3",
                default_locale=self.lang,
                log_level="WARNING",
                webapp_url=f"http://127.0.0.1:{self.web}" if self.web else None,
                webapp_port=self.web or 0,
            )
            script = web_app_script() if self.web else None
            app = build_application(
                settings, rate_limiter=False, seed=self.seed, telegram_script=script
            )
            async with polling(app) as services:
                people = await self._session(sandbox, facilitator, group, services)
                if self.web and self.linger > 0:
                    self.say(f"The board and the dashboard stay open for {self.linger:.0f} s")
                    await asyncio.sleep(self.linger)
            self._report(sandbox, group, people)

    async def _command(
        self, sandbox: Sandbox, who: SimUser, chat: SimChat, command: str, args: str = ""
    ) -> TranscriptMessage:
        sent = await who.send_command(chat, command, args)
        return await sandbox.wait_for_message(chat, after=sent, timeout=30)

    async def _session(
        self, sandbox: Sandbox, facilitator: SimUser, group: SimChat, services: Services
    ) -> list[SimulatedParticipant]:
        self.say("1/7 The facilitator starts a session in the group")
        sent = await facilitator.send_command(group, "newsession", f"goed-werk {self.lang}")
        invite = await sandbox.wait_for_message(
            group, lambda m: any(b.url for row in m.buttons for b in row), after=sent
        )
        url = next(b.url for row in invite.buttons for b in row if b.url)
        code = (url or "").rsplit("=", 1)[-1]
        await self._command(sandbox, facilitator, group, "settings", "start join")

        people = []
        for index, (name, organisation, band, archetype) in enumerate(PEOPLE):
            user = sandbox.add_user(name, language_code=self.lang)
            await user.join(group)
            persona = Persona(
                organisation=organisation,
                age_band=band,
                leanings=ARCHETYPES[archetype],
                stories=1 + index % 2,
                revises=(band in ("under-30", "30-44") and index % 2 == 0) or index == 3,
                story=STORIES[self.lang][index % len(STORIES[self.lang])],
                stubborn=archetype == "idealist" and index % 3 != 2,
                rounds=1 + index % 2,
                note=NOTES[self.lang] if archetype == "idealist" else None,
            )
            people.append(
                SimulatedParticipant(sandbox, user, persona, random.Random(self.rng.random()), 30)
            )
        you = await self._you(sandbox, facilitator, group, code) if self.web else None
        self.say(f"2/7 {len(people)} participants join through the invitation link and sort")
        await self._all(people, lambda p: p.join(code))
        await self._all(people, lambda p: p.run(), progress=lambda: sum(p.taps for p in people))
        if you is not None:
            await self._wait_for_you(services, you)
            people.append(you)

        self.say("3/7 The facilitator proposes tables and seats everyone")
        await self._command(sandbox, facilitator, group, "status")
        await self._command(sandbox, facilitator, group, "tables")
        await self._command(sandbox, facilitator, group, "seat")
        for person in people:
            await sandbox.wait_until(person.screen, 30)

        self.say("4/7 Stories at the tables, then everyone keeps or revises their top")
        await self._all(people, lambda p: p.run())

        self.say("5/7 A dilemma for every table, then each table votes on its common top")
        await self._command(sandbox, facilitator, group, "dilemma")
        await self._command(sandbox, facilitator, group, "vote")
        for person in people:
            await sandbox.wait_until(person.screen, 30)
        await run_all(people)

        self.say("6/7 The plenary summary and the export")
        summary = await self._command(sandbox, facilitator, group, "summary")
        chart = await sandbox.wait_for_message(group, lambda m: m.photo is not None, after=summary)
        if chart.photo is not None and chart.photo.data is not None:
            (self.out / "summary-chart.png").write_bytes(chart.photo.data)
        await facilitator.start_bot()
        await self._command(sandbox, facilitator, group, "export")
        export = await sandbox.wait_for_message(
            facilitator.private_chat, lambda m: m.document is not None, timeout=30
        )
        if export.document is not None and export.document.data is not None:
            name = export.document.file_name or "export.zip"
            (self.out / name).write_bytes(export.document.data)
        self.say("7/7 Done")
        return people

    async def _you(
        self, sandbox: Sandbox, facilitator: SimUser, group: SimChat, code: str
    ) -> SimulatedParticipant:
        """ "You": one more participant, through the welcome to the first card; the board's
        and the dashboard's addresses printed to open in a browser."""
        user = sandbox.add_user("Jij" if self.lang == "nl" else "You", language_code=self.lang)
        await user.join(group)
        you = SimulatedParticipant(sandbox, user, Persona(), random.Random(self.seed), 30)
        await you.join(code)
        for _ in range(3):  # the welcome: consent, age band, organisation
            await you.act()
        card = await sandbox.wait_for_message(
            user.private_chat, lambda m: any(b.web_app_url for r in m.buttons for b in r)
        )
        board = await user.open_web_app(card)
        await facilitator.start_bot()
        sent = await facilitator.send_command(group, "dashboard")
        await sandbox.wait_for_message(group, after=sent, timeout=30)
        link = await sandbox.wait_for_message(
            facilitator.private_chat, lambda m: any(b.web_app_url for r in m.buttons for b in r)
        )
        dashboard = await facilitator.open_web_app(link)
        self.say("    Open these in a desktop browser (they work on this machine only):")
        self.say(f"    the sort board, as you:       {board}")
        self.say(f"    the dashboard, as {facilitator.first_name}: {dashboard}")
        return you

    async def _wait_for_you(self, services: Services, you: SimulatedParticipant) -> None:
        """Until you have chosen your top on the board (or in the chat); after ``wait``
        seconds, a simulated colleague sorts for you in the chat."""
        session = await services.runner.current_session_of(you.user.state.id)
        assert session is not None
        deadline = time.monotonic() + self.wait
        self.say(f"    The tables wait for you to sort (at most {self.wait:.0f} s)")
        while time.monotonic() < deadline:
            view = await services.runner.participant_view(session, you.user.state.id)
            if view is not None and view.top:
                self.say("    You chose your top: thank you")
                return
            await asyncio.sleep(1.0)
        self.say("    A simulated colleague sorts for you in the chat")
        await you.run()

    async def _all(
        self,
        people: list[SimulatedParticipant],
        action: Callable[[SimulatedParticipant], Awaitable[None]],
        progress: Callable[[], int] | None = None,
    ) -> None:
        task = asyncio.gather(*(action(p) for p in people))
        while not task.done():
            await asyncio.wait([task], timeout=2.0)
            if progress is not None and not task.done():
                self.say(f"    ... {progress()} taps so far")
        task.result()

    def _report(self, sandbox: Sandbox, group: SimChat, people: list[SimulatedParticipant]) -> None:
        plenary = _readable(sandbox.transcript(group))
        first = people[0]
        private = _readable(sandbox.transcript(first.user.private_chat))
        (self.out / "group-chat.txt").write_text(plenary + "\n", "utf-8")
        (self.out / f"private-chat-{first.user.first_name}.txt").write_text(private + "\n", "utf-8")
        self.say("")
        self.say("=" * 72)
        self.say(f'The group chat "{sandbox.chat(group).title}"')
        self.say("=" * 72)
        self.say(plenary)
        self.say("")
        self.say("=" * 72)
        self.say(f"Excerpt of {first.user.first_name}'s private chat with the bot")
        self.say("=" * 72)
        blocks = private.split("\n\n")
        self.say("\n\n".join([*blocks[:6], "[...]", *blocks[-8:]]))


def _readable(messages: list[TranscriptMessage]) -> str:
    blocks = []
    for message in messages:
        if message.service:
            continue
        body = message.content.strip()
        if message.photo:
            body = f"[photo] {body}".strip()
        buttons = [b.text for row in message.buttons for b in row]
        if buttons:
            body += "\n  [" + "] [".join(buttons) + "]"
        blocks.append(f"--- {message.from_name}:\n{body}")
    return "\n\n".join(blocks)


def run_demo(
    lang: str = "nl",
    seed: int = 2012,
    out: Path | None = None,
    web: int | None = None,
    wait: float = 600.0,
) -> int:
    """Run the whole demo; 0 on success. Prints progress and the transcripts."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    folder = out or Path(tempfile.mkdtemp(prefix="valuecards-demo-"))
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("demo.sqlite3*"):
        stale.unlink()
    started = time.monotonic()

    def say(line: str) -> None:
        print(line, flush=True)

    say(f"Offline demo (language {lang}, seed {seed}); output folder: {folder}")
    asyncio.run(Demo(lang, seed, folder, say, web, wait).run())
    say("")
    seconds = time.monotonic() - started
    say(f"Finished in {seconds:.0f} s. Transcripts and the database are in {folder}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run_demo())
