"""callback_data: every button the bot makes parses back to its event; nothing else does."""

from __future__ import annotations

from typing import get_args

import pytest

from bot.telegram import callbacks
from conversations import events as ev


def test_every_button_round_trips_to_its_event() -> None:
    cases = [
        ev.CardRated(1.0, 12, 7, 0, "social-involved", 5),
        ev.RatingUndone(1.0, 12, 7, 1, "trust"),
        ev.SortPaused(1.0, 12, 7),
        ev.ContinueRequested(1.0, 12, 7),
        ev.ConsentAnswered(1.0, 12, 7, True),
        ev.ConsentAnswered(1.0, 12, 7, False),
        ev.AgeBandAnswered(1.0, 12, 7, "45-59"),
        ev.AgeBandAnswered(1.0, 12, 7, None),
        ev.OrganisationAnswered(1.0, 12, 7, None),
        ev.PileCardPicked(1.0, 12, 7, 0, "trust"),
        ev.PileCardPicked(1.0, 12, 7, 0, None),
        ev.PileCardMoved(1.0, 12, 7, 0, "trust", 2),
        ev.PilesConfirmed(1.0, 12, 7, 1),
        ev.TopCardToggled(1.0, 12, 7, "trust"),
        ev.TopConfirmed(1.0, 12, 7),
        ev.StoryCardChosen(1.0, 12, 7, "trust"),
        ev.StoryCardChosen(1.0, 12, 7, None),
        ev.RevisionAnswered(1.0, 12, 7, True),
        ev.RevisionAnswered(1.0, 12, 7, False),
        ev.VoteToggled(1.0, 12, 7, "trust"),
        ev.VoteConfirmed(1.0, 12, 7),
        ev.RoundDecided(1.0, 12, 7, True),
        ev.NoteSkipped(1.0, 12, 7),
        ev.LanguageChosen(1.0, 12, 7, "en"),
        ev.RemindersMuted(1.0, 12, 7),
        ev.RemindersResumed(1.0, 12, 7),
    ]
    assert {type(event) for event in cases} == set(get_args(ev.Tap)), "every kind of button"
    for event in cases:
        data = callbacks.data(event)
        assert len(data.encode()) <= 64
        assert callbacks.parse(data, 7, 1.0) == event
    assert callbacks.data(ev.CardRated(1.0, 12, 7, 0, "trust", 5)) == "r:12:0:trust:5"


def test_only_a_tap_has_button_data() -> None:
    for event in (
        ev.OrganisationAnswered(1.0, 12, 7, "Gemeente"),  # typed, not tapped
        ev.TextReceived(1.0, 12, 7, "hello"),
    ):
        with pytest.raises(ValueError, match="no button stands for"):
            callbacks.data(event)  # type: ignore[arg-type]


def test_the_move_on_button_is_a_facilitator_tap_of_its_own() -> None:
    data = callbacks.move_on(12, "revision")
    assert callbacks.parse_move_on(data) == (12, "revision")
    assert len(callbacks.move_on(999_999_999_999, "plenary").encode()) <= 64
    for other in ("r:12:0:trust:5", "nx:12", "nx:a:sort", "nx:12:SORT", None):
        assert callbacks.parse_move_on(other) is None
    with pytest.raises(callbacks.InvalidCallback):
        callbacks.parse(data, 7, 1.0)  # never a participant's event


def test_the_longest_button_fits_in_64_bytes() -> None:
    longest = ev.PileCardMoved(0.0, 999_999_999_999, 1, 99, "x" * 16, 5)
    data = callbacks.data(longest)
    assert len(data.encode()) <= 64
    assert callbacks.parse(data, 1, 0.0) == longest


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "r:1:0:trust:6",  # level out of range
        "r:1:0:trust:0",
        "r:1:x:trust:5",  # lens not a number
        "r:1:0:Trust:5",  # card ids are lower case
        "r:1:0:trust:5:extra",
        "r:-1:0:trust:5",
        "r:1:0:trüst:5",  # not ASCII
        "r:1:0:" + "a" * 60 + ":5",  # over 64 bytes
        "ag:1:99-100",  # not an age band
        "lg:1:fr",
        "zz:1",
        "c:1:2",
        "r:1:0:trust:5\n",
    ],
)
def test_forged_or_malformed_data_is_rejected(data: str | None) -> None:
    with pytest.raises(callbacks.InvalidCallback):
        callbacks.parse(data, 7, 1.0)
