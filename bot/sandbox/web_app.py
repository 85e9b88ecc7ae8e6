"""What Telegram hands a Mini App (Web App) when a person opens one.

Owns: the signed ``initData`` (the query string a Mini App reads from
``Telegram.WebApp.initData``: ``query_id``, ``user``, ``chat_instance``, ``chat_type``,
``auth_date``, ``start_param``, ``hash``), the theme parameters a Telegram Desktop client sends
(light and dark), the URL the client opens (the button's URL plus the ``#tgWebAppData=...``
fragment), and :func:`web_app_script`, the text of ``telegram_web_app.js``: the stand-in for
``https://telegram.org/js/telegram-web-app.js`` that tests serve in its place (nothing here or
there ever fetches telegram.org).

Must not: import the bot (this is Telegram signing, not the bot checking), speak HTTP, or
change the world (``control`` records what was opened and calls these functions).

Theory of operation: :func:`sign_init_data` follows Telegram's documented algorithm
(core.telegram.org/bots/webapps, "Validating data received via the Mini App"): secret_key =
HMAC-SHA256(key="WebAppData", msg=bot_token); data_check_string = every field but ``hash`` as
``key=value`` with its decoded value, sorted by key, joined by "\\n"; hash = hex of
HMAC-SHA256(key=secret_key, msg=data_check_string). The fields are URL-encoded as clients
receive them (``%20`` for a space, nothing left unescaped but ``A-Z a-z 0-9 _ . - ~``).
:func:`launch_url` then appends ``tgWebAppData`` (that string, percent-encoded once more),
``tgWebAppVersion``, ``tgWebAppPlatform`` and ``tgWebAppThemeParams`` (JSON, percent-encoded)
to the URL's fragment, the way Telegram's clients add their parameters to a fragment that is
already there. Real initData since Bot API 8.0 also carries ``signature`` (Ed25519 by Telegram's
own key, for third parties); the sandbox cannot make one and leaves it out, so a bot must check
``hash`` over whatever fields arrive rather than over a fixed list.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterable, Mapping
from importlib import resources
from types import MappingProxyType
from typing import Literal, TypeAlias
from urllib.parse import quote, urlsplit, urlunsplit

from bot.sandbox.errors import SandboxError
from bot.sandbox.world import User

WEB_APP_VERSION = "8.0"
WEB_APP_PLATFORM = "tdesktop"
SCRIPT_FILE = "telegram_web_app.js"

# Modelled on Telegram Desktop's default "Day" and "Night" themes, as the client sends them.
LIGHT_THEME: Mapping[str, str] = MappingProxyType(
    {
        "accent_text_color": "#168acd",
        "bg_color": "#ffffff",
        "bottom_bar_bg_color": "#ffffff",
        "button_color": "#40a7e3",
        "button_text_color": "#ffffff",
        "destructive_text_color": "#d14e4e",
        "header_bg_color": "#ffffff",
        "hint_color": "#999999",
        "link_color": "#168acd",
        "secondary_bg_color": "#f1f1f1",
        "section_bg_color": "#ffffff",
        "section_header_text_color": "#168acd",
        "subtitle_text_color": "#999999",
        "text_color": "#000000",
    }
)
DARK_THEME: Mapping[str, str] = MappingProxyType(
    {
        "accent_text_color": "#6ab2f2",
        "bg_color": "#17212b",
        "bottom_bar_bg_color": "#17212b",
        "button_color": "#5288c1",
        "button_text_color": "#ffffff",
        "destructive_text_color": "#ec3942",
        "header_bg_color": "#17212b",
        "hint_color": "#708499",
        "link_color": "#6ab3f3",
        "secondary_bg_color": "#232e3c",
        "section_bg_color": "#17212b",
        "section_header_text_color": "#6ab3f3",
        "subtitle_text_color": "#708499",
        "text_color": "#f5f5f5",
    }
)
THEMES: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {"light": LIGHT_THEME, "dark": DARK_THEME}
)

Theme: TypeAlias = Literal["light", "dark"] | Mapping[str, str]

_COLOR_RE = re.compile(r"^#[0-9a-f]{6}$")
_START_PARAM_RE = re.compile(r"^[A-Za-z0-9_-]{1,512}$")


def _encode(value: str) -> str:
    """Percent-encode as Telegram does in initData and in the fragment (like encodeURIComponent,
    but ``!'()*`` escaped too)."""
    return quote(value, safe="")


def _compact_json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def init_data_hash(fields: Mapping[str, str], bot_token: str) -> str:
    """Telegram's ``hash`` of initData fields (decoded values; any ``hash`` among them ignored)."""
    secret_key = hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()
    data_check_string = "\n".join(
        f"{key}={value}" for key, value in sorted(fields.items()) if key != "hash"
    )
    return hmac.new(secret_key, data_check_string.encode(), hashlib.sha256).hexdigest()


def sign_init_data(fields: Iterable[tuple[str, str]], bot_token: str) -> str:
    """The URL-encoded initData of ``fields`` (in their order), ``hash`` appended last."""
    pairs = list(fields)
    keys = [key for key, _ in pairs]
    if "hash" in keys or len(set(keys)) != len(keys):
        raise ValueError("initData fields must be unique and must not contain 'hash'")
    signature = init_data_hash(dict(pairs), bot_token)
    return "&".join(f"{_encode(k)}={_encode(v)}" for k, v in [*pairs, ("hash", signature)])


def user_json(user: User) -> str:
    """The ``user`` field: WebAppUser as compact JSON, absent attributes left out."""
    data: dict[str, object] = {"id": user.id, "first_name": user.first_name}
    if user.last_name:
        data["last_name"] = user.last_name
    if user.username:
        data["username"] = user.username
    if user.language_code:
        data["language_code"] = user.language_code
    data["allows_write_to_pm"] = True
    return _compact_json(data)


def check_start_param(start_param: str | None) -> None:
    """``startapp`` values: 1-512 characters of A-Z a-z 0-9 _ - (what Telegram's links allow)."""
    if start_param is not None and not _START_PARAM_RE.match(start_param):
        raise SandboxError(
            f"start_param {start_param!r} is impossible: Telegram allows 1-512 characters of "
            "A-Z, a-z, 0-9, _ and -"
        )


def build_init_data(
    user: User,
    bot_token: str,
    *,
    query_id: str,
    chat_instance: str,
    auth_date: int,
    start_param: str | None = None,
) -> str:
    """Signed initData for ``user`` opening a Web App from the private chat with the bot."""
    check_start_param(start_param)
    fields = [
        ("query_id", query_id),
        ("user", user_json(user)),
        ("chat_instance", chat_instance),
        ("chat_type", "private"),
    ]
    if start_param is not None:
        fields.append(("start_param", start_param))
    fields.append(("auth_date", str(int(auth_date))))
    return sign_init_data(fields, bot_token)


def theme_params(theme: Theme) -> dict[str, str]:
    """The theme parameters a client sends: "light", "dark", or an explicit set of colours."""
    if isinstance(theme, str):
        if theme not in THEMES:
            raise SandboxError(f"theme {theme!r} is neither 'light' nor 'dark'")
        return dict(THEMES[theme])
    params = dict(theme)
    for key, value in params.items():
        if not isinstance(value, str) or not _COLOR_RE.match(value):
            raise SandboxError(
                f"theme colour {key}={value!r}: Telegram's clients send lower-case #rrggbb"
            )
    return params


def _append_fragment(url: str, params: str) -> str:
    """Add ``params`` to a URL's fragment as Telegram's clients do: ``#params``,
    ``#path?params`` after a bare path, ``&params`` after existing parameters."""
    base, sep, fragment = url.partition("#")
    if not sep or not fragment:
        return f"{base}#{params}"
    if "=" in fragment or "?" in fragment:
        return f"{url}&{params}"
    return f"{url}?{params}"


def launch_url(url: str, init_data: str, theme: Theme, start_param: str | None = None) -> str:
    """The URL a Telegram Desktop client opens for a Web App button or menu button.

    With a ``start_param`` (a launch through a ``t.me/...?startapp=`` link) the URL's query also
    gets ``tgWebAppStartParam``, as Telegram documents.
    """
    check_start_param(start_param)
    if start_param is not None:
        parts = urlsplit(url)
        query = f"{parts.query}&" if parts.query else ""
        query += f"tgWebAppStartParam={start_param}"
        url = urlunsplit(parts._replace(query=query))
    params = "&".join(
        (
            f"tgWebAppData={_encode(init_data)}",
            f"tgWebAppVersion={WEB_APP_VERSION}",
            f"tgWebAppPlatform={WEB_APP_PLATFORM}",
            f"tgWebAppThemeParams={_encode(_compact_json(theme_params(theme)))}",
        )
    )
    return _append_fragment(url, params)


def web_app_script() -> str:
    """The text of ``telegram_web_app.js``, the stand-in for Telegram's ``telegram-web-app.js``
    (read as package data, so it works from an installed wheel too)."""
    return resources.files("bot.sandbox").joinpath(SCRIPT_FILE).read_text(encoding="utf-8")
