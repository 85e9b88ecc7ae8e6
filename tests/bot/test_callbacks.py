"""callback_data: every button the bot makes parses back to its event; nothing else does."""

from __future__ import annotations

import pytest

from bot.telegram import callbacks
from conversations import events as ev


def test_every_button_round_trips_to_its_event() -> None:
    cases = [
        (
            callbacks.rate(12, 0, "social-involved", 5),
            ev.CardRated(1.0, 12, 7, 0, "social-involved", 5),
        ),
        (callbacks.undo(12, 1, "trust"), ev.RatingUndone(1.0, 12, 7, 1, "trust")),
        (callbacks.pause(12), ev.SortPaused(1.0, 12, 7)),
        (callbacks.resume(12), ev.ContinueRequested(1.0, 12, 7)),
        (callbacks.consent(12, True), ev.ConsentAnswered(1.0, 12, 7, True)),
        (callbacks.consent(12, False), ev.ConsentAnswered(1.0, 12, 7, False)),
        (callbacks.age_band(12, "45-59"), ev.AgeBandAnswered(1.0, 12, 7, "45-59")),
        (callbacks.age_band(12, None), ev.AgeBandAnswered(1.0, 12, 7, None)),
        (callbacks.skip_organisation(12), ev.OrganisationAnswered(1.0, 12, 7, None)),
        (callbacks.pick_pile_card(12, 0, "trust"), ev.PileCardPicked(1.0, 12, 7, 0, "trust")),
        (callbacks.pick_pile_card(12, 0, None), ev.PileCardPicked(1.0, 12, 7, 0, None)),
        (callbacks.move_pile_card(12, 0, "trust", 2), ev.PileCardMoved(1.0, 12, 7, 0, "trust", 2)),
        (callbacks.confirm_piles(12, 1), ev.PilesConfirmed(1.0, 12, 7, 1)),
        (callbacks.toggle_top(12, "trust"), ev.TopCardToggled(1.0, 12, 7, "trust")),
        (callbacks.confirm_top(12), ev.TopConfirmed(1.0, 12, 7)),
        (callbacks.language(12, "en"), ev.LanguageChosen(1.0, 12, 7, "en")),
        (callbacks.mute_reminders(12), ev.RemindersMuted(1.0, 12, 7)),
    ]
    for data, event in cases:
        assert len(data.encode()) <= 64
        assert callbacks.parse(data, 7, 1.0) == event


def test_the_move_on_button_is_a_facilitator_tap_of_its_own() -> None:
    data = callbacks.move_on(12, "revision")
    assert callbacks.parse_move_on(data) == (12, "revision")
    assert len(callbacks.move_on(999_999_999_999, "plenary").encode()) <= 64
    for other in (callbacks.rate(12, 0, "trust", 5), "nx:12", "nx:a:sort", "nx:12:SORT", None):
        assert callbacks.parse_move_on(other) is None
    with pytest.raises(callbacks.InvalidCallback):
        callbacks.parse(data, 7, 1.0)  # never a participant's event


def test_the_longest_button_fits_in_64_bytes() -> None:
    data = callbacks.move_pile_card(999_999_999_999, 99, "x" * 16, 5)
    assert len(data.encode()) <= 64
    assert callbacks.parse(data, 1, 0.0) == ev.PileCardMoved(
        0.0, 999_999_999_999, 1, 99, "x" * 16, 5
    )


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
