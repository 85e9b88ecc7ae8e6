"""The grammar of ``callback_data``: a participant's tap as button data and back.

Owns: every button's data, ``<action>:<session>:<args...>`` in ASCII and at most 64
bytes, declared once per event type (``_FORMS``) so that building the data of a tap
(``data``) and parsing it back (``parse``) cannot disagree. Parsing never trusts the
data: anything that does not match exactly raises ``InvalidCallback`` (a forged or
corrupted button). The facilitator's two buttons in the group (``/next``'s and the report's
under the summary) have a grammar of their own.
Must not: decide whether a well-formed tap is allowed now (the core does), or which taps
a screen offers (``conversations.options`` does).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from conversations import events as ev
from conversations.model import AGE_BANDS, LOCALES

MAX_BYTES = 64
SKIP = "-"


class InvalidCallback(ValueError):
    """The data of a tap is not one the bot could have made."""


@dataclass(frozen=True, slots=True)
class _Kind:
    """How one argument is written: its pattern, and the conversions both ways."""

    pattern: str
    read: Callable[[str], Any]
    write: Callable[[Any], str] = str


def _optional(text: str) -> str | None:
    return None if text == SKIP else text


_CARD = r"[a-z0-9-]{1,16}"
_LENS = _Kind(r"\d{1,2}", int)
_LEVEL = _Kind(r"[1-5]", int)
_FLAG = _Kind(r"[01]", lambda text: text == "1", lambda flag: str(int(flag)))
_CARD_ID = _Kind(_CARD, str)
_CARD_OR_NONE = _Kind(_CARD, _optional, lambda card: card or SKIP)
_BAND = _Kind(
    "|".join(re.escape(b) for b in (*AGE_BANDS, SKIP)), _optional, lambda band: band or SKIP
)
_LOCALE = _Kind("|".join(LOCALES), str)


@dataclass(frozen=True, slots=True)
class _Form:
    """The data of one event type's buttons: ``prefix:session:args`` in field order."""

    event: type[ev.Tap]
    prefix: str
    args: tuple[tuple[str, _Kind], ...] = ()
    fixed: dict[str, Any] = field(default_factory=dict)
    """Fields a button always has the same value for (not written)."""

    def pattern(self) -> re.Pattern[str]:
        parts = "".join(f":({kind.pattern})" for _, kind in self.args)
        return re.compile(rf"{re.escape(self.prefix)}:(\d{{1,12}}){parts}")


_FORMS: tuple[_Form, ...] = (
    _Form(ev.CardRated, "r", (("lens_index", _LENS), ("card_id", _CARD_ID), ("level", _LEVEL))),
    _Form(ev.RatingUndone, "u", (("lens_index", _LENS), ("card_id", _CARD_ID))),
    _Form(ev.SortPaused, "ps"),
    _Form(ev.ContinueRequested, "go"),
    _Form(ev.ConsentAnswered, "c", (("agreed", _FLAG),)),
    _Form(ev.AgeBandAnswered, "ag", (("band", _BAND),)),
    _Form(ev.OrganisationAnswered, "or", fixed={"organisation": None}),
    _Form(ev.PileCardPicked, "pp", (("lens_index", _LENS), ("card_id", _CARD_OR_NONE))),
    _Form(
        ev.PileCardMoved, "pm", (("lens_index", _LENS), ("card_id", _CARD_ID), ("level", _LEVEL))
    ),
    _Form(ev.PilesConfirmed, "pc", (("lens_index", _LENS),)),
    _Form(ev.TopCardToggled, "tt", (("card_id", _CARD_ID),)),
    _Form(ev.TopConfirmed, "tc"),
    _Form(ev.StoryCardChosen, "sc", (("card_id", _CARD_OR_NONE),)),
    _Form(ev.RevisionAnswered, "rv", (("keep", _FLAG),)),
    _Form(ev.VoteToggled, "vt", (("card_id", _CARD_ID),)),
    _Form(ev.VoteConfirmed, "vc"),
    _Form(ev.RoundDecided, "rd", (("again", _FLAG),)),
    _Form(ev.NoteSkipped, "nt"),
    _Form(ev.RemindersMuted, "mu"),
    _Form(ev.RemindersResumed, "rm"),
    _Form(ev.LanguageChosen, "lg", (("locale", _LOCALE),)),
)
_BY_EVENT = {form.event: form for form in _FORMS}
_BY_PREFIX = {form.prefix: (form, form.pattern()) for form in _FORMS}


def data(tap: ev.Tap) -> str:
    """The callback data of a button that stands for ``tap`` (ValueError for an event
    no button stands for)."""
    form = _BY_EVENT.get(type(tap))
    if form is None or any(getattr(tap, name) != value for name, value in form.fixed.items()):
        raise ValueError(f"no button stands for {tap!r}")
    args = "".join(f":{kind.write(getattr(tap, name))}" for name, kind in form.args)
    written = f"{form.prefix}:{tap.session_id}{args}"
    if len(written.encode()) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {written}")
    return written


def parse(data: str | None, user_id: int, at: float) -> ev.Tap:
    """The event a tap on a button with ``data`` stands for, or ``InvalidCallback``."""
    if not data or not data.isascii() or len(data.encode()) > MAX_BYTES:
        raise InvalidCallback("callback data is empty, not ASCII or too long")
    known = _BY_PREFIX.get(data.partition(":")[0])
    match = known[1].fullmatch(data) if known else None
    if known is None or match is None:
        raise InvalidCallback("callback data matches no button of this bot")
    form = known[0]
    session, *args = match.groups()
    values = {name: kind.read(text) for (name, kind), text in zip(form.args, args, strict=True)}
    make: Callable[..., ev.Tap] = form.event
    return make(at=at, session_id=int(session), user_id=user_id, **values, **form.fixed)


def move_on(session_id: int, stage: str) -> str:
    """The button under ``/next``'s question; a facilitator's tap (see ``parse_move_on``)."""
    return f"nx:{session_id}:{stage}"


_MOVE_ON = re.compile(r"nx:(\d{1,12}):([a-z]{1,12})")


def parse_move_on(data: str | None) -> tuple[int, str] | None:
    """(session id, stage) of a tap on ``/next``'s button; None for any other data."""
    match = _MOVE_ON.fullmatch(data or "")
    return (int(match[1]), match[2]) if match else None


def report(session_id: int) -> str:
    """The report button under the plenary's summary; a facilitator's tap."""
    return f"rp:{session_id}"


_REPORT = re.compile(r"rp:(\d{1,12})")


def parse_report(data: str | None) -> int | None:
    """The session id of a tap on the report button; None for any other data."""
    match = _REPORT.fullmatch(data or "")
    return int(match[1]) if match else None
