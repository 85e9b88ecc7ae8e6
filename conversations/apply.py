"""A participant's view with a decision's changes applied: what the person looks like
once the changes are saved, for the screens that show it.

Owns: ``apply``, the one way a rule sees the result of its own changes to the person
(their row, ratings, top and stories), so that what a screen shows is what is saved
instead of a view patched by hand beside the changes. Changes to anyone else are left
out: a participant's view holds their own rows. Must not: do I/O.
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
    SaveStory,
    SaveTop,
)
from conversations.model import ParticipantView


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
