"""The Python driver of the sandbox: start it, build a world, act as people, read what happened.

Owns: :class:`Sandbox` (server lifecycle, the call log, transcripts, waiting helpers),
:class:`SimUser` (a person: send text or commands, start/block the bot, tap buttons, open Web
Apps from a web_app button or the menu button, join and leave groups, become admin),
:class:`SimChat`, and the read-only snapshots handed to tests (:class:`TranscriptMessage`,
:class:`Button`, :class:`FileInfo`). It also owns Telegram's delivery rules for what people do
(privacy mode in groups, allowed_updates via the world) and which Web App button a person can
open (their own private chat's, one that is there now).

Must not: answer Bot API calls (``methods``), parse HTTP (``server``), or make tests sleep:
every wait here wakes on a change of the world or of the call log.

Typical use::

    async with Sandbox(token="123456:TEST-token") as sandbox:
        alice = sandbox.add_user("Alice", language_code="nl")
        group = sandbox.add_group("Plenary", members=[alice], admins=[alice])
        await alice.send_command(group, "newsession", "goed-werk nl")
        reply = await sandbox.wait_for_message(group, text_contains="session")

Opening a Mini App as a person (the URL the client would load, initData signed with the
sandbox's token)::

        url = await alice.open_web_app(message, "Open the board", theme="dark")
"""

from __future__ import annotations

import asyncio
import logging
import re
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiohttp import web

from bot.sandbox import web_app
from bot.sandbox.errors import SandboxError
from bot.sandbox.faults import FaultInjector
from bot.sandbox.methods import ApiCall, BotApi, ChangeSignal, image_size
from bot.sandbox.server import WebhookDeliverer, build_app
from bot.sandbox.validation import entities_to_html, utf16_len, web_app_url_of
from bot.sandbox.world import (
    DEFAULT_BOT_FIRST_NAME,
    DEFAULT_BOT_USERNAME,
    CallbackAnswer,
    Chat,
    Membership,
    Message,
    StoredFile,
    User,
    WebAppLaunch,
    World,
)

logger = logging.getLogger("bot.sandbox.control")

T = TypeVar("T")

DEFAULT_TOKEN = "123456:TEST-token"
TOKEN_RE = re.compile(r"^(\d+):[A-Za-z0-9_-]+$")
_DEEP_LINK_PAYLOAD_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_COMMAND_RE = re.compile(r"^/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]+)?(?=\s|$)")

HUMAN_ADMIN_RIGHTS = {
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
    "can_pin_messages": True,
    "can_manage_topics": True,
}


# -- snapshots handed to tests ---------------------------------------------------------------


