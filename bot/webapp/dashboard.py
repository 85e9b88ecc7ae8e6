"""What the facilitator's dashboard shows: the core's ``Overview`` as the page's JSON, and
the page's actions as the facilitator's events.

Owns: the dashboard's state in the session's language (every person's step in words,
their progress, the seating, what the facilitator can do, each table's outcome and the
plenary's chart as an image), and reading an action the page posts (propose tables, move
someone, seat everyone, ask for the session's report) into the same events as ``/tables``,
``/move``, ``/seat`` and ``/report [names]`` in private.
Must not: decide anything (the core does) or speak HTTP (``server`` does).
"""

from __future__ import annotations

import base64
import random
from typing import Any

from bot.plenary_pictures.drawing import draw_all
from bot.plenary_pictures.wording import Words, table_picture
from bot.render import Renderer
from bot.webapp.board import BadAction
from conversations import events as ev
from conversations.dashboard import Overview, Row, Seating
from conversations.deck import Deck
from conversations.effects import ShowSummary
from conversations.progress import SORTING


def action_event(
    body: Any, group_chat_id: int, user_id: int, at: float, topics: bool, name: str
) -> ev.TablesRequested | ev.MoveRequested | ev.SeatingConfirmed | ev.ReportRequested:
    """The facilitator's event the dashboard's action ``body`` (parsed JSON) stands for;
    ``is_facilitator`` is for the core's guard, as for a command (the server checked).
    ``name``: the facilitator's first and last name, as Telegram signed them (the report
    names who asked for it)."""
    if not isinstance(body, dict):
        raise BadAction("an object was expected")
    kind = body.get("action")
    if kind == "propose":
        return ev.TablesRequested(at, group_chat_id, user_id, True, random.getrandbits(32))
    if kind == "move":
        person, table = body.get("user"), body.get("table")
        if type(person) is not int or type(table) is not int:
            raise BadAction("a person and a table were expected")
        return ev.MoveRequested(
            at, group_chat_id, user_id, True, "", table, person_id=person, quiet=True
        )
    if kind == "seat":
        return ev.SeatingConfirmed(at, group_chat_id, user_id, True, topics)
    if kind == "report":  # as ``/report [names]`` in private: the files go there
        names = body.get("names")
        if type(names) is not bool:
            raise BadAction("names must be true or false")
        words = ("names",) if names else ()
        return ev.ReportRequested(
            at, group_chat_id, user_id, True, words, False, True, name or None
        )
    raise BadAction("no such action")


async def dashboard_state(
    overview: Overview, session_id: int, locale: str, renderer: Renderer
) -> dict[str, Any]:
    deck = overview.deck
    words = deck.language(locale)

    def label(key: str, **params: Any) -> str:
        return renderer.label(locale, key, **params)

    def step_label(row: Row) -> str:
        if row.step in SORTING:
            return label(
                f"overview_step_{row.step.value}",
                lens=row.lens_index + 1,
                lenses=len(deck.lenses),
            )
        return label(f"overview_step_{row.step.value}")

    rows = overview.rows
    people = [
        {
            "user": row.user_id,
            "name": row.name,
            "organisation": row.organisation,
            "step": row.step.value,
            "step_label": step_label(row),
            "cards_done": row.cards_done,
            "cards": len(deck.cards),
            "straggling": row.straggling,
            "table": row.table,
            "on_board": row.on_board,
        }
        for row in rows
    ]
    counts = overview.counts
    plenary = None
    if overview.summary is not None:
        plenary = await _plenary(overview.summary, deck, locale, renderer)
    return {
        "session": session_id,
        "locale": locale,
        "words": renderer.labels(locale, "dashboard_"),
        "title": deck.text(deck.title, words),
        "phase": overview.phase.value,
        "phase_label": label(
            "overview_stage_seating"
            if overview.seating is Seating.PROPOSED
            else f"overview_stage_{overview.stage.value}"
        ),
        "counts": {
            "joined": counts.joined,
            "consented": counts.consented,
            "sorting": overview.sorting,
            "with_top": counts.with_top,
        },
        "people": people,
        "seating": {
            "state": overview.seating.value,
            "tables": [
                {"number": number, "members": list(members)} for number, members in overview.tables
            ],
        },
        "can": {
            "propose": overview.can_propose,
            "move": overview.can_move,
            "seat": overview.can_seat,
        },
        "plenary": plenary,
    }


_CHARTS: dict[tuple[ShowSummary, str], str | None] = {}
"""The plenary's first picture (what each table chose), by summary and language: one
drawing per new outcome, not per update."""
MAX_CHARTS = 32


async def _plenary(
    summary: ShowSummary, deck: Deck, locale: str, renderer: Renderer
) -> dict[str, Any]:
    """Each table's outcome with its cards and note, and the plenary's first picture
    (drawn on the pictures' worker thread, off the event loop)."""
    words = deck.language(locale)

    def title(card_id: str) -> str:
        return deck.text(deck.card(card_id).title, words)

    def _cards(count: int) -> str:
        if count == 1:
            return renderer.label(locale, "overview_cards_one")
        return renderer.label(locale, "overview_cards", count=count)

    tables = [
        {
            "number": number,
            "outcome": renderer.label(
                locale, f"overview_outcome_{kind or 'pending'}", cards=_cards(len(agreed))
            ),
            "cards": [title(card) for card in agreed],
            "note": note,
        }
        for number, kind, agreed, note in summary.tables
    ]
    key = (summary, locale)
    if key not in _CHARTS:
        if len(_CHARTS) >= MAX_CHARTS:
            _CHARTS.clear()
        picture = [table_picture(summary, Words(renderer, locale, deck))] if summary.grid else []
        png = next(iter(await draw_all(picture)), None)
        _CHARTS[key] = "data:image/png;base64," + base64.b64encode(png).decode() if png else None
    return {"tables": tables, "chart": _CHARTS[key]}
