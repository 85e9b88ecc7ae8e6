"""What the sort board shows: a participant's place in the sort as the page's JSON, and
the page's actions as the core's events.

Owns: the board's state (its step, the lens, the five piles' labels, the cards in the
person's order with where each lies, the top picker, the chosen top and the cards that
moved most between the first and the last lens) in the person's
language, with every word the page shows; and reading an action the page posts into a
participant event, refusing anything malformed with ``BadAction``. Must not: decide
anything (the core does) or speak HTTP (``server`` does).
"""

from __future__ import annotations

from typing import Any

from bot.render import Renderer
from conversations import events as ev
from conversations.deck import LEVELS
from conversations.model import ParticipantView, Step
from conversations.phases import Phase
from conversations.sorting import card_order, show_top, top_candidates

MAX_FIELD = 64
"""Characters of a card id the page may send (card ids are shorter)."""


class BadAction(ValueError):
    """The page posted something that is not one of the board's actions."""


def _whole(value: Any) -> int:
    if type(value) is not int:
        raise BadAction("a whole number was expected")
    return value


def _card(value: Any) -> str:
    if not isinstance(value, str) or not 0 < len(value) <= MAX_FIELD:
        raise BadAction("a card id was expected")
    return value


def action_event(body: Any, session_id: int, user_id: int, at: float) -> ev.Action:
    """The event the page's action ``body`` (parsed JSON) stands for."""
    if not isinstance(body, dict):
        raise BadAction("an object was expected")
    kind = body.get("action")
    if kind == "place":
        lens, card, level = _whole(body.get("lens")), _card(body.get("card")), body.get("level")
        return ev.CardPlaced(at, session_id, user_id, lens, card, _whole(level))
    if kind == "confirm":
        return ev.PilesConfirmed(at, session_id, user_id, _whole(body.get("lens")))
    if kind == "toggle":
        return ev.TopCardToggled(at, session_id, user_id, _card(body.get("card")))
    if kind == "confirm_top":
        return ev.TopConfirmed(at, session_id, user_id)
    raise BadAction("no such action")


_STEPS = {Step.SORTING: "sorting", Step.REVIEW: "review", Step.TOP: "top"}


def board_state(view: ParticipantView, renderer: Renderer) -> dict[str, Any]:
    """The page's JSON for where ``view``'s person stands."""
    p, deck, session = view.participant, view.deck, view.session
    locale = deck.language(p.locale)

    def text(value: Any) -> str:
        return deck.text(value, locale)

    def card(card_id: str, level: int | None) -> dict[str, Any]:
        found = deck.card(card_id)
        return {
            "id": card_id,
            "title": text(found.title),
            "description": text(found.description),
            "level": level,
        }

    step = _STEPS.get(p.step)
    message = None
    if session.phase is Phase.CLOSED:
        step, message = "elsewhere", renderer.label(p.locale, "webapp_closed")
    elif session.paused_at is not None:
        step, message = "elsewhere", renderer.label(p.locale, "webapp_paused")
    elif step is None:
        step = "done" if view.top else "elsewhere"
        message = None if view.top else renderer.label(p.locale, "webapp_not_yet")
    state: dict[str, Any] = {
        "session": session.id,
        "locale": p.locale,
        "words": renderer.labels(p.locale, "board_"),
        "step": step,
        "lens": None,
        "levels": [
            {"level": level, "label": deck.level_label(level, locale, p.lens_index)}
            for level in reversed(LEVELS)
        ],
        "cards": [],
        "top": None,
        "result": None,
        "message": message,
    }
    if step in ("sorting", "review"):
        lens = deck.lenses[p.lens_index]
        rated = view.ratings.get(lens.id, {})
        state["lens"] = {
            "index": p.lens_index,
            "count": len(deck.lenses),
            "name": text(lens.name),
            "prompt": text(lens.prompt),
        }
        order = card_order(deck, p, p.lens_index)
        state["cards"] = [card(card_id, rated.get(card_id)) for card_id in order]
    elif step == "top":
        candidates, _ = top_candidates(view)
        state["top"] = {
            "candidates": list(candidates),
            "selected": list(p.selection),
            "size": deck.top_size,
        }
        state["cards"] = [card(card_id, None) for card_id in candidates]
    elif step == "done":
        shown = show_top(view)  # the chat's end of the sort: the top and the lens comparison
        moved = [card_id for card_id, _, _ in shown.moves]
        state["result"] = {
            "top": list(shown.top),
            "lenses": [text(deck.lenses[deck.lens_ids.index(i)].name) for i in shown.lens_ids]
            if shown.lens_ids
            else [],
            "moves": [
                {
                    "card": c,
                    "from": a,
                    "to": b,
                    "from_label": deck.level_label(a, locale, 0),
                    "to_label": deck.level_label(b, locale, -1),
                }
                for c, a, b in shown.moves
            ],
        }
        wanted = dict.fromkeys((*shown.top, *moved))
        state["cards"] = [card(card_id, None) for card_id in wanted]
    return state