@dataclass(frozen=True)
class Button:
    """An inline button: a callback, a link (``url``) or a Mini App (``web_app_url``)."""

    text: str
    callback_data: str | None = None
    url: str | None = None
    web_app_url: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON form (``web_app_url`` only on Web App buttons)."""
        data: dict[str, Any] = {
            "text": self.text,
            "callback_data": self.callback_data,
            "url": self.url,
        }
        if self.web_app_url is not None:
            data["web_app_url"] = self.web_app_url
        return data


@dataclass(frozen=True)
class FileInfo:
    file_id: str
    file_unique_id: str
    file_name: str | None
    mime_type: str | None
    size: int
    width: int
    height: int
    url: str | None
    data: bytes | None = field(default=None, repr=False)

    @classmethod
    def of(cls, stored: StoredFile) -> FileInfo:
        return cls(
            stored.file_id,
            stored.file_unique_id,
            stored.file_name,
            stored.mime_type,
            stored.size,
            stored.width,
            stored.height,
            stored.url,
            stored.data,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_name": self.file_name,
            "mime_type": self.mime_type,
            "size": self.size,
            "width": self.width,
            "height": self.height,
            "url": self.url,
        }


@dataclass(frozen=True)
class TranscriptMessage:
    """A message as it stands now (edits applied), frozen at the time it was read."""

    chat_id: int
    message_id: int
    date: int
    from_id: int
    from_name: str
    from_bot: bool
    text: str | None  # as Telegram stores it: markup stripped, entities apart
    html: str | None  # what the bot sent in HTML parse mode, else text rendered from entities
    entities: tuple[dict[str, Any], ...]
    caption: str | None
    caption_html: str | None
    buttons: tuple[tuple[Button, ...], ...]
    reply_markup: dict[str, Any] | None
    thread_id: int | None
    reply_to_message_id: int | None
    deleted: bool
    edit_count: int
    photo: FileInfo | None
    document: FileInfo | None
    service: dict[str, Any] | None
    media_group_id: str | None = None
    """The album the message belongs to (``sendMediaGroup``), if any."""

    @property
    def content(self) -> str:
        """The text, or else the caption, or else ""."""
        return self.text if self.text is not None else (self.caption or "")

    @property
    def button_texts(self) -> list[str]:
        return [button.text for row in self.buttons for button in row]

    def button(self, text: str | None = None, data: str | None = None) -> Button | None:
        for row in self.buttons:
            for button in row:
                if (text is None or button.text == text) and (
                    data is None or button.callback_data == data
                ):
                    return button
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "chat_id": self.chat_id,
            "message_id": self.message_id,
            "date": self.date,
            "from_id": self.from_id,
            "from_name": self.from_name,
            "from_bot": self.from_bot,
            "text": self.text,
            "html": self.html,
            "entities": list(self.entities),
            "caption": self.caption,
            "caption_html": self.caption_html,
            "buttons": [[b.to_dict() for b in row] for row in self.buttons],
            "thread_id": self.thread_id,
            "reply_to_message_id": self.reply_to_message_id,
            "deleted": self.deleted,
            "edit_count": self.edit_count,
            "photo": self.photo.to_dict() if self.photo else None,
            "document": self.document.to_dict() if self.document else None,
            "service": self.service,
            "media_group_id": self.media_group_id,
        }

    def describe(self) -> str:
        """One readable line, for logs and timeout messages."""
        flags = []
        if self.deleted:
            flags.append("deleted")
        if self.edit_count:
            flags.append(f"edited {self.edit_count}x")
        if self.thread_id:
            flags.append(f"thread {self.thread_id}")
        body = self.content
        if self.photo:
            body = f"[photo] {body}"
        if self.document:
            body = f"[document {self.document.file_name}] {body}"
        if self.service:
            body = f"[{', '.join(self.service)}] {body}"
        line = f"#{self.message_id} {self.from_name}: {body}"
        if self.buttons:
            line += " {" + " | ".join(self.button_texts) + "}"
        if flags:
            line += " (" + ", ".join(flags) + ")"
        return line


def _html_of(
    text: str | None, source: str | None, entities: tuple[dict[str, Any], ...]
) -> str | None:
    """The HTML the bot sent, or else the text rendered as HTML from its entities."""
    if text is None:
        return None
    return source if source is not None else entities_to_html(text, entities)


def _snapshot(world: World, message: Message) -> TranscriptMessage:
    sender = world.users[message.sender_id]
    buttons: tuple[tuple[Button, ...], ...] = ()
    markup = message.reply_markup
    if markup and "inline_keyboard" in markup:
        buttons = tuple(
            tuple(
                Button(b["text"], b.get("callback_data"), b.get("url"), web_app_url_of(b))
                for b in row
            )
            for row in markup["inline_keyboard"]
        )
    return TranscriptMessage(
        chat_id=message.chat_id,
        message_id=message.message_id,
        date=message.date,
        from_id=sender.id,
        from_name=sender.full_name,
        from_bot=sender.is_bot,
        text=message.text,
        html=_html_of(message.text, message.html, message.entities),
        entities=message.entities,
        caption=message.caption,
        caption_html=_html_of(message.caption, message.caption_html, message.caption_entities),
        buttons=buttons,
        reply_markup=markup,
        thread_id=message.thread_id,
        reply_to_message_id=message.reply_to_message_id,
        deleted=message.deleted,
        edit_count=message.edit_count,
        photo=FileInfo.of(message.photo) if message.photo else None,
        document=FileInfo.of(message.document) if message.document else None,
        service=message.service,
        media_group_id=message.media_group_id,
    )


# -- people and chats --------------------------------------------------------------------------


class SimChat:
    """A handle on a chat of the simulated world."""

    def __init__(self, sandbox: Sandbox, chat_id: int) -> None:
        self._sandbox = sandbox
        self.id = chat_id

    @property
    def state(self) -> Chat:
        return self._sandbox.world.chats[self.id]

    @property
    def type(self) -> str:
        return self.state.type

    @property
    def title(self) -> str | None:
        return self.state.title

    @property
    def is_forum(self) -> bool:
        return self.state.is_forum

    @property
    def topics(self) -> dict[int, str]:
        """message_thread_id -> name of every open or closed (not deleted) topic."""
        return {tid: t.name for tid, t in self.state.topics.items() if not t.deleted}

    def transcript(self, *, include_deleted: bool = True) -> list[TranscriptMessage]:
        return self._sandbox.transcript(self.id, include_deleted=include_deleted)

    def __repr__(self) -> str:
        return f"SimChat({self.id}, {self.type}, {self.title!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SimChat) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)


class SimUser:
    """A person in the simulated world; every action produces what Telegram would deliver."""

    def __init__(self, sandbox: Sandbox, user_id: int) -> None:
        self._sandbox = sandbox
        self.id = user_id

    @property
    def state(self) -> User:
        return self._sandbox.world.users[self.id]

    @property
    def first_name(self) -> str:
        return self.state.first_name

    @property
    def full_name(self) -> str:
        return self.state.full_name

    @property
    def username(self) -> str | None:
        return self.state.username

    @property
    def private_chat(self) -> SimChat:
        return SimChat(self._sandbox, self.id)

    @property
    def has_started(self) -> bool:
        return self.state.started

    @property
    def has_blocked(self) -> bool:
        return self.state.blocked

    def __repr__(self) -> str:
        return f"SimUser({self.id}, {self.full_name!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SimUser) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    async def send_text(
        self,
        chat: SimChat | int,
        text: str,
        *,
        thread_id: int | None = None,
        reply_to: int | TranscriptMessage | None = None,
    ) -> TranscriptMessage:
        """Type a message. A leading /command gets its bot_command entity, as clients do.

        Writing in the private chat counts as having started the bot (Telegram lets the bot
        answer anyone who wrote to it).
        """
        entities: tuple[dict[str, Any], ...] = ()
        match = _COMMAND_RE.match(text)
        if match:
            entities = ({"type": "bot_command", "offset": 0, "length": utf16_len(match.group())},)
        return self._sandbox._post(self, chat, text, entities, thread_id, reply_to)

    async def send_command(
        self,
        chat: SimChat | int,
        command: str,
        args: str = "",
        *,
        thread_id: int | None = None,
        mention: bool | None = None,
    ) -> TranscriptMessage:
        """Send ``/command args``; in groups as ``/command@botname`` unless mention=False."""
        sim_chat = self._sandbox.chat(chat)
        if mention is None:
            mention = sim_chat.state.is_group
        name = command.removeprefix("/")
        head = f"/{name}@{self._sandbox.bot_username}" if mention else f"/{name}"
        text = f"{head} {args}" if args else head
        entities = ({"type": "bot_command", "offset": 0, "length": utf16_len(head)},)
        return self._sandbox._post(self, sim_chat, text, entities, thread_id, None)

    async def send_document(
        self,
        chat: SimChat | int,
        file_name: str,
        data: bytes,
        *,
        caption: str | None = None,
        mime_type: str | None = None,
    ) -> TranscriptMessage:
        """Send a file, as a person attaches a document; the bot can fetch it with getFile."""
        return self._sandbox._post_document(self, chat, file_name, data, caption, mime_type)

    async def send_photo(
        self, chat: SimChat | int, data: bytes, *, caption: str | None = None
    ) -> TranscriptMessage:
        """Send a photo (PNG or JPEG bytes), as a person shares a picture."""
        return self._sandbox._post_photo(self, chat, data, caption)

    async def start_bot(self, payload: str | None = None) -> TranscriptMessage:
        """Press Start (or open a deep link ``t.me/bot?start=payload``) in the private chat."""
        if payload and not _DEEP_LINK_PAYLOAD_RE.match(payload):
            raise SandboxError(
                f"deep-link payload {payload!r} is impossible: Telegram allows 1-64 characters "
                "of A-Z, a-z, 0-9, _ and -"
            )
        user = self.state
        if user.blocked:
            await self.unblock_bot()
        user.started = True
        return await self.send_command(self.private_chat, "start", payload or "", mention=False)

    async def tap(
        self,
        message_id: int | TranscriptMessage | None = None,
        chat: SimChat | int | None = None,
        *,
        text: str | None = None,
        data: str | None = None,
    ) -> str:
        """Tap an inline button by its text or callback_data; returns the callback query id.

        Without ``message_id`` the newest bot message in ``chat`` (default: the private chat)
        that has such a button is used.
        """
        return self._sandbox._tap(self, message_id, chat, text, data)

    async def tap_stale(
        self,
        message_id: int | TranscriptMessage,
        chat: SimChat | int | None = None,
        *,
        data: str,
    ) -> str:
        """Tap a button the message no longer shows (a client that had not refreshed yet after
        an edit): sends a callback query with ``data`` for that message."""
        return self._sandbox._tap(self, message_id, chat, None, data, stale=True)

    async def open_web_app(
        self,
        message: int | TranscriptMessage | None = None,
        button_text: str | None = None,
        *,
        theme: web_app.Theme = "light",
        auth_date: int | None = None,
        start_param: str | None = None,
    ) -> str:
        """Tap a web_app button in the private chat: the URL the Telegram client opens.

        That is the button's URL plus ``#tgWebAppData=<initData>&tgWebAppVersion=8.0&
        tgWebAppPlatform=tdesktop&tgWebAppThemeParams=<JSON>``, initData signed with the bot's
        token. Without ``message`` the newest bot message with such a button is used; without
        ``button_text`` the message must have exactly one. ``theme``: "light", "dark" or a
        mapping of colours; ``auth_date``: Unix seconds (default: the sandbox's clock now);
        ``start_param`` stands for a launch through a ``startapp`` link. No update reaches the
        bot: opening a Mini App tells the bot nothing until the app itself talks to it.
        """
        return self._sandbox._open_web_app(
            self, message, button_text, theme=theme, auth_date=auth_date, start_param=start_param
        )

    async def open_menu_web_app(
        self,
        *,
        theme: web_app.Theme = "light",
        auth_date: int | None = None,
        start_param: str | None = None,
    ) -> str:
        """Press the menu button of the private chat when it is a Web App (the chat's own menu
        button, else the bot's default): the URL the client opens, as for
        :meth:`open_web_app`."""
        return self._sandbox._open_menu_web_app(
            self, theme=theme, auth_date=auth_date, start_param=start_param
        )

    def web_app_init_data(
        self, *, auth_date: int | None = None, start_param: str | None = None
    ) -> str:
        """Signed initData for this person, as a Mini App opened from the private chat receives
        it (``Telegram.WebApp.initData``), for tests that call the bot's own HTTP API."""
        return self._sandbox._web_app_init_data(self, auth_date=auth_date, start_param=start_param)

    async def block_bot(self) -> None:
        self._sandbox._set_blocked(self, True)

    async def unblock_bot(self) -> None:
        self._sandbox._set_blocked(self, False)

    async def join(self, chat: SimChat | int) -> TranscriptMessage:
        return self._sandbox._join(self, chat)

    async def leave(self, chat: SimChat | int) -> TranscriptMessage:
        return self._sandbox._leave(self, chat)

    async def become_admin(self, chat: SimChat | int, **rights: bool) -> None:
        """Be promoted to administrator (default human rights, overridable by keyword)."""
        self._sandbox.promote(self, chat, **rights)


# -- the sandbox -----------------------------------------------------------------------------


class Sandbox:
    """A local Bot API server for one bot, plus the means to drive and observe it."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = DEFAULT_BOT_USERNAME,
        bot_first_name: str = DEFAULT_BOT_FIRST_NAME,
        host: str = "127.0.0.1",
        port: int = 0,
        privacy_mode: bool = True,
        callback_query_timeout: float | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        match = TOKEN_RE.match(token)
        if not match:
            raise ValueError("token must look like '<bot_id>:<secret>'")
        self.token = token
        self.host = host
        self.port = port
        self.signal = ChangeSignal()
        self.world = World(
            int(match.group(1)),
            bot_username=bot_username,
            bot_first_name=bot_first_name,
            clock=clock,
        )
        self.world.on_change = self.signal.notify
        self.api = BotApi(
            self.world,
            self.signal,
            privacy_mode=privacy_mode,
            callback_query_timeout=callback_query_timeout,
        )
        self.faults = FaultInjector()
        self.calls: list[ApiCall] = []
        self.internal_errors: list[Exception] = []  # bugs of the sandbox itself, answered 500
        self._runner: web.AppRunner | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self.webhook = WebhookDeliverer(self)

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Bind (port 0 picks a free port) and serve in the running event loop."""
        if self._runner is not None:
            raise SandboxError("sandbox already started")
        self.api.closing = False
        runner = web.AppRunner(build_app(self), access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self.port))
            site = web.SockSite(runner, sock)
            await site.start()
        except BaseException:
            sock.close()
            await runner.cleanup()
            raise
        self.port = sock.getsockname()[1]
        self._runner = runner
        self._webhook_task = asyncio.create_task(self.webhook.run(), name="sandbox-webhook")
        logger.info("sandbox Bot API listening on %s", self.base_url)

    async def stop(self) -> None:
        """End long polls at once and close the server."""
        if self._runner is None:
            return
        self.api.closing = True
        self.signal.notify()
        runner, self._runner = self._runner, None
        task, self._webhook_task = self._webhook_task, None
        if task is not None:
            try:
                await asyncio.wait_for(task, 5)
            except TimeoutError:
                logger.warning("webhook delivery did not stop in time")
            except Exception as exc:
                logger.exception("webhook delivery failed")
                self.internal_errors.append(exc)
        await runner.cleanup()
        logger.info("sandbox stopped")

    async def __aenter__(self) -> Sandbox:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # -- addresses ---------------------------------------------------------------------------

    @property
    def root_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)`` / ``Bot(base_url=...)``: PTB appends the
        token."""
        return f"{self.root_url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.root_url}/file/bot"

    @property
    def control_url(self) -> str:
        return f"{self.root_url}/control"

    @property
    def bot_id(self) -> int:
        return self.world.bot.id

    @property
    def bot_username(self) -> str:
        return self.world.bot.username or ""

    # -- building the world --------------------------------------------------------------------

    def add_user(
        self,
        first_name: str,
        last_name: str | None = None,
        *,
        username: str | None = None,
        language_code: str | None = None,
        started: bool = False,
        user_id: int | None = None,
    ) -> SimUser:
        """A person; ``started=True`` means they pressed Start earlier (no update is sent)."""
        user = self.world.add_user(first_name, last_name, username, language_code, user_id=user_id)
        user.started = started
        return SimUser(self, user.id)

    def add_group(
        self,
        title: str,
        members: Iterable[SimUser | int] = (),
        admins: Iterable[SimUser | int] = (),
        *,
        forum: bool = False,
        supergroup: bool = False,
        bot_is_admin: bool = True,
        bot_can_manage_topics: bool = False,
        bot_is_member: bool = True,
        creator: SimUser | int | None = None,
        username: str | None = None,
    ) -> SimChat:
        """A group as it already exists (no updates are sent for its creation).

        ``forum=True`` makes a forum supergroup. Admins are members with
        :data:`HUMAN_ADMIN_RIGHTS`; the bot is an admin with every right except
        can_promote_members, and can_manage_topics only when ``bot_can_manage_topics``.
        """
        chat = self.world.add_group(title, supergroup=supergroup, forum=forum, username=username)
        admin_ids = {self._user_id(a) for a in admins}
        for member in members:
            uid = self._user_id(member)
            if uid not in admin_ids:
                self.world.set_membership(chat, uid, "member")
        for uid in admin_ids:
            self.world.set_membership(chat, uid, "administrator", dict(HUMAN_ADMIN_RIGHTS))
        if creator is not None:
            self.world.set_membership(chat, self._user_id(creator), "creator")
        if bot_is_member:
            if bot_is_admin:
                self.world.set_membership(
                    chat, self.bot_id, "administrator", self._bot_rights(bot_can_manage_topics)
                )
            else:
                self.world.set_membership(chat, self.bot_id, "member")
        return SimChat(self, chat.id)

    @staticmethod
    def _bot_rights(can_manage_topics: bool, **overrides: bool) -> dict[str, bool]:
        rights = dict(HUMAN_ADMIN_RIGHTS)
        rights["can_manage_topics"] = can_manage_topics
        rights.update(overrides)
        return rights

    def user(self, user: SimUser | int) -> SimUser:
        uid = self._user_id(user)
        return SimUser(self, uid)

    def chat(self, chat: SimChat | int) -> SimChat:
        chat_id = chat.id if isinstance(chat, SimChat) else int(chat)
        if chat_id not in self.world.chats:
            raise SandboxError(f"no chat {chat_id}")
        return SimChat(self, chat_id)

    def _user_id(self, user: SimUser | User | int) -> int:
        uid = user.id if isinstance(user, SimUser | User) else int(user)
        if uid not in self.world.users:
            raise SandboxError(f"no user {uid}")
        return uid

    def _chat_state(self, chat: SimChat | int) -> Chat:
        return self.chat(chat).state

    def promote(self, user: SimUser | int, chat: SimChat | int, **rights: bool) -> None:
        """Make a person an administrator; sends a chat_member update (if allowed)."""
        state = self._chat_state(chat)
        if not state.is_group:
            raise SandboxError("only groups have administrators")
        uid = self._user_id(user)
        old = self.world.membership(state, uid)
        new_rights = dict(HUMAN_ADMIN_RIGHTS)
        new_rights.update(rights)
        _, new = self.world.set_membership(state, uid, "administrator", new_rights)
        self._member_update("chat_member", state, self._actor(state), old, new)

    def demote(self, user: SimUser | int, chat: SimChat | int) -> None:
        state = self._chat_state(chat)
        uid = self._user_id(user)
        old = self.world.membership(state, uid)
        _, new = self.world.set_membership(state, uid, "member")
        self._member_update("chat_member", state, self._actor(state), old, new)

    def set_bot_rights(
        self,
        chat: SimChat | int,
        *,
        is_member: bool = True,
        is_admin: bool = True,
        can_manage_topics: bool = False,
        **rights: bool,
    ) -> None:
        """Change the bot's place in a group; sends a my_chat_member update."""
        state = self._chat_state(chat)
        old = self.world.membership(state, self.bot_id)
        if not is_member:
            _, new = self.world.set_membership(state, self.bot_id, "left")
        elif is_admin:
            _, new = self.world.set_membership(
                state, self.bot_id, "administrator", self._bot_rights(can_manage_topics, **rights)
            )
        else:
            _, new = self.world.set_membership(state, self.bot_id, "member")
        self._member_update("my_chat_member", state, self._actor(state), old, new)

    def _actor(self, chat: Chat) -> User:
        """Who performs an admin action in a group: its creator, else an admin, else the bot."""
        ranked = sorted(
            (m for m in chat.members.values() if m.is_admin and m.user_id != self.bot_id),
            key=lambda m: (m.status != "creator", m.user_id),
        )
        return self.world.users[ranked[0].user_id] if ranked else self.world.bot

    def _member_update(
        self, kind: str, chat: Chat, actor: User, old: Membership, new: Membership
    ) -> None:
        self.world.enqueue(
            kind,
            {
                "chat": self.world.chat_api(chat),
                "from": actor.to_api(),
                "date": self.world.now(),
                "old_chat_member": self.world.member_api(chat, old),
                "new_chat_member": self.world.member_api(chat, new),
            },
        )

    # -- acting as people ----------------------------------------------------------------------

    def _bot_receives(self, chat: Chat, message: Message) -> bool:
        """Telegram's delivery rule: private chats always; groups per privacy mode."""
        if chat.type == "private":
            return True
        bot = self.world.membership(chat, self.bot_id)
        if not bot.is_present:
            return False
        if not self.api.privacy_mode or bot.is_admin or message.service:
            return True
        text = message.text or message.caption or ""
        match = _COMMAND_RE.match(text)
        if match:
            mention = match.group(1)
            return mention is None or mention[1:].lower() == self.bot_username.lower()
        if message.reply_to_message_id is not None:
            target = chat.messages.get(message.reply_to_message_id)
            return target is not None and target.sender_id == self.bot_id
        return False

    def _check_can_post(self, user: User, chat: Chat) -> None:
        if chat.type == "private":
            if chat.user_id != user.id:
                raise SandboxError(f"{user.full_name} cannot write in someone else's private chat")
            if user.blocked:
                raise SandboxError(f"{user.full_name} blocked the bot; call unblock_bot() first")
            return
        if not self.world.membership(chat, user.id).is_present:
            raise SandboxError(f"{user.full_name} is not a member of {chat.title!r}")

    def _post(
        self,
        sim_user: SimUser,
        chat_ref: SimChat | int,
        text: str,
        entities: tuple[dict[str, Any], ...],
        thread_id: int | None,
        reply_to: int | TranscriptMessage | None,
    ) -> TranscriptMessage:
        user = sim_user.state
        chat = self._chat_state(chat_ref)
        self._check_can_post(user, chat)
        if not text:
            raise SandboxError("Telegram clients do not send empty messages")
        is_topic = False
        if thread_id is not None:
            topic = chat.topics.get(thread_id)
            if not chat.is_forum or topic is None or topic.deleted:
                raise SandboxError(f"no topic {thread_id} in {chat.title!r}")
            if topic.closed and not self.world.membership(chat, user.id).is_admin:
                raise SandboxError(f"topic {topic.name!r} is closed")
            is_topic = True
        reply_id = reply_to.message_id if isinstance(reply_to, TranscriptMessage) else reply_to
        if reply_id is not None:
            target = chat.messages.get(reply_id)
            if target is None or target.deleted:
                raise SandboxError(f"no message {reply_id} to reply to")
        if chat.type == "private":
            user.started = True
        message = self.world.add_message(
            chat,
            user.id,
            text=text,
            entities=entities,
            thread_id=thread_id,
            is_topic_message=is_topic,
            reply_to_message_id=reply_id,
        )
        if self._bot_receives(chat, message):
            self.world.enqueue("message", self.world.message_api(message))
        else:
            logger.debug("privacy mode: bot does not see message %s", message.message_id)
        return _snapshot(self.world, message)

    def _post_document(
        self,
        sim_user: SimUser,
        chat_ref: SimChat | int,
        file_name: str,
        data: bytes,
        caption: str | None,
        mime_type: str | None,
    ) -> TranscriptMessage:
        user = sim_user.state
        chat = self._chat_state(chat_ref)
        self._check_can_post(user, chat)
        if chat.type == "private":
            user.started = True
        stored = self.world.add_file(
            "document", data, file_name=file_name, mime_type=mime_type or "application/octet-stream"
        )
        message = self.world.add_message(chat, user.id, caption=caption, document=stored)
        if self._bot_receives(chat, message):
            self.world.enqueue("message", self.world.message_api(message))
        return _snapshot(self.world, message)

    def _post_photo(
        self, sim_user: SimUser, chat_ref: SimChat | int, data: bytes, caption: str | None
    ) -> TranscriptMessage:
        user = sim_user.state
        chat = self._chat_state(chat_ref)
        self._check_can_post(user, chat)
        size = image_size(data)
        if size is None:
            raise SandboxError("send_photo needs PNG or JPEG bytes")
        stored = self.world.add_file(
            "photo", data, mime_type="image/png", width=size[0], height=size[1]
        )
        message = self.world.add_message(chat, user.id, caption=caption, photo=stored)
        if self._bot_receives(chat, message):
            self.world.enqueue("message", self.world.message_api(message))
        return _snapshot(self.world, message)

    def _tap(
        self,
        sim_user: SimUser,
        message_ref: int | TranscriptMessage | None,
        chat_ref: SimChat | int | None,
        text: str | None,
        data: str | None,
        stale: bool = False,
    ) -> str:
        if text is None and data is None:
            raise SandboxError("tap() needs the button's text or data")
        user = sim_user.state
        if isinstance(message_ref, TranscriptMessage):
            chat_ref = message_ref.chat_id if chat_ref is None else chat_ref
            message_ref = message_ref.message_id
        chat = self._chat_state(chat_ref if chat_ref is not None else user.id)
        if chat.type == "private" and chat.user_id != user.id:
            raise SandboxError(f"{user.full_name} cannot see someone else's private chat")
        if chat.is_group and not self.world.membership(chat, user.id).is_present:
            raise SandboxError(f"{user.full_name} is not a member of {chat.title!r}")

        def find_button(message: Message) -> dict[str, Any] | None:
            markup = message.reply_markup or {}
            for row in markup.get("inline_keyboard", []):
                for button in row:
                    if (text is None or button.get("text") == text) and (
                        data is None or button.get("callback_data") == data
                    ):
                        return dict(button)
            return None

        if message_ref is None:
            candidates = [
                m
                for m in reversed(chat.messages.values())
                if not m.deleted and m.sender_id == self.bot_id and find_button(m)
            ]
            if not candidates:
                raise SandboxError(f"no bot message in chat {chat.id} has button {text or data!r}")
            message = candidates[0]
        else:
            found = chat.messages.get(int(message_ref))
            if found is None or found.deleted:
                raise SandboxError(f"no message {message_ref} in chat {chat.id}")
            message = found
        button = find_button(message)
        if button is None:
            if stale and data is not None:
                button = {"text": "(stale)", "callback_data": data}
            else:
                available = _snapshot(self.world, message).button_texts
                raise SandboxError(
                    f"message {message.message_id} has no button {text or data!r}; "
                    f"it has {available}"
                )
        if "callback_data" not in button:
            raise SandboxError(f"button {button['text']!r} is not a callback button")
        query = self.world.add_callback_query(user.id, message, button["callback_data"])
        self.world.enqueue(
            "callback_query",
            {
                "id": query.id,
                "from": user.to_api(),
                "message": self.world.message_api(message),
                "chat_instance": chat.chat_instance,
                "data": query.data,
            },
        )
        return query.id

    def _open_web_app(
        self,
        sim_user: SimUser,
        message_ref: int | TranscriptMessage | None,
        button_text: str | None,
        *,
        theme: web_app.Theme,
        auth_date: int | None,
        start_param: str | None,
    ) -> str:
        web_app.check_start_param(start_param)
        web_app.theme_params(theme)
        user = sim_user.state
        chat = self.world.chats[user.id]
        if isinstance(message_ref, TranscriptMessage):
            if message_ref.chat_id != user.id:
                other = self.world.chats.get(message_ref.chat_id)
                if other is not None and other.is_group:
                    raise SandboxError(
                        "web_app buttons exist only in private chats (Telegram refuses them "
                        "elsewhere with BUTTON_TYPE_INVALID)"
                    )
                raise SandboxError(f"{user.full_name} cannot see someone else's private chat")
            message_ref = message_ref.message_id

        def web_app_buttons(message: Message) -> list[dict[str, Any]]:
            markup = message.reply_markup or {}
            return [
                button
                for row in markup.get("inline_keyboard", [])
                for button in row
                if web_app_url_of(button) is not None
                and (button_text is None or button.get("text") == button_text)
            ]

        if message_ref is None:
            candidates = [
                m
                for m in reversed(chat.messages.values())
                if not m.deleted and m.sender_id == self.bot_id and web_app_buttons(m)
            ]
            if not candidates:
                what = f"web_app button {button_text!r}" if button_text else "web_app button"
                raise SandboxError(f"no bot message in {user.full_name}'s chat has a {what}")
            message = candidates[0]
        else:
            found = chat.messages.get(int(message_ref))
            if found is None or found.deleted:
                raise SandboxError(f"no message {message_ref} in chat {chat.id}")
            message = found
        buttons = web_app_buttons(message)
        if len(buttons) != 1:
            texts = [
                b.text
                for row in _snapshot(self.world, message).buttons
                for b in row
                if b.web_app_url
            ]
            if not buttons:
                wanted = f"web_app button {button_text!r}" if button_text else "web_app button"
                raise SandboxError(
                    f"message {message.message_id} has no {wanted}; its web_app buttons: {texts}"
                )
            raise SandboxError(
                f"message {message.message_id} has several web_app buttons {texts}: "
                "say which with button_text"
            )
        url = web_app_url_of(buttons[0])
        assert url is not None
        launch = self.world.add_web_app_launch(
            user.id,
            chat.id,
            url,
            "inline_button",
            message_id=message.message_id,
            auth_date=auth_date,
        )
        return web_app.launch_url(url, self._init_data(launch, start_param), theme, start_param)

    def _open_menu_web_app(
        self,
        sim_user: SimUser,
        *,
        theme: web_app.Theme,
        auth_date: int | None,
        start_param: str | None,
    ) -> str:
        web_app.check_start_param(start_param)
        web_app.theme_params(theme)
        user = sim_user.state
        button = self.world.effective_menu_button(user.id)
        if button["type"] != "web_app":
            raise SandboxError(
                f"{user.full_name}'s menu button is {button['type']!r}, not a Web App"
            )
        url = str(button["web_app"]["url"])
        launch = self.world.add_web_app_launch(
            user.id, user.id, url, "menu_button", auth_date=auth_date
        )
        return web_app.launch_url(url, self._init_data(launch, start_param), theme, start_param)

    def _web_app_init_data(
        self, sim_user: SimUser, *, auth_date: int | None, start_param: str | None
    ) -> str:
        user = sim_user.state
        web_app.check_start_param(start_param)
        launch = self.world.add_web_app_launch(
            user.id, user.id, "", "init_data", auth_date=auth_date
        )
        return self._init_data(launch, start_param)

    def _init_data(self, launch: WebAppLaunch, start_param: str | None) -> str:
        return web_app.build_init_data(
            self.world.users[launch.user_id],
            self.token,
            query_id=launch.query_id,
            chat_instance=self.world.chats[launch.chat_id].chat_instance,
            auth_date=launch.auth_date,
            start_param=start_param,
        )

    def _set_blocked(self, sim_user: SimUser, blocked: bool) -> None:
        user = sim_user.state
        if user.blocked == blocked:
            return
        chat = self.world.chats[user.id]
        old = Membership(self.bot_id, "kicked" if not blocked else "member")
        new = Membership(self.bot_id, "kicked" if blocked else "member")
        user.blocked = blocked
        self.world.touch()
        self._member_update("my_chat_member", chat, user, old, new)

    def _join(self, sim_user: SimUser, chat_ref: SimChat | int) -> TranscriptMessage:
        chat = self._chat_state(chat_ref)
        if not chat.is_group:
            raise SandboxError("one can only join groups")
        old = self.world.membership(chat, sim_user.id)
        if old.is_present:
            raise SandboxError(f"{sim_user.full_name} is already in {chat.title!r}")
        _, new = self.world.set_membership(chat, sim_user.id, "member")
        self._member_update("chat_member", chat, sim_user.state, old, new)
        message = self.world.add_message(
            chat, sim_user.id, service={"new_chat_members": [sim_user.state.to_api()]}
        )
        if self._bot_receives(chat, message):
            self.world.enqueue("message", self.world.message_api(message))
        return _snapshot(self.world, message)

    def _leave(self, sim_user: SimUser, chat_ref: SimChat | int) -> TranscriptMessage:
        chat = self._chat_state(chat_ref)
        old = self.world.membership(chat, sim_user.id)
        if not chat.is_group or not old.is_present:
            raise SandboxError(f"{sim_user.full_name} is not in {chat.title!r}")
        _, new = self.world.set_membership(chat, sim_user.id, "left")
        self._member_update("chat_member", chat, sim_user.state, old, new)
        message = self.world.add_message(
            chat,
            sim_user.id,
            service={"left_chat_member": sim_user.state.to_api()},
        )
        if self._bot_receives(chat, message):
            self.world.enqueue("message", self.world.message_api(message))
        return _snapshot(self.world, message)

    # -- reading what happened -------------------------------------------------------------------

    def transcript(
        self, chat: SimChat | int, *, include_deleted: bool = True
    ) -> list[TranscriptMessage]:
        """Every message of a chat in order, edits applied."""
        state = self._chat_state(chat)
        return [
            _snapshot(self.world, m)
            for m in state.messages.values()
            if include_deleted or not m.deleted
        ]

    def format_transcript(self, chat: SimChat | int) -> str:
        return "\n".join(m.describe() for m in self.transcript(chat))

    def message(self, chat: SimChat | int, message_id: int) -> TranscriptMessage:
        state = self._chat_state(chat)
        if message_id not in state.messages:
            raise SandboxError(f"no message {message_id} in chat {state.id}")
        return _snapshot(self.world, state.messages[message_id])

    def bot_messages(
        self, chat: SimChat | int, *, include_deleted: bool = False
    ) -> list[TranscriptMessage]:
        return [
            m
            for m in self.transcript(chat, include_deleted=include_deleted)
            if m.from_id == self.bot_id and not m.service
        ]

    def last_bot_message(self, chat: SimChat | int) -> TranscriptMessage | None:
        messages = self.bot_messages(chat)
        return messages[-1] if messages else None

    @property
    def callback_answers(self) -> list[CallbackAnswer]:
        """Every answerCallbackQuery, in order of the queries."""
        return [q.answer for q in self.world.callback_queries.values() if q.answer is not None]

    def callback_answer(self, query_id: str) -> CallbackAnswer | None:
        query = self.world.callback_queries.get(query_id)
        if query is None:
            raise SandboxError(f"no callback query {query_id}")
        return query.answer

    def menu_button(self, chat: SimUser | SimChat | int | None = None) -> dict[str, Any]:
        """The menu button as getChatMenuButton answers: the bot's default (no ``chat``), or a
        private chat's own ({"type": "default"} when it has none)."""
        if chat is None:
            return self.world.menu_button(None)
        return self.world.menu_button(self._private_chat_id(chat))

    def effective_menu_button(self, chat: SimUser | SimChat | int) -> dict[str, Any]:
        """The menu button a person's client shows: the chat's own, else the bot's default."""
        return self.world.effective_menu_button(self._private_chat_id(chat))

    def _private_chat_id(self, chat: SimUser | SimChat | int) -> int:
        chat_id = chat.id if isinstance(chat, SimUser | SimChat) else int(chat)
        state = self._chat_state(chat_id)
        if state.type != "private":
            raise SandboxError("menu buttons belong to private chats")
        return state.id

    @property
    def web_app_launches(self) -> list[WebAppLaunch]:
        """Every Web App people opened (and initData made for them), in order."""
        return list(self.world.web_app_launches)

    def calls_to(self, method: str) -> list[ApiCall]:
        name = method.lower()
        return [c for c in self.calls if c.method.lower() == name]

    @property
    def failed_calls(self) -> list[ApiCall]:
        return [c for c in self.calls if not c.ok]

    def file_bytes(self, file_id: str) -> bytes:
        stored = self.world.files.get(file_id)
        if stored is None or stored.data is None:
            raise SandboxError(f"no stored bytes for file {file_id}")
        return stored.data

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        return [dict(u) for u in self.world.updates]

    def record_call(self, call: ApiCall) -> None:
        """Used by the server: append to the call log and wake waiters."""
        self.calls.append(call)
        self.signal.notify()

    # -- waiting without sleeping ------------------------------------------------------------------

    async def wait_until(
        self,
        condition: Callable[[], T | None],
        timeout: float = 10.0,  # noqa: ASYNC109 - an explicit deadline is the API
        *,
        what: str | None = None,
    ) -> T:
        """Return the first truthy ``condition()``; re-checked on every change (and every
        50 ms for conditions outside the sandbox). Raises TimeoutError."""
        result = await self.signal.wait_for(condition, timeout, recheck=0.05)
        if result is None:
            raise TimeoutError(f"timed out after {timeout}s waiting for {what or condition!r}")
        return result

    async def wait_for_message(
        self,
        chat: SimChat | int,
        predicate: Callable[[TranscriptMessage], bool] | None = None,
        *,
        text_contains: str | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109 - an explicit deadline is the API
        after: int | TranscriptMessage | None = None,
        from_bot: bool = True,
        thread_id: int | None = None,
    ) -> TranscriptMessage:
        """The first message (by id, current content) in ``chat`` that matches.

        ``after`` skips messages up to that id (pass the message a person just sent);
        ``from_bot=False`` also matches people's messages. Service messages never match.
        """
        state = self._chat_state(chat)
        floor = after.message_id if isinstance(after, TranscriptMessage) else (after or 0)

        def find() -> TranscriptMessage | None:
            for message_id in range(floor + 1, state.next_message_id):
                message = state.messages.get(message_id)
                if message is None or message.deleted or message.service:
                    continue
                if from_bot and message.sender_id != self.bot_id:
                    continue
                if thread_id is not None and message.thread_id != thread_id:
                    continue
                content = message.text if message.text is not None else (message.caption or "")
                if text_contains is not None and text_contains not in content:
                    continue
                snap = _snapshot(self.world, message)
                if predicate is not None and not predicate(snap):
                    continue
                return snap
            return None

        result = await self.signal.wait_for(find, timeout)
        if result is None:
            wanted = f"text containing {text_contains!r}" if text_contains else "a message"
            raise TimeoutError(
                f"no {wanted} in chat {state.id} after #{floor} within {timeout}s; "
                f"transcript:\n{self.format_transcript(state.id)}"
            )
        return result

    async def wait_for_call(
        self,
        method: str,
        *,
        after: int = 0,
        timeout: float = 10.0,  # noqa: ASYNC109 - an explicit deadline is the API
        predicate: Callable[[ApiCall], bool] | None = None,
    ) -> ApiCall:
        """The first logged call of ``method`` at index >= ``after`` (use ``len(sandbox.calls)``
        taken before the action)."""
        name = method.lower()

        def find() -> ApiCall | None:
            for call in self.calls[after:]:
                if call.method.lower() == name and (predicate is None or predicate(call)):
                    return call
            return None

        return await self.wait_until(find, timeout, what=f"a {method} call")

    async def wait_for_callback_answer(
        self,
        query_id: str,
        timeout: float = 10.0,  # noqa: ASYNC109 - an explicit deadline is the API
    ) -> CallbackAnswer:
        return await self.wait_until(
            lambda: self.callback_answer(query_id), timeout, what=f"answer to query {query_id}"
        )

    async def wait_for_topic(
        self,
        chat: SimChat | int,
        name: str | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109 - an explicit deadline is the API
    ) -> int:
        """The message_thread_id of the first topic (named ``name``) created in a forum."""
        state = self._chat_state(chat)

        def find() -> int | None:
            for tid, topic in state.topics.items():
                if not topic.deleted and (name is None or topic.name == name):
                    return tid
            return None

        return await self.wait_until(find, timeout, what=f"topic {name!r}")
