"""Thin python-telegram-bot handlers: Telegram updates in, core events out.

Owns: which command, text, file or tap becomes which event; gathering the facts the
core needs (is this person a facilitator, fresh randomness, the clock); answering taps
with the decision's toast once the transaction has committed; deck uploads. Must not:
decide workshop rules or send workshop messages directly (they go through the outbox).
"""

from __future__ import annotations

import logging
import random
import re
import secrets
import time
import zoneinfo
from collections.abc import Callable
from dataclasses import replace
from functools import cache
from typing import TYPE_CHECKING

from telegram import (
    Bot,
    CallbackQuery,
    Document,
    MaybeInaccessibleMessage,
    Message,
    Update,
    User,
)
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.decks.files import MAX_DECK_BYTES, load_deck_bytes
from bot.decks.problems import DeckInvalid
from bot.telegram import callbacks
from conversations import events as ev
from conversations.effects import Say, ShowDecks

if TYPE_CHECKING:
    from bot.app import Services

log = logging.getLogger(__name__)

JOIN_CODE = re.compile(r"[A-Za-z0-9_-]{1,64}")
WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")
MAX_NAME_LENGTH = 64
GROUP_COMMANDS = (
    "newsession",
    "followup",
    "status",
    "dashboard",
    "settings",
    "startsort",
    "next",
    "deadline",
    "pause",
    "resume",
    "remind",
    "tables",
    "reseat",
    "move",
    "seat",
    "revise",
    "dilemma",
    "vote",
    "summary",
    "report",
    "export",
    "endsession",
    "deletesession",
    "rehearse",
)
"""Commands that work in a group only, in the order of the group's command menu."""
PRIVATE_COMMANDS = ("continue", "language", "forgetme", "table")
COMING_AFTER = 1.0
"""Seconds a tap's next screen may wait for Telegram's limits before its toast says it is
on its way."""
ANONYMOUS_ADMIN_ID = 1087968824
"""Telegram's "Group" user that speaks for anonymous group admins."""

Context = ContextTypes.DEFAULT_TYPE


async def topics_available(bot: Bot, chat_id: int) -> bool:
    """A forum group in which the bot may manage topics: one topic per table."""
    try:
        chat = await bot.get_chat(chat_id)
        if not chat.is_forum:
            return False
        me = await bot.get_chat_member(chat_id, bot.id)
    except TelegramError as exc:
        log.warning("could not check the group's topics: %s", exc.message)
        return False
    return bool(getattr(me, "can_manage_topics", False))


async def administers(bot: Bot, chat_id: int, user_id: int) -> bool:
    """Whether the person is an administrator or the owner of the group."""
    try:
        member = await bot.get_chat_member(chat_id, user_id)
    except TelegramError as exc:
        log.warning("could not check a member's rights: %s", exc.message)
        return False
    return member.status in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)


@cache
def _time_zones() -> dict[str, str]:
    """IANA zone names by their lower-case spelling (``/settings timezone`` ignores case)."""
    return {name.lower(): name for name in zoneinfo.available_timezones()}


def new_join_code() -> str:
    """An unguessable join code: 96 random bits, URL-safe (16 characters)."""
    return secrets.token_urlsafe(12)


PROBLEMS_SHOWN_CHARS = 2500
"""How much of a deck's problem list a reply quotes: with escaping and the words around it,
the message stays within Telegram's 4096 characters."""


def first_problems(problems: list[str]) -> list[str]:
    """The first problems that fit in :data:`PROBLEMS_SHOWN_CHARS` (always at least one)."""
    shown: list[str] = []
    size = 0
    for problem in problems:
        size += len(problem) + 1
        if shown and size > PROBLEMS_SHOWN_CHARS:
            break
        shown.append(problem)
    return shown


