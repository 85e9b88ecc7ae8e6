"""A participant's view with a decision's changes applied: their own rows change, nobody
else's do."""

from __future__ import annotations

from dataclasses import replace

from conversations.apply import apply, apply_to_session
from conversations.decision import (
    DeleteRating,
    SaveParticipant,
    SaveRating,
    SaveSession,
    SaveStory,
    SaveTop,
)
from conversations.deck import Deck
from conversations.model import Finisher, Participant, ParticipantView, Session, SessionView, Step
from conversations.phases import Phase


def test_a_view_shows_what_its_changes_save_for_the_person_only(deck: Deck) -> None:
    session = Session(1, -100, deck.id, "en", Phase.SORTING, "c", 1, 0.0)
    ann = Participant(1, 7, 7, "Ann", "en", Step.SORTING, 1, 0.0)
    lens = deck.lenses[0].id
    first, second = deck.card_ids[:2]
    view = ParticipantView(session, deck, ann, {lens: {first: 2}})
    bo = Participant(1, 8, 8, "Bo", "en", Step.REVIEW, 1, 0.0)

    after = apply(
        view,
        (
            SaveRating(1, 7, lens, second, 5, 1, 3.0),
            DeleteRating(1, 7, lens, first),
            SaveRating(1, 8, lens, first, 1, 0, 3.0),  # Bo's
            SaveParticipant(ann.moved_to(Step.REVIEW)),
            SaveParticipant(bo),
            SaveTop(1, 7, (second,), 3.0),
            SaveStory(1, 7, second, "a story", 3.0),
        ),
    )
    assert after.ratings == {lens: {second: 5}}
    assert after.participant.step is Step.REVIEW and after.participant.user_id == 7
    assert after.top == (second,) and after.stories == {second: "a story"}
    assert view.ratings == {lens: {first: 2}}, "the view it came from is unchanged"
    assert apply(view, ()) is view


def test_a_session_view_shows_its_new_phase_and_the_people_it_placed(deck: Deck) -> None:
    session = Session(1, -100, deck.id, "en", Phase.SORTING, "c", 1, 0.0)
    ann = Participant(1, 7, 7, "Ann", "en", Step.DONE, 1, 0.0)
    view = SessionView(session, deck, finished=(Finisher(ann, (3,) * 30, ()),))
    seated = replace(ann, table_number=2)
    after = apply_to_session(
        view, (SaveSession(session.moved_to(Phase.SEATING)), SaveParticipant(seated))
    )
    assert after.session is not None and after.session.phase is Phase.SEATING
    assert after.finished[0].participant.table_number == 2
    assert view.finished[0].participant.table_number is None
