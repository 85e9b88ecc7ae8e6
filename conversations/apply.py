"""Views with a decision's changes applied: what the person or the session looks like
once the changes are saved, for what comes next.

Owns: ``apply`` (a participant's view: their row, ratings, top and stories; changes to
anyone else are left out, as the view holds their own rows) and ``apply_to_session``
(a group's view: the session, and the people in its waiting list and finishers), the
one way a rule sees the result of its own changes instead of a view patched by hand
beside them. Must not: do I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from conversations.decision import (
    Change,
    DeleteRating,
    SaveParticipant,
    SaveRating,
    SaveSession,
    SaveStory,
    SaveTop,
)
from conversations.model import Participant, ParticipantView, SessionView
from conversations.needs import NotLoaded


def apply(view: ParticipantView, changes: Iterable[Change]) -> ParticipantView:
    me = view.participant.user_id
    parts: dict[str, Any] = {}
    ratings: dict[str, Mapping[str, int]] | None = None
    for change in changes:
        if isinstance(change, SaveParticipant):
            if change.participant.user_id == me:
                parts["participant"] = change.participant
        elif isinstance(change, SaveRating | DeleteRating) and change.user_id == me:
            ratings = dict(view.ratings) if ratings is None else ratings
            lens = dict(ratings.get(change.lens_id, {}))
            if isinstance(change, SaveRating):
                lens[change.card_id] = change.level
            else:
                lens.pop(change.card_id, None)
            ratings[change.lens_id] = lens
        elif isinstance(change, SaveTop) and change.user_id == me:
            parts["top"] = change.cards
        elif isinstance(change, SaveStory) and change.user_id == me:
            parts["stories"] = {**parts.get("stories", view.stories), change.card_id: change.text}
    if ratings is not None:
        parts["ratings"] = ratings
    return replace(view, **parts) if parts else view


def apply_to_session(view: SessionView, changes: Iterable[Change]) -> SessionView:
    session = view.session
    people: dict[int, Participant] = {}
    for change in changes:
        if isinstance(change, SaveSession) and session is not None:
            if change.session.id == session.id:
                session = change.session
        elif isinstance(change, SaveParticipant):
            people[change.participant.user_id] = change.participant
    parts: dict[str, Any] = {}
    if session is not view.session:
        parts["session"] = session
    if people and not isinstance(view.finished, NotLoaded):
        parts["finished"] = tuple(
            replace(f, participant=people.get(f.participant.user_id, f.participant))
            for f in view.finished
        )
    if people and not isinstance(view.waiting, NotLoaded):
        parts["waiting"] = tuple(people.get(p.user_id, p) for p in view.waiting)
    return replace(view, **parts) if parts else view
