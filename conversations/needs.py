"""What an event needs loaded beside its session or participant, and the mark of a load
that was not asked for.

Owns: ``Need``, one value per optional part of a view (the view field it fills is named
in each docstring), and ``NotLoaded``, the value the shell puts in every part an event
did not ask for, so that a rule reading it fails loudly instead of seeing an empty
tuple. Must not: say which event needs what (``machine`` does) or load anything.
"""

from __future__ import annotations

from enum import Enum, auto
from typing import Any, NoReturn


class Need(Enum):
    # --- a group's session (``SessionView``) ---
    COUNTS = auto()
    """``counts``: how many joined, consented, sorted each lens, chose a top."""
    WAITING = auto()
    """``waiting``: everyone waiting for the sort to start."""
    FINISHERS = auto()
    """``finished``: everyone who finished sorting and is not seated for good."""
    TABLES = auto()
    """``tables``: the session's tables with their members."""
    PEOPLE = auto()
    """``people``: what every participant contributes to the summary."""
    DEADLINES = auto()
    """``deadlines``: the session's deadlines."""
    STRAGGLERS = auto()
    """``stragglers``: everyone whose turn it still is in some stage."""
    PREVIOUS_PEOPLE = auto()
    """``previous_people``: every participant of the session (for ``/followup``)."""
    SERIES_LENGTH = auto()
    """``series_length``: how many sessions the series holds up to this one."""
    SERIES = auto()
    """``series``: every earlier session of the series, oldest first, for the summary."""
    # --- a participant (``ParticipantView``) ---
    TABLE = auto()
    """``table`` and ``stories``: the table the person sits at for good and the stories
    they told (someone at no table has none: ``model.seated_table``)."""
    LATE_TABLES = auto()
    """``late_tables``: every table of the session, for a late finisher to join."""
    EARLIER_TOP = auto()
    """``earlier_top``: the person's top in the series' most recent earlier session (None
    outside a series)."""
    # --- both ---
    LEVELS = auto()
    """With ``TABLES`` or ``TABLE``: each member's levels and the ballots, for votes."""
    EARLIER_PAIRS = auto()
    """``earlier_pairs``: who sat at one table in an earlier session of the series (none
    outside a series)."""
    STORY_COUNTS = auto()
    """``story_counts``: table number -> the stories told at that table (the report)."""
    ROSTER = auto()
    """Every participant with the cards they rated per lens and when they last moved
    (the facilitator's dashboard)."""


class NotLoadedError(LookupError):
    """A rule read a part of its view that its event's spec does not ask for."""


class NotLoaded:
    """Stands in a view's part that was not loaded: any use of it raises."""

    __slots__ = ("_part",)

    def __init__(self, part: str) -> None:
        object.__setattr__(self, "_part", part)

    def _fail(self, *_: object, **__: object) -> NoReturn:
        part = object.__getattribute__(self, "_part")
        raise NotLoadedError(
            f"the view's {part!r} was not loaded: add its Need to the event's spec"
        )

    def __getattr__(self, name: str) -> Any:
        self._fail()

    def __repr__(self) -> str:
        return f"NotLoaded({object.__getattribute__(self, '_part')!r})"

    __iter__ = __len__ = __bool__ = __contains__ = __getitem__ = _fail
    __eq__ = __lt__ = __le__ = __gt__ = __ge__ = _fail
    __add__ = __radd__ = __sub__ = __or__ = __and__ = _fail
    __hash__ = None  # type: ignore[assignment]


def not_loaded(part: str) -> Any:
    """The value of a view's ``part`` that its event did not ask for."""
    return NotLoaded(part)
