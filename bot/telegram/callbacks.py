"""The grammar of ``callback_data``: building it for buttons and parsing taps into events.

Owns: every button's data, ``<action>:<session>:<args...>`` in ASCII and at most 64
bytes. Parsing never trusts the data: anything that does not match exactly raises
``InvalidCallback`` (a forged or corrupted button). Must not: decide whether a well-formed
tap is allowed now (the core does).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from conversations import events as ev
from conversations.model import AGE_BANDS, LOCALES

MAX_BYTES = 64
SKIP = "-"

_SID = r"(\d{1,12})"
_LENS = r"(\d{1,2})"
_CARD = r"([a-z0-9-]{1,16})"
_LEVEL = r"([1-5])"


class InvalidCallback(ValueError):
    """The data of a tap is not one the bot could have made."""


def rate(session_id: int, lens_index: int, card_id: str, level: int) -> str:
    return f"r:{session_id}:{lens_index}:{card_id}:{level}"


def undo(session_id: int, lens_index: int, card_id: str) -> str:
    return f"u:{session_id}:{lens_index}:{card_id}"


def pause(session_id: int) -> str:
    return f"ps:{session_id}"


def resume(session_id: int) -> str:
    return f"go:{session_id}"


def consent(session_id: int, agreed: bool) -> str:
    return f"c:{session_id}:{int(agreed)}"


def age_band(session_id: int, band: str | None) -> str:
    return f"ag:{session_id}:{band or SKIP}"


def skip_organisation(session_id: int) -> str:
    return f"or:{session_id}"


def pick_pile_card(session_id: int, lens_index: int, card_id: str | None) -> str:
    return f"pp:{session_id}:{lens_index}:{card_id or SKIP}"


def move_pile_card(session_id: int, lens_index: int, card_id: str, level: int) -> str:
    return f"pm:{session_id}:{lens_index}:{card_id}:{level}"


def confirm_piles(session_id: int, lens_index: int) -> str:
    return f"pc:{session_id}:{lens_index}"


def toggle_top(session_id: int, card_id: str) -> str:
    return f"tt:{session_id}:{card_id}"


def confirm_top(session_id: int) -> str:
    return f"tc:{session_id}"


def story_card(session_id: int, card_id: str | None) -> str:
    return f"sc:{session_id}:{card_id or SKIP}"


def revision(session_id: int, keep: bool) -> str:
    return f"rv:{session_id}:{int(keep)}"


def toggle_vote(session_id: int, card_id: str) -> str:
    return f"vt:{session_id}:{card_id}"


def confirm_vote(session_id: int) -> str:
    return f"vc:{session_id}"


def next_round(session_id: int, again: bool) -> str:
    return f"rd:{session_id}:{int(again)}"


def skip_note(session_id: int) -> str:
    return f"nt:{session_id}"


def language(session_id: int, locale: str) -> str:
    return f"lg:{session_id}:{locale}"


def mute_reminders(session_id: int) -> str:
    return f"mu:{session_id}"


def move_on(session_id: int, stage: str) -> str:
    """The button under ``/next``'s question; a facilitator's tap (see ``parse_move_on``)."""
    return f"nx:{session_id}:{stage}"


_MOVE_ON = re.compile(r"nx:(\d{1,12}):([a-z]{1,12})")


def parse_move_on(data: str | None) -> tuple[int, str] | None:
    """(session id, stage) of a tap on ``/next``'s button; None for any other data."""
    match = _MOVE_ON.fullmatch(data or "")
    return (int(match[1]), match[2]) if match else None


_BAND = "(" + "|".join(re.escape(b) for b in (*AGE_BANDS, SKIP)) + ")"
_LOCALE = "(" + "|".join(LOCALES) + ")"

Parser = Callable[[float, int, int, tuple[str, ...]], ev.Event]

