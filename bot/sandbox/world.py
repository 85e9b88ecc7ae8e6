"""The simulated Telegram world: pure in-memory state, no HTTP, no waiting.

Owns: users (with "started the bot" and "blocked the bot" flags), chats (private, group,
supergroup, forum supergroup), memberships with admin rights (the bot's own included), forum
topics, messages per chat with per-chat message ids and their edit history, stored files,
callback queries with their answers, the bot's commands, menu buttons (the default one and one
per private chat) and webhook settings, the Web Apps people opened (their query ids), and the
queue of pending updates. It also owns the JSON shapes Telegram uses for these objects (``*_api``
methods), so every layer above speaks Telegram's exact format.

Must not: validate Bot API parameters (``validation``/``methods`` do that), speak HTTP
(``server``), or sleep/wait (``control``). Every mutation calls :meth:`World.touch`, which fires
``on_change`` so waiters above can wake up without polling.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import logging
import struct
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

logger = logging.getLogger("bot.sandbox.world")

DEFAULT_BOT_USERNAME = "valuecards_test_bot"
DEFAULT_BOT_FIRST_NAME = "Value Cards"
DEFAULT_TOPIC_COLOR = 7322096

ChatType = Literal["private", "group", "supergroup"]
MemberStatus = Literal["creator", "administrator", "member", "left", "kicked"]

ALL_UPDATE_TYPES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "message_reaction",
        "message_reaction_count",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)
# Telegram's default when allowed_updates is empty or never set.
DEFAULT_UPDATE_TYPES = ALL_UPDATE_TYPES - {
    "chat_member",
    "message_reaction",
    "message_reaction_count",
}

ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_pin_messages",
    "can_manage_topics",
)


@dataclass
class User:
    """A Telegram account; ``started``/``blocked`` describe its private chat with the bot."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False
    started: bool = False
    blocked: bool = False

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code and not self.is_bot:
            data["language_code"] = self.language_code
        return data


@dataclass
class Membership:
    """A user's place in a group: status plus admin rights (creators have every right)."""

    user_id: int
    status: MemberStatus
    rights: dict[str, bool] = field(default_factory=dict)

    @property
    def is_admin(self) -> bool:
        return self.status in ("creator", "administrator")

    @property
    def is_present(self) -> bool:
        return self.status in ("creator", "administrator", "member")

    def can(self, right: str) -> bool:
        if self.status == "creator":
            return True
        return self.status == "administrator" and bool(self.rights.get(right, False))


@dataclass
class ForumTopic:
    message_thread_id: int
    name: str
    icon_color: int
    creator_id: int
    icon_custom_emoji_id: str | None = None
    closed: bool = False
    deleted: bool = False

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "message_thread_id": self.message_thread_id,
            "name": self.name,
            "icon_color": self.icon_color,
        }
        if self.icon_custom_emoji_id:
            data["icon_custom_emoji_id"] = self.icon_custom_emoji_id
        return data


@dataclass
class StoredFile:
    """A file the bot uploaded (bytes kept so tests can read exports) or referenced by URL."""

    file_id: str
    file_unique_id: str
    kind: Literal["photo", "document"]
    data: bytes | None
    file_name: str | None = None
    mime_type: str | None = None
    width: int = 0
    height: int = 0
    url: str | None = None

    @property
    def size(self) -> int:
        return len(self.data) if self.data is not None else 0

    @property
    def file_path(self) -> str:
        folder = "photos" if self.kind == "photo" else "documents"
        suffix = ""
        if self.file_name and "." in self.file_name:
            suffix = "." + self.file_name.rsplit(".", 1)[1]
        elif self.kind == "photo":
            suffix = ".jpg"
        return f"{folder}/{self.file_unique_id}{suffix}"

    def photo_size_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "width": self.width,
            "height": self.height,
        }
        if self.data is not None:
            data["file_size"] = self.size
        return data

    def document_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"file_id": self.file_id, "file_unique_id": self.file_unique_id}
        if self.file_name:
            data["file_name"] = self.file_name
        if self.mime_type:
            data["mime_type"] = self.mime_type
        if self.data is not None:
            data["file_size"] = self.size
        return data

    def file_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"file_id": self.file_id, "file_unique_id": self.file_unique_id}
        if self.data is not None:
            data["file_size"] = self.size
            data["file_path"] = self.file_path
        return data


