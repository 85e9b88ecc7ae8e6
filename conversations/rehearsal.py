"""Rehearsal: the facilitator adds simulated participants to the group's session.

Owns: ``/rehearse N`` (who may, the bounds, the answers to bad input), the ids reserved
for simulated people, their names (the shell supplies names already marked as simulated,
per language) and their joining: each one joins through the same rule a person's
invitation link takes (``joining.join``), and is marked simulated (``MarkSimulated``)
in the same decision. Must not: act for simulated people (``simulated_person`` decides
what they do, the shell's rehearsal actor does it) or send them anything.

Reserved ids: Telegram's user and chat ids have at most 52 significant bits, and group
ids are negative, so ids from ``SIMULATED_ID_BASE`` (2**53) up are never a real chat.
A simulated person's private chat id equals their user id, as in Telegram.
"""

from __future__ import annotations

import random

from conversations.decision import Change, Decision, MarkSimulated
from conversations.effects import Effect, Say
from conversations.events import JoinRequested, RehearsalRequested
from conversations.joining import JoinView, join
from conversations.model import SessionView
from conversations.phases import Phase

SIMULATED_ID_BASE = 1 << 53
"""The first id reserved for simulated people; no Telegram id reaches it."""
PER_SESSION_SLOTS = 1000
"""Ids reserved per session: ``SIMULATED_ID_BASE + session id * 1000 + 1..999``."""
MIN_AT_ONCE = 1
MAX_AT_ONCE = 30
MAX_PER_SESSION = 60
"""At most this many simulated people in one session, over every ``/rehearse``."""


def is_simulated(chat_or_user_id: int) -> bool:
    """True for the ids reserved for simulated people (their user and chat ids)."""
    return chat_or_user_id >= SIMULATED_ID_BASE


def simulated_id(session_id: int, number: int) -> int:
    """The user id (and private chat id) of the ``number``-th simulated person of a
    session, counting from 1."""
    if not 1 <= number < PER_SESSION_SLOTS:
        raise ValueError(f"simulated person number {number} is out of range")
    return SIMULATED_ID_BASE + session_id * PER_SESSION_SLOTS + number


def simulated_name(names: tuple[str, ...], session_id: int, index: int) -> str:
    """The name of the ``index``-th (0-based) simulated person of a session: the pool in
    an order of the session's own, numbered when the pool runs out."""
    order = list(range(len(names)))
    random.Random(f"names:{session_id}").shuffle(order)
    name = names[order[index % len(names)]]
    rounds = index // len(names)
    return f"{name} {rounds + 1}" if rounds else name


def _say(view: SessionView, event: RehearsalRequested, template: str, **params: int) -> Decision:
    locale = view.session.locale if view.session else "en"
    return Decision(effects=(Say(event.group_chat_id, locale, template, dict(params)),))


def rehearse(view: SessionView, event: RehearsalRequested) -> Decision:
    """Add ``event.count`` simulated people to the group's open session."""
    session, deck = view.require()
    bounds = {"min": MIN_AT_ONCE, "max": MAX_AT_ONCE}
    if session.phase is Phase.CLOSED:
        return _say(view, event, "rehearse_closed")
    if event.count is None:
        return _say(view, event, "rehearse_usage", **bounds)
    if not MIN_AT_ONCE <= event.count <= MAX_AT_ONCE:
        return _say(view, event, "rehearse_range", count=event.count, **bounds)
    existing = view.counts.simulated if view.counts else 0
    room = MAX_PER_SESSION - existing
    if event.count > room:
        return _say(
            view, event, "rehearse_full", existing=existing, room=room, limit=MAX_PER_SESSION
        )
    pool = event.names.get(session.locale) or next(iter(event.names.values()), ())
    if not pool:
        raise ValueError("the shell must give names for simulated people")
    chance = random.Random(event.seed)
    changes: list[Change] = []
    effects: list[Effect] = []
    names = []
    for index in range(existing, existing + event.count):
        user_id = simulated_id(session.id, index + 1)
        name = simulated_name(pool, session.id, index)
        names.append(name)
        joined = join(
            JoinView(session, deck, None),
            JoinRequested(
                event.at, user_id, user_id, name, None, session.join_code, chance.getrandbits(32)
            ),
        )
        changes.extend(joined.changes)
        changes.append(MarkSimulated(session.id, user_id, chance.getrandbits(32)))
        effects.extend(joined.effects)
    announcement = Say(
        session.group_chat_id,
        session.locale,
        "rehearsal_started",
        {"count": event.count, "names": ", ".join(names), "total": existing + event.count},
    )
    return Decision(changes=tuple(changes), effects=(announcement, *effects))
