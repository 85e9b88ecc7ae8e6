"""Telegram's rules for message content, as the Bot API server applies them.

Owns: the HTML parse mode (a port of the tag/entity rules of TDLib's ``parse_html``, with its
error messages and UTF-8 byte offsets), entity derivation (offsets and lengths in UTF-16 code
units), trimming, text and caption length limits, inline keyboard rules (callback_data of 1..64
bytes, button URLs, at most 100 buttons), Web App rules (``web_app`` buttons and menu buttons:
an HTTPS URL, checked as TDLib's ``check_link`` does, and only in private chats), the
``menu_button`` parameter of setChatMenuButton, and bot command rules.

Must not: touch the world's state, know about HTTP, or accept anything Telegram would refuse.
Every refusal is an :class:`~bot.sandbox.errors.ApiError` with Telegram's description.

Theory of operation: ``parse_text(text, parse_mode, entities)`` turns what the bot sent into a
:class:`ParsedText` (plain text + entities) or raises "can't parse entities"; ``check_text`` and
``check_caption`` then apply the length rules to the *parsed* text, so markup does not count and
``&amp;`` counts as one character. ``parse_reply_markup`` checks a keyboard on its own (what the
Bot API server and TDLib check); ``check_markup_for_chat`` then applies what Telegram's servers
check against the chat (Web App buttons only in private chats).

Web App URLs: Telegram accepts only HTTPS ("... Web App URL 'http://x' is invalid: Only HTTPS
links are allowed"); the sandbox also accepts plain HTTP on loopback (``127.0.0.1``,
``localhost``), as ``check_webhook_url`` does, so local tests can serve a Mini App.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from bot.sandbox.errors import ApiError, bad_request

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER_LENGTH = 200
MAX_INLINE_BUTTONS = 100
MAX_COMMANDS = 100

ALLOWED_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "code",
        "pre",
        "tg-spoiler",
        "span",
        "blockquote",
        "tg-emoji",
    }
)

_SIMPLE_TAG_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "code": "code",
    "pre": "pre",
}

_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SPACES = frozenset(" \t\r\n\f\v\0")
_WHITESPACE_TO_TRIM = " \t\r\n\f\v\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost"})
_SECRET_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit Telegram uses for lengths and entity offsets."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def utf16_slice(text: str, offset: int, length: int) -> str:
    """The substring covered by an entity given in UTF-16 units."""
    encoded = text.encode("utf-16-le")
    return encoded[2 * offset : 2 * (offset + length)].decode("utf-16-le", errors="replace")


@dataclass(frozen=True)
class ParsedText:
    """Text as Telegram stores it: without markup, with entities in UTF-16 units."""

    text: str
    entities: tuple[dict[str, Any], ...] = field(default=())

    @property
    def length(self) -> int:
        return utf16_len(self.text)


def _parse_error(detail: str) -> ApiError:
    return bad_request(f"can't parse entities: {detail}")


def _decode_entity(src: str, pos: int) -> tuple[str, int] | None:
    """Decode an HTML entity starting at ``src[pos] == '&'``; return (char, new_pos) or None.

    Like TDLib: only &lt; &gt; &amp; &quot; and numeric entities; the semicolon is optional.
    """
    end = pos + 1
    n = len(src)
    if end < n and src[end] == "#":
        end += 1
        code = 0
        if end < n and src[end] in "xX":
            end += 1
            start = end
            while end < n and src[end] in "0123456789abcdefABCDEF":
                code = code * 16 + int(src[end], 16)
                end += 1
                if code >= 0x10FFFF:
                    return None
        else:
            start = end
            while end < n and src[end].isdigit() and src[end].isascii():
                code = code * 10 + int(src[end])
                end += 1
                if code >= 0x10FFFF:
                    return None
        if end == start or code == 0 or 0xD800 <= code <= 0xDFFF:
            return None
        char = chr(code)
    else:
        start = end
        while end < n and src[end].isascii() and src[end].isalpha():
            end += 1
        name = src[start:end]
        if name not in _NAMED_ENTITIES:
            return None
        char = _NAMED_ENTITIES[name]
    if end < n and src[end] == ";":
        end += 1
    return char, end


@dataclass
class _OpenTag:
    name: str
    argument: str
    offset: int  # UTF-16 offset in the output text
    language: str = ""


def parse_html(src: str) -> ParsedText:
    """Parse Telegram's HTML parse mode into plain text and entities.

    Raises ApiError "Bad Request: can't parse entities: ..." exactly where Telegram does:
    unsupported tags, unclosed or unmatched tags, bad attribute syntax.
    """
    out: list[str] = []
    out_len = 0  # UTF-16 length of the output so far
    stack: list[_OpenTag] = []
    entities: list[dict[str, Any]] = []
    n = len(src)
    i = 0

    def byte_offset(index: int) -> int:
        return len(src[:index].encode("utf-8"))

    def emit(chunk: str) -> None:
        nonlocal out_len
        out.append(chunk)
        out_len += utf16_len(chunk)

    while i < n:
        ch = src[i]
        if ch == "&":
            decoded = _decode_entity(src, i)
            if decoded is not None:
                emit(decoded[0])
                i = decoded[1]
            else:
                emit("&")
                i += 1
            continue
        if ch != "<":
            # Copy a run of plain characters at once.
            j = i + 1
            while j < n and src[j] not in "<&":
                j += 1
            emit(src[i:j])
            i = j
            continue

        begin = i
        if i + 1 < n and src[i + 1] == "/":
            # An end tag.
            i += 2
            name_start = i
            while i < n and src[i] != ">":
                i += 1
            if i >= n:
                raise _parse_error(f"Unclosed end tag at byte offset {byte_offset(begin)}")
            end_name = src[name_start:i].strip(" \t\r\n").lower()
            i += 1
            if not stack:
                raise _parse_error(f"Unexpected end tag at byte offset {byte_offset(begin)}")
            top = stack[-1]
            if end_name and end_name != top.name:
                raise _parse_error(
                    f"Unmatched end tag at byte offset {byte_offset(begin)}, "
                    f'expected "</{top.name}>", found "</{end_name}>"'
                )
            stack.pop()
            _close_entity(top, out_len, stack, entities)
            continue

        # A start tag.
        i += 1
        name_start = i
        while i < n and src[i] not in _SPACES and src[i] != ">":
            i += 1
        if i >= n:
            raise _parse_error(f"Unclosed start tag at byte offset {byte_offset(begin)}")
        tag = src[name_start:i].lower()
        if tag not in ALLOWED_TAGS:
            raise _parse_error(f'Unsupported start tag "{tag}" at byte offset {byte_offset(begin)}')
        argument = ""
        while True:
            while i < n and src[i] in _SPACES:
                i += 1
            if i >= n:
                raise _parse_error(f"Unclosed start tag at byte offset {byte_offset(begin)}")
            if src[i] == ">":
                break
            attr_start = i
            while i < n and src[i] not in _SPACES and src[i] not in "=>":
                i += 1
            attr_name = src[attr_start:i].lower()
            if not attr_name:
                raise _parse_error(
                    f'Empty attribute name in the tag "{tag}" at byte offset {byte_offset(begin)}'
                )
            while i < n and src[i] in _SPACES:
                i += 1
            if i >= n or src[i] != "=":
                if tag == "blockquote" and attr_name == "expandable":
                    argument = "expandable"
                    continue
                raise _parse_error(
                    f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                    f"at byte offset {byte_offset(begin)}"
                )
            i += 1
            while i < n and src[i] in _SPACES:
                i += 1
            if i >= n:
                raise _parse_error(f"Unclosed start tag at byte offset {byte_offset(begin)}")
            if src[i] not in "'\"":
                token_start = i
                while i < n and ((src[i].isascii() and src[i].isalnum()) or src[i] in ".-"):
                    i += 1
                value = src[token_start:i].lower()
                if i >= n or (src[i] not in _SPACES and src[i] != ">"):
                    raise _parse_error(
                        f"Unexpected end of name token at byte offset {byte_offset(token_start)}"
                    )
            else:
                quote = src[i]
                i += 1
                chars: list[str] = []
                while i < n and src[i] != quote:
                    if src[i] == "&":
                        decoded = _decode_entity(src, i)
                        if decoded is not None:
                            chars.append(decoded[0])
                            i = decoded[1]
                            continue
                    chars.append(src[i])
                    i += 1
                if i >= n:
                    raise _parse_error(f"Unclosed start tag at byte offset {byte_offset(begin)}")
                i += 1
                value = "".join(chars)
            if (
                (tag == "a" and attr_name == "href")
                or (tag == "code" and attr_name == "class" and value.startswith("language-"))
                or (tag == "span" and attr_name == "class" and value.startswith("tg-"))
                or (tag == "tg-emoji" and attr_name == "emoji-id")
            ):
                argument = value.removeprefix("language-") if tag == "code" else value
            elif tag == "blockquote" and attr_name == "expandable":
                argument = "expandable"
        i += 1  # the ">"
        if tag == "span" and argument != "tg-spoiler":
            raise _parse_error(
                f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset(begin)}'
            )
        if tag == "tg-emoji" and not argument.isdigit():
            raise _parse_error(
                f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {byte_offset(begin)}'
            )
        stack.append(_OpenTag(tag, argument, out_len))

    if stack:
        raise _parse_error(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return ParsedText("".join(out), tuple(entities))


def _close_entity(
    tag: _OpenTag, end: int, stack: list[_OpenTag], entities: list[dict[str, Any]]
) -> None:
    length = end - tag.offset
    if tag.name == "code" and tag.argument and stack and stack[-1].name == "pre":
        # <pre><code class="language-x"> sets the language of the enclosing pre.
        stack[-1].language = tag.argument
        return
    if length <= 0:
        return
    entity: dict[str, Any] = {"offset": tag.offset, "length": length}
    if tag.name == "a":
        url = tag.argument
        if not url or not _is_valid_link(url):
            return
        entity["type"] = "text_link"
        entity["url"] = url
    elif tag.name == "blockquote":
        entity["type"] = "expandable_blockquote" if tag.argument else "blockquote"
    elif tag.name == "tg-emoji":
        entity["type"] = "custom_emoji"
        entity["custom_emoji_id"] = tag.argument
    else:
        entity["type"] = _SIMPLE_TAG_TYPES[tag.name]
        if tag.name == "pre" and tag.language:
            entity["language"] = tag.language
    entities.append(entity)


def _is_valid_link(url: str) -> bool:
    if url.startswith("tg://"):
        return True
    try:
        parts = urlsplit(url if "://" in url else f"http://{url}")
        host = parts.hostname
    except ValueError:
        return False
    return parts.scheme in {"http", "https"} and bool(host)


_ENTITY_TAGS = {
    "bold": "b",
    "italic": "i",
    "underline": "u",
    "strikethrough": "s",
    "spoiler": "tg-spoiler",
    "code": "code",
    "blockquote": "blockquote",
}


def entities_to_html(text: str, entities: Sequence[dict[str, Any]]) -> str:
    """Render text + entities back to Telegram HTML (for transcripts of non-HTML messages).

    Entities without an HTML form (bot_command, url, mention, ...) are left as plain text.
    """
    units = text.encode("utf-16-le")
    opens: dict[int, list[tuple[int, str, str]]] = {}
    for entity in entities:
        kind = entity.get("type")
        offset, length = int(entity["offset"]), int(entity["length"])
        if kind in _ENTITY_TAGS:
            tag = _ENTITY_TAGS[kind]
            start, end = f"<{tag}>", f"</{tag}>"
        elif kind == "pre":
            language = entity.get("language")
            if language:
                start = f'<pre><code class="language-{html.escape(language)}">'
                end = "</code></pre>"
            else:
                start, end = "<pre>", "</pre>"
        elif kind == "text_link":
            start, end = f'<a href="{html.escape(str(entity.get("url", "")))}">', "</a>"
        elif kind == "expandable_blockquote":
            start, end = "<blockquote expandable>", "</blockquote>"
        elif kind == "custom_emoji":
            emoji_id = html.escape(str(entity.get("custom_emoji_id", "")))
            start, end = f'<tg-emoji emoji-id="{emoji_id}">', "</tg-emoji>"
        else:
            continue
        opens.setdefault(offset, []).append((offset + length, start, end))
    out: list[str] = []
    stack: list[tuple[int, str]] = []  # (end offset, closing tag)
    total = len(units) // 2
    position = 0
    while position <= total:
        while stack and stack[-1][0] <= position:
            out.append(stack.pop()[1])
        for close_at, start_tag, end_tag in sorted(opens.get(position, []), key=lambda e: -e[0]):
            out.append(start_tag)
            stack.append((close_at, end_tag))
        if position == total:
            break
        boundaries = [total, *(e for e, _ in stack)]
        boundaries += [o for o in opens if o > position]
        following = min(b for b in boundaries if b > position)
        chunk = units[2 * position : 2 * following].decode("utf-16-le", errors="replace")
        out.append(html.escape(chunk, quote=False))
        position = following
    while stack:
        out.append(stack.pop()[1])
    return "".join(out)


def _trim(parsed: ParsedText) -> ParsedText:
    """Strip leading/trailing whitespace like Telegram, keeping entities aligned."""
    stripped = parsed.text.strip(_WHITESPACE_TO_TRIM)
    if stripped == parsed.text:
        return parsed
    lead = utf16_len(parsed.text[: len(parsed.text) - len(parsed.text.lstrip(_WHITESPACE_TO_TRIM))])
    new_len = utf16_len(stripped)
    entities: list[dict[str, Any]] = []
    for entity in parsed.entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, new_len)
        if end > start:
            entities.append({**entity, "offset": start, "length": end - start})
    return ParsedText(stripped, tuple(entities))


def parse_entities_param(raw: Any) -> tuple[dict[str, Any], ...]:
    """Validate an explicit ``entities``/``caption_entities`` parameter (JSON array)."""
    if raw is None:
        return ()
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            raise bad_request("can't parse entities JSON object") from exc
    if not isinstance(raw, list):
        raise bad_request('field "entities" must be of type Array')
    result: list[dict[str, Any]] = []
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("type"), str):
            raise bad_request('can\'t parse MessageEntity: Field "type" must be of type String')
        if not isinstance(item.get("offset"), int) or not isinstance(item.get("length"), int):
            raise bad_request('can\'t parse MessageEntity: Field "offset" must be of type Number')
        result.append(dict(item))
    return tuple(result)


def parse_text(text: str, parse_mode: str | None, entities: Any = None) -> ParsedText:
    """Turn what a bot sent (text + parse_mode or explicit entities) into stored text."""
    if parse_mode:
        mode = parse_mode.lower()
        if mode == "html":
            parsed = parse_html(text)
        elif mode in {"markdown", "markdownv2"}:
            raise bad_request(
                "can't parse entities: the sandbox implements only the HTML parse mode"
            )
        else:
            raise bad_request("unsupported parse_mode")
    else:
        parsed = ParsedText(text, parse_entities_param(entities))
    return _trim(parsed)


def check_text(parsed: ParsedText) -> None:
    """Message text: 1..4096 UTF-16 units after entity parsing and trimming."""
    if not parsed.text:
        raise bad_request("message text is empty")
    if parsed.length > MAX_TEXT_LENGTH:
        raise bad_request("message is too long")


def check_caption(parsed: ParsedText) -> None:
    """Captions: at most 1024 UTF-16 units after entity parsing; empty is allowed."""
    if parsed.length > MAX_CAPTION_LENGTH:
        raise bad_request("message caption is too long")


def check_callback_data(data: Any) -> None:
    """callback_data must be a string of 1..64 bytes in UTF-8."""
    if not isinstance(data, str):
        raise bad_request(
            'can\'t parse inline keyboard button: Field "callback_data" must be of type String'
        )
    size = len(data.encode("utf-8"))
    if size < 1 or size > MAX_CALLBACK_DATA_BYTES:
        raise bad_request("BUTTON_DATA_INVALID")


def check_button_url(url: Any) -> None:
    """URL buttons accept http(s) and tg:// URLs with a real host."""
    if not isinstance(url, str):
        raise bad_request('can\'t parse inline keyboard button: Field "url" must be of type String')
    if url.startswith("tg://"):
        return
    try:
        parts = urlsplit(url if "://" in url else f"http://{url}")
        host = parts.hostname
    except ValueError:
        host = None
        parts = None
    if parts is None or parts.scheme not in {"http", "https"} or not host:
        raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")
    if host in {"localhost", "127.0.0.1"} or "." not in host:
        raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")


_BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "web_app",
    "callback_game",
    "pay",
)


def parse_reply_markup(raw: Any) -> dict[str, Any] | None:
    """Parse and validate ``reply_markup`` (a JSON string inside form fields, or an object)."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            raise bad_request("can't parse reply keyboard markup JSON object") from exc
    if not isinstance(raw, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in raw:
        return {"inline_keyboard": _check_inline_keyboard(raw["inline_keyboard"])}
    if "keyboard" in raw:
        rows = raw["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request('field "keyboard" must be of type Array')
        for row in rows:
            for button in row:
                if isinstance(button, dict) and "web_app" in button:
                    _check_web_app_field(button["web_app"], "keyboard button")
        return dict(raw)
    if raw.get("remove_keyboard") is True or raw.get("force_reply") is True:
        return dict(raw)
    raise bad_request('can\'t find field "inline_keyboard"')


def _check_inline_keyboard(rows: Any) -> list[list[dict[str, Any]]]:
    if not isinstance(rows, list):
        raise bad_request('field "inline_keyboard" must be of type Array')
    result: list[list[dict[str, Any]]] = []
    count = 0
    for row in rows:
        if not isinstance(row, list):
            raise bad_request('field "inline_keyboard" must be an Array of Arrays')
        checked_row: list[dict[str, Any]] = []
        for button in row:
            if not isinstance(button, dict):
                raise bad_request("can't parse inline keyboard button: Object expected")
            if not isinstance(button.get("text"), str):
                raise bad_request(
                    'can\'t parse inline keyboard button: Field "text" must be of type String'
                )
            actions = [key for key in _BUTTON_ACTIONS if key in button]
            if not actions:
                raise bad_request(
                    "can't parse inline keyboard button: "
                    "Text buttons are unallowed in the inline keyboard"
                )
            if "callback_data" in button:
                check_callback_data(button["callback_data"])
            if "url" in button:
                check_button_url(button["url"])
            if "web_app" in button:
                _check_web_app_field(button["web_app"], "inline keyboard button")
            checked_row.append(dict(button))
            count += 1
        result.append(checked_row)
    if count > MAX_INLINE_BUTTONS:
        raise bad_request("reply markup is too long")
    return result


def check_commands(raw: Any) -> list[dict[str, str]]:
    """setMyCommands: 0..100 commands, names 1..32 of [a-z0-9_], descriptions 1..256 chars."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            raise bad_request("can't parse commands JSON object") from exc
    if not isinstance(raw, list):
        raise bad_request('field "commands" must be of type Array')
    if len(raw) > MAX_COMMANDS:
        raise bad_request("too many commands specified")
    commands: list[dict[str, str]] = []
    for item in raw:
        if not isinstance(item, dict):
            raise bad_request("can't parse BotCommand: Object expected")
        command = item.get("command")
        description = item.get("description")
        if not isinstance(command, str) or not _COMMAND_RE.match(command):
            raise bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= len(description) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        commands.append({"command": command, "description": description})
    return commands


