"""Web Apps in the sandbox: web_app buttons, the menu button, opening a Mini App as a person,
the signed initData (checked here against Telegram's documented algorithm, written out again),
and the telegram-web-app.js stand-in."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    MenuButtonCommands,
    MenuButtonDefault,
    MenuButtonWebApp,
    ReplyKeyboardMarkup,
    WebAppInfo,
)
from telegram.error import BadRequest

from bot.sandbox import DARK_THEME, LIGHT_THEME, Sandbox, SandboxError, web_app_script
from bot.sandbox.errors import ApiError
from bot.sandbox.validation import check_web_app_url, parse_menu_button, parse_reply_markup
from bot.sandbox.web_app import init_data_hash, launch_url

BOARD = "https://board.example.org/board?s=7"


def web_app_keyboard(*buttons: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, web_app=WebAppInfo(url)) for text, url in buttons]]
    )


def telegram_hash(fields: dict[str, str], token: str) -> str:
    """Telegram's documented check, written out independently of the sandbox's signer:
    secret_key = HMAC_SHA256(key="WebAppData", msg=token); data_check_string = the fields but
    hash, key=value, sorted, joined by newlines; hash = hex(HMAC_SHA256(secret_key, dcs))."""
    secret_key = hmac.new(key=b"WebAppData", msg=token.encode(), digestmod=hashlib.sha256)
    data_check_string = "\n".join(f"{k}={fields[k]}" for k in sorted(fields) if k != "hash")
    return hmac.new(
        key=secret_key.digest(), msg=data_check_string.encode(), digestmod=hashlib.sha256
    ).hexdigest()


def is_signed_by(init_data: str, token: str) -> bool:
    fields = dict(parse_qsl(init_data, keep_blank_values=True, strict_parsing=True))
    return hmac.compare_digest(telegram_hash(fields, token), fields.get("hash", ""))


def opened(url: str) -> tuple[str, dict[str, str]]:
    """The URL a client opened, split into (the page without fragment, the tgWebApp params)."""
    page, _, fragment = url.partition("#")
    return page, dict(parse_qsl(fragment, keep_blank_values=True, strict_parsing=True))


def api_error(func: Any, *args: Any) -> str:
    with pytest.raises(ApiError) as info:
        func(*args)
    assert info.value.error_code == 400
    return info.value.description


# -- web_app buttons through PTB -----------------------------------------------------------------


async def test_a_web_app_button_opens_with_signed_init_data(sandbox: Sandbox, bot: Bot) -> None:
    alice = sandbox.add_user("Alice", "Ørsted", username="alice", language_code="nl", started=True)
    sent = await bot.send_message(
        alice.id, "Sort on the board", reply_markup=web_app_keyboard(("Open the board", BOARD))
    )
    assert sent.reply_markup is not None
    assert sent.reply_markup.inline_keyboard[0][0].web_app == WebAppInfo(BOARD)
    line = sandbox.last_bot_message(alice.private_chat)
    assert line is not None and line.buttons[0][0].web_app_url == BOARD
    assert line.to_dict()["buttons"] == [
        [{"text": "Open the board", "callback_data": None, "url": None, "web_app_url": BOARD}]
    ]

    before = int(time.time())
    url = await alice.open_web_app(line)
    page, params = opened(url)
    assert page == BOARD
    assert list(params) == [
        "tgWebAppData",
        "tgWebAppVersion",
        "tgWebAppPlatform",
        "tgWebAppThemeParams",
    ]
    assert (params["tgWebAppVersion"], params["tgWebAppPlatform"]) == ("8.0", "tdesktop")
    assert json.loads(params["tgWebAppThemeParams"]) == dict(LIGHT_THEME)

    init_data = params["tgWebAppData"]
    assert is_signed_by(init_data, sandbox.token)
    assert not is_signed_by(init_data, "654321:OTHER-token")
    fields = dict(parse_qsl(init_data))
    assert list(fields) == [
        "query_id",
        "user",
        "chat_instance",
        "chat_type",
        "auth_date",
        "hash",
    ]
    assert json.loads(fields["user"]) == {
        "id": alice.id,
        "first_name": "Alice",
        "last_name": "Ørsted",
        "username": "alice",
        "language_code": "nl",
        "allows_write_to_pm": True,
    }
    assert fields["chat_type"] == "private"
    assert before <= int(fields["auth_date"]) <= int(time.time())
    assert "%20" not in init_data and "+" not in init_data  # nothing here has a space
    launch = sandbox.web_app_launches[-1]
    assert (launch.query_id, launch.user_id, launch.url, launch.source, launch.message_id) == (
        fields["query_id"],
        alice.id,
        BOARD,
        "inline_button",
        sent.message_id,
    )
    assert len(fields["query_id"]) == 24

    # Changing any field breaks the hash, so a bot that checks it sees the forgery.
    forged = init_data.replace(f"%22id%22%3A{alice.id}", "%22id%22%3A1")
    assert forged != init_data and not is_signed_by(forged, sandbox.token)
    assert sandbox.pending_updates == []  # opening a Mini App tells the bot nothing


def test_the_signer_agrees_with_a_published_test_vector() -> None:
    # aiogram's test of its check_webapp_signature: token "42:TEST", these fields, this hash.
    fields = {
        "auth_date": "1650385342",
        "user": '{"id":42,"first_name":"Test"}',
        "query_id": "test",
    }
    expected = "46d2ea5e32911ec8d30999b56247654460c0d20949b6277af519e76271182803"
    assert init_data_hash(fields, "42:TEST") == expected == telegram_hash(fields, "42:TEST")


async def test_dark_theme_auth_date_and_start_param(sandbox: Sandbox, bot: Bot) -> None:
    alice = sandbox.add_user("Alice", started=True)
    await bot.send_message(alice.id, "x", reply_markup=web_app_keyboard(("Open", BOARD)))
    url = await alice.open_web_app(theme="dark", auth_date=1_700_000_000, start_param="s_7-x")
    page, params = opened(url)
    assert page == BOARD + "&tgWebAppStartParam=s_7-x"
    theme = json.loads(params["tgWebAppThemeParams"])
    assert theme == dict(DARK_THEME) and theme["bg_color"] == "#17212b"
    fields = dict(parse_qsl(params["tgWebAppData"]))
    assert (fields["auth_date"], fields["start_param"]) == ("1700000000", "s_7-x")
    assert is_signed_by(params["tgWebAppData"], sandbox.token)
    custom = await alice.open_web_app(theme={"bg_color": "#101010", "text_color": "#eeeeee"})
    assert json.loads(opened(custom)[1]["tgWebAppThemeParams"]) == {
        "bg_color": "#101010",
        "text_color": "#eeeeee",
    }
    launches = len(sandbox.web_app_launches)
    with pytest.raises(SandboxError, match="start_param"):
        await alice.open_web_app(start_param="no spaces")
    with pytest.raises(SandboxError, match="theme"):
        await alice.open_web_app(theme="sepia")  # type: ignore[arg-type]
    with pytest.raises(SandboxError, match="#rrggbb"):
        await alice.open_web_app(theme={"bg_color": "white"})
    assert len(sandbox.web_app_launches) == launches


async def test_init_data_for_calling_the_bots_api_directly(sandbox: Sandbox) -> None:
    bob = sandbox.add_user("Bob")
    init_data = bob.web_app_init_data(auth_date=1_700_000_123)
    assert is_signed_by(init_data, sandbox.token)
    fields = dict(parse_qsl(init_data))
    assert json.loads(fields["user"]) == {
        "id": bob.id,
        "first_name": "Bob",
        "allows_write_to_pm": True,
    }
    assert fields["auth_date"] == "1700000123"
    assert sandbox.web_app_launches[-1].source == "init_data"
    assert bob.web_app_init_data() != init_data  # a fresh query id each time


async def test_a_web_app_button_is_refused_outside_private_chats(
    sandbox: Sandbox, bot: Bot
) -> None:
    alice = sandbox.add_user("Alice")
    group = sandbox.add_group("Plenary", members=[alice])
    forum = sandbox.add_group("Forum", forum=True, bot_can_manage_topics=True)
    for chat in (group, forum):
        with pytest.raises(BadRequest, match=r"^Button_type_invalid$"):
            await bot.send_message(chat.id, "x", reply_markup=web_app_keyboard(("Open", BOARD)))
    assert sandbox.failed_calls[-1].description == "Bad Request: BUTTON_TYPE_INVALID"
    sent = await bot.send_message(group.id, "plain")
    with pytest.raises(BadRequest, match=r"^Button_type_invalid$"):
        await bot.edit_message_text(
            "x", group.id, sent.message_id, reply_markup=web_app_keyboard(("Open", BOARD))
        )
    with pytest.raises(BadRequest, match=r"^Button_type_invalid$"):
        await bot.edit_message_reply_markup(
            group.id, sent.message_id, reply_markup=web_app_keyboard(("Open", BOARD))
        )
    reply_keyboard = ReplyKeyboardMarkup([[KeyboardButton("Open", web_app=WebAppInfo(BOARD))]])
    with pytest.raises(BadRequest, match="can be used in private chats only"):
        await bot.send_message(group.id, "x", reply_markup=reply_keyboard)
    assert [m.text for m in group.transcript()] == ["plain"]
    assert group.transcript()[0].edit_count == 0


async def test_web_app_urls_must_be_https(sandbox: Sandbox, bot: Bot) -> None:
    alice = sandbox.add_user("Alice", started=True)
    with pytest.raises(BadRequest, match=r"(?i)only https links are allowed"):
        await bot.send_message(
            alice.id, "x", reply_markup=web_app_keyboard(("Open", "http://board.example.org/"))
        )
    assert sandbox.failed_calls[-1].description == (
        "Bad Request: inline keyboard button Web App URL 'http://board.example.org/' is "
        "invalid: Only HTTPS links are allowed"
    )
    # The sandbox's allowance for local tests: plain HTTP on loopback.
    for local in ("http://127.0.0.1:8080/board?s=1", "http://localhost:8080/board"):
        await bot.send_message(alice.id, "x", reply_markup=web_app_keyboard(("Open", local)))
        assert opened(await alice.open_web_app(button_text="Open"))[0] == local
    assert [m.text for m in alice.private_chat.transcript()] == ["x", "x"]


def test_web_app_url_rules() -> None:
    def markup(web_app: Any) -> dict[str, Any]:
        return {"inline_keyboard": [[{"text": "A", "web_app": web_app}]]}

    prefix = "Bad Request: inline keyboard button Web App URL"
    cases = {
        "http://example.org": f"{prefix} 'http://example.org' is invalid: Only HTTPS links are "
        "allowed",
        "example.org": f"{prefix} 'example.org' is invalid: Only HTTPS links are allowed",
        "tg://resolve?domain=x": f"{prefix} 'tg://resolve?domain=x' is invalid: Only HTTPS "
        "links are allowed",
        "ftp://example.org": f"{prefix} 'ftp://example.org' is invalid: Unsupported URL protocol",
        "https://": f"{prefix} 'https://' is invalid: URL host is empty",
        "https://example.org:99999/": f"{prefix} 'https://example.org:99999/' is invalid: "
        "Wrong port number specified in the URL",
        "https://intranet/app": "Bad Request: BUTTON_URL_INVALID",
    }
    for url, description in cases.items():
        assert api_error(parse_reply_markup, markup({"url": url})) == description, url
    assert api_error(parse_reply_markup, markup("https://example.org")) == (
        'Bad Request: can\'t parse inline keyboard button: Field "web_app" must be of type Object'
    )
    assert api_error(parse_reply_markup, markup({})) == (
        "Bad Request: can't parse inline keyboard button: Can't find field \"url\""
    )
    assert api_error(parse_reply_markup, markup({"url": 7})) == (
        'Bad Request: can\'t parse inline keyboard button: Field "url" must be of type String'
    )
    for fine in ("https://example.org/a?b=c#d", "https://127.0.0.1:9/", "http://localhost/"):
        check_web_app_url(fine, "inline keyboard button")
    keyboard = {"keyboard": [[{"text": "A", "web_app": {"url": "http://example.org"}}]]}
    assert api_error(parse_reply_markup, keyboard) == (
        "Bad Request: keyboard button Web App URL 'http://example.org' is invalid: "
        "Only HTTPS links are allowed"
    )


async def test_open_web_app_refuses_buttons_that_are_not_there(sandbox: Sandbox, bot: Bot) -> None:
    alice = sandbox.add_user("Alice", started=True)
    bob = sandbox.add_user("Bob", started=True)
    with pytest.raises(SandboxError, match="no bot message"):
        await alice.open_web_app()
    plain = await bot.send_message(
        alice.id,
        "no app",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="y")]]),
    )
    with pytest.raises(SandboxError, match="has no web_app button"):
        await alice.open_web_app(plain.message_id)
    two = await bot.send_message(
        alice.id, "two", reply_markup=web_app_keyboard(("Board", BOARD), ("Chart", BOARD))
    )
    with pytest.raises(SandboxError, match="several web_app buttons"):
        await alice.open_web_app(two.message_id)
    with pytest.raises(SandboxError, match="has no web_app button 'Map'"):
        await alice.open_web_app(two.message_id, "Map")
    assert opened(await alice.open_web_app(two.message_id, "Chart"))[0] == BOARD
    with pytest.raises(SandboxError, match="someone else's private chat"):
        await bob.open_web_app(sandbox.message(alice.private_chat, two.message_id))
    with pytest.raises(SandboxError, match="no message"):
        await bob.open_web_app(two.message_id)  # not in Bob's chat
    await bot.edit_message_reply_markup(alice.id, two.message_id, reply_markup=None)
    with pytest.raises(SandboxError, match="has no web_app button"):
        await alice.open_web_app(two.message_id, "Chart")
    await bot.delete_message(alice.id, plain.message_id)
    with pytest.raises(SandboxError, match="no message"):
        await alice.open_web_app(plain.message_id)
    group = sandbox.add_group("Plenary", members=[alice])
    said = await alice.send_text(group, "hello")
    with pytest.raises(SandboxError, match="only in private chats"):
        await alice.open_web_app(said)


def test_launch_url_adds_to_an_existing_fragment_as_clients_do() -> None:
    data = "query_id=q&hash=h"
    for url, page, joined in (
        ("https://x.org/app", "https://x.org/app", "#tgWebAppData="),
        ("https://x.org/app#", "https://x.org/app", "#tgWebAppData="),
        ("https://x.org/#/board", "https://x.org/", "#/board?tgWebAppData="),
        ("https://x.org/#tab=2", "https://x.org/", "#tab=2&tgWebAppData="),
    ):
        made = launch_url(url, data, "light")
        assert made.startswith(page + joined), made
        assert made.split("tgWebAppData=")[1].startswith("query_id%3Dq%26hash%3Dh&")


# -- the menu button ------------------------------------------------------------------------------


async def test_menu_button_round_trips_through_ptb(sandbox: Sandbox, bot: Bot) -> None:
    alice = sandbox.add_user("Alice", started=True)
    bob = sandbox.add_user("Bob", started=True)
    assert await bot.get_chat_menu_button() == MenuButtonCommands()
    assert await bot.get_chat_menu_button(alice.id) == MenuButtonDefault()
    with pytest.raises(SandboxError, match="'commands', not a Web App"):
        await alice.open_menu_web_app()

    board = MenuButtonWebApp("Board", WebAppInfo(BOARD))
    assert await bot.set_chat_menu_button(menu_button=board)
    assert await bot.get_chat_menu_button() == board
    assert await bot.set_chat_menu_button(alice.id, MenuButtonCommands())
    assert await bot.get_chat_menu_button(alice.id) == MenuButtonCommands()
    assert await bot.get_chat_menu_button(bob.id) == MenuButtonDefault()
    assert sandbox.menu_button() == {"type": "web_app", "text": "Board", "web_app": {"url": BOARD}}
    assert sandbox.menu_button(alice) == {"type": "commands"}
    assert sandbox.effective_menu_button(bob) == sandbox.menu_button()

    page, params = opened(await bob.open_menu_web_app(theme="dark"))
    assert page == BOARD and is_signed_by(params["tgWebAppData"], sandbox.token)
    assert sandbox.web_app_launches[-1].source == "menu_button"
    with pytest.raises(SandboxError, match="'commands', not a Web App"):
        await alice.open_menu_web_app()

    # "default" for a chat drops its own button; for all chats it changes nothing (Telegram).
    assert await bot.set_chat_menu_button(alice.id)
    assert await bot.get_chat_menu_button(alice.id) == MenuButtonDefault()
    assert sandbox.effective_menu_button(alice)["type"] == "web_app"
    assert await bot.set_chat_menu_button(menu_button=MenuButtonDefault())
    assert await bot.get_chat_menu_button() == board


async def test_menu_button_rules(sandbox: Sandbox, bot: Bot) -> None:
    alice = sandbox.add_user("Alice", started=True)
    group = sandbox.add_group("Plenary", members=[alice])
    with pytest.raises(BadRequest, match=r"(?i)only https links are allowed"):
        await bot.set_chat_menu_button(
            menu_button=MenuButtonWebApp("Board", WebAppInfo("http://board.example.org/"))
        )
    assert sandbox.failed_calls[-1].description == (
        "Bad Request: menu button Web App URL 'http://board.example.org/' is invalid: "
        "Only HTTPS links are allowed"
    )
    with pytest.raises(BadRequest, match=r"^Invalid chat_id specified$"):
        await bot.set_chat_menu_button(group.id, MenuButtonCommands())
    with pytest.raises(BadRequest, match=r"^Invalid chat_id specified$"):
        await bot.get_chat_menu_button(group.id)
    with pytest.raises(BadRequest, match=r"^User not found$"):
        await bot.get_chat_menu_button(999)
    assert sandbox.menu_button() == {"type": "commands"}

    def error(raw: Any) -> str:
        return api_error(parse_menu_button, raw)

    assert error("{") == "Bad Request: can't parse menu button JSON object"
    assert error("[]") == "Bad Request: can't parse menu button: MenuButton must be an Object"
    assert error({"type": "app"}) == (
        "Bad Request: can't parse menu button: MenuButton has unsupported type"
    )
    assert error({"text": "x"}) == "Bad Request: can't parse menu button: Can't find field \"type\""
    assert error({"type": "web_app", "web_app": {"url": BOARD}}) == (
        "Bad Request: can't parse menu button: Can't find field \"text\""
    )
    assert error({"type": "web_app", "text": "Go", "web_app": {}}) == (
        "Bad Request: can't parse menu button: Can't find field \"url\""
    )
    assert error({"type": "web_app", "text": "", "web_app": {"url": BOARD}}) == (
        "Bad Request: menu button text must be non-empty"
    )
    assert parse_menu_button(None) == {"type": "default"}
    assert parse_menu_button('{"type": "commands"}') == {"type": "commands"}


# -- the control routes ---------------------------------------------------------------------------


async def test_web_apps_through_the_control_routes(sandbox: Sandbox, bot: Bot) -> None:
    alice = sandbox.add_user("Alice", started=True)
    sent = await bot.send_message(alice.id, "x", reply_markup=web_app_keyboard(("Open", BOARD)))
    await bot.set_chat_menu_button(alice.id, MenuButtonWebApp("Board", WebAppInfo(BOARD)))
    async with httpx.AsyncClient(base_url=sandbox.control_url + "/", timeout=10) as http:
        answer = await http.post(
            f"users/{alice.id}/open_web_app",
            json={"message_id": sent.message_id, "theme": "dark", "auth_date": 1_700_000_000},
        )
        page, params = opened(answer.json()["result"]["url"])
        assert page == BOARD and is_signed_by(params["tgWebAppData"], sandbox.token)
        menu = await http.post(f"users/{alice.id}/open_menu_web_app", json={})
        assert opened(menu.json()["result"]["url"])[0] == BOARD
        made = await http.post(f"users/{alice.id}/web_app_init_data", json={})
        assert is_signed_by(made.json()["result"]["init_data"], sandbox.token)
        buttons = (await http.get("menu_buttons")).json()["result"]
        assert buttons == {
            "default": {"type": "commands"},
            "chats": {
                str(alice.id): {"type": "web_app", "text": "Board", "web_app": {"url": BOARD}}
            },
        }
        launches = (await http.get("web_app_launches")).json()["result"]
        assert [entry["source"] for entry in launches] == [
            "inline_button",
            "menu_button",
            "init_data",
        ]
        script = await http.get("telegram-web-app.js")
        assert script.headers["content-type"].startswith("text/javascript")
        assert script.text == web_app_script()
        bad = await http.post(f"users/{alice.id}/open_web_app", json={"message_id": 99})
        assert bad.status_code == 400 and "no message 99" in bad.json()["error"]


# -- the telegram-web-app.js stand-in ------------------------------------------------------------


def test_the_script_is_package_data_and_defines_telegram_web_app() -> None:
    script = web_app_script()
    assert "window.Telegram.WebApp = WebApp;" in script
    shipped = Path(__file__).parents[2] / "bot" / "sandbox" / "telegram_web_app.js"
    assert shipped.read_text(encoding="utf-8") == script  # inside bot/: hatch ships it
    for network in ("fetch(", "XMLHttpRequest", "import(", "<script", "sendBeacon"):
        assert network not in script
