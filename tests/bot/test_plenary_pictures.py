"""The plenary's pictures: what each one shows, in the session's language (every word from
the templates, numbers by Babel), drawn as PNGs a phone can show (1080 pixels across, no
word outside the page), off the event loop. With ``PLENARY_SCREENSHOTS=1`` the pictures
of the Dutch session of ``plenary_session`` are written to ``docs/screenshots/``
(``plenary-nl-1.png`` ...), else to the test's temporary folder."""

from __future__ import annotations

import asyncio
import base64
import io
import logging
import os
import threading
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image
from plenary_session import AGREED, BANDS, DECK, REVISES, demo_summary

from bot.plenary_pictures import drawing
from bot.plenary_pictures.canvas import MARGIN, Sketch
from bot.plenary_pictures.drawing import SKETCHERS, draw, draw_all
from bot.plenary_pictures.grid import LABEL_WIDTH
from bot.plenary_pictures.specs import (
    Cell,
    ChangePicture,
    Picture,
    RoomPicture,
    TableGrid,
    TableTally,
)
from bot.plenary_pictures.wording import MAX_COLUMNS, plenary_pictures
from bot.render import Renderer
from bot.webapp.dashboard import dashboard_state
from conversations.dashboard import Overview, Seating
from conversations.deck import CARD_TITLE_MAX, Card, Deck
from conversations.effects import ShowSummary
from conversations.model import SessionCounts
from conversations.phases import Phase, Stage

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
RENDERER = Renderer()


def pictures_of(summary: ShowSummary, deck: Deck = DECK) -> tuple[Picture, ...]:
    return plenary_pictures(summary, RENDERER, deck)


def summary(locale: str = "en", **changes: object) -> ShowSummary:
    """An empty summary of the goed-werk deck, with ``changes``."""
    empty = ShowSummary(1, locale, 3, DECK.id, (), (), (), (), 0, 0, (), (), (), False, (), ())
    return replace(empty, **changes)  # type: ignore[arg-type]