_GRAMMAR: tuple[tuple[re.Pattern[str], Parser], ...] = tuple(
    (re.compile(pattern), parser)
    for pattern, parser in (
        (
            rf"r:{_SID}:{_LENS}:{_CARD}:{_LEVEL}",
            lambda at, sid, uid, a: ev.CardRated(at, sid, uid, int(a[0]), a[1], int(a[2])),
        ),
        (
            rf"u:{_SID}:{_LENS}:{_CARD}",
            lambda at, sid, uid, a: ev.RatingUndone(at, sid, uid, int(a[0]), a[1]),
        ),
        (r"ps:" + _SID, lambda at, sid, uid, a: ev.SortPaused(at, sid, uid)),
        (r"go:" + _SID, lambda at, sid, uid, a: ev.ContinueRequested(at, sid, uid)),
        (
            rf"c:{_SID}:([01])",
            lambda at, sid, uid, a: ev.ConsentAnswered(at, sid, uid, a[0] == "1"),
        ),
        (
            rf"ag:{_SID}:{_BAND}",
            lambda at, sid, uid, a: ev.AgeBandAnswered(
                at, sid, uid, None if a[0] == SKIP else a[0]
            ),
        ),
        (r"or:" + _SID, lambda at, sid, uid, a: ev.OrganisationAnswered(at, sid, uid, None)),
        (
            rf"pp:{_SID}:{_LENS}:([a-z0-9-]{{1,16}})",
            lambda at, sid, uid, a: ev.PileCardPicked(
                at, sid, uid, int(a[0]), None if a[1] == SKIP else a[1]
            ),
        ),
        (
            rf"pm:{_SID}:{_LENS}:{_CARD}:{_LEVEL}",
            lambda at, sid, uid, a: ev.PileCardMoved(at, sid, uid, int(a[0]), a[1], int(a[2])),
        ),
        (
            rf"pc:{_SID}:{_LENS}",
            lambda at, sid, uid, a: ev.PilesConfirmed(at, sid, uid, int(a[0])),
        ),
        (rf"tt:{_SID}:{_CARD}", lambda at, sid, uid, a: ev.TopCardToggled(at, sid, uid, a[0])),
        (r"tc:" + _SID, lambda at, sid, uid, a: ev.TopConfirmed(at, sid, uid)),
        (
            rf"sc:{_SID}:{_CARD}",
            lambda at, sid, uid, a: ev.StoryCardChosen(
                at, sid, uid, None if a[0] == SKIP else a[0]
            ),
        ),
        (
            rf"rv:{_SID}:([01])",
            lambda at, sid, uid, a: ev.RevisionAnswered(at, sid, uid, a[0] == "1"),
        ),
        (rf"vt:{_SID}:{_CARD}", lambda at, sid, uid, a: ev.VoteToggled(at, sid, uid, a[0])),
        (r"vc:" + _SID, lambda at, sid, uid, a: ev.VoteConfirmed(at, sid, uid)),
        (
            rf"rd:{_SID}:([01])",
            lambda at, sid, uid, a: ev.RoundDecided(at, sid, uid, a[0] == "1"),
        ),
        (r"nt:" + _SID, lambda at, sid, uid, a: ev.NoteSkipped(at, sid, uid)),
        (r"mu:" + _SID, lambda at, sid, uid, a: ev.RemindersMuted(at, sid, uid)),
        (
            rf"lg:{_SID}:{_LOCALE}",
            lambda at, sid, uid, a: ev.LanguageChosen(at, sid, uid, a[0]),
        ),
    )
)


def parse(data: str | None, user_id: int, at: float) -> ev.Event:
    """The event a tap on a button with ``data`` stands for, or ``InvalidCallback``."""
    if not data or not data.isascii() or len(data.encode()) > MAX_BYTES:
        raise InvalidCallback("callback data is empty, not ASCII or too long")
    for pattern, parser in _GRAMMAR:
        match = pattern.fullmatch(data)
        if match:
            session, *args = match.groups()
            return parser(at, int(session), user_id, tuple(args))
    raise InvalidCallback("callback data matches no button of this bot")
