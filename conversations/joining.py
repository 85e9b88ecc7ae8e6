"""Joining a session in the private chat: welcome and consent, profile, language, resuming.

Owns: what happens from ``/start <code>`` until a person is ready to sort, what
``/continue`` and ``/language`` show, and the hint for text typed where a tap is
expected. Must not: deal cards (``sorting`` does) or act for the facilitator.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from conversations.apply import apply
from conversations.decision import Decision, ForgetPerson, SaveParticipant, Toast, merge
from conversations.deck import Deck
from conversations.effects import AskAgeBand, AskConsent, AskOrganisation, Effect, Notice, Say
from conversations.events import (
    AgeBandAnswered,
    ConsentAnswered,
    ContinueRequested,
    ForgetRequested,
    JoinRequested,
    LanguageChosen,
    OrganisationAnswered,
    ParticipantUnreachable,
    TextReceived,
)
from conversations.model import (
    AGE_BANDS,
    LOCALES,
    MAX_ORGANISATION_LENGTH,
    Participant,
    ParticipantView,
    PersonView,
    Session,
    Step,
)
from conversations.phases import accepts_joining, sorting_open
from conversations.sharing import (
    AT_TABLE,
    receive_story,
    relay_text,
    show_table_step,
    table_moves_on,
)
from conversations.sorting import begin_lens, show_sort_step
from conversations.voting import receive_note, show_vote_step

SORT_STEPS = frozenset({Step.SORTING, Step.REVIEW, Step.TOP, Step.DONE})
VOTE_STEPS = frozenset({Step.VOTING, Step.VOTED, Step.DECIDING, Step.NOTE, Step.FINAL})


@dataclass(frozen=True, slots=True)
class JoinView:
    """What ``/start <code>`` is decided on: the session of the code, if any, and the
    person's earlier participation in it, if any."""

    session: Session | None
    deck: Deck | None
    existing: ParticipantView | None


def join(view: JoinView, event: JoinRequested) -> Decision:
    locale = event.language_code if event.language_code in LOCALES else None
    if view.session is None or view.deck is None:
        return Decision(effects=(Say(event.chat_id, locale or "en", "join_unknown_code"),))
    session, deck = view.session, view.deck
    if not accepts_joining(session.phase):
        return Decision(effects=(Say(event.chat_id, session.locale, "join_closed"),))
    if view.existing is not None:
        p = view.existing.participant
        return Decision(
            effects=(
                Say(p.chat_id, p.locale, "welcome_back", deck_id=deck.id),
                *show_step(view.existing, fresh=True),
            )
        )
    participant = Participant(
        session_id=session.id,
        user_id=event.user_id,
        chat_id=event.chat_id,
        name=event.name,
        locale=session.locale,
        step=Step.CONSENT,
        order_seed=event.order_seed,
        joined_at=event.at,
    )
    return Decision(
        changes=(SaveParticipant(participant),),
        effects=show_step(ParticipantView(session, deck, participant), fresh=True),
    )


def show_step(view: ParticipantView, *, fresh: bool) -> tuple[Effect, ...]:
    """Everything needed to show a person where they stand (``/continue``, resuming)."""
    p, deck = view.participant, view.deck
    if p.step is Step.CONSENT:
        return (
            AskConsent(
                p.chat_id,
                p.locale,
                p.session_id,
                deck.id,
                len(deck.lenses),
                len(deck.cards),
                view.session.profile_questions,
                fresh=fresh,
            ),
        )
    if p.step is Step.AGE:
        return (AskAgeBand(p.chat_id, p.locale, p.session_id, AGE_BANDS, fresh=fresh),)
    if p.step is Step.ORGANISATION:
        return (AskOrganisation(p.chat_id, p.locale, p.session_id, fresh=fresh),)
    if p.step is Step.WAITING:
        return (Notice(p.chat_id, p.locale, p.session_id, "waiting_for_sort", fresh=fresh),)
    if p.step is Step.DECLINED:
        return (Notice(p.chat_id, p.locale, p.session_id, "declined", fresh=fresh),)
    if p.step in VOTE_STEPS:
        return show_vote_step(view, fresh=fresh)
    if p.step in AT_TABLE:
        return show_table_step(view, fresh=fresh)
    return show_sort_step(view, fresh=fresh)