def texts_of(sketch: Sketch) -> list[str]:
    """Every text on the page; fails if one reaches outside it (clipped on a phone)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    figure = sketch.figure()
    renderer = FigureCanvasAgg(figure).get_renderer()
    page = figure.bbox
    texts = []
    for text in figure.axes[0].texts:
        box = text.get_window_extent(renderer)
        assert page.x0 - 1 <= box.x0 and box.x1 <= page.x1 + 1, text.get_text()
        assert page.y0 - 1 <= box.y0 and box.y1 <= page.y1 + 1, text.get_text()
        texts.append(text.get_text())
    return texts


def test_the_pictures_of_a_dutch_session_are_in_dutch() -> None:
    grid, room, changes = pictures_of(demo_summary("nl"))
    assert isinstance(grid, TableGrid)
    assert grid.title == "Wat elke tafel koos" and grid.tables_heading == "Tafel"
    assert [c.heading for c in grid.columns] == ["1", "2", "3", "4", "5"]
    assert [c.outcome for c in grid.columns] == [
        "top 4",
        "top 4",
        "top 4",
        "3 kaarten",
        "geen akkoord",
    ]
    assert [c.empty for c in grid.columns] == [False] * 4 + [True], "no agreement, greyed"
    first = grid.rows[0]  # agreed at every table that agreed, in someone's top at table 5
    assert first.label == "Sociale betrokkenheid"
    assert first.cells == (Cell.AGREED,) * 4 + (Cell.IN_TOP,)
    assert first.count == "gekozen door 4 van de 5 tafels"
    agreed = {card for cards in AGREED.values() for card in cards}
    assert {row.label for row in grid.rows} >= {DECK.text(DECK.card(c).title, "nl") for c in agreed}
    assert [meaning for _, meaning in grid.legend] == [
        "gekozen door de tafel",
        "in iemands top, niet gekozen",
    ]

    assert isinstance(room, RoomPicture)
    assert room.title == "Wat de zaal deelt en wat haar verdeelt"
    shared, dividing = room.sections
    assert shared.heading == "Bijna iedereen vindt dit belangrijk"
    assert "4 op de 5" in shared.note
    assert dividing.heading == "Hier lopen de meningen het verst uiteen"
    spirituality = next(bar for bar in dividing.bars if bar.label == "Spiritualiteit")
    assert spirituality.piles == (10, 0, 0, 0, 10) and spirituality.text == "10 hoog · 10 laag"
    assert room.pile_names == (
        "Minst belangrijk",
        "Minder belangrijk",
        "Neutraal",
        "Belangrijker",
        "Meest belangrijk",
    )

    assert isinstance(changes, ChangePicture) and changes.title == "Wat er veranderde"
    assert changes.moves is not None and changes.revisions is not None
    assert "van ‘Professionele waarden’ naar ‘Eén werksituatie’" in changes.moves.note
    assert (changes.moves.lower, changes.moves.higher) == ("lager", "hoger")
    assert changes.revisions.heading == "Na de verhalen: wie de top aanpaste"
    assert [(b.label, b.value, b.total, b.text) for b in changes.revisions.bars] == [
        ("Iedereen", 7, 20, "7 van de 20"),
        ("Jonger dan 30", REVISES["under-30"], 5, "4 van de 5"),
        ("30–44", REVISES["30-44"], 5, "2 van de 5"),
        ("45–59", REVISES["45-59"], 6, "1 van de 6"),
        ("60 of ouder", REVISES["60-plus"], BANDS.count("60-plus"), "0 van de 4"),
    ]


def test_the_same_pictures_in_english_spell_out_of_so_many_tables() -> None:
    grid, room, changes = pictures_of(demo_summary("en"))
    assert isinstance(grid, TableGrid) and isinstance(room, RoomPicture)
    assert isinstance(changes, ChangePicture) and changes.revisions is not None
    assert grid.title == "What each table chose"
    assert grid.columns[3].outcome == "3 cards" and grid.columns[4].outcome == "no agreement"
    assert grid.rows[0].count == "chosen at 4 of 5 tables"
    assert room.sections[1].heading == "Here opinions differ most"
    assert changes.revisions.bars[0].text == "7 of 20"


def test_numbers_are_written_by_babel_and_one_table_is_the_only_one() -> None:
    many = summary(revised=1234, answered=1500, revised_by_age=(("60-plus", 2, 1001),))
    (nl,) = pictures_of(replace(many, locale="nl"))
    (en,) = pictures_of(many)
    assert isinstance(nl, ChangePicture) and nl.revisions is not None
    assert isinstance(en, ChangePicture) and en.revisions is not None
    assert [b.text for b in nl.revisions.bars] == ["1.234 van de 1.500", "2 van de 1.001"]
    assert [b.text for b in en.revisions.bars] == ["1,234 of 1,500", "2 of 1,001"]
    card = DECK.card_ids[0]
    one = summary(tables=((1, "full", (card,), None),), grid=((card, (1,), (1,)),), voted=True)
    (grid,) = pictures_of(replace(one, locale="nl"))
    assert isinstance(grid, TableGrid) and grid.rows[0].count == "gekozen door de enige tafel"
    (grid,) = pictures_of(one)
    assert isinstance(grid, TableGrid) and grid.rows[0].count == "chosen at the only table"


def test_before_any_vote_the_grid_shows_the_tops() -> None:
    a, b = DECK.card_ids[:2]
    before = summary(
        tables=((1, None, (), None), (2, None, (), None)),
        grid=((a, (), (1, 2)), (b, (), (2,))),
    )
    (grid,) = pictures_of(before)
    assert isinstance(grid, TableGrid)
    assert grid.title == "What was in the tops at each table"
    assert [c.outcome for c in grid.columns] == ["did not vote", "did not vote"]
    assert not any(c.empty for c in grid.columns), "nothing to grey out when none voted"
    assert [(r.cells, r.count) for r in grid.rows] == [
        ((Cell.IN_TOP, Cell.IN_TOP), "in someone's top at 2 of 2 tables"),
        ((Cell.ABSENT, Cell.IN_TOP), "in someone's top at 1 of 2 tables"),
    ]
    assert grid.legend == ((Cell.IN_TOP, "in someone's top"),)


def many_tables(count: int) -> ShowSummary:
    a, b = DECK.card_ids[:2]
    kinds = ("full", "partial", "none", None)
    tables = tuple((n, kinds[n % 4], (a, b) if n % 4 < 2 else (), None) for n in range(count))
    agreed = tuple(n for n in range(count) if n % 4 < 2)
    everywhere = tuple(range(count))
    return summary(
        tables=tables, grid=((a, agreed, everywhere), (b, agreed, everywhere)), voted=True
    )


def test_more_tables_than_fit_across_a_phone_are_counted_in_bars() -> None:
    assert isinstance(pictures_of(many_tables(MAX_COLUMNS))[0], TableGrid)
    (tally,) = pictures_of(replace(many_tables(40), locale="nl"))
    assert isinstance(tally, TableTally)
    assert [(t.label, t.value, t.text) for t in tally.outcomes] == [
        ("Een volledige gemeenschappelijke top", 10, "10 van de 40 tafels"),
        ("Een gedeeltelijke top", 10, "10 van de 40 tafels"),
        ("Geen overeenstemming", 10, "10 van de 40 tafels"),
        ("Niet gestemd", 10, "10 van de 40 tafels"),
    ]
    assert [(t.label, t.value, t.total) for t in tally.values] == [
        ("Sociale betrokkenheid", 20, 40),
        ("Openheid naar anderen", 20, 40),
    ]
    assert texts_of(SKETCHERS[TableTally](tally))[0] == "Wat elke tafel koos"


def test_a_summary_without_figures_has_no_pictures() -> None:
    assert pictures_of(summary()) == ()


def long_titled_deck() -> Deck:
    """The deck with a first card whose titles are as long as a deck may have them."""
    first, *rest = DECK.cards
    title = {"en": "Serving the public interest in every single thing we do here", "nl": "x"}
    long = Card(first.id, {**first.title, **title}, first.description, first.pillar)
    assert len(title["en"]) == CARD_TITLE_MAX
    return replace(DECK, cards=(long, *rest))


@pytest.mark.parametrize("locale", ["nl", "en"])
def test_every_picture_is_drawn_for_a_phone_with_its_words_on_the_page(
    locale: str, tmp_path: Path
) -> None:
    folder = SCREENSHOTS if os.environ.get("PLENARY_SCREENSHOTS") == "1" else tmp_path
    pictures = pictures_of(demo_summary(locale))
    for number, picture in enumerate(pictures, start=1):
        texts = texts_of(SKETCHERS[type(picture)](picture))
        assert picture.title.startswith(texts[0]), "the title first"
        png = draw(picture)
        assert png is not None
        image = Image.open(io.BytesIO(png))
        assert image.format == "PNG" and image.width == 1080
        assert 1000 < image.height < 2600, "portrait, within about one phone screen"
        (folder / f"plenary-{locale}-{number}.png").write_bytes(png)
    grid = pictures[0]
    assert isinstance(grid, TableGrid)
    page = " ".join(texts_of(SKETCHERS[TableGrid](grid)))  # a wrapped label: its lines in a row
    assert all(row.label in page and row.count in page for row in grid.rows)


def test_a_values_name_and_count_stay_left_of_the_grid() -> None:
    """On a phone the names are narrow: "aan 4 van de 5 tafels in iemands top" wraps
    instead of running under the first table's marks."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    a, b = DECK.card_ids[:2]
    tops = summary(
        "nl",
        tables=tuple((n, "none", (), None) for n in range(1, 6)),
        grid=((a, (), (1, 2, 3, 4)), (b, (), (1, 2, 3, 4, 5))),
        voted=True,
    )
    (grid,) = pictures_of(tops)
    assert isinstance(grid, TableGrid)
    assert grid.rows[0].count == "aan 4 van de 5 tafels in iemands top"
    figure = SKETCHERS[TableGrid](grid).figure()
    renderer = FigureCanvasAgg(figure).get_renderer()
    grid_left = (MARGIN + LABEL_WIDTH + 0.1) * figure.dpi
    words = " ".join(f"{row.label} {row.count}" for row in grid.rows)
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in figure.axes[0].texts]
    beside = [(text, box) for text, box in boxes if text in words and box.x0 < grid_left]
    assert len(beside) >= 4, "the names and counts, some wrapped"
    for text, box in beside:
        assert box.x1 <= grid_left, text


