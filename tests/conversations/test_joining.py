"""Joining through the core: codes, consent, profile, waiting, resuming, hints."""

from __future__ import annotations

from conftest import Workshop

from conversations import events as ev
from conversations.effects import (
    AskAgeBand,
    AskConsent,
    AskOrganisation,
    Notice,
    Say,
    ShowCard,
)
from conversations.model import Step


def test_unknown_code_gets_a_clear_message(workshop: Workshop) -> None:
    workshop.new_session()
    decision = workshop.join(5, code="nope")
    assert decision.changes == ()
    assert [e.template for e in decision.effects if isinstance(e, Say)] == ["join_unknown_code"]


def test_closed_session_refuses_joining(workshop: Workshop) -> None:
    workshop.new_session()
    workshop.send(ev.SessionEndRequested(workshop.now(), -100, 1, True))
    decision = workshop.join(5)
    assert decision.changes == ()
    assert decision.effects[0].template == "join_closed"  # type: ignore[attr-defined]


def test_join_consent_profile_then_wait_for_the_facilitator(workshop: Workshop) -> None:
    workshop.new_session()
    first = workshop.join(5)
    assert isinstance(first.effects[-1], AskConsent)
    assert workshop.participant(5).step is Step.CONSENT
    age = workshop.send(ev.ConsentAnswered(workshop.now(), 1, 5, True))
    assert isinstance(age.effects[-1], AskAgeBand)
    org = workshop.send(ev.AgeBandAnswered(workshop.now(), 1, 5, "30-44"))
    assert isinstance(org.effects[-1], AskOrganisation)
    wait = workshop.send(ev.OrganisationAnswered(workshop.now(), 1, 5, None))
    assert wait.effects[-1].template == "waiting_for_sort"  # type: ignore[attr-defined]
    p = workshop.participant(5)
    assert (p.step, p.age_band, p.organisation) == (Step.WAITING, "30-44", None)
    started = workshop.send(ev.SortStartRequested(workshop.now(), -100, 1, True))
    cards = [e for e in started.effects if isinstance(e, ShowCard)]
    assert [c.chat_id for c in cards] == [5]
    assert workshop.participant(5).step is Step.SORTING


def test_after_typing_the_answer_is_a_new_message_and_after_a_tap_an_edit(
    workshop: Workshop,
) -> None:
    workshop.new_session()
    for user, typed in ((5, "Gemeente Utrecht"), (6, None)):
        workshop.join(user)
        workshop.send(ev.ConsentAnswered(workshop.now(), 1, user, True))
        workshop.send(ev.AgeBandAnswered(workshop.now(), 1, user, None))
        answer = ev.TextReceived(workshop.now(), 1, user, typed) if typed else None
        wait = workshop.send(answer or ev.OrganisationAnswered(workshop.now(), 1, user, None))
        (notice,) = wait.effects
        assert isinstance(notice, Notice) and notice.template == "waiting_for_sort"
        assert notice.fresh is (typed is not None), "typed: below it; tapped: in place"


def test_joining_twice_resumes_where_one_was(workshop: Workshop) -> None:
    workshop.new_session()
    workshop.join(5)
    workshop.send(ev.ConsentAnswered(workshop.now(), 1, 5, True))
    again = workshop.join(5)
    assert again.changes == ()
    assert again.effects[0].template == "welcome_back"  # type: ignore[attr-defined]
    assert isinstance(again.effects[-1], AskAgeBand)


def test_declining_consent_ends_participation(workshop: Workshop) -> None:
    workshop.new_session()
    workshop.join(5)
    declined = workshop.send(ev.ConsentAnswered(workshop.now(), 1, 5, False))
    assert workshop.participant(5).step is Step.DECLINED
    assert declined.effects[-1].template == "declined"  # type: ignore[attr-defined]


def test_profile_questions_off_goes_straight_to_the_sort(workshop: Workshop) -> None:
    workshop.new_session()
    workshop.send(ev.SettingChanged(workshop.now(), -100, 1, True, "profile", "off"))
    workshop.send(ev.SettingChanged(workshop.now(), -100, 1, True, "start", "join"))
    workshop.join(5)
    decision = workshop.send(ev.ConsentAnswered(workshop.now(), 1, 5, True))
    assert isinstance(decision.effects[-1], ShowCard)


def test_text_where_a_tap_is_expected_gets_a_hint(workshop: Workshop) -> None:
    workshop.new_session()
    workshop.join(5)
    hint = workshop.send(ev.TextReceived(workshop.now(), 1, 5, "hello?"))
    assert hint.changes == ()
    assert hint.effects[0].template == "hint_consent"  # type: ignore[attr-defined]


def test_a_tap_meant_for_another_step_is_stale(workshop: Workshop) -> None:
    workshop.new_session()
    workshop.join(5)
    decision = workshop.send(ev.AgeBandAnswered(workshop.now(), 1, 5, "30-44"))
    assert decision.changes == () and decision.toast and decision.toast.key == "stale_button"


def test_language_switch_reshows_the_step_in_the_new_language(workshop: Workshop) -> None:
    workshop.new_session()
    workshop.join(5)
    decision = workshop.send(ev.LanguageChosen(workshop.now(), 1, 5, "en"))
    assert workshop.participant(5).locale == "en"
    assert all(e.locale == "en" for e in decision.effects)


def test_forget_me_deletes_only_when_there_is_something(workshop: Workshop) -> None:
    from conversations.decision import ForgetPerson
    from conversations.machine import handle
    from conversations.model import PersonView

    nothing = handle(PersonView(5, 0), ev.ForgetRequested(1.0, 5, 5, "en"))
    assert nothing.changes == ()
    assert nothing.effects[0].template == "nothing_to_forget"  # type: ignore[attr-defined]
    done = handle(PersonView(5, 2), ev.ForgetRequested(1.0, 5, 5, "nl"))
    assert done.changes == (ForgetPerson(5),)
    assert done.effects[0].template == "forgotten"  # type: ignore[attr-defined]
    assert done.effects[0].locale == "nl"
