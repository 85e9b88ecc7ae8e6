"""Property tests: random sequences of events, legal or not, never break the core's
invariants (and never make it raise)."""

from __future__ import annotations

from conftest import Workshop
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.decks.files import load_builtin_decks
from conversations import events as ev
from conversations.model import AGE_BANDS, Step
from conversations.sorting import card_order, current_card

DECK = load_builtin_decks()["team-values"]
USERS = (1, 2, 3)
CARDS = (*DECK.card_ids, "no-such-card")


def event_strategy() -> st.SearchStrategy[ev.Event]:
    user = st.sampled_from(USERS)
    session = st.sampled_from((1, 2))
    lens = st.integers(0, 2)
    card = st.sampled_from(CARDS)
    level = st.integers(0, 6)
    at = st.just(0.0)
    return st.one_of(
        st.builds(lambda u: ("join", u), user),
        st.builds(ev.ConsentAnswered, at, session, user, st.booleans()),
        st.builds(
            ev.AgeBandAnswered, at, session, user, st.sampled_from((*AGE_BANDS, None, "old"))
        ),
        st.builds(
            ev.OrganisationAnswered, at, session, user, st.one_of(st.none(), st.text(max_size=200))
        ),
        st.builds(ev.CardRated, at, session, user, lens, card, level),
        st.builds(ev.RatingUndone, at, session, user, lens, card),
        st.builds(ev.SortPaused, at, session, user),
        st.builds(ev.ContinueRequested, at, session, user),
        st.builds(ev.BoardOpened, at, session, user),
        st.builds(ev.CardPlaced, at, session, user, lens, card, level),
        st.builds(ev.PileCardPicked, at, session, user, lens, st.one_of(st.none(), card)),
        st.builds(ev.PileCardMoved, at, session, user, lens, card, level),
        st.builds(ev.PilesConfirmed, at, session, user, lens),
        st.builds(ev.TopCardToggled, at, session, user, card),
        st.builds(ev.TopConfirmed, at, session, user),
        st.builds(ev.TextReceived, at, session, user, st.text(max_size=50)),
        st.builds(ev.LanguageChosen, at, session, user, st.sampled_from(("nl", "en", "fr"))),
        st.builds(ev.SortStartRequested, at, st.just(-100), st.just(1), st.booleans()),
        st.builds(
            ev.SettingChanged,
            at,
            st.just(-100),
            st.just(1),
            st.booleans(),
            st.sampled_from(("start", "profile", "x")),
            st.sampled_from(("join", "off", "on", "?")),
        ),
    )


def check_invariants(w: Workshop) -> None:
    for (session_id, user_id), p in w.participants.items():
        ratings = w.ratings.get((session_id, user_id), {})
        assert set(ratings) <= set(DECK.lens_ids)
        for lens_index, lens in enumerate(DECK.lenses):
            rated = ratings.get(lens.id, {})
            assert all(1 <= level <= 5 for level in rated.values())
            assert set(rated) <= set(DECK.card_ids)
            if p.step is Step.SORTING and lens_index == p.lens_index:
                assert len(rated) < len(DECK.cards), "the last card of a lens opens its review"
                current = current_card(w.people[(session_id, user_id)])
                assert current is not None
                order = card_order(DECK, p, lens_index)
                before = order[: current[0]]
                assert set(before) <= set(rated), "every card before the next one is rated"
                assert current[1] not in rated
            if lens_index < p.lens_index or (
                p.step in (Step.REVIEW, Step.TOP, Step.DONE) and lens_index <= p.lens_index
            ):
                assert len(rated) == len(DECK.cards), "a finished lens has every card rated"
        top = w.tops.get((session_id, user_id), ())
        if p.step is Step.DONE:
            assert len(top) == DECK.top_size == len(set(top))
            last = ratings[DECK.lenses[-1].id]
            lowest_in_top = min(last[c] for c in top)
            higher = {card for card, level in last.items() if level > lowest_in_top}
            assert higher <= set(top), "the top comes from the highest piles"
        assert len(p.selection) <= DECK.top_size
        assert p.age_band in (*AGE_BANDS, None)


@settings(max_examples=150, deadline=None)
@given(st.lists(event_strategy(), max_size=120))
def test_random_event_sequences_keep_the_invariants(events: list[object]) -> None:
    w = Workshop(DECK)
    w.new_session()
    for event in events:
        if isinstance(event, tuple):
            w.join(event[1])
        elif (
            isinstance(event, ev.ParticipantEvent)
            and w.participant_view(event.session_id, event.user_id) is None
        ):
            continue  # the shell answers "not for you" without asking the core
        else:
            w.send(event)  # type: ignore[arg-type]
        check_invariants(w)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_people_who_tap_only_offered_buttons_always_finish(data: st.DataObject) -> None:
    """Whatever piles they choose, a person answering the screens shown reaches DONE."""
    from conversations.effects import (
        AskAgeBand,
        AskConsent,
        AskOrganisation,
        ShowCard,
        ShowPiles,
        ShowTopPicker,
    )

    w = Workshop(DECK)
    w.new_session()
    w.send(ev.SettingChanged(0.0, -100, 1, True, "start", "join"))
    effects = list(w.join(7).effects)
    for _ in range(400):
        screen = effects[-1]
        if isinstance(screen, AskConsent):
            decision = w.send(ev.ConsentAnswered(0.0, 1, 7, True))
        elif isinstance(screen, AskAgeBand):
            decision = w.send(
                ev.AgeBandAnswered(0.0, 1, 7, data.draw(st.sampled_from((*AGE_BANDS, None))))
            )
        elif isinstance(screen, AskOrganisation):
            decision = w.send(ev.OrganisationAnswered(0.0, 1, 7, None))
        elif isinstance(screen, ShowCard):
            level = data.draw(st.integers(1, 5))
            decision = w.send(ev.CardRated(0.0, 1, 7, screen.lens_index, screen.card_id, level))
        elif isinstance(screen, ShowPiles):
            decision = w.send(ev.PilesConfirmed(0.0, 1, 7, screen.lens_index))
        elif isinstance(screen, ShowTopPicker):
            if len(screen.selected) < screen.top_size:
                choice = data.draw(
                    st.sampled_from([c for c in screen.candidates if c not in screen.selected])
                )
                decision = w.send(ev.TopCardToggled(0.0, 1, 7, choice))
            else:
                decision = w.send(ev.TopConfirmed(0.0, 1, 7))
        else:
            break
        assert decision.toast is None, decision.toast
        effects.extend(decision.effects)
    assert w.participant(7).step is Step.DONE
    check_invariants(w)