def test_long_titles_are_wrapped_and_cut_inside_the_page() -> None:
    (grid,) = pictures_of(many_tables(5), long_titled_deck())
    assert isinstance(grid, TableGrid)
    texts = texts_of(SKETCHERS[TableGrid](grid))  # fails on a text outside the page
    first = next(i for i, text in enumerate(texts) if text.startswith("Serving"))
    assert texts[first + 1].endswith("…") and texts[first + 2] == grid.rows[0].count
    (tally,) = pictures_of(many_tables(40), long_titled_deck())
    texts_of(SKETCHERS[TableTally](tally))


async def test_pictures_are_drawn_off_the_event_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    where: list[int] = []

    def sketch(picture: object) -> Sketch:
        where.append(threading.get_ident())
        return Sketch()

    def broken(picture: object) -> Sketch:
        raise RuntimeError("no ink")

    class Fine:
        pass

    class Broken:
        pass

    monkeypatch.setitem(drawing.SKETCHERS, Fine, sketch)
    monkeypatch.setitem(drawing.SKETCHERS, Broken, broken)
    drawn = await draw_all([Fine(), Broken(), Fine()])  # type: ignore[list-item]
    assert len(drawn) == 2 and all(png.startswith(b"\x89PNG") for png in drawn)
    assert where and threading.get_ident() not in where, "not on the event loop's thread"
    assert asyncio.get_running_loop().is_running()


