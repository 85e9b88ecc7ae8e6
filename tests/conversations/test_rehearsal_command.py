"""``/rehearse N`` in the core: who may, the bounds, reserved ids, marked names, and
simulated people who join exactly as a person's invitation link would have them join."""

from __future__ import annotations

from dataclasses import replace

import pytest
from conftest import FACILITATOR, GROUP, Workshop

from conversations import events as ev
from conversations.decision import MarkSimulated, SaveParticipant
from conversations.effects import AskConsent, Say
from conversations.model import SessionCounts, SessionView, Step
from conversations.phases import Phase
from conversations.rehearsal import (
    MAX_AT_ONCE,
    MAX_PER_SESSION,
    SIMULATED_ID_BASE,
    is_simulated,
    rehearse,
    simulated_id,
    simulated_name,
)

NAMES = {
    "nl": tuple(f"Naam{i} (gesimuleerd)" for i in range(30)),
    "en": tuple(f"Name{i} (simulated)" for i in range(30)),
}


def request(count: int | None, facilitator: bool = True) -> ev.RehearsalRequested:
    return ev.RehearsalRequested(1_000.0, GROUP, FACILITATOR, facilitator, count, NAMES, 42)


def templates(decision: object) -> list[str]:
    return [e.template for e in decision.effects if isinstance(e, Say)]  # type: ignore[attr-defined]


def test_reserved_ids_are_never_telegram_ids() -> None:
    assert not is_simulated(2**52 - 1)  # the largest id Telegram can give
    assert not is_simulated(-1001234567890)  # a supergroup
    assert is_simulated(simulated_id(1, 1))
    assert simulated_id(7, 3) == SIMULATED_ID_BASE + 7_003
    assert len({simulated_id(s, n) for s in range(1, 20) for n in range(1, 100)}) == 19 * 99
    with pytest.raises(ValueError, match="out of range"):
        simulated_id(1, 1000)


def test_simulated_people_join_like_people_and_are_marked(workshop: Workshop) -> None:
    workshop.new_session(locale="en")
    decision = workshop.send(request(6))
    announcement = decision.effects[0]
    assert isinstance(announcement, Say) and announcement.template == "rehearsal_started"
    assert announcement.chat_id == GROUP and announcement.params["count"] == 6
    joined = [c.participant for c in decision.changes if isinstance(c, SaveParticipant)]
    marks = [c for c in decision.changes if isinstance(c, MarkSimulated)]
    assert [p.user_id for p in joined] == [m.user_id for m in marks]
    assert [p.user_id for p in joined] == [simulated_id(1, n) for n in range(1, 7)]
    assert all(p.chat_id == p.user_id and p.step is Step.CONSENT for p in joined)
    assert all(p.name.endswith(" (simulated)") for p in joined)
    assert len({p.name for p in joined}) == 6
    assert announcement.params["names"] == ", ".join(p.name for p in joined)
    asks = [e for e in decision.effects if isinstance(e, AskConsent)]
    assert sorted(e.chat_id for e in asks) == sorted(p.user_id for p in joined)
    assert all(not isinstance(e, AskConsent) or is_simulated(e.chat_id) for e in decision.effects)


def test_dutch_sessions_get_dutch_names(workshop: Workshop) -> None:
    workshop.new_session(locale="nl")
    decision = workshop.send(request(2))
    names = [c.participant.name for c in decision.changes if isinstance(c, SaveParticipant)]
    assert all(name.endswith(" (gesimuleerd)") for name in names)


@pytest.mark.parametrize(
    ("count", "facilitator", "template"),
    [
        (3, False, "not_facilitator"),
        (None, True, "rehearse_usage"),
        (0, True, "rehearse_range"),
        (MAX_AT_ONCE + 1, True, "rehearse_range"),
        (-4, True, "rehearse_range"),
    ],
)
def test_bad_requests_change_nothing(
    workshop: Workshop, count: int | None, facilitator: bool, template: str
) -> None:
    workshop.new_session()
    decision = workshop.send(request(count, facilitator))
    assert decision.changes == ()
    assert templates(decision) == [template]


def test_no_session_and_closed_session(workshop: Workshop) -> None:
    assert templates(workshop.send(request(3))) == ["no_session"]
    workshop.new_session()
    session = workshop.sessions[1]
    closed = rehearse(SessionView(replace(session, phase=Phase.CLOSED), workshop.deck), request(3))
    assert closed.changes == () and templates(closed) == ["rehearse_closed"]


def test_a_session_holds_a_limited_number_and_numbers_go_on(workshop: Workshop) -> None:
    workshop.new_session()
    session = workshop.sessions[1]

    def view(simulated: int) -> SessionView:
        return SessionView(
            session, workshop.deck, SessionCounts(simulated, simulated, (), 0, 0, simulated)
        )

    later = rehearse(view(10), request(2))
    ids = [c.user_id for c in later.changes if isinstance(c, MarkSimulated)]
    assert ids == [simulated_id(1, 11), simulated_id(1, 12)]
    full = rehearse(view(MAX_PER_SESSION - 1), request(2))
    assert full.changes == () and templates(full) == ["rehearse_full"]
    assert full.effects[0].params == {"existing": MAX_PER_SESSION - 1, "room": 1, "limit": 60}  # type: ignore[attr-defined]
    assert rehearse(view(MAX_PER_SESSION - 1), request(1)).changes != ()


def test_names_are_unique_in_a_session_and_numbered_when_the_pool_runs_out() -> None:
    pool = ("A", "B", "C")
    names = [simulated_name(pool, 5, i) for i in range(7)]
    assert sorted(names[:3]) == ["A", "B", "C"]
    assert len(set(names)) == 7
    assert names[3] == f"{names[0]} 2" and names[6] == f"{names[0]} 3"
