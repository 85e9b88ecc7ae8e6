"""Facilitator commands through the core: rights, one open session, settings, status."""

from __future__ import annotations

from conftest import GROUP, Workshop

from conversations import events as ev
from conversations.effects import Invite, Say, ShowSettings
from conversations.facilitation import report_status
from conversations.model import LensProgress, SessionCounts, SessionView


def test_only_facilitators_create_sessions(workshop: Workshop) -> None:
    refused = workshop.new_session(facilitator=False)
    assert refused.changes == ()
    assert [e.template for e in refused.effects if isinstance(e, Say)] == ["not_facilitator"]
    assert workshop.sessions == {}


def test_a_session_posts_an_invitation_with_its_code(workshop: Workshop) -> None:
    created = workshop.new_session(join_code="SeCrEt-code_123")
    opened, invite = created.effects
    assert isinstance(opened, Say) and opened.template == "session_opened"
    assert isinstance(invite, Invite) and invite.join_code == "SeCrEt-code_123"
    assert invite.chat_id == GROUP and invite.locale == "nl", "the invitation comes last"


def test_one_open_session_per_group(workshop: Workshop) -> None:
    workshop.new_session()
    second = workshop.new_session()
    assert second.changes == ()
    assert second.effects[0].template == "session_exists"  # type: ignore[attr-defined]
    workshop.send(ev.SessionEndRequested(workshop.now(), GROUP, 1, True))
    assert workshop.new_session().changes != ()


def test_deck_and_language_arguments(workshop: Workshop) -> None:
    unknown = workshop.new_session(deck_id="tarot")
    assert unknown.effects[0].template == "unknown_deck"  # type: ignore[attr-defined]
    bad_locale = workshop.new_session(deck_id="goed-werk", locale="fr")
    assert bad_locale.effects[0].template == "unknown_locale"  # type: ignore[attr-defined]
    english = workshop.new_session(deck_id="en")
    assert workshop.sessions[1].locale == "en" and english.changes != ()


def test_settings_change_and_refuse_nonsense(workshop: Workshop) -> None:
    workshop.new_session()
    bad = workshop.send(ev.SettingChanged(workshop.now(), GROUP, 1, True, "start", "maybe"))
    assert bad.changes == () and bad.effects[0].template == "settings_usage"  # type: ignore[attr-defined]
    ok = workshop.send(ev.SettingChanged(workshop.now(), GROUP, 1, True, "language", "en"))
    shown = ok.effects[0]
    assert isinstance(shown, ShowSettings) and shown.session_locale == "en"
    stranger = workshop.send(ev.SettingChanged(workshop.now(), GROUP, 9, False, "language", "nl"))
    assert stranger.changes == () and workshop.sessions[1].locale == "en"


def test_status_shows_counts_only(workshop: Workshop) -> None:
    workshop.new_session()
    session = workshop.sessions[1]
    counts = SessionCounts(3, 2, (LensProgress("professional", 1, 1),), 0, 1)
    decision = report_status(
        SessionView(session, workshop.deck, counts),
        ev.StatusRequested(workshop.now(), GROUP, 1, True),
    )
    (status,) = decision.effects
    assert status.joined == 3 and status.unreachable == 1  # type: ignore[attr-defined]
    assert decision.changes == ()


def test_deleting_a_session_needs_its_number(workshop: Workshop) -> None:
    from conversations.decision import DeleteSession

    workshop.new_session()
    session = workshop.sessions[1]
    ask = workshop.send(ev.SessionDeleteRequested(workshop.now(), GROUP, 1, True, None))
    assert ask.changes == () and ask.effects[0].template == "delete_confirm"  # type: ignore[attr-defined]
    wrong = workshop.send(ev.SessionDeleteRequested(workshop.now(), GROUP, 1, True, 7))
    assert wrong.changes == ()
    stranger = workshop.send(ev.SessionDeleteRequested(workshop.now(), GROUP, 5, False, 1))
    assert stranger.changes == ()
    done = workshop.send(ev.SessionDeleteRequested(workshop.now(), GROUP, 1, True, session.id))
    assert done.changes == (DeleteSession(session.id),)