def test_a_picture_that_cannot_be_drawn_is_left_out(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    class Broken:
        pass

    def broken(picture: object) -> Sketch:
        raise RuntimeError("no ink")

    monkeypatch.setitem(drawing.SKETCHERS, Broken, broken)
    with caplog.at_level(logging.ERROR):
        assert draw(Broken()) is None  # type: ignore[arg-type]
    assert "could not draw a plenary picture (Broken)" in caplog.text


def test_the_page_check_sees_a_text_outside_the_page() -> None:
    sketch = Sketch()
    sketch.text(5.5, sketch.y, "far too far to the right")
    with pytest.raises(AssertionError, match="far too far"):
        texts_of(sketch)


def test_the_dashboard_shows_what_each_table_chose() -> None:
    seen = demo_summary("nl")
    found = Overview(
        DECK,
        Phase.TABLES,
        Stage.PLENARY,
        SessionCounts(20, 20, (), 20, 0),
        (),
        0,
        Seating.SEATED,
        (),
        can_propose=False,
        can_move=False,
        can_seat=False,
        summary=seen,
    )
    plenary = asyncio.run(dashboard_state(found, 7, "nl", RENDERER))["plenary"]
    assert [t["outcome"] for t in plenary["tables"]][-1] == "Geen overeenstemming"
    prefix = "data:image/png;base64,"
    assert plenary["chart"].startswith(prefix)
    png = base64.b64decode(plenary["chart"].removeprefix(prefix))
    grid = pictures_of(seen)[0]
    assert png == draw(grid), "the first picture of the plenary, in the session's language"
