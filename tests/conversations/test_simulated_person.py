"""What simulated people do with each screen, and that, answering only what the core
shows them, a rehearsal's people get through the whole sort by themselves."""

from __future__ import annotations

from dataclasses import replace

from conftest import FACILITATOR, GROUP, Workshop
from hypothesis import given
from hypothesis import strategies as st

from conversations import effects as fx
from conversations import events as ev
from conversations.decision import MarkSimulated
from conversations.deck import Deck
from conversations.effects import MAIN_SLOT
from conversations.model import AGE_BANDS, Step
from conversations.rehearsal import is_simulated
from conversations.simulated_person import Profile, Typing, respond

NAMES = {"en": tuple(f"Sim{i} (simulated)" for i in range(30))}
USER = 2**53 + 1_001


def test_a_profile_is_the_same_for_the_same_seed_and_levels_stay_in_range(deck: Deck) -> None:
    one, again, other = Profile.from_seed(7), Profile.from_seed(7), Profile.from_seed(8)
    assert one == again and one != other
    levels = [one.level(card, lens) for card in deck.card_ids for lens in (0, 1)]
    assert set(levels) <= {1, 2, 3, 4, 5} and len(set(levels)) >= 3
    assert one.age_band in (*AGE_BANDS, None)
    assert 0.5 <= one.pace <= 1.5


def test_answers_to_the_joining_screens(deck: Deck) -> None:
    profile = Profile.from_seed(3)
    consent = respond(fx.AskConsent(USER, "en", 1, deck.id, 2, 30, True), profile, 5.0)
    assert consent == ev.ConsentAnswered(5.0, 1, USER, True)
    band = respond(fx.AskAgeBand(USER, "en", 1, AGE_BANDS), profile, 5.0)
    assert band == ev.AgeBandAnswered(5.0, 1, USER, profile.age_band)
    organisation = respond(fx.AskOrganisation(USER, "en", 1), profile, 5.0)
    assert organisation == Typing(1, USER, "rehearsal_organisations", profile.organisation)


def test_messages_to_read_get_no_answer(deck: Deck) -> None:
    profile = Profile.from_seed(3)
    for effect in (
        fx.Notice(USER, "en", 1, "waiting_for_sort"),
        fx.Say(USER, "en", "sort_done"),
        fx.IntroduceLens(USER, "en", 1, deck.id, 0, 2),
        fx.TableIntro(USER, "en", 1, 1, ("Bo",), "relay"),
        fx.Relay(USER, "en", 1, 1, False, "Bo", "hello"),
    ):
        assert respond(effect, profile, 1.0) is None


def test_a_card_is_rated_at_the_profile_s_level(deck: Deck) -> None:
    profile = Profile.from_seed(11)
    card = deck.card_ids[4]
    answer = respond(fx.ShowCard(USER, "en", 1, deck.id, 1, card, 5, 30), profile, 1.0)
    assert answer == ev.CardRated(1.0, 1, USER, 1, card, profile.level(card, 1))


def tap_through_picker(picker: fx.ShowTopPicker, profile: Profile) -> tuple[str, ...]:
    """Apply the profile's taps to a picker until they confirm; the confirmed selection."""
    for _ in range(20):
        answer = respond(picker, profile, 1.0)
        if isinstance(answer, ev.TopConfirmed):
            return picker.selected
        assert isinstance(answer, ev.TopCardToggled)
        selected = picker.selected
        if answer.card_id in selected:
            selected = tuple(c for c in selected if c != answer.card_id)
        else:
            assert len(selected) < picker.top_size, "never taps a full picker"
            selected = (*selected, answer.card_id)
        picker = replace(picker, selected=selected)
    raise AssertionError("the picker never got confirmed")


@given(st.integers(0, 2**32), st.integers(0, 4), st.integers(4, 10))
def test_the_top_picker_ends_in_a_full_top(seed: int, preselected: int, offered: int) -> None:
    deck_cards = tuple(f"card-{i}" for i in range(12))
    profile = Profile.from_seed(seed)
    candidates = deck_cards[:offered]
    picker = fx.ShowTopPicker(
        USER, "en", 1, "d", candidates, candidates[-preselected:][:preselected], 4
    )
    top = tap_through_picker(picker, profile)
    assert len(top) == 4 and set(top) <= set(candidates)


def test_revising_swaps_the_weakest_card_for_one_heard_at_the_table() -> None:
    own, heard = ("a", "b", "c", "d"), ("e", "f")
    profile = next(p for p in map(Profile.from_seed, range(100)) if p.revises)
    picker = fx.ShowTopPicker(USER, "en", 1, "d", (*own, *heard), own, 4, revising=True)
    top = tap_through_picker(picker, profile)
    assert len(set(top) & set(own)) == 3 and len(set(top) & set(heard)) == 1
    keeper = next(p for p in map(Profile.from_seed, range(100)) if not p.revises)
    assert respond(fx.AskRevision(USER, "en", 1, "d", own), keeper, 1.0) == ev.RevisionAnswered(
        1.0, 1, USER, True
    )