def check_secret_token(token: str) -> None:
    """Webhook secret tokens: 1..256 of A-Z a-z 0-9 _ -."""
    if not _SECRET_TOKEN_RE.match(token):
        raise bad_request("secret token contains unallowed characters")


def check_webhook_url(url: str) -> None:
    """Telegram wants HTTPS; the sandbox also accepts plain HTTP on loopback for local tests."""
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise bad_request("bad webhook: Failed to resolve host: Name or service not known") from exc
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS:
        return
    raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")


# -- Web Apps ------------------------------------------------------------------------------------


def _link_problem(url: str) -> str | None:
    """Why TDLib's ``check_link(url, http_only=true, https_only=true)`` refuses a URL, or None.

    Like TDLib, a URL without a scheme is read as ``http://...``; tg:// links are not HTTPS.
    The sandbox's one allowance: plain HTTP to a loopback host.
    """
    lowered = url.lower()
    if lowered.startswith(("tg:", "ton:", "tonsite:")):
        return "Only HTTPS links are allowed"
    target = url if "://" in url else f"http://{url}"
    try:
        parts = urlsplit(target)
        scheme = parts.scheme.lower()
        if scheme not in {"http", "https"}:
            return "Unsupported URL protocol"
        host = parts.hostname
        if not host:
            return "URL host is empty"
        _ = parts.port  # raises ValueError for a port out of range or not a number
    except ValueError:
        return "Wrong port number specified in the URL"
    if scheme == "http" and host not in LOOPBACK_HOSTS:
        return "Only HTTPS links are allowed"
    return None