class Handlers:
    def __init__(
        self,
        services: Services,
        clock: Callable[[], float] = time.time,
        chance: random.Random | None = None,
    ) -> None:
        self.services = services
        self.clock = clock
        self.chance = chance or random.SystemRandom()
        """Where card orders and seatings draw their seeds (seeded only for the demo)."""

    def register(self, app: Application) -> None:  # type: ignore[type-arg]
        groups = filters.ChatType.GROUPS
        private = filters.ChatType.PRIVATE
        # Taps first: they are most of the traffic, and no other handler takes them.
        app.add_handler(CallbackQueryHandler(self.tap))
        app.add_handler(CommandHandler("newsession", self.new_session, groups))
        app.add_handler(CommandHandler("status", self.status, groups))
        app.add_handler(CommandHandler("dashboard", self.dashboard, groups))
        app.add_handler(CommandHandler("settings", self.settings, groups))
        app.add_handler(CommandHandler("startsort", self.start_sort, groups))
        app.add_handler(CommandHandler("endsession", self.end_session, groups))
        app.add_handler(CommandHandler("deletesession", self.delete_session, groups))
        app.add_handler(CommandHandler(("tables", "reseat"), self.tables, groups))
        app.add_handler(CommandHandler("move", self.move, groups))
        app.add_handler(CommandHandler("seat", self.seat, groups))
        app.add_handler(CommandHandler("revise", self.revise, groups))
        app.add_handler(CommandHandler("dilemma", self.dilemma, groups))
        app.add_handler(CommandHandler("vote", self.vote, groups))
        app.add_handler(CommandHandler("summary", self.summary, groups))
        app.add_handler(CommandHandler("report", self.report, groups))
        app.add_handler(CommandHandler("export", self.export, groups))
        app.add_handler(CommandHandler("next", self.next, groups))
        app.add_handler(CommandHandler("deadline", self.deadline, groups))
        app.add_handler(CommandHandler("pause", self.pause, groups))
        app.add_handler(CommandHandler("resume", self.resume_session, groups))
        app.add_handler(CommandHandler("remind", self.remind, groups))
        app.add_handler(CommandHandler("rehearse", self.rehearse, groups))
        app.add_handler(CommandHandler("followup", self.followup, groups))
        app.add_handler(CommandHandler("table", self.table, private))
        app.add_handler(CommandHandler("decks", self.list_decks))
        app.add_handler(CommandHandler("help", self.help))
        app.add_handler(CommandHandler("start", self.start, private))
        app.add_handler(CommandHandler("continue", self.resume, private))
        app.add_handler(CommandHandler("language", self.language, private))
        app.add_handler(CommandHandler("forgetme", self.forget_me, private))
        app.add_handler(CommandHandler("report", self.report_in_private, private))
        app.add_handler(CommandHandler(GROUP_COMMANDS, self.group_only, private))
        app.add_handler(CommandHandler(PRIVATE_COMMANDS, self.private_only, groups))
        app.add_handler(MessageHandler(private & filters.Document.ALL, self.deck_upload))
        app.add_handler(MessageHandler(private & filters.COMMAND, self.unknown_command))
        app.add_handler(
            MessageHandler(private & filters.TEXT & ~filters.COMMAND, self.private_message)
        )
        app.add_handler(MessageHandler(private & ~filters.TEXT & ~filters.COMMAND, self.media))

    # --- facts --------------------------------------------------------------------------

    def _locale(self, user: User | None) -> str:
        code = (user.language_code or "")[:2] if user else ""
        return code if code in ("nl", "en") else self.services.settings.default_locale

    async def _is_facilitator(self, message: Message, user: User) -> bool:
        if user.id in self.services.settings.facilitator_ids:
            return True
        if message.sender_chat is not None and message.sender_chat.id == message.chat.id:
            return True  # an anonymous admin of this group
        if message.chat.type == ChatType.PRIVATE:
            return False
        return await administers(message.get_bot(), message.chat.id, user.id)

    async def _may_upload(self, message: Message, user: User) -> bool:
        """Facilitators everywhere, or admins of a group where a session was held."""
        if user.id in self.services.settings.facilitator_ids:
            return True
        for group_id in await self.services.runner.session_groups():
            if await administers(message.get_bot(), group_id, user.id):
                return True
        return False

    async def _facilitator_event(
        self, update: Update, build: Callable[[float, int, int, bool], ev.Event]
    ) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        allowed = await self._is_facilitator(message, user)
        event = build(self.clock(), message.chat.id, user.id, allowed)
        await self.services.runner.submit(event, update.update_id)

    # --- facilitator, in the group ------------------------------------------------------

    async def new_session(self, update: Update, context: Context) -> None:
        """``/newsession [deck] [language] [stage=duration ...]``."""
        words = [a.lower() for a in context.args or []]
        args = [a for a in words if "=" not in a]
        deadlines = tuple(
            (stage, value) for stage, _, value in (a.partition("=") for a in words if "=" in a)
        )
        user = update.effective_user
        known = self.services.decks_for(user.id if user else None)
        settings = self.services.settings
        await self._facilitator_event(
            update,
            lambda at, chat, uid, ok: ev.SessionRequested(
                at,
                chat,
                uid,
                ok,
                deck_id=args[0].lower() if args else None,
                locale=args[1].lower() if len(args) > 1 else None,
                new_session_id=0,  # the runner assigns it inside the transaction
                join_code=new_join_code(),
                default_locale=settings.default_locale,
                known_decks=known,
                default_deck=settings.default_deck,
                deadlines=deadlines,
            ),
        )

    async def followup(self, update: Update, context: Context) -> None:
        """``/followup [deck] [language]``: the next session of the group's series."""
        args = list(context.args or [])
        user, chat = update.effective_user, update.effective_chat
        known = self.services.decks_for(user.id if user else None)
        title = chat.title if chat is not None else None
        await self._facilitator_event(
            update,
            lambda at, chat, uid, ok: ev.FollowupRequested(
                at,
                chat,
                uid,
                ok,
                deck_id=args[0].lower() if args else None,
                locale=args[1].lower() if len(args) > 1 else None,
                new_session_id=0,  # the runner assigns it inside the transaction
                join_code=new_join_code(),
                default_locale=self.services.settings.default_locale,
                known_decks=known,
                group_title=title,
            ),
        )

    async def status(self, update: Update, context: Context) -> None:
        await self._facilitator_event(update, ev.StatusRequested)

    async def dashboard(self, update: Update, context: Context) -> None:
        await self._facilitator_event(update, ev.DashboardRequested)

    async def settings(self, update: Update, context: Context) -> None:
        args = [a.lower() for a in context.args or []]
        name = args[0] if args else None
        value = args[1] if len(args) > 1 else None
        known = False
        if name == "timezone" and value is not None:
            zone = _time_zones().get(value)
            known, value = zone is not None, zone or (context.args or ["", ""])[1]
        await self._facilitator_event(
            update,
            lambda at, chat, uid, ok: ev.SettingChanged(at, chat, uid, ok, name, value, known),
        )

    async def start_sort(self, update: Update, context: Context) -> None:
        await self._facilitator_event(update, ev.SortStartRequested)

    async def end_session(self, update: Update, context: Context) -> None:
        await self._facilitator_event(update, ev.SessionEndRequested)

    async def delete_session(self, update: Update, context: Context) -> None:
        args = context.args or []
        number = int(args[0]) if args and args[0].isdigit() else None
        await self._facilitator_event(
            update,
            lambda at, chat, uid, ok: ev.SessionDeleteRequested(at, chat, uid, ok, number),
        )

    async def tables(self, update: Update, context: Context) -> None:
        seed = self.chance.getrandbits(32)
        await self._facilitator_event(
            update, lambda at, chat, uid, ok: ev.TablesRequested(at, chat, uid, ok, seed)
        )

    async def move(self, update: Update, context: Context) -> None:
        args = list(context.args or [])
        number = int(args[-1]) if args and args[-1].isdigit() else None
        person = " ".join(args[:-1] if number is not None else args)
        await self._facilitator_event(
            update, lambda at, chat, uid, ok: ev.MoveRequested(at, chat, uid, ok, person, number)
        )

    async def seat(self, update: Update, context: Context) -> None:
        chat = update.effective_chat
        topics = chat is not None and await topics_available(context.bot, chat.id)
        await self._facilitator_event(
            update, lambda at, chat, uid, ok: ev.SeatingConfirmed(at, chat, uid, ok, topics)
        )

    async def revise(self, update: Update, context: Context) -> None:
        await self._facilitator_event(update, ev.RevisionRequested)

    async def dilemma(self, update: Update, context: Context) -> None:
        text = " ".join(context.args or []) or None
        await self._facilitator_event(
            update, lambda at, chat, uid, ok: ev.DilemmaRequested(at, chat, uid, ok, text)
        )

    async def vote(self, update: Update, context: Context) -> None:
        await self._facilitator_event(update, ev.VoteRequested)

    async def summary(self, update: Update, context: Context) -> None:
        await self._facilitator_event(update, ev.SummaryRequested)

    async def next(self, update: Update, context: Context) -> None:
        await self._facilitator_event(update, ev.NextRequested)

    async def deadline(self, update: Update, context: Context) -> None:
        args = [a.lower() for a in context.args or []]
        stage = args[0] if args else None
        value = "".join(args[1:]) or None
        await self._facilitator_event(
            update, lambda at, chat, uid, ok: ev.DeadlineSet(at, chat, uid, ok, stage, value)
        )

    async def pause(self, update: Update, context: Context) -> None:
        await self._facilitator_event(update, ev.PauseRequested)

    async def resume_session(self, update: Update, context: Context) -> None:
        await self._facilitator_event(update, ev.ResumeRequested)

    async def remind(self, update: Update, context: Context) -> None:
        await self._facilitator_event(update, ev.RemindRequested)

    async def _move_on(
        self,
        update: Update,
        query: CallbackQuery,
        user: User,
        target: tuple[int, str],
        context: Context,
    ) -> None:
        """A tap on ``/next``'s button in the group: only a facilitator moves the session."""
        message = query.message
        locale = self._locale(user)
        if not isinstance(message, Message):
            await self._answer(query.answer, locale, "stale_button")
            return
        allowed = await self._is_facilitator(message, user)
        topics = allowed and await topics_available(context.bot, message.chat.id)
        session_id, stage = target
        event = ev.NextConfirmed(
            self.clock(),
            message.chat.id,
            user.id,
            allowed,
            session_id,
            stage,
            self.chance.getrandbits(32),
            topics,
        )
        decision = await self.services.runner.submit(event, update.update_id)
        toast = decision.toast
        key, alert = (toast.key, toast.alert) if toast else (None, False)
        await self._answer(query.answer, locale, key, alert=alert)

    async def export(self, update: Update, context: Context) -> None:
        """``/export [names]``: the session's data to the facilitator's private chat."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        words = tuple(a.lower() for a in context.args or [])
        anonymous = user.id == ANONYMOUS_ADMIN_ID or message.sender_chat is not None
        locale = self._locale(user)
        await self._facilitator_event(
            update,
            lambda at, chat, uid, ok: ev.ExportRequested(
                at, chat, uid, ok, words, locale, anonymous
            ),
        )

    async def report(self, update: Update, context: Context) -> None:
        """``/report [names]`` in the group: the session's report, in private."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        words = tuple(a.lower() for a in context.args or [])
        anonymous = user.id == ANONYMOUS_ADMIN_ID or message.sender_chat is not None
        await self._facilitator_event(
            update,
            lambda at, chat, uid, ok: ev.ReportRequested(
                at, chat, uid, ok, words, anonymous, False, user.full_name
            ),
        )

    async def report_in_private(self, update: Update, context: Context) -> None:
        """``/report [names]`` in private: the report of the latest session this person
        started (in private the bot cannot tell which group is meant otherwise), if they
        are still a facilitator of its group."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        group_chat_id = await self.services.runner.latest_group_started_by(user.id)
        if group_chat_id is None:
            await self._say(update, "report_where")
            return
        allowed = user.id in self.services.settings.facilitator_ids or await administers(
            message.get_bot(), group_chat_id, user.id
        )
        if not allowed:  # answered here: the core's refusal would go to the group
            await self._say(update, "not_facilitator")
            return
        words = tuple(a.lower() for a in context.args or [])
        event = ev.ReportRequested(
            self.clock(), group_chat_id, user.id, True, words, False, True, user.full_name
        )
        await self.services.runner.submit(event, update.update_id)

    async def _report_tapped(
        self, update: Update, query: CallbackQuery, user: User, session_id: int
    ) -> None:
        """A tap on the report button under the summary in the group."""
        message = query.message
        locale = self._locale(user)
        if not isinstance(message, Message):
            await self._answer(query.answer, locale, "stale_button")
            return
        allowed = await self._is_facilitator(message, user)
        anonymous = user.id == ANONYMOUS_ADMIN_ID
        event = ev.ReportTapped(
            self.clock(),
            message.chat.id,
            user.id,
            allowed,
            (),
            anonymous,
            False,
            user.full_name,
            session_id,
        )
        decision = await self.services.runner.submit(event, update.update_id)
        toast = decision.toast
        key, alert = (toast.key, toast.alert) if toast else (None, False)
        await self._answer(query.answer, locale, key, alert=alert)

    async def rehearse(self, update: Update, context: Context) -> None:
        """``/rehearse N``: N simulated participants join, to walk through a session alone."""
        args = list(context.args or [])
        number = args[0] if len(args) == 1 and WHOLE_NUMBER.fullmatch(args[0]) else None
        count = None if number is None else int(number) if len(number) <= 12 else 10**12
        renderer = self.services.renderer
        names = {
            locale: tuple(
                renderer.label(locale, "rehearsal_name", name=name.strip())
                for name in renderer.label(locale, "rehearsal_names").split("|")
            )
            for locale in renderer.locales
        }
        seed = self.chance.getrandbits(32)
        await self._facilitator_event(
            update,
            lambda at, chat, uid, ok: ev.RehearsalRequested(at, chat, uid, ok, count, names, seed),
        )

    async def list_decks(self, update: Update, context: Context) -> None:
        chat, user = update.effective_chat, update.effective_user
        if chat is None:
            return
        decks = self.services.decks_for(user.id if user else None)
        await self.services.runner.say(
            ShowDecks(chat.id, self._locale(user), decks, self.services.settings.default_deck)
        )

    async def group_only(self, update: Update, context: Context) -> None:
        await self._say(update, "group_only")

    async def private_only(self, update: Update, context: Context) -> None:
        await self._say(update, "private_only")

    async def help(self, update: Update, context: Context) -> None:
        chat, user = update.effective_chat, update.effective_user
        if chat is not None and chat.type != ChatType.PRIVATE:
            await self._say(update, "help_group")
        else:  # with their user id, for FACILITATOR_IDS
            await self._say(update, "help", user_id=user.id if user else None)

    async def unknown_command(self, update: Update, context: Context) -> None:
        await self._say(update, "unknown_command")

    async def _say(self, update: Update, template: str, **params: str | int | None) -> None:
        chat = update.effective_chat
        if chat is not None:
            locale = self._locale(update.effective_user)
            await self.services.runner.say(Say(chat.id, locale, template, params))

    # --- participant, in private --------------------------------------------------------

    async def start(self, update: Update, context: Context) -> None:
        user, chat = update.effective_user, update.effective_chat
        if user is None or chat is None:
            return
        payload = (context.args or [""])[0]
        if not payload:
            session_id = await self.services.runner.current_session_of(user.id)
            if session_id is None:
                await self._say(update, "help", user_id=user.id)
                return
            await self._participant(update, ev.ContinueRequested(self.clock(), session_id, user.id))
            return
        if not JOIN_CODE.fullmatch(payload):
            await self._say(update, "join_unknown_code")
            return
        event = ev.JoinRequested(
            self.clock(),
            user.id,
            chat.id,
            user.full_name[:MAX_NAME_LENGTH],
            user.language_code,
            payload,
            self.chance.getrandbits(32),
        )
        await self.services.runner.submit(event, update.update_id)

    async def _participant(self, update: Update, event: ev.Event) -> None:
        decision = await self.services.runner.submit(event, update.update_id)
        if decision.toast is not None and decision.toast.key == "not_participant":
            await self._say(update, "no_session_private")

    async def _current(self, update: Update) -> int | None:
        user = update.effective_user
        if user is None:
            return None
        session_id = await self.services.runner.current_session_of(user.id)
        if session_id is None:
            await self._say(update, "no_session_private")
        return session_id

    async def resume(self, update: Update, context: Context) -> None:
        session_id = await self._current(update)
        if session_id is not None and update.effective_user:
            await self._participant(
                update, ev.ContinueRequested(self.clock(), session_id, update.effective_user.id)
            )

    async def language(self, update: Update, context: Context) -> None:
        args = [a.lower() for a in context.args or []]
        if not args or args[0] not in ("nl", "en"):
            await self._say(update, "language_usage")
            return
        session_id = await self._current(update)
        if session_id is not None and update.effective_user:
            await self._participant(
                update,
                ev.LanguageChosen(self.clock(), session_id, update.effective_user.id, args[0]),
            )

    async def forget_me(self, update: Update, context: Context) -> None:
        user, chat = update.effective_user, update.effective_chat
        if user is None or chat is None:
            return
        event = ev.ForgetRequested(self.clock(), user.id, chat.id, self._locale(user))
        await self.services.runner.submit(event, update.update_id)

    async def table(self, update: Update, context: Context) -> None:
        session_id = await self._current(update)
        if session_id is not None and update.effective_user:
            await self._participant(
                update, ev.TableRequested(self.clock(), session_id, update.effective_user.id)
            )

    async def media(self, update: Update, context: Context) -> None:
        """Photos, voice messages and the like: passed to the table mates in relay mode."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        session_id = await self._current(update)
        if session_id is not None:
            event = ev.MediaReceived(
                self.clock(), session_id, user.id, message.chat.id, message.message_id
            )
            await self._participant(update, event)

    async def private_message(self, update: Update, context: Context) -> None:
        message = update.effective_message
        if message is None or update.effective_user is None:
            return
        session_id = await self._current(update)
        if session_id is None:
            return
        if not message.text:
            await self._say(update, "hint_text_only")
            return
        await self._participant(
            update,
            ev.TextReceived(self.clock(), session_id, update.effective_user.id, message.text),
        )

    # --- taps ---------------------------------------------------------------------------

    async def tap(self, update: Update, context: Context) -> None:
        query, user = update.callback_query, update.effective_user
        if query is None or user is None:
            return
        locale = self._locale(user)
        move_on = callbacks.parse_move_on(query.data)
        if move_on is not None:
            await self._move_on(update, query, user, move_on, context)
            return
        report = callbacks.parse_report(query.data)
        if report is not None:
            await self._report_tapped(update, query, user, report)
            return
        try:
            event = callbacks.parse(query.data, user.id, self.clock())
        except callbacks.InvalidCallback as exc:
            log.warning("rejected a tap with forged or malformed data: %s", exc)
            await self._answer(query.answer, locale, "invalid_button", alert=True)
            return
        decision = await self.services.runner.submit(event, update.update_id)
        toast = decision.toast
        if toast is not None and toast.key == "stale_button" and query.message is not None:
            await self._retire(query, query.message, event)
        if toast is None:
            await self._answer(query.answer, locale, self._coming(event))
        else:
            await self._answer(query.answer, locale, toast.key, alert=toast.alert, **toast.params)

    def _coming(self, event: ev.Event) -> str | None:
        """A taken tap is answered silently, its next screen following at once; while
        Telegram's limits hold screens back longer than :data:`COMING_AFTER`, the answer
        says that the next one is on its way."""
        if self.services.delivery.expected_wait() < COMING_AFTER:
            return None
        return "card_coming" if isinstance(event, ev.CardRated) else "screen_coming"

    async def _retire(
        self, query: CallbackQuery, message: MaybeInaccessibleMessage, event: ev.Event
    ) -> None:
        """Take the buttons off an old screen that was tapped: only the current one works.

        (After a crash a screen can be sent twice; the older copy keeps live buttons.)"""
        session_id = getattr(event, "session_id", None)
        if session_id is None:
            return
        current = await self.services.runner.current_screen(message.chat.id, session_id)
        if current == message.message_id:
            return
        try:
            await query.edit_message_reply_markup(reply_markup=None)
        except TelegramError as exc:
            log.info("could not take the buttons off an old screen: %s", exc.message)

    async def _answer(
        self,
        answer: Callable[..., object],
        locale: str,
        key: str | None,
        alert: bool = False,
        **params: str | int,
    ) -> None:
        text = self.services.renderer.label(locale, f"toast_{key}", **params) if key else None
        try:
            await answer(text=text, show_alert=alert)  # type: ignore[misc]
        except TelegramError as exc:  # e.g. the query expired while the bot was down
            log.info("could not answer a tap: %s", exc.message)

    # --- deck uploads -------------------------------------------------------------------

    async def deck_upload(self, update: Update, context: Context) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None or message.document is None:
            return
        document = message.document
        filename = document.file_name or ""
        if not filename.lower().endswith((".toml", ".csv")):
            await self.media(update, context)  # any other file is for the table mates
            return
        found = ev.DeckUploaded(
            self.clock(), user.id, message.chat.id, self._locale(user), True, filename
        )
        if not await self._may_upload(message, user):
            found = replace(found, may_upload=False)
        elif document.file_size is not None and document.file_size > MAX_DECK_BYTES:
            found = replace(found, too_big=True)
        else:
            found = await self._read_deck(document, found)
        await self.services.runner.submit(found, update.update_id)

    async def _read_deck(self, document: Document, found: ev.DeckUploaded) -> ev.DeckUploaded:
        """``found`` with what the file holds: its deck, or its problems."""
        try:
            file = await document.get_file()
            data = bytes(await file.download_as_bytearray())
        except TelegramError as exc:
            log.warning("could not download an uploaded deck: %s", exc.message)
            return replace(found, fetched=False)
        try:
            deck = load_deck_bytes(found.filename, data, self.services.base_deck())
        except DeckInvalid as exc:
            words = [p.text(self.services.renderer, found.locale) for p in exc.problems]
            shown = tuple(first_problems(words))
            return replace(found, problems=shown, problem_count=len(exc.problems))
        return replace(found, deck=deck, content=data.decode("utf-8-sig"))
