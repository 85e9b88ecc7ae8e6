"""The plenary (step 6 of the method): what the group sees when the tables are done.

Owns: turning the session's tables and participants into the summary the facilitator
posts with ``/summary`` (each table's outcome or its absence, the values by table, values
found everywhere, the most frequent values, revisions after the stories, moves between
lenses, and what the whole room shares and what divides it, as prompts for the talk) and,
in a follow-up, asking ``series`` to compare it with every earlier session of the series.
Must not: compute the figures itself (``plenary_figures`` does), word them or draw.
"""

from __future__ import annotations

from collections.abc import Sequence

from conversations import series
from conversations.decision import Decision
from conversations.deck import Deck
from conversations.effects import Effect, Say, ShowSummary
from conversations.events import SummaryRequested
from conversations.model import EarlierSession, Session, SessionView, TableView
from conversations.plenary_figures import Summary, TableResult, summarize
from conversations.vote_count import Outcome


def table_results(tables: Sequence[TableView]) -> tuple[TableResult, ...]:
    """The tables as the summary counts them: outcome, note and each member's top."""
    return tuple(
        TableResult(
            t.table.number,
            Outcome(t.table.agreed, t.table.outcome, {}) if t.table.outcome is not None else None,
            t.table.note,
            {m.participant.user_id: m.top for m in t.members},
        )
        for t in tables
    )


def summary_of_earlier(earlier: EarlierSession) -> Summary:
    deck = earlier.deck
    return summarize(table_results(earlier.tables), earlier.people, deck.card_ids, deck.lens_ids)


def post_summary(view: SessionView, event: SummaryRequested) -> Decision:
    session, deck = view.require()
    if not view.people:
        return Decision(
            effects=(Say(session.group_chat_id, session.locale, "nothing_to_summarize"),)
        )
    summary = summarize(table_results(view.tables), view.people, deck.card_ids, deck.lens_ids)
    effects: list[Effect] = [summary_of(view, summary)]
    if view.series:  # a follow-up: how the values changed over the series
        then = tuple(summary_of_earlier(earlier) for earlier in view.series)
        effects.append(series.compare(session, deck, summary, len(view.people), view.series, then))
    return Decision(effects=tuple(effects))


def summary_of(view: SessionView, summary: Summary | None = None) -> ShowSummary:
    """The plenary's summary of ``view`` (its tables and people), for the group."""
    session, deck = view.require()
    if summary is None:
        summary = summarize(table_results(view.tables), view.people, deck.card_ids, deck.lens_ids)
    return summary_effect(session, deck, summary)


def summary_effect(session: Session, deck: Deck, summary: Summary) -> ShowSummary:
    """``summary`` of ``session`` as the effect that shows it in the group."""
    return ShowSummary(
        session.group_chat_id,
        session.locale,
        session.id,
        deck.id,
        tuple(
            (
                r.number,
                r.outcome.kind.value if r.outcome else None,
                r.outcome.agreed if r.outcome else (),
                r.note,
            )
            for r in summary.tables
        ),
        summary.everywhere_in_tops,
        summary.everywhere_agreed,
        summary.most_frequent,
        summary.revised,
        summary.participants,
        summary.revised_by_age,
        tuple((m.card, m.mean_change, m.higher, m.lower, m.raters) for m in summary.lens_moves),
        tuple((row.card, row.agreed_at, row.in_tops_at) for row in summary.grid),
        summary.voted,
        tuple((s.card, s.piles) for s in summary.shared),
        tuple((s.card, s.piles) for s in summary.dividing),
    )
