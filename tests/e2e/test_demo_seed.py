"""The demo replays the seed's workshop: for any seed, three of five tables agree a
common top four, one a top three and one, after a long talk, nothing; social involvement
is in someone's top at every table; openness, new ideas and quality of work are among the
most frequent values; younger people revise their top more readily than older ones; and
what people type differs per person and card. Checked from the demo's database with the
core's own plenary figures, on three seeds, in both languages."""

from __future__ import annotations

from pathlib import Path

import pytest
from sql_rows import select

from bot.decks.files import load_builtin_decks
from bot.decks.library import DeckLibrary
from bot.demo import Demo
from bot.demo_cast import PEOPLE, texts_of
from bot.runner import Runner
from bot.store import Store
from conversations.needs import Need
from conversations.plenary import table_results
from conversations.plenary_figures import Summary, summarize

YOUNGER = ("under-30", "30-44")


async def _replay(lang: str, seed: int, out: Path) -> tuple[Summary, list[tuple[str, str, str]]]:
    """The demo's plenary figures, and every story (teller, card, text)."""
    lines: list[str] = []
    await Demo(lang, seed, out, lines.append).run()
    assert "7/7 Done" in lines
    store = await Store.open(out / "demo.sqlite3")
    try:
        runner = Runner(store, DeckLibrary(load_builtin_decks().values()))
        view = await runner.session_view(1, frozenset({Need.TABLES, Need.PEOPLE}))
        assert view is not None
        _, deck = view.require()
        summary = summarize(table_results(view.tables), view.people, deck.card_ids, deck.lens_ids)
        stories = await store.read(
            lambda tx: select(
                tx,
                "SELECT p.name, s.card_id, s.text FROM stories s JOIN participants p"
                " USING (session_id, user_id)",
            )
        )
    finally:
        await store.close()
    return summary, [tuple(row) for row in stories]


@pytest.mark.parametrize(("lang", "seed"), [("nl", 7), ("en", 2012), ("nl", 3)])
async def test_the_demo_plenary_reads_like_the_seed(lang: str, seed: int, tmp_path: Path) -> None:
    summary, stories = await _replay(lang, seed, tmp_path)

    agreed = sorted(len(t.outcome.agreed) if t.outcome is not None else -1 for t in summary.tables)
    assert agreed == [0, 3, 4, 4, 4], summary.tables
    apart = next(t for t in summary.tables if t.outcome is not None and not t.outcome.agreed)
    doubting = next(
        t for t in summary.tables if t.outcome is not None and len(t.outcome.agreed) == 3
    )
    assert apart.note and doubting.note and apart.note != doubting.note

    assert "social-involved" in summary.everywhere_in_tops
    frequent = [card for card, _ in summary.most_frequent]
    assert {"social-involved", "openness", "new-ideas", "quality"} <= set(frequent), frequent

    younger = [(r, n) for band, r, n in summary.revised_by_age if band in YOUNGER]
    older = [(r, n) for band, r, n in summary.revised_by_age if band not in YOUNGER]
    share = lambda rows: sum(r for r, _ in rows) / sum(n for _, n in rows)  # noqa: E731
    assert share(younger) > 2 * share(older) > 0, summary.revised_by_age

    texts = [text for _, _, text in stories]
    assert len(stories) >= 20 and len(set(texts)) == len(texts), "a story is told once"
    written = texts_of(lang)
    about = {(card, story) for card, told in written.stories.items() for story in told}
    assert (
        sum(any(text.startswith(s) for s in about_card(about, card)) for _, card, text in stories)
        >= len(stories) // 2
    )
    private = (tmp_path / "private-chat-Anneke.txt").read_text("utf-8")
    assert any(reply in private for reply in written.dilemma_replies), "the table talked"


def about_card(about: set[tuple[str, str]], card: str) -> list[str]:
    return [story for told, story in about if told == card]


def test_the_demo_speaks_both_languages_alike() -> None:
    dutch, english = texts_of("nl"), texts_of("en")
    assert dutch.stories.keys() == english.stories.keys()
    for card, stories in dutch.stories.items():
        assert len(stories) == len(english.stories[card]) >= 2, card
    assert 2 * len(dutch.closings) >= len(PEOPLE), "every teller has their own closing line"
    for field in ("stories_any", "closings", "dilemma_replies", "notes_none", "notes_three"):
        assert len(getattr(dutch, field)) == len(getattr(english, field)) >= 2, field
    assert set(dutch.dilemma_replies).isdisjoint(english.dilemma_replies)
