"""The offline demo: the seed's workshop replayed through the real bot, without Telegram.

Owns: a fresh SQLite file, the sandbox Bot API on 127.0.0.1 and the project's real
python-telegram-bot application polling it; a facilitator and twenty simulated civil
servants (``demo_cast``) who join through the deep link, sort both lenses, choose a top
four, sit at tables, tell stories, revise, talk a dilemma through at their tables and
vote as the seed's tables did; progress while it runs; the group chat as a readable
transcript with an excerpt of one participant's private chat; and a folder with the
database, the transcripts, the plenary's pictures, the export and the session's report
(the facilitator taps its button under the summary: a PDF and a .docx). With
``web`` (a port), the bot serves its Mini App on 127.0.0.1 too: the demo prints the
addresses of the sort board (as one more participant, "you", with the sandbox's signed
``initData``) and of the facilitator's dashboard, to open in a desktop browser; the
simulated people carry on around you, the tables wait until you have sorted (or ``wait``
seconds, after which a simulated colleague sorts for you in the chat), and the pages stay
open ``wait`` seconds after the plenary. Must not: take any shortcut around the bot: every
step goes through HTTP, PTB, the handlers, the core, the store and the outbox (the demo
only reads, through the runner, where the bot seated people and what you sorted).
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
from bot.demo_cast import PEOPLE, Part, persona, revisers, table_parts, texts_of, vote_persona
from bot.sandbox import Sandbox, SimChat, SimUser, TranscriptMessage, web_app_script
from bot.settings import Settings
from bot.simulation import Persona, SimulatedParticipant, run_all
from conversations.needs import Need

TOKEN = "4242:DEMO-offline-token"


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
            self._transcripts(sandbox, group, people)

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
        revising = revisers(self.rng)
        for index, (name, *_) in enumerate(PEOPLE):
            user = sandbox.add_user(name, language_code=self.lang)
            await user.join(group)
            who = persona(index, self.lang, revises=name in revising)
            people.append(
                SimulatedParticipant(sandbox, user, who, random.Random(self.rng.random()), 30)
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

        self.say("5/7 A dilemma for every table: the tables talk it through, then vote")
        tables = await self._tables(services, people)
        parts = table_parts({n: [top for _, top in m] for n, m in tables.items()}, self.rng)
        told = {p.user.private_chat: len(sandbox.bot_messages(p.user.private_chat)) for p in people}
        await self._command(sandbox, facilitator, group, "dilemma")
        for chat, count in told.items():
            await sandbox.wait_until(_more_than(sandbox, chat, count), 30)
        await self._talk(tables, parts)
        self._vote_as(tables, parts)
        await self._command(sandbox, facilitator, group, "vote")
        for person in people:
            await sandbox.wait_until(person.screen, 30)
        await run_all(people)

        self.say("6/7 The plenary summary, the export and the report")
        summary = await self._command(sandbox, facilitator, group, "summary")
        await sandbox.wait_for_message(group, lambda m: m.photo is not None, after=summary)
        album = [
            m.photo
            for m in sandbox.bot_messages(group)
            if m.photo and m.message_id > summary.message_id
        ]
        for number, photo in enumerate(album, 1):  # the pictures come as one album
            if photo.data is not None:
                (self.out / f"plenary-{number}.png").write_bytes(photo.data)
        await facilitator.start_bot()
        await self._command(sandbox, facilitator, group, "export")
        export = await sandbox.wait_for_message(
            facilitator.private_chat, lambda m: m.document is not None, timeout=30
        )
        if export.document is not None and export.document.data is not None:
            name = export.document.file_name or "export.zip"
            (self.out / name).write_bytes(export.document.data)
        await self._session_report(sandbox, facilitator, group, services)
        self.say("7/7 Done")
        return people

    async def _session_report(
        self, sandbox: Sandbox, facilitator: SimUser, group: SimChat, services: Services
    ) -> None:
        """The facilitator taps the report button under the summary; the report's files
        (a PDF and a .docx, one album) arrive in private and go into the folder."""
        private = facilitator.private_chat
        before = len(sandbox.bot_messages(private))
        label = services.renderer.label(self.lang, "report_button")
        await facilitator.tap(chat=group, text=label)

        def arrived() -> list[TranscriptMessage] | None:
            files = [m for m in sandbox.bot_messages(private)[before:] if m.document]
            return files if len(files) >= 2 else None

        for message in await sandbox.wait_until(arrived, 60):
            document = message.document
            if document is not None and document.data is not None:
                (self.out / (document.file_name or "report")).write_bytes(document.data)

    async def _tables(
        self, services: Services, people: list[SimulatedParticipant]
    ) -> dict[int, list[tuple[SimulatedParticipant, tuple[str, ...]]]]:
        """Table number -> its members with their current tops, as the bot seated them."""
        session = await services.runner.current_session_of(people[0].user.state.id)
        assert session is not None
        view = await services.runner.session_view(session, frozenset({Need.TABLES}))
        assert view is not None
        by_id = {person.user.state.id: person for person in people}
        return {
            table.table.number: [(by_id[m.participant.user_id], m.top) for m in table.members]
            for table in view.tables
        }

    async def _talk(
        self,
        tables: dict[int, list[tuple[SimulatedParticipant, tuple[str, ...]]]],
        parts: dict[int, Part],
    ) -> None:
        """Each table talks about its dilemma in its room: two members reply, or, at the
        table that agrees nothing, everyone and then two of them again."""
        replies = texts_of(self.lang).dilemma_replies
        talks: list[list[tuple[SimulatedParticipant, str, list[SimulatedParticipant]]]] = []
        for number in sorted(tables):  # drawn before anyone talks: the same for a seed
            members = [person for person, _ in tables[number]]
            speakers = self.rng.sample(members, len(members))
            speakers = speakers + speakers[:2] if parts[number] is Part.APART else speakers[:2]
            texts = self.rng.sample(replies, len(speakers))
            talks.append(
                [
                    (who, text, [m for m in members if m is not who])
                    for who, text in zip(speakers, texts, strict=True)
                ]
            )

        async def table(
            talk: list[tuple[SimulatedParticipant, str, list[SimulatedParticipant]]],
        ) -> None:
            for speaker, text, mates in talk:
                await speaker.talk(text, mates)

        await asyncio.gather(*(table(talk) for talk in talks))

    def _vote_as(
        self,
        tables: dict[int, list[tuple[SimulatedParticipant, tuple[str, ...]]]],
        parts: dict[int, Part],
    ) -> None:
        """Everyone votes as their table's part has it: together, with one doubter, or
        each holding on to their own top over two rounds. At a table without a full top,
        one member writes the note: the doubter, where there is one."""
        texts = texts_of(self.lang)
        for number in sorted(tables):
            members = [person for person, _ in tables[number]]
            part = parts[number]
            rounds = 2 if part is Part.APART else 1
            writer = self.rng.choice(members)  # the doubter, at a doubting table
            note = self.rng.choice(texts.notes_none if part is Part.APART else texts.notes_three)
            for person in members:
                mine = note if person is writer else None
                person.persona = vote_persona(person.persona, part, person is writer, mine, rounds)

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

    def _transcripts(
        self, sandbox: Sandbox, group: SimChat, people: list[SimulatedParticipant]
    ) -> None:
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


def _more_than(sandbox: Sandbox, chat: SimChat, count: int) -> Callable[[], bool | None]:
    """Whether the bot has sent more than ``count`` messages to ``chat``."""
    return lambda: len(sandbox.bot_messages(chat)) > count or None


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