@dataclass(frozen=True)
class MessageVersion:
    """What a message looked like before an edit."""

    text: str | None
    html: str | None
    caption: str | None
    reply_markup: dict[str, Any] | None
    date: int


@dataclass
class Message:
    chat_id: int
    message_id: int
    sender_id: int
    date: int
    text: str | None = None
    entities: tuple[dict[str, Any], ...] = ()
    html: str | None = None
    caption: str | None = None
    caption_entities: tuple[dict[str, Any], ...] = ()
    caption_html: str | None = None
    photo: StoredFile | None = None
    document: StoredFile | None = None
    reply_markup: dict[str, Any] | None = None
    thread_id: int | None = None
    is_topic_message: bool = False
    reply_to_message_id: int | None = None
    media_group_id: str | None = None
    """The album (``sendMediaGroup``) the message belongs to, if any."""
    service: dict[str, Any] | None = None
    deleted: bool = False
    edit_date: int | None = None
    history: list[MessageVersion] = field(default_factory=list)

    @property
    def edit_count(self) -> int:
        return len(self.history)


@dataclass
class Chat:
    id: int
    type: ChatType
    title: str | None = None
    username: str | None = None
    is_forum: bool = False
    user_id: int | None = None  # the other party of a private chat
    members: dict[int, Membership] = field(default_factory=dict)
    topics: dict[int, ForumTopic] = field(default_factory=dict)
    messages: dict[int, Message] = field(default_factory=dict)
    next_message_id: int = 1

    @property
    def is_group(self) -> bool:
        return self.type in ("group", "supergroup")

    @property
    def chat_instance(self) -> str:
        return str(int(hashlib.sha256(str(self.id).encode()).hexdigest()[:15], 16))


@dataclass
class CallbackAnswer:
    query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int
    time: float


@dataclass
class CallbackQuery:
    id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    created_at: float
    answer: CallbackAnswer | None = None


@dataclass(frozen=True)
class WebAppLaunch:
    """A Web App a person opened: what the client was given (``query_id`` is in its initData).

    ``source``: "inline_button" (a web_app button of ``message_id``), "menu_button", or
    "init_data" (initData made for a test that calls the bot's own HTTP API directly; ``url``
    is then "").
    """

    query_id: str
    user_id: int
    chat_id: int
    url: str
    source: Literal["inline_button", "menu_button", "init_data"]
    message_id: int | None
    auth_date: int


@dataclass
class Webhook:
    url: str = ""
    secret_token: str | None = None
    max_connections: int = 40
    allowed_updates: list[str] | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None