def _saved(view: ParticipantView, participant: Participant, *, fresh: bool) -> Decision:
    """The person saved as ``participant``, and shown where they now stand."""
    changes = (SaveParticipant(participant),)
    return Decision(changes=changes, effects=show_step(apply(view, changes), fresh=fresh))


def _ready(view: ParticipantView, *, typed: bool = False) -> Decision:
    """The person finished the welcome: sort now, or wait for the facilitator. After
    something they ``typed`` the answer is a new message below it (an edit of the one
    above would neither notify nor scroll)."""
    if sorting_open(view.session.phase, view.session.sort_on_join):
        started, effects = begin_lens(view, 0)
        return Decision(changes=(SaveParticipant(started),), effects=effects)
    return _saved(view, view.participant.moved_to(Step.WAITING), fresh=typed)


def answer_consent(view: ParticipantView, event: ConsentAnswered) -> Decision:
    p = view.participant
    if not event.agreed:
        return _saved(view, p.moved_to(Step.DECLINED), fresh=False)
    if view.session.profile_questions:
        return _saved(view, p.moved_to(Step.AGE), fresh=True)
    return _ready(view)


def answer_age_band(view: ParticipantView, event: AgeBandAnswered) -> Decision:
    p = view.participant
    if event.band is not None and event.band not in AGE_BANDS:
        return Decision(toast=Toast("invalid_button"))
    return _saved(view, p.moved_to(Step.ORGANISATION, age_band=event.band), fresh=False)


def answer_organisation(view: ParticipantView, event: OrganisationAnswered) -> Decision:
    p = view.participant
    organisation = None
    if event.organisation is not None:
        organisation = " ".join(event.organisation.split())[:MAX_ORGANISATION_LENGTH] or None
    answered = apply(view, (SaveParticipant(replace(p, organisation=organisation)),))
    return _ready(answered, typed=event.organisation is not None)


def receive_text(view: ParticipantView, event: TextReceived) -> Decision:
    """Text typed in the private chat: an answer where one is asked for, else a hint."""
    p = view.participant
    if p.step is Step.ORGANISATION:
        return answer_organisation(
            view, OrganisationAnswered(event.at, event.session_id, event.user_id, event.text)
        )
    if p.step is Step.STORY and p.story_card is not None:
        return receive_story(view, event)
    if p.step is Step.NOTE and view.table is not None:
        return receive_note(view, event)
    if p.step in AT_TABLE and view.table is not None:
        return relay_text(view, event)
    hint = {
        Step.CONSENT: "hint_consent",
        Step.AGE: "hint_tap",
        Step.WAITING: "waiting_for_sort",
        Step.SORTING: "hint_sort",
        Step.REVIEW: "hint_tap",
        Step.TOP: "hint_tap",
        Step.DONE: "sort_done",
        Step.DECLINED: "declined",
    }.get(p.step, "hint_tap")
    return Decision(effects=(Say(p.chat_id, p.locale, hint),))


def resume(view: ParticipantView, event: ContinueRequested) -> Decision:
    p = view.participant
    if p.on_board or (p.step is Step.SORTING and p.paused):  # back in the chat
        return _saved(view, replace(p, paused=False, on_board=False), fresh=True)
    return Decision(effects=show_step(view, fresh=True))


def choose_language(view: ParticipantView, event: LanguageChosen) -> Decision:
    p = view.participant
    if event.locale not in LOCALES:
        return Decision(toast=Toast("invalid_button"))
    changes = (SaveParticipant(replace(p, locale=event.locale)),)
    after = apply(view, changes)
    return Decision(
        changes=changes,
        effects=(Say(p.chat_id, event.locale, "language_set"), *show_step(after, fresh=True)),
    )


def forget(view: PersonView, event: ForgetRequested) -> Decision:
    """Delete the person's data everywhere; what stays is described in the README."""
    if view.participations == 0:
        return Decision(effects=(Say(event.chat_id, event.locale, "nothing_to_forget"),))
    return Decision(
        changes=(ForgetPerson(event.user_id),),
        effects=(Say(event.chat_id, event.locale, "forgotten"),),
    )


def mark_unreachable(view: ParticipantView, event: ParticipantUnreachable) -> Decision:
    """Telegram refused to deliver: marked, so that their table does not wait for them."""
    if view.participant.unreachable:
        return Decision()
    marked = Decision(changes=(SaveParticipant(replace(view.participant, unreachable=True)),))
    return merge(marked, table_moves_on(apply(view, marked.changes)))