@given(st.integers(0, 2**32), st.lists(st.integers(1, 4), min_size=1, max_size=9))
def test_a_vote_approves_at_most_the_limit_then_confirms(seed: int, holders: list[int]) -> None:
    profile = Profile.from_seed(seed)
    candidates = tuple((f"card-{i}", n) for i, n in enumerate(holders))
    selected: tuple[str, ...] = ()
    for _ in range(30):
        answer = respond(fx.AskVote(USER, "en", 1, "d", candidates, selected, 4, 1), profile, 1.0)
        if isinstance(answer, ev.VoteConfirmed):
            break
        assert isinstance(answer, ev.VoteToggled)
        if answer.card_id in selected:
            selected = tuple(c for c in selected if c != answer.card_id)
        else:
            selected = (*selected, answer.card_id)
        assert len(selected) <= 4
    else:
        raise AssertionError("the vote was never confirmed")
    assert len(selected) == min(4, len(holders))
    if not profile.stubborn:  # the most held cards are approved first
        most = max(holders)
        assert all(c in selected for c, n in candidates if n == most) or len(selected) == 4


def _ballot(profile: Profile, candidates: tuple[tuple[str, int], ...]) -> tuple[str, ...]:
    """What ``profile`` approves on a fresh ballot of ``candidates``, tap by tap."""
    selected: tuple[str, ...] = ()
    for _ in range(30):
        answer = respond(fx.AskVote(USER, "en", 1, "d", candidates, selected, 4, 1), profile, 1.0)
        if isinstance(answer, ev.VoteConfirmed):
            return selected
        assert isinstance(answer, ev.VoteToggled)
        selected = (
            tuple(c for c in selected if c != answer.card_id)
            if answer.card_id in selected
            else (*selected, answer.card_id)
        )
    raise AssertionError("the vote was never confirmed")


def test_a_voter_who_withholds_one_approves_the_table_top_but_their_weakest_and_own_best() -> None:
    candidates = (("a", 4), ("b", 3), ("c", 3), ("d", 2), ("e", 1), ("f", 1))
    leanings = {"a": 5.0, "b": 4.0, "c": 2.0, "d": 4.5, "e": 1.0, "f": 4.8}
    together = replace(Profile.from_seed(1), stubborn=False, leanings=leanings)
    assert set(_ballot(together, candidates)) == {"a", "b", "c", "d"}
    doubter = replace(together, withholds=1)
    assert set(_ballot(doubter, candidates)) == {"a", "b", "d", "f"}
    stubborn = replace(doubter, stubborn=True)
    assert set(_ballot(stubborn, candidates)) == {"a", "f", "d", "b"}


def test_stories_then_done_then_notes(deck: Deck) -> None:
    profile = Profile.from_seed(5)
    top = deck.card_ids[:4]
    first = respond(fx.AskStoryCard(USER, "en", 1, deck.id, top, ()), profile, 1.0)
    assert isinstance(first, ev.StoryCardChosen) and first.card_id in top
    text = respond(fx.AskStoryText(USER, "en", 1, deck.id, top[0], 1000), profile, 1.0)
    assert text == Typing(1, USER, "rehearsal_stories", profile.voice, deck.id, top[0])
    told = tuple(top[: profile.stories])
    done = respond(fx.AskStoryCard(USER, "en", 1, deck.id, top, told), profile, 1.0)
    assert done == ev.StoryCardChosen(1.0, 1, USER, None)
    note = respond(fx.AskNote(USER, "en", 1), profile, 1.0)
    assert isinstance(note, Typing if profile.writes_note else ev.NoteSkipped)
    again = respond(fx.AskNextRound(USER, "en", 1, 1, 3), profile, 1.0)
    assert again == ev.RoundDecided(1.0, 1, USER, profile.rounds > 1)


def test_simulated_people_sort_everything_by_answering_their_screens(
    workshop: Workshop, deck: Deck
) -> None:
    """The core alone, the way the shell's actor drives it: each simulated person answers
    the newest screen addressed to them until nobody has anything left to answer."""
    workshop.new_session(locale="en")
    workshop.send(ev.SettingChanged(workshop.now(), GROUP, FACILITATOR, True, "start", "join"))
    joined = workshop.send(
        ev.RehearsalRequested(workshop.now(), GROUP, FACILITATOR, True, 5, NAMES, 9)
    )
    marks = [c for c in joined.changes if isinstance(c, MarkSimulated)]
    profiles = {m.user_id: Profile.from_seed(m.profile_seed) for m in marks}
    people = [p for p in workshop.participants.values() if is_simulated(p.user_id)]
    assert len(people) == len(profiles) == 5
    answered = 0
    for _ in range(5 * 200):
        screens = {
            e.chat_id: e for e in workshop.outbox if e.SLOT == MAIN_SLOT and e.chat_id in profiles
        }
        workshop.outbox.clear()
        answers = [
            respond(screen, profiles[chat], workshop.now()) for chat, screen in screens.items()
        ]
        answers = [a for a in answers if a is not None]
        if not answers:
            break
        for answer in answers:
            if isinstance(answer, Typing):
                answer = ev.TextReceived(workshop.now(), answer.session_id, answer.user_id, "Org")
            decision = workshop.send(answer)
            assert decision.toast is None or decision.toast.key != "stale_button", answer
            answered += 1
    assert {workshop.participant(p.user_id).step for p in people} == {Step.DONE}
    assert all(len(workshop.tops[(1, p.user_id)]) == deck.top_size for p in people)
    assert answered >= 5 * (2 * len(deck.card_ids) + 2 + 4)