class World:
    """All state of the simulated Telegram, for one bot."""

    def __init__(
        self,
        bot_id: int,
        *,
        bot_username: str = DEFAULT_BOT_USERNAME,
        bot_first_name: str = DEFAULT_BOT_FIRST_NAME,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.clock = clock
        self.bot = User(id=bot_id, first_name=bot_first_name, username=bot_username, is_bot=True)
        self.users: dict[int, User] = {bot_id: self.bot}
        self.chats: dict[int, Chat] = {}
        self.files: dict[str, StoredFile] = {}
        self.callback_queries: dict[str, CallbackQuery] = {}
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        # Telegram's own default for all chats is the commands button; "default" per chat means
        # "whatever the bot's default is".
        self.default_menu_button: dict[str, Any] = {"type": "commands"}
        self.menu_buttons: dict[int, dict[str, Any]] = {}
        self.web_app_launches: list[WebAppLaunch] = []
        self.webhook = Webhook()
        self.updates: list[dict[str, Any]] = []
        self.next_update_id = 1
        self.allowed_updates: frozenset[str] = DEFAULT_UPDATE_TYPES
        self.on_change: Callable[[], None] | None = None
        self._user_ids = itertools.count(100_000_001)
        self._group_ids = itertools.count(400_000_001)
        self._channel_ids = itertools.count(1_000_000_001)
        self._file_ids = itertools.count(1)
        self._query_ids = itertools.count(1)
        self._web_app_query_ids = itertools.count(1)
        self._media_group_ids = itertools.count(13_000_000_000_000_001)

    # -- bookkeeping ---------------------------------------------------------------------

    def now(self) -> int:
        """Telegram dates: integer Unix seconds."""
        return int(self.clock())

    def touch(self) -> None:
        """Announce a change to whoever waits on this world."""
        if self.on_change is not None:
            self.on_change()

    # -- users and chats -----------------------------------------------------------------

    def add_user(
        self,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
        *,
        user_id: int | None = None,
        is_bot: bool = False,
    ) -> User:
        uid = user_id if user_id is not None else next(self._user_ids)
        while user_id is None and uid in self.users:
            uid = next(self._user_ids)
        if uid in self.users:
            raise ValueError(f"user {uid} exists already")
        user = User(uid, first_name, last_name, username, language_code, is_bot=is_bot)
        self.users[uid] = user
        if not is_bot:
            self.chats[uid] = Chat(id=uid, type="private", user_id=uid)
        self.touch()
        return user

    def add_group(
        self,
        title: str,
        *,
        supergroup: bool = False,
        forum: bool = False,
        username: str | None = None,
    ) -> Chat:
        if forum:
            supergroup = True
        if supergroup:
            chat_id = -(1_000_000_000_000 + next(self._channel_ids))
            chat = Chat(chat_id, "supergroup", title=title, username=username, is_forum=forum)
        else:
            chat = Chat(-next(self._group_ids), "group", title=title)
        self.chats[chat.id] = chat
        self.touch()
        return chat

    def chat_by_username(self, username: str) -> Chat | None:
        name = username.removeprefix("@").lower()
        for chat in self.chats.values():
            if chat.username and chat.username.lower() == name:
                return chat
        return None

    def set_membership(
        self,
        chat: Chat,
        user_id: int,
        status: MemberStatus,
        rights: dict[str, bool] | None = None,
    ) -> tuple[Membership | None, Membership]:
        """Set a member's status; returns (old, new) for chat_member updates."""
        old = chat.members.get(user_id)
        new = Membership(user_id, status, dict(rights or {}))
        chat.members[user_id] = new
        self.touch()
        return old, new

    def membership(self, chat: Chat, user_id: int) -> Membership:
        """The member's entry, or a synthetic "left" one."""
        if chat.type == "private":
            return Membership(user_id, "member")
        return chat.members.get(user_id) or Membership(user_id, "left")

    # -- messages, topics, files -----------------------------------------------------------

    def add_message(self, chat: Chat, sender_id: int, **fields: Any) -> Message:
        message = Message(
            chat_id=chat.id,
            message_id=chat.next_message_id,
            sender_id=sender_id,
            date=self.now(),
            **fields,
        )
        chat.next_message_id += 1
        chat.messages[message.message_id] = message
        self.touch()
        return message

    def edit_message(self, message: Message, **changes: Any) -> None:
        message.history.append(
            MessageVersion(
                text=message.text,
                html=message.html,
                caption=message.caption,
                reply_markup=message.reply_markup,
                date=message.edit_date or message.date,
            )
        )
        for key, value in changes.items():
            setattr(message, key, value)
        message.edit_date = self.now()
        self.touch()

    def add_topic(
        self,
        chat: Chat,
        name: str,
        creator_id: int,
        *,
        icon_color: int = DEFAULT_TOPIC_COLOR,
        icon_custom_emoji_id: str | None = None,
    ) -> ForumTopic:
        """Create a topic: its id is the id of its "forum_topic_created" service message."""
        created: dict[str, Any] = {"name": name, "icon_color": icon_color}
        if icon_custom_emoji_id:
            created["icon_custom_emoji_id"] = icon_custom_emoji_id
        message = self.add_message(chat, creator_id, service={"forum_topic_created": created})
        message.thread_id = message.message_id
        message.is_topic_message = True
        topic = ForumTopic(
            message.message_id,
            name,
            icon_color,
            creator_id,
            icon_custom_emoji_id=icon_custom_emoji_id,
        )
        chat.topics[topic.message_thread_id] = topic
        self.touch()
        return topic

    def new_media_group_id(self) -> str:
        """A new album's id: the decimal text of a positive 64-bit number, as Telegram's."""
        return str(next(self._media_group_ids))

    def add_file(
        self,
        kind: Literal["photo", "document"],
        data: bytes | None,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
        width: int = 0,
        height: int = 0,
        url: str | None = None,
    ) -> StoredFile:
        number = next(self._file_ids)
        prefix = "AgAC" if kind == "photo" else "BQAC"
        stored = StoredFile(
            file_id=f"{prefix}sandbox{self.bot.id}x{number:06d}",
            file_unique_id=f"AQAD{number:06d}",
            kind=kind,
            data=data,
            file_name=file_name,
            mime_type=mime_type,
            width=width,
            height=height,
            url=url,
        )
        self.files[stored.file_id] = stored
        self.touch()
        return stored

    def file_by_path(self, file_path: str) -> StoredFile | None:
        for stored in self.files.values():
            if stored.file_path == file_path:
                return stored
        return None

    def add_callback_query(self, user_id: int, message: Message, data: str) -> CallbackQuery:
        number = next(self._query_ids)
        query = CallbackQuery(
            id=str(self.bot.id * 1_000_000 + number * 7919),
            user_id=user_id,
            chat_id=message.chat_id,
            message_id=message.message_id,
            data=data,
            created_at=self.clock(),
        )
        self.callback_queries[query.id] = query
        self.touch()
        return query

    # -- menu buttons and Web Apps ----------------------------------------------------------

    def set_menu_button(self, user_id: int | None, button: dict[str, Any]) -> None:
        """setChatMenuButton. For all chats (``user_id`` None) "default" changes nothing, as on
        Telegram; for one private chat it drops that chat's own button."""
        if user_id is None:
            if button["type"] != "default":
                self.default_menu_button = dict(button)
        elif button["type"] == "default":
            self.menu_buttons.pop(user_id, None)
        else:
            self.menu_buttons[user_id] = dict(button)
        self.touch()

    def menu_button(self, user_id: int | None) -> dict[str, Any]:
        """getChatMenuButton: the default one, or a chat's own ({"type": "default"} if none)."""
        if user_id is None:
            return dict(self.default_menu_button)
        return dict(self.menu_buttons.get(user_id, {"type": "default"}))

    def effective_menu_button(self, user_id: int) -> dict[str, Any]:
        """The menu button a person's client shows in the private chat with the bot."""
        return dict(self.menu_buttons.get(user_id, self.default_menu_button))

    def add_web_app_launch(
        self,
        user_id: int,
        chat_id: int,
        url: str,
        source: Literal["inline_button", "menu_button", "init_data"],
        *,
        message_id: int | None = None,
        auth_date: int | None = None,
    ) -> WebAppLaunch:
        """Record an opened Web App with a fresh query id (24 characters of base64url, as
        Telegram's are)."""
        number = next(self._web_app_query_ids)
        raw = struct.pack("<HQQ", 1, user_id, self.bot.id * 1_000_003 + number)
        launch = WebAppLaunch(
            query_id=base64.urlsafe_b64encode(raw).decode("ascii"),
            user_id=user_id,
            chat_id=chat_id,
            url=url,
            source=source,
            message_id=message_id,
            auth_date=self.now() if auth_date is None else auth_date,
        )
        self.web_app_launches.append(launch)
        self.touch()
        return launch

    # -- updates ---------------------------------------------------------------------------

    def enqueue(self, kind: str, payload: dict[str, Any]) -> int | None:
        """Queue an update unless the bot's allowed_updates filter drops it."""
        if kind not in self.allowed_updates:
            logger.debug("update %s dropped by allowed_updates", kind)
            return None
        update_id = self.next_update_id
        self.next_update_id += 1
        self.updates.append({"update_id": update_id, kind: payload})
        self.touch()
        return update_id

    def confirm_updates(self, offset: int) -> None:
        """getUpdates offset semantics: positive confirms ids below it, negative keeps the tail."""
        before = len(self.updates)
        if offset > 0:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        elif offset < 0:
            self.updates = self.updates[offset:]
        if len(self.updates) != before:
            self.touch()

    def drop_pending_updates(self) -> None:
        self.updates.clear()
        self.touch()

    def set_allowed_updates(self, kinds: Iterable[str] | None) -> None:
        chosen = frozenset(kinds or ())
        self.allowed_updates = (chosen & ALL_UPDATE_TYPES) if chosen else DEFAULT_UPDATE_TYPES

    # -- Telegram JSON shapes --------------------------------------------------------------

    def chat_api(self, chat: Chat) -> dict[str, Any]:
        if chat.type == "private":
            assert chat.user_id is not None
            user = self.users[chat.user_id]
            data: dict[str, Any] = {"id": chat.id, "type": "private", "first_name": user.first_name}
            if user.last_name:
                data["last_name"] = user.last_name
            if user.username:
                data["username"] = user.username
            return data
        data = {"id": chat.id, "type": chat.type, "title": chat.title}
        if chat.username:
            data["username"] = chat.username
        if chat.is_forum:
            data["is_forum"] = True
        return data

    def chat_full_info_api(self, chat: Chat) -> dict[str, Any]:
        data = self.chat_api(chat)
        data.update(
            {
                "accent_color_id": 0,
                "max_reaction_count": 11,
                "accepted_gift_types": {
                    "unlimited_gifts": False,
                    "limited_gifts": False,
                    "unique_gifts": False,
                    "premium_subscription": False,
                    "gifts_from_channels": False,
                },
            }
        )
        if chat.is_group:
            data["permissions"] = {
                "can_send_messages": True,
                "can_send_audios": True,
                "can_send_documents": True,
                "can_send_photos": True,
                "can_send_videos": True,
                "can_send_video_notes": True,
                "can_send_voice_notes": True,
                "can_send_polls": True,
                "can_send_other_messages": True,
                "can_add_web_page_previews": True,
                "can_change_info": False,
                "can_invite_users": True,
                "can_pin_messages": False,
                "can_manage_topics": False,
            }
        return data

    def member_api(self, chat: Chat, membership: Membership) -> dict[str, Any]:
        user = self.users[membership.user_id].to_api()
        if membership.status == "creator":
            return {"status": "creator", "user": user, "is_anonymous": False}
        if membership.status == "administrator":
            data: dict[str, Any] = {
                "status": "administrator",
                "user": user,
                "can_be_edited": membership.user_id == self.bot.id,
                "is_anonymous": False,
            }
            for right in ADMIN_RIGHTS:
                if right == "can_manage_topics" and chat.type != "supergroup":
                    continue
                data[right] = bool(membership.rights.get(right, False))
            return data
        if membership.status == "kicked":
            return {"status": "kicked", "user": user, "until_date": 0}
        return {"status": membership.status, "user": user}

    def message_api(self, message: Message, *, with_reply: bool = True) -> dict[str, Any]:
        chat = self.chats[message.chat_id]
        data: dict[str, Any] = {
            "message_id": message.message_id,
            "from": self.users[message.sender_id].to_api(),
            "date": message.date,
            "chat": self.chat_api(chat),
        }
        if message.thread_id is not None:
            data["message_thread_id"] = message.thread_id
            if message.is_topic_message:
                data["is_topic_message"] = True
        reply_id = message.reply_to_message_id
        if (
            reply_id is None
            and message.is_topic_message
            and message.thread_id != message.message_id
        ):
            reply_id = message.thread_id  # Telegram's quirk: topic messages reply to its root
        if with_reply and reply_id is not None and reply_id in chat.messages:
            data["reply_to_message"] = self.message_api(chat.messages[reply_id], with_reply=False)
        if message.edit_date is not None:
            data["edit_date"] = message.edit_date
        if message.text is not None:
            data["text"] = message.text
            if message.entities:
                data["entities"] = list(message.entities)
        if message.media_group_id is not None:
            data["media_group_id"] = message.media_group_id
        if message.photo is not None:
            data["photo"] = [message.photo.photo_size_api()]
        if message.document is not None:
            data["document"] = message.document.document_api()
        if message.caption:
            data["caption"] = message.caption
            if message.caption_entities:
                data["caption_entities"] = list(message.caption_entities)
        if message.reply_markup and "inline_keyboard" in message.reply_markup:
            data["reply_markup"] = message.reply_markup
        if message.service:
            data.update(message.service)
        return data

    def webhook_info_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "url": self.webhook.url,
            "has_custom_certificate": False,
            "pending_update_count": len(self.updates),
        }
        if self.webhook.url:
            data["max_connections"] = self.webhook.max_connections
            if self.webhook.allowed_updates is not None:
                data["allowed_updates"] = self.webhook.allowed_updates
        if self.webhook.last_error_date is not None:
            data["last_error_date"] = self.webhook.last_error_date
            data["last_error_message"] = self.webhook.last_error_message
        return data
