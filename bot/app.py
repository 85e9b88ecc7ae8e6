"""Wiring: the python-telegram-bot ``Application`` and the services behind it.

Owns: building the application from settings (``BOT_API_BASE_URL`` and all), opening the
store and loading decks in ``post_init``, starting delivery (which first delivers what a
crash left in the outbox), registering the handlers and the bot's command menu, and
closing everything in ``post_shutdown``. Must not: hold workshop rules.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager

from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    MenuButton,
    MenuButtonCommands,
    MenuButtonWebApp,
    WebAppInfo,
)
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import Application, ApplicationBuilder, CallbackContext

from bot.decks.files import DEFAULT_DECK_ID, load_builtin_decks, load_deck_bytes
from bot.decks.library import DeckLibrary
from bot.decks.problems import DeckInvalid
from bot.errors import BotApiUnreachable, BotError, TokenRejected
from bot.logs import quiet_libraries
from bot.rehearsal_actor import DEFAULT_DELAY, RehearsalActor
from bot.render import Renderer
from bot.report.from_store import StoredReports
from bot.runner import Runner
from bot.scheduler import INTERVAL, Scheduler
from bot.settings import Settings
from bot.store import Store, Transaction
from bot.telegram.delivery import Delivery
from bot.telegram.flood_limits import TELEGRAM, Limits, Pacer
from bot.telegram.handlers import GROUP_COMMANDS, Handlers, administers, topics_available
from bot.telegram.screens import Screens
from bot.telegram.updates import Polling, describe, running
from bot.webapp.server import WebAppServer
from conversations.deck import Deck

log = logging.getLogger(__name__)

CONCURRENT_UPDATES = 100
"""Updates in hand at once (a whole ``getUpdates`` batch), each person's still in order
(``bot.telegram.updates.Handling``)."""
PRIVATE_MENU = ("continue", "table", "language", "forgetme", "decks", "help")
GROUP_MENU = (*GROUP_COMMANDS, "decks", "help")


class Services:
    """Everything the handlers use, created when the application starts."""

    def __init__(
        self,
        settings: Settings,
        clock: Callable[[], float] = time.time,
        rehearsal_delay: float = DEFAULT_DELAY,
        telegram_script: str | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.rehearsal_delay = rehearsal_delay
        self.telegram_script = telegram_script
        self.renderer = Renderer(fallback="en")
        self.decks = DeckLibrary(load_builtin_decks().values())
        self._store: Store | None = None
        self._runner: Runner | None = None
        self._delivery: Delivery | None = None
        self._scheduler: Scheduler | None = None
        self._rehearsal: RehearsalActor | None = None
        self._webapp: WebAppServer | None = None

    @property
    def store(self) -> Store:
        if self._store is None:
            raise RuntimeError("the application has not started")
        return self._store

    @property
    def runner(self) -> Runner:
        if self._runner is None:
            raise RuntimeError("the application has not started")
        return self._runner

    @property
    def scheduler(self) -> Scheduler:
        if self._scheduler is None:
            raise RuntimeError("the application has not started")
        return self._scheduler

    @property
    def delivery(self) -> Delivery:
        if self._delivery is None:
            raise RuntimeError("the application has not started")
        return self._delivery

    def base_deck(self) -> Deck:
        return self.decks.get(DEFAULT_DECK_ID)

    def decks_for(self, user_id: int | None) -> tuple[str, ...]:
        """Built-in decks and the ones this person uploaded."""
        return tuple(
            deck_id
            for deck_id in self.decks.ids()
            if self.decks.is_builtin(deck_id) or self.decks.owner(deck_id) == user_id
        )

    async def start(self, app: Application) -> None:  # type: ignore[type-arg]
        self._store = await Store.open(self.settings.database_path)
        uploaded = await self._store.read(Transaction.uploaded_decks)
        for deck_id, owner_id, filename, content in uploaded:
            try:
                self.decks.add(load_deck_bytes(filename, content, self.base_deck()), owner_id)
            except DeckInvalid:
                log.error("an uploaded deck (%s) no longer loads; it is skipped", deck_id)
        webapp_url = self.settings.webapp_url
        screens = Screens(self.renderer, self.decks.get, app.bot.username, webapp_url)
        self._runner = Runner(self._store, self.decks, clock=self.clock, renderer=self.renderer)
        self._delivery = Delivery(
            self._store,
            app.bot,
            screens,
            self._runner.report_unreachable,
            clock=self.clock,
            write_report=StoredReports(self._runner, self.renderer),
        )
        self._rehearsal = RehearsalActor(
            self._store,
            self._runner,
            self.decks,
            self.renderer,
            self.rehearsal_delay,
            clock=self.clock,
        )
        delivery, rehearsal = self._delivery, self._rehearsal

        def enqueued(chat_ids: Iterable[int] | None = None) -> None:
            chats = None if chat_ids is None else tuple(chat_ids)
            delivery.kick(chats)
            rehearsal.kick(chats)

        self._runner.on_enqueued = enqueued
        self._delivery.start()
        bot = app.bot
        self._scheduler = Scheduler(
            self._store, self._runner, self.clock, lambda chat_id: topics_available(bot, chat_id)
        )
        if app.job_queue is not None:
            app.job_queue.run_repeating(self._scheduled, interval=INTERVAL, first=0)
        else:  # pragma: no cover - the job-queue extra is a dependency
            log.error("PTB's JobQueue is missing: deadlines and reminders will not fire")
        self._rehearsal.start()
        if webapp_url is not None and self.settings.token:
            self._webapp = WebAppServer(
                self._runner,
                self.renderer,
                self.settings.token,
                listen=self.settings.webapp_listen,
                port=self.settings.webapp_port,
                max_age=self.settings.webapp_max_age,
                clock=self.clock,
                facilitator_ids=self.settings.facilitator_ids,
                administers=lambda group_id, user_id: administers(bot, group_id, user_id),
                topics=lambda group_id: topics_available(bot, group_id),
                telegram_script=self.telegram_script,
            )
            await self._webapp.start()

    async def _scheduled(self, context: CallbackContext) -> None:  # type: ignore[type-arg]
        if self._scheduler is not None:
            await self._scheduler.run_due()

    async def stop(self) -> None:
        if self._webapp is not None:
            await self._webapp.stop()
            self._webapp = None
        if self._rehearsal is not None:
            await self._rehearsal.stop()
        if self._delivery is not None:
            await self._delivery.stop()
        if self._store is not None:
            await self._store.close()
        self._store = self._runner = self._delivery = self._scheduler = self._rehearsal = None


async def set_menu_button(app: Application, renderer: Renderer, settings: Settings) -> None:  # type: ignore[type-arg]
    """The private chats' menu button: the sort board where it is served, else the
    command menu (so that a board no longer served leaves no dead button behind)."""
    if settings.webapp_url is None:
        button: MenuButton = MenuButtonCommands()
    else:
        board = WebAppInfo(f"{settings.webapp_url}/board")
        button = MenuButtonWebApp(renderer.label(settings.default_locale, "menu_board"), board)
    await app.bot.set_chat_menu_button(menu_button=button)


async def set_command_menu(app: Application, renderer: Renderer, default_locale: str) -> None:  # type: ignore[type-arg]
    """The command menus, in each language for clients set to it, and in the default
    language for everyone else."""
    for locale in (None, *renderer.locales):
        words = locale or default_locale

        def commands(names: tuple[str, ...], words: str = words) -> list[BotCommand]:
            return [BotCommand(name, renderer.label(words, f"command_{name}")) for name in names]

        await app.bot.set_my_commands(
            commands(PRIVATE_MENU), scope=BotCommandScopeAllPrivateChats(), language_code=locale
        )
        await app.bot.set_my_commands(
            commands(GROUP_MENU), scope=BotCommandScopeAllGroupChats(), language_code=locale
        )


def startup_error(error: TelegramError, base_url: str) -> BotError:
    """The sentence for a Bot API failure while starting (``getMe`` and the command menu)."""
    # PTB re-raises a 401 or 404 as "The token ... was rejected", the answer as its cause.
    answer = error.__cause__ if isinstance(error.__cause__, TelegramError) else error
    if isinstance(error, InvalidToken) and "not found" in answer.message.lower():
        return BotApiUnreachable(
            f"The Bot API server at {base_url} answered 404 Not Found: check that "
            "BOT_API_BASE_URL ends in /bot (like https://api.telegram.org/bot) and that "
            "TELEGRAM_BOT_TOKEN is the whole token from @BotFather."
        )
    if isinstance(error, InvalidToken):
        return TokenRejected(
            f"The Bot API server at {base_url} rejected TELEGRAM_BOT_TOKEN: check the token "
            "from @BotFather (it may have been revoked)."
        )
    if isinstance(error, NetworkError):  # TimedOut included
        return BotApiUnreachable(
            f"The Bot API server at {base_url} cannot be reached ({describe(error)}): check "
            "BOT_API_BASE_URL and the network."
        )
    return BotApiUnreachable(
        f"The Bot API server at {base_url} refused to start the bot ({describe(error)})."
    )


async def connect(app: Application, settings: Settings) -> None:  # type: ignore[type-arg]
    """``app.initialize()`` (PTB's ``getMe``), its failure as one sentence (a
    :class:`BotError`) instead of PTB's retry loop and its tracebacks."""
    try:
        await app.initialize()
    except TelegramError as exc:
        raise startup_error(exc, settings.base_url) from None


