"""Series of sessions (step 7 of the method): follow-up sessions in the same group.

Owns: creating the next session of a group's series (``/followup``: the latest session
must be closed; its settings carry over; whoever took part and may still be written to
is invited privately), the comparison of a participant's top with their top in an
earlier session of the series ("then and now"), and the comparison of a follow-up's
plenary with every earlier session of the series (values agreed at tables and the most
frequent values, session by session; what is new, gone or agreed every time). Must not:
load the earlier sessions (the shell follows ``previous_id`` back and puts what is needed
into the view), seat people (``table_plan`` avoids the earlier table mates the view names)
or compute the plenary's figures itself (``plenary_figures`` does, for every session).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from conversations.decision import Decision, SaveSession
from conversations.deck import Deck
from conversations.effects import (
    Effect,
    Invite,
    InviteFollowup,
    Say,
    ShowSeriesComparison,
    ShowThenAndNow,
)
from conversations.events import FollowupRequested
from conversations.model import (
    LOCALES,
    EarlierSession,
    Participant,
    ParticipantView,
    Session,
    SessionView,
    Step,
)
from conversations.phases import Phase
from conversations.plenary_figures import Summary
from conversations.rehearsal import is_simulated
from conversations.vote_count import deck_position

NOT_INVITED = frozenset({Step.CONSENT, Step.DECLINED})
"""Who is not invited to a follow-up: people who never gave consent or declined."""


def _say(chat_id: int, in_locale: str, template: str, **params: str | int) -> Decision:
    return Decision(effects=(Say(chat_id, in_locale, template, dict(params)),))


def invitees(people: Sequence[Participant]) -> tuple[Participant, ...]:
    """The participants of a session who are invited to its follow-up: they gave consent
    and the bot can still write to them (people who used ``/forgetme`` are gone; the
    simulated people of a rehearsal have no chat)."""
    return tuple(
        p
        for p in people
        if p.step not in NOT_INVITED and not p.unreachable and not is_simulated(p.user_id)
    )


def request_followup(view: SessionView, event: FollowupRequested) -> Decision:
    """The next session of the series, after the group's latest session (``view.session``)."""
    previous = view.session
    locale = previous.locale if previous is not None else event.default_locale
    if previous is None:
        return _say(event.group_chat_id, locale, "followup_without_session")
    if previous.phase is not Phase.CLOSED:
        return _say(event.group_chat_id, locale, "followup_needs_end", session=previous.id)
    deck_id = event.deck_id or previous.deck_id
    new_locale = event.locale or previous.locale
    if event.deck_id in LOCALES and event.locale is None:  # "/followup en": a language only
        deck_id, new_locale = previous.deck_id, event.deck_id
    if deck_id != previous.deck_id and deck_id not in event.known_decks:
        return _say(
            event.group_chat_id,
            locale,
            "unknown_deck",
            deck_id=deck_id,
            decks=", ".join(event.known_decks),
        )
    if new_locale not in LOCALES:
        return _say(
            event.group_chat_id,
            locale,
            "unknown_locale",
            locale=new_locale,
            locales=", ".join(LOCALES),
        )
    session = _followup(previous, event, deck_id, new_locale)
    invited = invitees(view.previous_people)
    number = max(view.series_length, 1) + 1
    effects: list[Effect] = [  # the invitation last, so that its Join button stays in view
        Say(
            session.group_chat_id,
            session.locale,
            "followup_posted",
            {"session": previous.id, "count": len(invited), "number": number},
        ),
        Invite(session.group_chat_id, session.locale, session.id, session.join_code, deck_id),
    ]
    effects.extend(
        InviteFollowup(
            p.chat_id,
            p.locale,
            session.id,
            session.join_code,
            deck_id,
            previous.id,
            number,
            event.group_title,
        )
        for p in invited
    )
    return Decision(changes=(SaveSession(session),), effects=tuple(effects))


def _followup(previous: Session, event: FollowupRequested, deck_id: str, locale: str) -> Session:
    """A new session with the previous one's settings (table size, late joins, vote rule,
    rounds, time zone, waking hours, reminders, ...) and none of its progress."""
    return replace(
        previous,
        id=event.new_session_id,
        deck_id=deck_id,
        locale=locale,
        phase=Phase.JOINING,
        join_code=event.join_code,
        created_by=event.user_id,
        created_at=event.at,
        rooms=None,
        dilemma_index=0,
        own_dilemmas=(),
        paused_at=None,
        previous_id=previous.id,
    )


