"""The Bot API methods of the sandbox, applied to the simulated world.

Owns: one handler per Bot API method (getMe, getUpdates with long polling, webhook settings,
commands, the chat menu button, sending/editing/deleting messages, photos and documents
(alone or as an album), callback answers, chat and member look-ups, forum topics, files),
the access rules that decide between a result, 400 and 403 (chat not found, bot blocked,
user never started the bot, not a member, no rights, Web App buttons outside private
chats), the parameter decoding shared by every transport (query string, form, JSON,
multipart with files; JSON-encoded values inside form fields), and :class:`ChangeSignal`,
the wake-up primitive shared with the control side.

Must not: know about HTTP (``server`` parses requests and writes responses), inject faults
(``faults``), or act as a person (``control``).
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import logging
import struct
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from bot.sandbox import validation
from bot.sandbox.errors import ApiError, bad_request, forbidden
from bot.sandbox.world import (
    CallbackAnswer,
    Chat,
    ForumTopic,
    Message,
    StoredFile,
    Webhook,
    World,
)

logger = logging.getLogger("bot.sandbox.methods")

T = TypeVar("T")

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is "
    "running"
)
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete "
    "the webhook first"
)
TOPIC_COLORS = frozenset({7322096, 16766590, 13338331, 9367192, 16749490, 16478047})
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
MAX_ALBUM_ITEMS = 10

# Parameters whose values are JSON objects or arrays; decoded for the call log.
JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "reply_parameters",
        "entities",
        "caption_entities",
        "allowed_updates",
        "commands",
        "scope",
        "menu_button",
        "link_preview_options",
        "media",
    }
)


class ChangeSignal:
    """Wakes every waiter when the world changes; no busy-waiting, no lost wake-ups."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait_for(
        self,
        condition: Callable[[], T | None],
        timeout: float,  # noqa: ASYNC109 - an explicit deadline is the API
        *,
        recheck: float | None = None,
    ) -> T | None:
        """Return the first truthy ``condition()``, or None when ``timeout`` runs out.

        ``recheck`` bounds each wait, for conditions on things outside the world (processes).
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            event = self._event  # take it before checking: a change after the check wakes us
            value = condition()
            if value:
                return value
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None
            wait = remaining if recheck is None else min(remaining, recheck)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), wait)


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    field_name: str
    file_name: str | None
    content_type: str | None
    data: bytes


@dataclass(frozen=True)
class ApiCall:
    """One Bot API call as the sandbox saw it (for the call log)."""

    method: str
    params: dict[str, Any]
    ok: bool
    error_code: int | None
    description: str | None
    time: float
    duration: float
    result: Any = None


class Params:
    """Request parameters from any transport, with Telegram's lenient type coercion."""

    def __init__(
        self, values: Mapping[str, Any], files: Mapping[str, UploadedFile] | None = None
    ) -> None:
        self.values = dict(values)
        self.files = dict(files or {})

    def has(self, name: str) -> bool:
        return (name in self.values and self.values[name] is not None) or name in self.files

    def raw(self, name: str) -> Any:
        return self.values.get(name)

    def get_str(self, name: str) -> str | None:
        value = self.values.get(name)
        if value is None:
            return None
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        return json.dumps(value)

    def get_int(self, name: str) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        try:
            return int(str(value).strip())
        except ValueError:
            try:
                return int(float(str(value)))
            except ValueError as exc:
                raise bad_request(f"invalid {name} specified") from exc

    def get_float(self, name: str) -> float | None:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        try:
            return float(value)
        except (TypeError, ValueError) as exc:
            raise bad_request(f"invalid {name} specified") from exc

    def get_bool(self, name: str, default: bool = False) -> bool:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in {"true", "1", "yes", "on"}

    def get_json(self, name: str) -> Any:
        value = self.values.get(name)
        if isinstance(value, str):
            if value == "":
                return None
            try:
                return json.loads(value)
            except ValueError as exc:
                raise bad_request(f"can't parse {name} JSON object") from exc
        return value

    def file(self, name: str) -> UploadedFile | str | None:
        """A file parameter: an upload (direct part or attach://), or a file_id/URL string."""
        if name in self.files:
            return self.files[name]
        value = self.get_str(name)
        if value and value.startswith("attach://"):
            attached = self.files.get(value.removeprefix("attach://"))
            if attached is None:
                raise bad_request(f'can\'t find attached file "{value}"')
            return attached
        return value

    def for_log(self) -> dict[str, Any]:
        """Readable copy: JSON fields decoded, files summarised, nothing secret."""
        result: dict[str, Any] = {}
        for key, value in self.values.items():
            if key in JSON_PARAMS and isinstance(value, str):
                try:
                    result[key] = json.loads(value)
                except ValueError:
                    result[key] = value
            else:
                result[key] = value
        for key, uploaded in self.files.items():
            result[key] = {
                "file_name": uploaded.file_name,
                "content_type": uploaded.content_type,
                "size": len(uploaded.data),
            }
        return result


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG, JPEG, GIF, BMP or WebP image; None if it is none of them."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data[:2] == b"BM" and len(data) >= 26:
        width, height = struct.unpack("<ii", data[18:26])
        return abs(int(width)), abs(int(height))
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        if data[12:16] == b"VP8X" and len(data) >= 30:
            width = int.from_bytes(data[24:27], "little") + 1
            height = int.from_bytes(data[27:30], "little") + 1
            return width, height
        return (0, 0)
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                return int(width), int(height)
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                i += 2
                continue
            (segment,) = struct.unpack(">H", data[i + 2 : i + 4])
            i += 2 + int(segment)
        return None
    return None