async def check_database(settings: Settings) -> None:
    """Open the store once and close it: an unusable database stops the start before any
    Bot API call, as a :class:`StoreError`."""
    store = await Store.open(settings.database_path)
    await store.close()


def build_application(
    settings: Settings,
    clock: Callable[[], float] = time.time,
    rate_limiter: bool | Limits = True,
    request_timeout: float | None = None,
    seed: int | None = None,
    rehearsal_delay: float = DEFAULT_DELAY,
    telegram_script: str | None = None,
) -> Application:  # type: ignore[type-arg]
    """The bot's application. ``request_timeout`` (seconds) overrides PTB's 5 s timeouts
    of Bot API requests; the bot keeps within Telegram's flood limits by itself, the most
    urgent message first (``bot.telegram.flood_limits``): ``rate_limiter=False`` leaves them to
    Telegram, a ``Limits`` sets other budgets (tests against a sandbox without limits);
    ``seed`` makes card orders and seatings repeatable (the demo); join codes stay random;
    ``rehearsal_delay``: seconds a simulated participant (``/rehearse``) takes to answer;
    ``telegram_script``: a stand-in for Telegram's Mini App script that the web app serves
    itself (the offline demo, whose pages open outside Telegram)."""
    if not settings.token:
        raise ValueError("a bot token is needed to build the application")
    quiet_libraries()
    services = Services(settings, clock, rehearsal_delay, telegram_script)

    async def post_init(app: Application) -> None:  # type: ignore[type-arg]
        await services.start(app)
        await set_command_menu(app, services.renderer, settings.default_locale)
        await set_menu_button(app, services.renderer, settings)
        log.info("started as @%s", app.bot.username)  # every start-up call has succeeded

    async def post_shutdown(app: Application) -> None:  # type: ignore[type-arg]
        await services.stop()

    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(settings.base_url)
        .base_file_url(settings.file_base_url)
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .concurrent_updates(CONCURRENT_UPDATES)
    )
    if rate_limiter:
        # PTB types the builder by its rate limiter's argument type: the chain changes it
        limits = rate_limiter if isinstance(rate_limiter, Limits) else TELEGRAM
        builder = builder.rate_limiter(Pacer(limits))  # type: ignore[arg-type]
    if request_timeout is not None:
        builder = builder.read_timeout(request_timeout).write_timeout(request_timeout)
    app = builder.updater(None).build()  # bot.telegram.updates receives the updates
    app.bot_data["services"] = services
    chance = random.Random(seed) if seed is not None else None
    Handlers(services, clock, chance).register(app)
    return app


@asynccontextmanager
async def polling(app: Application, poll_timeout: int = 1) -> AsyncIterator[Services]:  # type: ignore[type-arg]
    """Run ``app`` with long polling inside the current event loop (tests, demo, benchmark),
    as ``python -m bot run`` does, and shut it down cleanly afterwards."""
    async with running(app, Polling(app, timeout=poll_timeout)):
        yield app.bot_data["services"]
