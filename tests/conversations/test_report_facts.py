"""``/report``'s rule and the facts a report tells (``conversations.report``), through the
core's public API: ``handle`` for the rule, ``report_of`` on a hand-built view."""

from __future__ import annotations

from dataclasses import replace

from bot.decks.files import load_builtin_decks
from conversations import events as ev
from conversations.effects import Say, SendReport
from conversations.machine import handle
from conversations.model import Mate, Participant, Session, SessionView, Step, Table, TableView
from conversations.phases import Phase
from conversations.plenary_figures import PersonFacts
from conversations.report import REPORT_NEEDS, report_of
from conversations.vote_count import OutcomeKind

DECK = load_builtin_decks()["goed-werk"]
GROUP = -100
SESSION = Session(7, GROUP, "goed-werk", "nl", Phase.TABLES, "code", 1, 1_000.0)
TOP = ("social-involved", "openness", "quality", "integrity")


def person(user_id: int, name: str, organisation: str | None, band: str | None) -> Participant:
    return Participant(
        7, user_id, user_id, name, "nl", Step.FINAL, 0, 1_000.0,
        age_band=band, organisation=organisation, table_number=1 + user_id % 2,
    )  # fmt: skip


PEOPLE = (
    person(11, "Ayşe", "Gemeente Utrecht", "under-30"),
    person(12, "Bram", " Gemeente  Utrecht ", "45-59"),
    person(13, "Chantal", "UWV", "30-44"),
    person(14, "Dirk", None, None),
    person(15, "Esra", "UWV", "30-44"),
    replace(person(16, "Frank", "UWV", "60-plus"), step=Step.DECLINED, table_number=None),
)
SEATED = [p for p in PEOPLE if p.table_number is not None]


def view(**parts: object) -> SessionView:
    tables = tuple(
        TableView(
            Table(7, number, round=rounds, agreed=agreed, outcome=outcome, note=note),
            tuple(Mate(p, TOP) for p in SEATED if p.table_number == number),
        )
        for number, rounds, agreed, outcome, note in (
            (1, 2, TOP[:3], OutcomeKind.PARTIAL, "Eén twijfelde over <b>&"),
            (2, 1, TOP, OutcomeKind.FULL, None),
        )
    )
    facts = tuple(
        PersonFacts(p.user_id, p.age_band, TOP, None, {DECK.lens_ids[0]: {TOP[0]: 5}})
        for p in SEATED
    )
    defaults: dict[str, object] = {
        "tables": tables,
        "people": facts,
        "previous_people": PEOPLE,
        "story_counts": {1: 3, 2: 4},
        "series": (),
        "loaded": REPORT_NEEDS,
    }
    defaults.update(parts)
    return SessionView(replace(SESSION, dilemma_index=2), DECK, **defaults)  # type: ignore[arg-type]


def asked(words: tuple[str, ...] = (), **options: object) -> ev.ReportRequested:
    fields: dict[str, object] = {
        "anonymous": False,
        "in_private": False,
        "facilitator_name": "Femke de Vries",
    }
    fields.update(options)
    return ev.ReportRequested(2_000.0, GROUP, 1, True, words, **fields)  # type: ignore[arg-type]


def test_the_report_goes_to_the_facilitator_and_the_group_hears_where() -> None:
    decision = handle(view(), asked())
    report, said = decision.effects
    assert report == SendReport(1, "nl", 7, names=False, facilitator="Femke de Vries")
    assert isinstance(said, Say) and said.chat_id == GROUP and said.template == "report_sent"


def test_names_only_when_asked_in_either_language() -> None:
    for word in ("names", "namen"):
        (report, _) = handle(view(), asked((word,))).effects
        assert isinstance(report, SendReport) and report.names
    (report, _) = handle(view(), asked(("all",))).effects
    assert isinstance(report, SendReport) and not report.names


def test_in_private_the_report_is_the_only_answer() -> None:
    decision = handle(view(), asked(in_private=True))
    assert [type(e) for e in decision.effects] == [SendReport]


def test_an_anonymous_admin_hears_why_there_is_no_report() -> None:
    (said,) = handle(view(), asked(anonymous=True)).effects
    assert isinstance(said, Say) and said.template == "report_anonymous"


def test_a_stranger_gets_no_report() -> None:
    event = replace(asked(), is_facilitator=False)
    (said,) = handle(view(), event).effects
    assert isinstance(said, Say) and said.template == "not_facilitator"


def test_the_report_button_of_an_earlier_session_is_stale() -> None:
    base = asked()
    tap = ev.ReportTapped(base.at, GROUP, 1, True, (), False, False, "Femke de Vries", session_id=6)
    decision = handle(view(), tap)
    assert decision.effects == () and decision.toast and decision.toast.key == "stale_button"
    current = handle(view(), replace(tap, session_id=7))
    assert [type(e) for e in current.effects] == [SendReport]
    assert current.toast and current.toast.key == "report_coming"


def test_the_facts_count_people_by_organisation_and_age_band() -> None:
    report = report_of(view(), names=False, facilitator="Femke de Vries")
    assert report.took_part == 5 and report.declined == 1
    # the same organisation typed with other spacing counts once; the unknown come last
    assert report.organisations == (("Gemeente Utrecht", 2), ("UWV", 2), (None, 1))
    assert report.age_bands == (("under-30", 1), ("30-44", 2), ("45-59", 1), (None, 1))
    assert report.names == () and all(t.names == () for t in report.tables)
    assert report.chose_top == 5


def test_the_facts_tell_how_the_session_ran() -> None:
    report = report_of(view(), names=True, facilitator=None)
    assert [(t.number, t.members, t.stories, t.rounds) for t in report.tables] == [
        (1, 2, 3, 2),
        (2, 3, 4, 1),
    ]
    assert report.stories == 7
    assert [t.outcome for t in report.voted] == [OutcomeKind.PARTIAL, OutcomeKind.FULL]
    assert report.tables[0].note == "Eén twijfelde over <b>&"
    assert report.dilemmas == tuple(d.id for d in DECK.dilemmas[:2])
    assert report.names == ("Ayşe", "Bram", "Chantal", "Dirk", "Esra")
    assert report.tables[1].names == ("Ayşe", "Chantal", "Esra")
    assert report.summary.everywhere_in_tops == tuple(c for c in DECK.card_ids if c in TOP)
    assert report.plenary.session_id == 7 and report.series is None
