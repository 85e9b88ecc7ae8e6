"""Settings from the environment, read once and validated.

Owns: the names and defaults of every setting. Must not: log the token or read files.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bot.errors import SettingsError

TELEGRAM_BASE_URL = "https://api.telegram.org/bot"
LOCALES = ("nl", "en")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


@dataclass(frozen=True)
class Settings:
    token: str | None
    base_url: str = TELEGRAM_BASE_URL
    database_path: Path = Path("valuecards.sqlite3")
    facilitator_ids: frozenset[int] = field(default_factory=frozenset)
    default_locale: str = "nl"
    log_level: str = "INFO"
    default_deck: str = "goed-werk"
    webapp_url: str | None = None
    """The sort board's public address (HTTPS, behind a reverse proxy); None: no board."""
    webapp_listen: str = "127.0.0.1"
    webapp_port: int = 8090
    webapp_max_age: int = 86_400
    """Seconds a Mini App's ``initData`` is accepted after Telegram signed it."""

    def __repr__(self) -> str:  # never show the token
        return (
            f"Settings(token={'set' if self.token else 'unset'}, base_url={self.base_url!r}, "
            f"database_path={str(self.database_path)!r}, "
            f"facilitator_ids={sorted(self.facilitator_ids)}, "
            f"default_locale={self.default_locale!r}, log_level={self.log_level!r}, "
            f"webapp_url={self.webapp_url!r})"
        )

    @property
    def file_base_url(self) -> str:
        """Where files are downloaded from: ``.../bot`` becomes ``.../file/bot``."""
        head, _, tail = self.base_url.rstrip("/").rpartition("/")
        return f"{head}/file/{tail}"


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    token = env.get("TELEGRAM_BOT_TOKEN", "").strip() or None
    base_url = env.get("BOT_API_BASE_URL", "").strip() or TELEGRAM_BASE_URL
    if not base_url.startswith(("http://", "https://")):
        raise SettingsError(
            f"BOT_API_BASE_URL must start with http:// or https:// (got {base_url!r})."
        )
    ids: set[int] = set()
    for part in env.get("FACILITATOR_IDS", "").replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            ids.add(int(part))
        except ValueError as exc:
            raise SettingsError(
                f"FACILITATOR_IDS must be comma-separated Telegram user ids (got {part!r})."
            ) from exc
    locale = env.get("DEFAULT_LOCALE", "nl").strip().lower() or "nl"
    if locale not in LOCALES:
        raise SettingsError(f"DEFAULT_LOCALE must be one of {', '.join(LOCALES)} (got {locale!r}).")
    level = env.get("LOG_LEVEL", "INFO").strip().upper() or "INFO"
    if level not in LOG_LEVELS:
        raise SettingsError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)} (got {level!r}).")
    database = env.get("DATABASE_PATH", "").strip() or "valuecards.sqlite3"
    webapp_url = env.get("WEBAPP_URL", "").strip().rstrip("/") or None
    if webapp_url is not None and not _public_or_loopback(webapp_url):
        raise SettingsError(
            "WEBAPP_URL must be the board's public HTTPS address, such as "
            f"https://cards.example.org (got {webapp_url!r})."
        )
    host, _, port = (env.get("WEBAPP_LISTEN", "").strip() or "127.0.0.1:8090").rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise SettingsError(
            "WEBAPP_LISTEN must be an address and port, such as 127.0.0.1:8090 "
            f"(got {env.get('WEBAPP_LISTEN')!r})."
        )
    max_age = env.get("WEBAPP_MAX_AGE", "").strip() or "86400"
    if not max_age.isdigit() or int(max_age) < 60:
        raise SettingsError(f"WEBAPP_MAX_AGE must be whole seconds, 60 or more (got {max_age!r}).")
    return Settings(
        token=token,
        base_url=base_url,
        database_path=Path(database),
        facilitator_ids=frozenset(ids),
        default_locale=locale,
        log_level=level,
        webapp_url=webapp_url,
        webapp_listen=host.strip("[]"),
        webapp_port=int(port),
        webapp_max_age=int(max_age),
    )


def _public_or_loopback(url: str) -> bool:
    """HTTPS, as Telegram requires of a Mini App; plain HTTP only on this machine (tests,
    the offline demo)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return True
    return parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost")
