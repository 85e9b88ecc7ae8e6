"""The stages a facilitator paces a session through, and durations of deadlines.

Owns: the ``ORDER`` of ``Stage`` (defined beside ``Phase``), which stage a session is
in, whose turn it still is in each stage (``PENDING``, ``TURN``), and reading a
duration such as ``2d``. Must not: move a session on (``pacing`` does).
"""

from __future__ import annotations

import re

from conversations.model import Session, Step, TableView
from conversations.model import TableStage as TS
from conversations.phases import Phase, Stage

ORDER: tuple[Stage, ...] = tuple(Stage)

DEADLINE_STAGES: tuple[Stage, ...] = ORDER[:-1]
"""Stages that may have a deadline."""

PENDING: dict[Stage, frozenset[Step]] = {  # the first stage holding a step is its own
    Stage.JOIN: frozenset({Step.CONSENT, Step.AGE, Step.ORGANISATION}),
    Stage.SORT: frozenset(
        {Step.CONSENT, Step.AGE, Step.ORGANISATION, Step.SORTING, Step.REVIEW, Step.TOP}
    ),
    Stage.STORIES: frozenset({Step.STORY}),
    Stage.REVISION: frozenset({Step.REVISE, Step.REVISING}),
    Stage.DILEMMA: frozenset({Step.REVISE, Step.REVISING}),
    Stage.VOTE: frozenset({Step.VOTING, Step.DECIDING}),
    Stage.PLENARY: frozenset({Step.NOTE}),
    Stage.OVER: frozenset(),
}
"""The steps in which it is still the person's turn in each stage."""

STRAGGLING: frozenset[Step] = frozenset().union(*PENDING.values())
"""Every step in which the session waits for the person in some stage: the stragglers
pacing and reminders look at (``Need.STRAGGLERS``)."""

TURN: frozenset[Step] = frozenset().union(*(PENDING[s] for s in ORDER[:-2]))
"""Every step in which the session waits for the person (the optional note excepted):
who may be reminded."""

MAX_DEADLINE = 60 * 86400
_DURATION = re.compile(r"(?:(\d{1,3})d)?(?:(\d{1,4})[hu])?(?:(\d{1,5})m)?")


def parse_duration(text: str) -> int | None:
    """Seconds in ``2d``, ``12h`` (or ``12u``), ``90m``, ``1d12h``; None if not one."""
    match = _DURATION.fullmatch(text.strip().lower())
    if match is None or not any(match.groups()):
        return None
    days, hours, minutes = (int(g or 0) for g in match.groups())
    seconds = days * 86400 + hours * 3600 + minutes * 60
    return seconds if 60 <= seconds <= MAX_DEADLINE else None


def current_stage(session: Session, table_views: tuple[TableView, ...]) -> Stage:
    if session.phase is Phase.CLOSED:
        return Stage.OVER
    if session.phase is Phase.JOINING:
        return Stage.SORT if session.sort_on_join else Stage.JOIN
    if session.phase in (Phase.SORTING, Phase.SEATING):
        return Stage.SORT
    stages = {t.table.stage for t in table_views}
    if TS.SHARING in stages:
        return Stage.STORIES
    if stages & {TS.REVISING, TS.SETTLED}:
        return Stage.REVISION
    if TS.DILEMMA in stages:
        return Stage.DILEMMA
    if stages & {TS.VOTING, TS.DECIDING}:
        return Stage.VOTE
    return Stage.PLENARY


def next_stage(stage: Stage, dilemmas: bool = True) -> Stage:
    """The stage after ``stage``; without ``dilemmas`` (a deck that has none), the
    dilemma stage is skipped."""
    following = ORDER[min(ORDER.index(stage) + 1, len(ORDER) - 1)]
    if following is Stage.DILEMMA and not dilemmas:
        return next_stage(following)
    return following


def stage_of_step(step: Step) -> Stage:
    """The stage in which a person in ``step`` has their turn."""
    return next(s for s in ORDER if step in PENDING[s])