def then_and_now(view: ParticipantView) -> tuple[Effect, ...]:
    """The person's new top (``view.top``) next to their top in the most recent earlier
    session of the series in which they had one; nothing outside a series."""
    earlier = view.earlier_top
    if view.session.previous_id is None or earlier is None or not earlier.cards:
        return ()
    p, now, then = view.participant, view.top, earlier.cards
    return (
        ShowThenAndNow(
            p.chat_id,
            p.locale,
            p.session_id,
            view.deck.id,
            earlier.deck_id,
            earlier.session_id,
            then,
            now,
            stayed=tuple(card for card in now if card in then),
            came=tuple(card for card in now if card not in then),
            went=tuple(card for card in then if card not in now),
        ),
    )


SERIES_ROWS = 10
"""At most this many values in each list of the series comparison."""
FREQUENT_PER_SESSION = 5
"""A value is listed among the most frequent of the series when it is among the first
this many of some session."""


def _ranked(
    counts: Sequence[Mapping[str, int]], position: Callable[[str], tuple[int, str]]
) -> list[str]:
    """The cards counted in ``counts`` (one mapping per session, this one last): most now
    first, then most in the earlier sessions together, then deck order."""
    cards = {card for session in counts for card, n in session.items() if n > 0}
    return sorted(
        cards,
        key=lambda c: (-counts[-1].get(c, 0), -sum(s.get(c, 0) for s in counts[:-1]), position(c)),
    )


def compare(
    session: Session,
    deck: Deck,
    now: Summary,
    people_now: int,
    earlier: Sequence[EarlierSession],
    then: Sequence[Summary],
) -> ShowSeriesComparison:
    """How the group's values changed over the series: for every session (``earlier``
    with their summaries ``then``, oldest first, and this one), the values agreed at tables
    and the most frequent values in the tops. A value agreed now and in no earlier session
    is new, one agreed earlier and not now is gone, one agreed in every session stays;
    while no table voted in this session, none of the three is judged yet."""
    summaries = (*then, now)
    decks = (*(e.deck for e in earlier), deck)
    position = deck_position([card for d in reversed(decks) for card in d.card_ids])

    def row(card: str, counts: Sequence[Mapping[str, int]]) -> tuple[str, str, tuple[int, ...]]:
        """The card, the most recent deck holding it (for its title), its counts."""
        deck_id = next((d.id for d in reversed(decks) if card in d.card_ids), deck.id)
        return card, deck_id, tuple(session_counts.get(card, 0) for session_counts in counts)

    agreed = [{r.card: len(r.agreed_at) for r in s.grid if r.agreed_at} for s in summaries]
    leading = {card for s in summaries for card, _ in s.in_tops[:FREQUENT_PER_SESSION]}
    frequent = [{card: n for card, n in s.in_tops if card in leading} for s in summaries]
    agreed_now, agreed_before = set(agreed[-1]), {card for a in agreed[:-1] for card in a}
    always = agreed_now.intersection(*agreed[:-1]) if now.voted else set()
    new = agreed_now - agreed_before if now.voted else set()
    gone = agreed_before - agreed_now if now.voted else set()
    sessions = [(e.session.id, e.deck.id, len(e.people)) for e in earlier]
    sessions.append((session.id, deck.id, people_now))
    return ShowSeriesComparison(
        session.group_chat_id,
        session.locale,
        session.id,
        deck.id,
        tuple(
            (*ids, sum(table.outcome is not None for table in summary.tables))
            for ids, summary in zip(sessions, summaries, strict=True)
        ),
        tuple(row(card, agreed) for card in _ranked(agreed, position)[:SERIES_ROWS]),
        tuple(row(card, frequent) for card in _ranked(frequent, position)[:SERIES_ROWS]),
        agreed_always=tuple(sorted(always, key=position)),
        agreed_new=tuple(sorted(new, key=position)),
        agreed_gone=tuple(row(card, ())[:2] for card in sorted(gone, key=position)),
    )