def check_web_app_url(url: str, what: str) -> None:
    """A Web App URL (``what``: "inline keyboard button", "keyboard button", "menu button").

    TDLib's words when the link is not HTTPS or not a URL; then Telegram's server's
    BUTTON_URL_INVALID for a host it does not take for a public one, which the sandbox models
    as a host without a dot (loopback excepted, for local tests).
    """
    problem = _link_problem(url)
    if problem is not None:
        raise bad_request(f"{what} Web App URL '{url}' is invalid: {problem}")
    host = urlsplit(url if "://" in url else f"http://{url}").hostname or ""
    if "." not in host and host not in LOOPBACK_HOSTS:
        raise bad_request("BUTTON_URL_INVALID")


def _check_web_app_field(web_app: Any, what: str) -> None:
    """The ``web_app`` object of a button: ``{"url": "<https URL>"}`` (WebAppInfo)."""
    if not isinstance(web_app, dict):
        raise bad_request(f'can\'t parse {what}: Field "web_app" must be of type Object')
    url = web_app.get("url")
    if url is None:
        raise bad_request(f"can't parse {what}: Can't find field \"url\"")
    if not isinstance(url, str):
        raise bad_request(f'can\'t parse {what}: Field "url" must be of type String')
    check_web_app_url(url, what)