Handler = Callable[[Params], Any]


class BotApi:
    """Applies Bot API calls to a :class:`World`."""

    def __init__(
        self,
        world: World,
        signal: ChangeSignal,
        *,
        privacy_mode: bool = True,
        callback_query_timeout: float | None = None,
    ) -> None:
        self.world = world
        self.signal = signal
        self.privacy_mode = privacy_mode
        self.callback_query_timeout = callback_query_timeout
        self.closing = False
        self.active_polls = 0  # getUpdates calls waiting right now
        self._poll_generation = 0
        self._handlers: dict[str, tuple[str, Handler]] = {}
        for name in (
            "getMe",
            "logOut",
            "close",
            "getUpdates",
            "setWebhook",
            "deleteWebhook",
            "getWebhookInfo",
            "setMyCommands",
            "getMyCommands",
            "deleteMyCommands",
            "setMyDescription",
            "setMyShortDescription",
            "setMyName",
            "setChatMenuButton",
            "getChatMenuButton",
            "sendChatAction",
            "sendMessage",
            "sendPhoto",
            "sendDocument",
            "sendMediaGroup",
            "copyMessage",
            "editMessageText",
            "editMessageCaption",
            "editMessageReplyMarkup",
            "deleteMessage",
            "answerCallbackQuery",
            "getChat",
            "getChatMember",
            "getChatAdministrators",
            "getChatMemberCount",
            "createForumTopic",
            "closeForumTopic",
            "reopenForumTopic",
            "editForumTopic",
            "deleteForumTopic",
            "getFile",
        ):
            handler = getattr(self, "_" + _snake(name))
            self._handlers[name.lower()] = (name, handler)

    # -- dispatch --------------------------------------------------------------------------

    def canonical_name(self, method: str) -> str | None:
        """Telegram's spelling of a method name (names are case-insensitive), or None."""
        entry = self._handlers.get(method.lower())
        return entry[0] if entry else None

    async def call(self, method: str, params: Params) -> Any:
        entry = self._handlers.get(method.lower())
        if entry is None:
            raise ApiError(404, "Not Found")
        result = entry[1](params)
        if inspect.isawaitable(result):
            result = await result
        return result

    def rate_limit_target(self, method: str, params: Params) -> tuple[int | None, bool, int]:
        """(chat id, is a group, messages) of a call, for the flood limits: an album counts
        as the messages it holds; never raises."""
        messages = 1
        if method.lower() == "sendmediagroup":
            try:
                media = params.get_json("media")
            except ApiError:
                media = None
            if isinstance(media, list) and media:
                messages = min(len(media), MAX_ALBUM_ITEMS)
        try:
            chat = self._resolve_chat(params.raw("chat_id"))
        except ApiError:
            return None, False, messages
        if chat is None:
            return None, False, messages
        return chat.id, chat.is_group, messages

    # -- chats and access ------------------------------------------------------------------

    def _resolve_chat(self, raw: Any) -> Chat | None:
        if raw is None or raw == "":
            raise bad_request("chat_id is empty")
        if isinstance(raw, str) and raw.strip().startswith("@"):
            return self.world.chat_by_username(raw.strip())
        try:
            chat_id = int(raw)
        except (TypeError, ValueError):
            return None
        return self.world.chats.get(chat_id)

    def _chat(self, params: Params, *, private_unknown: str = "forbid") -> Chat:
        """The target chat, if the bot may act there; Telegram's 400/403 otherwise."""
        chat = self._resolve_chat(params.raw("chat_id"))
        if chat is None:
            raise bad_request("chat not found")
        if chat.type == "private":
            assert chat.user_id is not None
            user = self.world.users[chat.user_id]
            if not user.started:
                if private_unknown == "not_found":
                    raise bad_request("chat not found")
                raise forbidden("bot can't initiate conversation with a user")
            if user.blocked:
                raise forbidden("bot was blocked by the user")
            return chat
        kind = "supergroup" if chat.type == "supergroup" else "group"
        membership = chat.members.get(self.world.bot.id)
        if membership is None or membership.status == "left":
            raise forbidden(f"bot is not a member of the {kind} chat")
        if membership.status == "kicked":
            raise forbidden(f"bot was kicked from the {kind} chat")
        return chat

    def _bot_can(self, chat: Chat, right: str) -> bool:
        return self.world.membership(chat, self.world.bot.id).can(right)

    def _thread(self, chat: Chat, params: Params) -> tuple[int | None, bool]:
        thread_id = params.get_int("message_thread_id")
        if not thread_id:
            return None, False
        if chat.is_forum:
            topic = chat.topics.get(thread_id)
            if topic is None or topic.deleted:
                raise bad_request("message thread not found")
            if topic.closed and not self._bot_can(chat, "can_manage_topics"):
                raise bad_request("TOPIC_CLOSED")
            return thread_id, True
        if chat.type == "supergroup" and thread_id in chat.messages:
            return thread_id, False
        raise bad_request("message thread not found")

    def _reply_to(self, chat: Chat, params: Params) -> int | None:
        reply = params.get_json("reply_parameters")
        allow_without = params.get_bool("allow_sending_without_reply")
        message_id: int | None = None
        if isinstance(reply, dict):
            message_id = reply.get("message_id")
            allow_without = bool(reply.get("allow_sending_without_reply", allow_without))
            other_chat = reply.get("chat_id")
            if other_chat is not None and str(other_chat) != str(chat.id):
                raise bad_request("replies to other chats are not supported by the sandbox")
        elif reply is not None:
            raise bad_request("can't parse reply parameters JSON object")
        else:
            message_id = params.get_int("reply_to_message_id")
        if not message_id:
            return None
        target = chat.messages.get(int(message_id))
        if target is None or target.deleted:
            if allow_without:
                return None
            raise bad_request("message to be replied not found")
        return target.message_id

    def _message(self, chat: Chat, params: Params, missing: str) -> Message:
        if params.has("inline_message_id"):
            raise bad_request("inline messages are not supported by the sandbox")
        message_id = params.get_int("message_id")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        message = chat.messages.get(message_id)
        if message is None or message.deleted:
            raise bad_request(missing)
        return message

    # -- bot ---------------------------------------------------------------------------------

    def _get_me(self, params: Params) -> dict[str, Any]:
        data = self.world.bot.to_api()
        data.update(
            {
                "can_join_groups": True,
                "can_read_all_group_messages": not self.privacy_mode,
                "supports_inline_queries": False,
                "can_connect_to_business": False,
                "has_main_web_app": False,
            }
        )
        return data

    def _log_out(self, params: Params) -> bool:
        return True

    def _close(self, params: Params) -> bool:
        return True

    def _set_my_description(self, params: Params) -> bool:
        return True

    def _set_my_short_description(self, params: Params) -> bool:
        return True

    def _set_my_name(self, params: Params) -> bool:
        return True

    def _menu_button_user(self, params: Params) -> int | None:
        """The private chat (a user id) of a menu-button call, None for the bot's default.

        As the Bot API server reads it: a user id; groups and usernames are "invalid".
        """
        if not params.has("chat_id"):
            return None
        try:
            user_id = int(params.get_str("chat_id") or "0")
        except ValueError:
            user_id = 0
        if user_id <= 0:
            raise bad_request("invalid chat_id specified")
        user = self.world.users.get(user_id)
        if user is None or user.is_bot:
            raise bad_request("user not found")
        return user_id

    def _set_chat_menu_button(self, params: Params) -> bool:
        button = validation.parse_menu_button(params.raw("menu_button"))
        self.world.set_menu_button(self._menu_button_user(params), button)
        return True

    def _get_chat_menu_button(self, params: Params) -> dict[str, Any]:
        return self.world.menu_button(self._menu_button_user(params))

    @staticmethod
    def _command_key(params: Params) -> tuple[str, str]:
        scope = params.get_json("scope") or {"type": "default"}
        if not isinstance(scope, dict) or "type" not in scope:
            raise bad_request("can't parse BotCommandScope JSON object")
        scope_key = ":".join(str(scope.get(k, "")) for k in ("type", "chat_id", "user_id"))
        return scope_key, params.get_str("language_code") or ""

    def _set_my_commands(self, params: Params) -> bool:
        commands = validation.check_commands(params.get_json("commands") or [])
        self.world.commands[self._command_key(params)] = commands
        self.world.touch()
        return True

    def _get_my_commands(self, params: Params) -> list[dict[str, str]]:
        return list(self.world.commands.get(self._command_key(params), []))

    def _delete_my_commands(self, params: Params) -> bool:
        self.world.commands.pop(self._command_key(params), None)
        self.world.touch()
        return True

    # -- updates and webhooks ----------------------------------------------------------------

    async def _get_updates(self, params: Params) -> list[dict[str, Any]]:
        world = self.world
        if world.webhook.url:
            raise ApiError(409, WEBHOOK_CONFLICT)
        offset = params.get_int("offset")
        if offset:
            world.confirm_updates(offset)
        limit = params.get_int("limit") or 100
        limit = min(max(limit, 1), 100)
        timeout = max(params.get_float("timeout") or 0.0, 0.0)
        if params.has("allowed_updates"):
            allowed = params.get_json("allowed_updates")
            if allowed is not None and not isinstance(allowed, list):
                raise bad_request("can't parse allowed_updates JSON object")
            world.set_allowed_updates(allowed)
        self._poll_generation += 1
        generation = self._poll_generation
        self.signal.notify()  # an older long poll ends with 409, as on Telegram

        def ready() -> bool:
            return bool(world.updates) or generation != self._poll_generation or self.closing

        if timeout > 0:
            self.active_polls += 1
            self.world.touch()
            try:
                await self.signal.wait_for(ready, timeout)
            finally:
                self.active_polls -= 1
        if generation != self._poll_generation:
            raise ApiError(409, POLL_CONFLICT)
        return [dict(update) for update in world.updates[:limit]]

    def _set_webhook(self, params: Params) -> bool:
        url = params.get_str("url") or ""
        if url:
            validation.check_webhook_url(url)
        secret = params.get_str("secret_token")
        if secret:
            validation.check_secret_token(secret)
        if params.get_bool("drop_pending_updates"):
            self.world.drop_pending_updates()
        allowed = params.get_json("allowed_updates")
        if params.has("allowed_updates"):
            self.world.set_allowed_updates(allowed)
        max_connections = params.get_int("max_connections") or 40
        if not 1 <= max_connections <= 100:
            raise bad_request("bad webhook: max_connections must be between 1 and 100")
        self.world.webhook = Webhook(
            url=url,
            secret_token=secret or None,
            max_connections=max_connections,
            allowed_updates=allowed if isinstance(allowed, list) else None,
        )
        self.world.touch()
        return True

    def _delete_webhook(self, params: Params) -> bool:
        if params.get_bool("drop_pending_updates"):
            self.world.drop_pending_updates()
        self.world.webhook = Webhook()
        self.world.touch()
        return True

    def _get_webhook_info(self, params: Params) -> dict[str, Any]:
        return self.world.webhook_info_api()

    # -- sending -----------------------------------------------------------------------------

    def _send_chat_action(self, params: Params) -> bool:
        chat = self._chat(params)
        self._thread(chat, params)
        if not params.get_str("action"):
            raise bad_request("action is empty")  # wording of Telegram's missing-field errors
        return True

    def _send_message(self, params: Params) -> dict[str, Any]:
        chat = self._chat(params)
        text = params.get_str("text")
        if text is None:
            raise bad_request("message text is empty")
        parse_mode = params.get_str("parse_mode")
        parsed = validation.parse_text(text, parse_mode, params.raw("entities"))
        validation.check_text(parsed)
        markup = self._markup(chat, params)
        thread_id, is_topic = self._thread(chat, params)
        reply_to = self._reply_to(chat, params)
        message = self.world.add_message(
            chat,
            self.world.bot.id,
            text=parsed.text,
            entities=parsed.entities,
            html=text if _is_html(parse_mode) else None,
            reply_markup=markup,
            thread_id=thread_id,
            is_topic_message=is_topic,
            reply_to_message_id=reply_to,
        )
        return self.world.message_api(message)

    @staticmethod
    def _markup(chat: Chat, params: Params, *, inline_only: bool = False) -> dict[str, Any] | None:
        """``reply_markup``: valid on its own (edits: inline only), then allowed in this chat."""
        markup = validation.parse_reply_markup(params.raw("reply_markup"))
        if inline_only:
            markup = _inline_only(markup)
        validation.check_markup_for_chat(markup, chat.type)
        return markup

    def _caption(self, params: Params) -> tuple[validation.ParsedText, str | None]:
        caption = params.get_str("caption") or ""
        parse_mode = params.get_str("parse_mode")
        parsed = validation.parse_text(caption, parse_mode, params.raw("caption_entities"))
        validation.check_caption(parsed)
        return parsed, (caption if _is_html(parse_mode) and caption else None)

    def _stored_file(self, params: Params, field: str, kind: str) -> StoredFile:
        value = params.file(field)
        if value is None or value == "":
            raise bad_request(f"there is no {field} in the request")
        if isinstance(value, UploadedFile):
            if not value.data:
                raise bad_request("file must be non-empty")
            if kind == "photo":
                if len(value.data) > MAX_PHOTO_BYTES:
                    raise ApiError(413, "Request Entity Too Large")
                size = image_size(value.data)
                if size is None:
                    raise bad_request("IMAGE_PROCESS_FAILED")
                width, height = size
                if width + height > 10000 or (
                    width and height and max(width, height) / min(width, height) > 20
                ):
                    raise bad_request("PHOTO_INVALID_DIMENSIONS")
                return self.world.add_file(
                    "photo",
                    value.data,
                    file_name=value.file_name,
                    mime_type=value.content_type,
                    width=width,
                    height=height,
                )
            if len(value.data) > MAX_DOCUMENT_BYTES:
                raise ApiError(413, "Request Entity Too Large")
            return self.world.add_file(
                "document",
                value.data,
                file_name=value.file_name or "document",
                mime_type=value.content_type or "application/octet-stream",
            )
        existing = self.world.files.get(value)
        if existing is not None:
            if existing.kind != kind:
                raise bad_request(
                    f"can't use file of type {existing.kind.capitalize()} as {kind.capitalize()}"
                )
            return existing
        if value.startswith(("http://", "https://")):
            name = value.rstrip("/").rsplit("/", 1)[-1] or None
            return self.world.add_file(
                "photo" if kind == "photo" else "document", None, file_name=name, url=value
            )
        raise bad_request("wrong file identifier/HTTP URL specified")

    def _send_file(self, params: Params, field: str, kind: str) -> dict[str, Any]:
        chat = self._chat(params)
        caption, caption_html = self._caption(params)
        markup = self._markup(chat, params)
        thread_id, is_topic = self._thread(chat, params)
        reply_to = self._reply_to(chat, params)
        stored = self._stored_file(params, field, kind)
        fields: dict[str, Any] = {"photo" if kind == "photo" else "document": stored}
        message = self.world.add_message(
            chat,
            self.world.bot.id,
            caption=caption.text or None,
            caption_entities=caption.entities,
            caption_html=caption_html,
            reply_markup=markup,
            thread_id=thread_id,
            is_topic_message=is_topic,
            reply_to_message_id=reply_to,
            **fields,
        )
        return self.world.message_api(message)

    def _send_photo(self, params: Params) -> dict[str, Any]:
        return self._send_file(params, "photo", "photo")

    def _send_document(self, params: Params) -> dict[str, Any]:
        return self._send_file(params, "document", "document")

    def _send_media_group(self, params: Params) -> list[dict[str, Any]]:
        """An album of 1 to 10 photos, or of documents, as Telegram's server sends it: each
        item its own message with its own caption, sharing a new ``media_group_id`` (one
        item goes out alone, outside any album); nothing is sent if any item is refused."""
        chat = self._chat(params)
        if not params.has("media"):
            raise bad_request('parameter "media" is required')
        media = params.get_json("media")
        if not media and media is not False and media != 0:  # null or []
            raise bad_request("there are no messages to send")
        if not isinstance(media, list):
            raise bad_request("expected an Array of InputMedia")
        if len(media) > MAX_ALBUM_ITEMS:
            raise bad_request("too many messages to send as an album")
        kinds = []
        for item in media:
            kind = item.get("type") if isinstance(item, dict) else None
            if kind not in ("photo", "document"):
                detail = f'type "{kind}" is unsupported' if kind else "media not found"
                raise bad_request(f"can't parse InputMedia: {detail}")
            kinds.append(kind)
        if "document" in kinds and "photo" in kinds:
            raise bad_request("document can't be mixed with other media types")
        thread_id, is_topic = self._thread(chat, params)
        reply_to = self._reply_to(chat, params)
        items = []
        for item, kind in zip(media, kinds, strict=True):
            caption, caption_html = self._caption(
                Params(
                    {
                        "caption": item.get("caption"),
                        "parse_mode": item.get("parse_mode"),
                        "caption_entities": item.get("caption_entities"),
                    }
                )
            )
            if not isinstance(item.get("media"), str) or not item["media"]:
                raise bad_request("can't parse InputMedia: media not found")
            stored = self._stored_file(
                Params({"media": item["media"]}, params.files), "media", kind
            )
            items.append((kind, stored, caption, caption_html))
        group = self.world.new_media_group_id() if len(items) > 1 else None
        messages = [
            self.world.add_message(
                chat,
                self.world.bot.id,
                caption=caption.text or None,
                caption_entities=caption.entities,
                caption_html=caption_html,
                thread_id=thread_id,
                is_topic_message=is_topic,
                reply_to_message_id=reply_to,
                media_group_id=group,
                **{kind: stored},
            )
            for kind, stored, caption, caption_html in items
        ]
        return [self.world.message_api(message) for message in messages]

    def _copy_message(self, params: Params) -> dict[str, Any]:
        """A copy of a message (text, or a file with its caption) sent by the bot."""
        chat = self._chat(params)
        source_chat = self._resolve_chat(params.raw("from_chat_id"))
        if source_chat is None:
            raise bad_request("chat not found")
        source = self._message(source_chat, params, "message to copy not found")
        if source.service:
            raise bad_request("message can't be copied")
        thread_id, is_topic = self._thread(chat, params)
        message = self.world.add_message(
            chat,
            self.world.bot.id,
            text=source.text,
            entities=source.entities,
            html=source.html,
            caption=source.caption,
            caption_entities=source.caption_entities,
            caption_html=source.caption_html,
            photo=source.photo,
            document=source.document,
            thread_id=thread_id,
            is_topic_message=is_topic,
        )
        return {"message_id": message.message_id}

    # -- editing and deleting ----------------------------------------------------------------

    def _own_message(self, chat: Chat, params: Params) -> Message:
        message = self._message(chat, params, "message to edit not found")
        if message.sender_id != self.world.bot.id or message.service:
            raise bad_request("message can't be edited")
        return message

    def _edit_message_text(self, params: Params) -> dict[str, Any]:
        chat = self._chat(params)
        message = self._own_message(chat, params)
        if message.text is None:
            raise bad_request("there is no text in the message to edit")
        text = params.get_str("text")
        if text is None:
            raise bad_request("message text is empty")
        parse_mode = params.get_str("parse_mode")
        parsed = validation.parse_text(text, parse_mode, params.raw("entities"))
        validation.check_text(parsed)
        markup = self._markup(chat, params, inline_only=True)
        if (
            parsed.text == message.text
            and parsed.entities == message.entities
            and markup == message.reply_markup
        ):
            raise bad_request(NOT_MODIFIED)
        self.world.edit_message(
            message,
            text=parsed.text,
            entities=parsed.entities,
            html=text if _is_html(parse_mode) else None,
            reply_markup=markup,
        )
        return self.world.message_api(message)

    def _edit_message_caption(self, params: Params) -> dict[str, Any]:
        chat = self._chat(params)
        message = self._own_message(chat, params)
        if message.photo is None and message.document is None:
            raise bad_request("there is no caption in the message to edit")
        caption, caption_html = self._caption(params)
        markup = self._markup(chat, params, inline_only=True)
        if (
            (caption.text or None) == message.caption
            and caption.entities == message.caption_entities
            and markup == message.reply_markup
        ):
            raise bad_request(NOT_MODIFIED)
        self.world.edit_message(
            message,
            caption=caption.text or None,
            caption_entities=caption.entities,
            caption_html=caption_html,
            reply_markup=markup,
        )
        return self.world.message_api(message)

    def _edit_message_reply_markup(self, params: Params) -> dict[str, Any]:
        chat = self._chat(params)
        message = self._own_message(chat, params)
        markup = self._markup(chat, params, inline_only=True)
        if markup == message.reply_markup:
            raise bad_request(NOT_MODIFIED)
        self.world.edit_message(message, reply_markup=markup)
        return self.world.message_api(message)

    def _delete_message(self, params: Params) -> bool:
        chat = self._chat(params)
        message = self._message(chat, params, "message to delete not found")
        if message.service and "forum_topic_created" in message.service:
            raise bad_request("message can't be deleted")
        if (
            chat.is_group
            and message.sender_id != self.world.bot.id
            and not self._bot_can(chat, "can_delete_messages")
        ):
            raise bad_request("message can't be deleted")
        message.deleted = True
        self.world.touch()
        return True

    # -- callback queries --------------------------------------------------------------------

    def _answer_callback_query(self, params: Params) -> bool:
        query_id = params.get_str("callback_query_id")
        if not query_id:
            raise bad_request("callback_query_id is empty")
        query = self.world.callback_queries.get(query_id)
        too_old = (
            query is not None
            and self.callback_query_timeout is not None
            and self.world.clock() - query.created_at > self.callback_query_timeout
        )
        if query is None or query.answer is not None or too_old:
            raise bad_request(QUERY_TOO_OLD)
        text = params.get_str("text")
        if text and len(text) > validation.MAX_CALLBACK_ANSWER_LENGTH:
            raise bad_request("MESSAGE_TOO_LONG")
        query.answer = CallbackAnswer(
            query_id=query_id,
            text=text or None,
            show_alert=params.get_bool("show_alert"),
            url=params.get_str("url"),
            cache_time=params.get_int("cache_time") or 0,
            time=self.world.clock(),
        )
        self.world.touch()
        return True

    # -- chats and members -------------------------------------------------------------------

    def _get_chat(self, params: Params) -> dict[str, Any]:
        chat = self._chat(params, private_unknown="not_found")
        return self.world.chat_full_info_api(chat)

    def _user_id(self, params: Params) -> int:
        user_id = params.get_int("user_id")
        if user_id is None:
            raise bad_request("user_id is empty")
        if user_id not in self.world.users:
            raise bad_request("user not found")
        return user_id

    def _get_chat_member(self, params: Params) -> dict[str, Any]:
        chat = self._chat(params, private_unknown="not_found")
        user_id = self._user_id(params)
        if chat.type == "private" and user_id not in (chat.user_id, self.world.bot.id):
            raise bad_request("user not found")
        return self.world.member_api(chat, self.world.membership(chat, user_id))

    def _get_chat_administrators(self, params: Params) -> list[dict[str, Any]]:
        chat = self._chat(params, private_unknown="not_found")
        if chat.type == "private":
            raise bad_request("there are no administrators in the private chat")
        admins = sorted(
            (m for m in chat.members.values() if m.is_admin),
            key=lambda m: (m.status != "creator", m.user_id),
        )
        return [self.world.member_api(chat, m) for m in admins]

    def _get_chat_member_count(self, params: Params) -> int:
        chat = self._chat(params, private_unknown="not_found")
        if chat.type == "private":
            return 2
        return sum(1 for m in chat.members.values() if m.is_present)

    # -- forum topics ------------------------------------------------------------------------

    def _forum(self, params: Params) -> Chat:
        chat = self._chat(params)
        if not chat.is_forum:
            raise bad_request("the chat is not a forum")
        return chat

    def _create_forum_topic(self, params: Params) -> dict[str, Any]:
        chat = self._forum(params)
        if not self._bot_can(chat, "can_manage_topics"):
            raise bad_request("not enough rights to create a topic")
        name = params.get_str("name") or ""
        if not name.strip():
            raise bad_request("TOPIC_TITLE_EMPTY")
        if len(name) > 128:
            raise bad_request("TOPIC_TITLE_TOO_LONG")  # Telegram allows 1..128 characters
        color = params.get_int("icon_color")
        if color is not None and color not in TOPIC_COLORS:
            raise bad_request("TOPIC_ICON_COLOR_INVALID")  # only the six documented colours
        topic = self.world.add_topic(
            chat,
            name,
            self.world.bot.id,
            icon_color=color if color is not None else min(TOPIC_COLORS),
            icon_custom_emoji_id=params.get_str("icon_custom_emoji_id") or None,
        )
        return topic.to_api()

    def _managed_topic(
        self, params: Params, right: str = "can_manage_topics"
    ) -> tuple[Chat, ForumTopic]:
        chat = self._forum(params)
        thread_id = params.get_int("message_thread_id")
        topic = chat.topics.get(thread_id or 0)
        if topic is None or topic.deleted:
            raise bad_request("message thread not found")
        own = topic.creator_id == self.world.bot.id and right == "can_manage_topics"
        if not (own or self._bot_can(chat, right)):
            raise bad_request("not enough rights to manage chat topics")
        return chat, topic

    def _topic_service(self, chat: Chat, thread_id: int, service: dict[str, Any]) -> None:
        self.world.add_message(
            chat, self.world.bot.id, service=service, thread_id=thread_id, is_topic_message=True
        )

    def _close_forum_topic(self, params: Params) -> bool:
        chat, topic = self._managed_topic(params)
        if topic.closed:
            raise bad_request("TOPIC_NOT_MODIFIED")
        topic.closed = True
        self._topic_service(chat, topic.message_thread_id, {"forum_topic_closed": {}})
        return True

    def _reopen_forum_topic(self, params: Params) -> bool:
        chat, topic = self._managed_topic(params)
        if not topic.closed:
            raise bad_request("TOPIC_NOT_MODIFIED")
        topic.closed = False
        self._topic_service(chat, topic.message_thread_id, {"forum_topic_reopened": {}})
        return True

    def _edit_forum_topic(self, params: Params) -> bool:
        chat, topic = self._managed_topic(params)
        edited: dict[str, Any] = {}
        name = params.get_str("name")
        if name is not None:
            if not name.strip() or len(name) > 128:
                raise bad_request("TOPIC_TITLE_EMPTY")
            edited["name"] = name
        emoji = params.get_str("icon_custom_emoji_id")
        if emoji is not None:
            edited["icon_custom_emoji_id"] = emoji
        if not edited or (
            edited.get("name", topic.name) == topic.name
            and edited.get("icon_custom_emoji_id", topic.icon_custom_emoji_id)
            == topic.icon_custom_emoji_id
        ):
            raise bad_request("TOPIC_NOT_MODIFIED")
        topic.name = edited.get("name", topic.name)
        topic.icon_custom_emoji_id = edited.get("icon_custom_emoji_id", topic.icon_custom_emoji_id)
        self._topic_service(chat, topic.message_thread_id, {"forum_topic_edited": edited})
        return True

    def _delete_forum_topic(self, params: Params) -> bool:
        chat, topic = self._managed_topic(params, "can_delete_messages")
        topic.deleted = True
        for message in chat.messages.values():
            if message.thread_id == topic.message_thread_id:
                message.deleted = True
        self.world.touch()
        return True

    # -- files -------------------------------------------------------------------------------

    def _get_file(self, params: Params) -> dict[str, Any]:
        file_id = params.get_str("file_id")
        if not file_id:
            raise bad_request("file_id is empty")
        stored = self.world.files.get(file_id)
        if stored is None:
            raise bad_request("wrong file_id or the file is temporarily unavailable")
        return stored.file_api()


def _snake(name: str) -> str:
    return "".join("_" + ch.lower() if ch.isupper() else ch for ch in name)


def _is_html(parse_mode: str | None) -> bool:
    return bool(parse_mode) and str(parse_mode).lower() == "html"


def _inline_only(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    """Edits accept only inline keyboards."""
    if markup is not None and "inline_keyboard" not in markup:
        raise bad_request("inline keyboard expected")
    return markup
