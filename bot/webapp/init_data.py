"""Checking a Mini App's ``initData``: who is asking, as Telegram signed it.

Owns: the check Telegram documents for Web Apps: the fields (a URL-encoded query string)
without ``hash``, as sorted ``key=value`` lines, signed with HMAC-SHA-256 under the key
HMAC-SHA-256("WebAppData", bot token); ``auth_date`` no older than the allowed age.
Anything else (altered, forged, expired, malformed, a field twice) is refused with
``InvalidInitData``. Must not: decide what the person may do (the core does).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from urllib.parse import parse_qsl

CLOCK_SKEW = 60.0
"""Seconds an ``auth_date`` may lie in the future (clocks differ a little)."""


class InvalidInitData(ValueError):
    """The ``initData`` is not one Telegram signed for this bot, or no longer valid."""


@dataclass(frozen=True, slots=True)
class WebAppUser:
    id: int
    first_name: str
    last_name: str | None
    language_code: str | None

    @property
    def full_name(self) -> str:
        """First and last name, as Telegram's clients show them."""
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name


def secret_key(token: str) -> bytes:
    return hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()


def verify(init_data: str, key: bytes, max_age: float, now: float) -> WebAppUser:
    """The person ``init_data`` was signed for, under ``key`` (``secret_key``)."""
    try:
        pairs = parse_qsl(init_data, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise InvalidInitData("not a query string") from None
    fields = dict(pairs)
    if len(fields) != len(pairs):
        raise InvalidInitData("a field is given twice")
    given = fields.pop("hash", "")
    check = "\n".join(f"{name}={value}" for name, value in sorted(fields.items()))
    expected = hmac.new(key, check.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, given):
        raise InvalidInitData("the signature does not match")
    try:
        signed_at = int(fields["auth_date"])
        user = json.loads(fields["user"])
        last_name = user.get("last_name")
        person = WebAppUser(
            int(user["id"]),
            str(user.get("first_name", "")),
            str(last_name) if last_name else None,
            user.get("language_code"),
        )
    except (KeyError, ValueError, TypeError):
        raise InvalidInitData("auth_date or user is missing or malformed") from None
    if not now - max_age <= signed_at <= now + CLOCK_SKEW:
        raise InvalidInitData("expired")
    return person