def web_app_url_of(button: dict[str, Any]) -> str | None:
    """The URL a ``web_app`` button opens, or None for any other button."""
    web_app = button.get("web_app")
    if isinstance(web_app, dict) and isinstance(web_app.get("url"), str):
        return str(web_app["url"])
    return None


def check_markup_for_chat(markup: dict[str, Any] | None, chat_type: str) -> None:
    """What Telegram checks of a keyboard against its chat: Web App buttons in private chats only.

    An inline ``web_app`` button elsewhere is refused by Telegram's server (BUTTON_TYPE_INVALID);
    a reply keyboard's by TDLib, whose message the Bot API lower-cases to "web App buttons ...".
    """
    if markup is None or chat_type == "private":
        return
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if "web_app" in button:
                raise bad_request("BUTTON_TYPE_INVALID")
    for row in markup.get("keyboard", []):
        for button in row:
            if isinstance(button, dict) and "web_app" in button:
                raise bad_request("web App buttons can be used in private chats only")


def parse_menu_button(raw: Any) -> dict[str, Any]:
    """setChatMenuButton's ``menu_button``: a MenuButton as stored (absent means "default").

    The Bot API server's parse errors ("can't parse menu button: ..."), then TDLib's checks of
    a web_app button (non-empty text, an HTTPS URL).
    """
    if raw is None or raw == "":
        return {"type": "default"}
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            raise bad_request("can't parse menu button JSON object") from exc
    prefix = "can't parse menu button: "
    if not isinstance(raw, dict):
        raise bad_request(prefix + "MenuButton must be an Object")
    kind = raw.get("type")
    if kind is None:
        raise bad_request(prefix + 'Can\'t find field "type"')
    if not isinstance(kind, str):
        raise bad_request(prefix + 'Field "type" must be of type String')
    if kind in ("default", "commands"):
        return {"type": kind}
    if kind != "web_app":
        raise bad_request(prefix + "MenuButton has unsupported type")
    text = raw.get("text")
    if text is None:
        raise bad_request(prefix + 'Can\'t find field "text"')
    if not isinstance(text, str):
        raise bad_request(prefix + 'Field "text" must be of type String')
    web_app = raw.get("web_app")
    if web_app is None:
        raise bad_request(prefix + 'Can\'t find field "web_app"')
    if not isinstance(web_app, dict):
        raise bad_request(prefix + 'Field "web_app" must be of type Object')
    url = web_app.get("url")
    if url is None:
        raise bad_request(prefix + 'Can\'t find field "url"')
    if not isinstance(url, str):
        raise bad_request(prefix + 'Field "url" must be of type String')
    if not text:
        raise bad_request("menu button text must be non-empty")
    check_web_app_url(url, "menu button")
    return {"type": "web_app", "text": text, "web_app": {"url": url}}
