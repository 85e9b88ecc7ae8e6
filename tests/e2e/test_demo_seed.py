"""The demo replays the seed's workshop: for any seed, three of five tables agree a
common top four, one a top three and one, after a long talk, nothing; social involvement
is in someone's top at every table; openness, new ideas and quality of work are among the
most frequent values; younger people revise their top more readily than older ones; and
what people type differs per person and card. Checked from the demo's database with the
core's own plenary figures, on three seeds, in both languages. The report the demo writes
tells the same: its organisations and their counts, the most frequent values, the tables'
notes, the facilitator, the pictures, on pages that are not blank."""

from __future__ import annotations

from pathlib import Path

import pytest
from report_reading import docx_headings, docx_pictures, docx_text, ink_share, pdf_pages, pdf_text
from sql_rows import select

from bot.decks.files import load_builtin_decks
from bot.decks.library import DeckLibrary
from bot.demo import Demo
from bot.demo_cast import PEOPLE, texts_of
from bot.runner import Runner
from bot.store import Store
from conversations.deck import Deck
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

    organisations, notes = await _report_facts(tmp_path / "demo.sqlite3")
    _the_report_tells(lang, summary, organisations, notes, tmp_path)


async def _report_facts(database: Path) -> tuple[list[tuple[str, int]], list[str]]:
    """From the demo's database: (organisation, people) of those who took part, and the
    tables' notes."""
    store = await Store.open(database)
    try:
        organisations = await store.read(
            lambda tx: select(
                tx,
                "SELECT organisation, count(*) FROM participants WHERE session_id = 1"
                " AND step NOT IN ('consent', 'declined') AND organisation IS NOT NULL"
                " GROUP BY organisation",
            )
        )
        notes = await store.read(
            lambda tx: select(tx, "SELECT note FROM tables WHERE note IS NOT NULL")
        )
    finally:
        await store.close()
    return [(o, n) for o, n in organisations], [note for (note,) in notes]


def _the_report_tells(
    lang: str,
    summary: Summary,
    organisations: list[tuple[str, int]],
    notes: list[str],
    out: Path,
) -> None:
    """The demo's report (its PDF and .docx in ``out``) tells what the database holds."""
    (pdf_file,) = out.glob("*.pdf")
    (docx_file,) = out.glob("*.docx")
    assert pdf_file.stem == docx_file.stem == _report_name(lang)
    pdf, editable = pdf_file.read_bytes(), docx_file.read_bytes()
    text = " ".join(pdf_text(pdf).split())

    assert len(organisations) >= 3
    for organisation, people in organisations:
        assert f"{organisation} ({people})" in text, organisation
    deck: Deck = load_builtin_decks()["goed-werk"]
    for card, people in summary.most_frequent:
        assert f"{deck.text(deck.card(card).title, lang)}: {people}" in text, card
    assert len(notes) == 2
    for note in notes:
        assert " ".join(note.split()) in text
    assert "Femke Facilitator" in text
    for person, *_ in PEOPLE:
        assert person not in text, "no names unless the facilitator asks"

    headings = docx_headings(editable)
    assert len(headings) >= 6
    at = 0
    for heading in headings:
        at = text.index(" ".join(heading.split()), at)  # the PDF's sections, in the same order
    assert "Femke Facilitator" in docx_text(editable)
    assert docx_pictures(editable) == len(list(out.glob("plenary-*.png"))) >= 2
    pages = pdf_pages(pdf)
    assert len(pages) >= 3
    assert all(ink_share(page) > 0.01 for page in pages), [ink_share(p) for p in pages]


def _report_name(lang: str) -> str:
    return {"nl": "verslag-sessie-1", "en": "report-session-1"}[lang]


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
