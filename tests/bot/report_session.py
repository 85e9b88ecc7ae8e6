"""Sessions for the report, built by hand as the store would load them with
``REPORT_NEEDS``: the seed-like plenary of ``plenary_session`` (twenty people at five tables,
in Dutch) with what the report tells besides its figures (organisations, age bands, names
with letters from all over Europe, stories, dilemmas, voting rounds, notes); the same
session as the second of a series; and a session of 1,000 people at 250 tables."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from plenary_session import AGREED, BANDS, DECK, NOTE, people_and_tables

from conversations.model import (
    EarlierSession,
    Mate,
    Participant,
    Session,
    SessionView,
    Step,
    Table,
    TableStage,
    TableView,
)
from conversations.phases import Phase
from conversations.plenary_figures import PersonFacts
from conversations.report import REPORT_NEEDS, Report, report_of
from conversations.vote_count import OutcomeKind

HELD_AT = datetime(2012, 7, 9, 14, 0, tzinfo=ZoneInfo("Europe/Amsterdam")).timestamp()
"""The seed's day: 9 July 2012, in the afternoon in The Hague."""
NAMES = (
    "Anouk",
    "Bas",
    "Chloë",
    "Dirk",
    "Esra",
    "Floris",
    "Gerda",
    "Hamid",
    "Ilse",
    "Joost",
    "Karin",
    "Łukasz",
    "Marieke",
    "Niels",
    "Olga",
    "Pieter",
    "Renske",
    "Şükrü",
    "Tineke",
    "Zoë",
)
ORGANISATIONS = (
    *["Gemeente Rotterdam"] * 5,
    *["Ministerie van Binnenlandse Zaken"] * 4,
    *["Belastingdienst"] * 4,
    *["Provincie Zuid-Holland"] * 3,
    *["Ministerie van Financiën"] * 2,
    *[None] * 2,
)
"""By person, as typed (None: skipped the question)."""
STORIES = {1: 8, 2: 7, 3: 8, 4: 6, 5: 5}
ROUNDS = {1: 1, 2: 2, 3: 1, 4: 3, 5: 3}
NASTY_NOTE = "Eén van ons hield vol: <b>& “€ 5” — Łódź, Şişli, Zoë"
"""Table 4's note: markup, an ampersand and letters a PDF font must have."""
NOTES = {4: NASTY_NOTE, 5: NOTE}
FACILITATOR = "Wouke Lam"


def participant(user_id: int, session_id: int = 7, step: Step = Step.FINAL) -> Participant:
    return Participant(
        session_id,
        user_id,
        user_id,
        NAMES[user_id - 1],
        "nl",
        step,
        0,
        HELD_AT,
        age_band=BANDS[user_id - 1],
        organisation=ORGANISATIONS[user_id - 1],
        table_number=1 + (user_id - 1) % 5,
    )


def seed_view(locale: str = "nl", session_id: int = 7) -> SessionView:
    """The seed-like session, seen as a report needs it."""
    people, results = people_and_tables()
    session = Session(
        session_id, -100, DECK.id, locale, Phase.CLOSED, "code", 1, HELD_AT, dilemma_index=2
    )
    members = {
        p.user_id: replace(participant(p.user_id, session_id), locale=locale) for p in people
    }
    tables = tuple(
        TableView(
            Table(
                session_id,
                result.number,
                TableStage.AGREED,
                round=ROUNDS[result.number],
                agreed=AGREED[result.number],
                outcome=result.outcome.kind if result.outcome else None,
                note=NOTES.get(result.number),
            ),
            tuple(
                Mate(members[user_id], tuple(top)) for user_id, top in result.member_tops.items()
            ),
        )
        for result in results
    )
    declined = replace(
        participant(20, session_id, Step.DECLINED), user_id=99, name="Vera", table_number=None
    )
    return SessionView(
        session,
        DECK,
        tables=tables,
        people=tuple(people),
        previous_people=(*members.values(), declined),
        story_counts=STORIES,
        loaded=REPORT_NEEDS,
    )


def earlier_session() -> EarlierSession:
    """Session 6, the first of the series: the same people, other choices at the tables."""
    view = seed_view(session_id=6)
    agreed = {1: ("social-involved", "learning"), 2: ("quality", "openness", "respect")}
    tables = tuple(
        replace(
            t,
            table=replace(
                t.table,
                agreed=agreed.get(t.table.number, ()),
                outcome=OutcomeKind.PARTIAL if t.table.number in agreed else OutcomeKind.NONE,
            ),
        )
        for t in view.tables
    )
    assert view.session is not None
    return EarlierSession(view.session, DECK, tables, view.people)


def followup_view(locale: str = "nl") -> SessionView:
    """The seed-like session as the second of a series (session 6 came first)."""
    view = seed_view(locale)
    assert view.session is not None
    return replace(view, session=replace(view.session, previous_id=6), series=(earlier_session(),))


def large_view(tables: int = 250, size: int = 4, locale: str = "nl") -> SessionView:
    """``tables`` tables of ``size``: everyone with a top of four and two lenses; a third
    of the tables agree a full top, a third part of one, the rest nothing (with a note)."""
    rng = random.Random(250)
    ids = DECK.card_ids
    session = Session(8, -100, DECK.id, locale, Phase.CLOSED, "code", 1, HELD_AT, dilemma_index=1)
    organisations = [f"Gemeente {rng.choice('ABCDEFGHIJKLMNOPQRSTUVWXYZ')}-stad" for _ in range(60)]
    people: list[PersonFacts] = []
    views: list[TableView] = []
    everyone: list[Participant] = []
    for number in range(1, tables + 1):
        mates = []
        for seat in range(size):
            user_id = number * 100 + seat
            levels = {card: rng.randint(1, 5) for card in ids}
            second = {
                card: max(1, min(5, level + rng.choice((-1, 0, 0, 1))))
                for card, level in levels.items()
            }
            top = tuple(rng.sample(ids, 4))
            person = Participant(
                8,
                user_id,
                user_id,
                f"Deelnemer {user_id}",
                locale,
                Step.FINAL,
                0,
                HELD_AT,
                age_band=rng.choice(BANDS),
                organisation=rng.choice(organisations),
                table_number=number,
            )
            everyone.append(person)
            people.append(
                PersonFacts(
                    user_id,
                    person.age_band,
                    top,
                    top,
                    {"professional": levels, "situation": second},
                )
            )
            mates.append(Mate(person, top))
        kind = (OutcomeKind.FULL, OutcomeKind.PARTIAL, OutcomeKind.NONE)[number % 3]
        agreed = {"full": mates[0].top, "partial": mates[0].top[:2], "none": ()}[kind.value]
        note = f"Tafel {number} had een goed gesprek maar geen akkoord." if not agreed else None
        table = Table(
            8,
            number,
            TableStage.AGREED,
            round=1 + number % 3,
            agreed=agreed,
            outcome=kind,
            note=note,
        )
        views.append(TableView(table, tuple(mates)))
    return SessionView(
        session,
        DECK,
        tables=tuple(views),
        people=tuple(people),
        previous_people=tuple(everyone),
        story_counts={number: size * 2 for number in range(1, tables + 1)},
        loaded=REPORT_NEEDS,
    )


def seed_report(
    locale: str = "nl", names: bool = False, facilitator: str | None = FACILITATOR
) -> Report:
    return report_of(seed_view(locale), names, facilitator)
