"""The session's report: what a facilitator writes after a session, from the database.

Owns: ``/report``'s rule (:func:`request_report`: the report goes to the facilitator's
private chat, in the session's language, by name only when asked) and the facts the report
tells (:func:`report_of`): who took part, counted by organisation and age band (names only
for ``/report names``); how the session ran (the lenses, the tables with their stories,
the dilemmas posted, the voting rounds); each table's outcome with its note; the plenary's
figures (``plenary_figures``: values at every table, the most frequent ones, lens moves,
revisions by age band, what the room shares and what divides it); and, in a follow-up,
the series compared session by session (``series``).

The facts are read when the report is written, not when it is asked for: the shell loads
the session with :data:`REPORT_NEEDS` off the tap path and asks :func:`report_of`. So
the effect (``SendReport``) stays small in the outbox, and a report asked for during the
votes tells the session as it stands when it is written.
Must not: word, lay out or draw the report (``bot.report`` does), or do I/O.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from conversations import plenary, series
from conversations.decision import STALE, Decision, Toast
from conversations.deck import Deck
from conversations.effects import Say, SendReport, ShowSeriesComparison, ShowSummary
from conversations.events import ReportRequested, ReportTapped
from conversations.model import AGE_BANDS, Participant, Session, SessionView, Step
from conversations.needs import Need
from conversations.plenary_figures import Summary, summarize
from conversations.vote_count import OutcomeKind

REPORT_NEEDS = frozenset(
    {Need.TABLES, Need.PEOPLE, Need.SERIES, Need.PREVIOUS_PEOPLE, Need.STORY_COUNTS}
)
"""What the shell loads to write a report."""

REPORT_NAMES = frozenset({"names", "namen"})
"""``/report`` words: the people by name."""


@dataclass(frozen=True, slots=True)
class TableAccount:
    """One table as the report tells it."""

    number: int
    members: int
    stories: int
    """Stories told at the table."""
    rounds: int
    """Voting rounds held (0: the table did not vote)."""
    outcome: OutcomeKind | None
    """None: the table did not vote."""
    agreed: tuple[str, ...]
    note: str | None
    names: tuple[str, ...] = ()
    """The members by name, only when the facilitator asked for names."""


@dataclass(frozen=True, slots=True)
class Report:
    """Everything the report tells, in the order it tells it."""

    session: Session
    deck: Deck
    facilitator: str | None
    """Who asked for the report (the rest the facilitator adds in the editable file)."""
    took_part: int
    """People who joined and consented (a rehearsal's simulated people too: the report
    tells the session as the plenary does)."""
    declined: int
    """People who opened the invitation and did not consent."""
    organisations: tuple[tuple[str | None, int], ...]
    """(organisation as typed, people), most first, then by name; None: not given."""
    age_bands: tuple[tuple[str | None, int], ...]
    """(age band, people) in the bands' order; None: not given. Bands nobody is in are left
    out."""
    names: tuple[str, ...]
    """Everyone who took part, by name, only when asked (else empty)."""
    chose_top: int
    """People who sorted every lens and chose a top."""
    tables: tuple[TableAccount, ...]
    dilemmas: tuple[str, ...]
    """The deck's dilemmas posted to the tables, in order (the facilitator's own are the
    session's ``own_dilemmas``)."""
    summary: Summary
    plenary: ShowSummary
    """The plenary's summary as the group saw it: its pictures are drawn from it."""
    series: ShowSeriesComparison | None
    """In a follow-up: the series compared session by session."""
    with_names: bool
    series_decks: tuple[Deck, ...] = ()
    """The decks of the series' earlier sessions: ``series`` names cards by deck, and an
    earlier session may have used another deck than this one."""

    @property
    def stories(self) -> int:
        return sum(t.stories for t in self.tables)

    @property
    def voted(self) -> tuple[TableAccount, ...]:
        return tuple(t for t in self.tables if t.outcome is not None)


def request_report(view: SessionView, event: ReportRequested) -> Decision:
    """``/report [names]`` (in the group or privately), or the report button: the report of
    the group's latest session, to the facilitator's private chat."""
    session, _ = view.require()
    if isinstance(event, ReportTapped):
        if event.session_id != session.id:
            return STALE
        if event.anonymous:
            return Decision(toast=Toast("report_anonymous", alert=True))
    elif event.anonymous:
        return Decision(effects=(Say(event.group_chat_id, session.locale, "report_anonymous"),))
    report = SendReport(
        event.user_id,
        session.locale,
        session.id,
        names=bool(set(event.words) & REPORT_NAMES),
        facilitator=event.facilitator_name,
    )
    coming = Toast("report_coming")  # for a tap or the dashboard (a command has no toast)
    if event.in_private or isinstance(event, ReportTapped):
        return Decision(effects=(report,), toast=coming)
    said = Say(session.group_chat_id, session.locale, "report_sent")
    return Decision(effects=(report, said), toast=coming)


def report_of(view: SessionView, names: bool, facilitator: str | None) -> Report:
    """The report of ``view``'s session, loaded with :data:`REPORT_NEEDS`."""
    session, deck = view.require()
    people = [p for p in view.previous_people if p.step not in (Step.CONSENT, Step.DECLINED)]
    summary = summarize(
        plenary.table_results(view.tables), view.people, deck.card_ids, deck.lens_ids
    )
    comparison = None
    if view.series:
        then = tuple(plenary.summary_of_earlier(earlier) for earlier in view.series)
        comparison = series.compare(session, deck, summary, len(view.people), view.series, then)
    return Report(
        session=session,
        deck=deck,
        facilitator=facilitator,
        took_part=len(people),
        declined=sum(1 for p in view.previous_people if p.step is Step.DECLINED),
        organisations=_organisations(people),
        age_bands=_age_bands(people),
        names=tuple(sorted((p.name for p in people), key=str.casefold)) if names else (),
        chose_top=len(view.people),
        tables=tuple(
            TableAccount(
                number=t.table.number,
                members=len(t.members),
                stories=view.story_counts.get(t.table.number, 0),
                rounds=t.table.round,
                outcome=t.table.outcome,
                agreed=t.table.agreed,
                note=t.table.note,
                names=tuple(m.participant.name for m in t.members) if names else (),
            )
            for t in view.tables
        ),
        dilemmas=_dilemmas(session, deck),
        summary=summary,
        plenary=plenary.summary_effect(session, deck, summary),
        series=comparison,
        with_names=names,
        series_decks=tuple(earlier.deck for earlier in view.series),
    )


def _organisations(people: list[Participant]) -> tuple[tuple[str | None, int], ...]:
    counted = Counter(
        " ".join(p.organisation.split()) or None if p.organisation else None for p in people
    )
    given = sorted(
        ((name, n) for name, n in counted.items() if name is not None),
        key=lambda item: (-item[1], item[0].casefold()),
    )
    unknown = counted.get(None, 0)
    return (*given, *(((None, unknown),) if unknown else ()))


def _age_bands(people: list[Participant]) -> tuple[tuple[str | None, int], ...]:
    counted = Counter(p.age_band if p.age_band in AGE_BANDS else None for p in people)
    bands: tuple[str | None, ...] = (*AGE_BANDS, None)
    return tuple((band, counted[band]) for band in bands if counted[band])


def _dilemmas(session: Session, deck: Deck) -> tuple[str, ...]:
    if not deck.dilemmas:
        return ()
    return tuple(deck.dilemmas[i % len(deck.dilemmas)].id for i in range(session.dilemma_index))
