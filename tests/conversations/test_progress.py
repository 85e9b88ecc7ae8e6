"""Progress from plain counts: finishers to seat and their value profiles."""

from __future__ import annotations

from dataclasses import replace

from conversations.deck import Deck
from conversations.model import Participant, Session, Step
from conversations.phases import Phase
from conversations.progress import UNRATED_LEVEL, finishers


def test_finishers_skip_those_seated_for_good_and_unrated_cards_sit_in_the_middle(
    deck: Deck,
) -> None:
    session = Session(2, -100, deck.id, "en", Phase.SEATING, "abc", 1, 0.0)
    first, second = deck.card_ids[:2]
    proposed = Participant(2, 7, 7, "Ann", "en", Step.DONE, 1, 0.0, table_number=1)
    late = Participant(2, 8, 8, "Bo", "en", Step.DONE, 1, 0.0)
    done = ((proposed, {first: 5}, (first,)), (late, {second: 1}, (second,)))

    proposing = finishers(session, deck, done)
    assert [f.participant.user_id for f in proposing] == [7, 8], "a proposal is not final"
    assert proposing[0].profile[:2] == (5, UNRATED_LEVEL)
    assert proposing[1].profile[:2] == (UNRATED_LEVEL, 1)
    seated = finishers(replace(session, phase=Phase.TABLES), deck, done)
    assert [f.participant.user_id for f in seated] == [8]
