"""Reading the rendered report template into the document model.

Owns: the small HTML the report's templates are written in, read with the standard
library's ``html.parser``: ``<h1>``-``<h3>``, ``<p>``, ``<ul>``/``<li>``, ``<table>`` with
``<tr>``, ``<th>`` (a header row) and ``<td>`` (``class="number"``: aligned right),
``<b>``, ``<i>``, ``<br>``, ``<mark>`` (a placeholder the facilitator fills in) and
``<img picture="N">`` (the N-th plenary picture; a paragraph of pictures only shows them
side by side). Whitespace is collapsed as a browser does; entities are decoded, so a
participant's note like ``<b>&``, escaped by the template, comes out as that text. Any other
tag, or text outside a block, is a mistake in a template and raises :class:`MarkupError`.
Must not: word anything or know a file format.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html.parser import HTMLParser

from bot.report.document import (
    Block,
    Bullets,
    Cell,
    Heading,
    Inline,
    Paragraph,
    Picture,
    Pictures,
    Row,
    Run,
    Table,
)

HEADINGS = {"h1": 1, "h2": 2, "h3": 3}
STYLES = {"b": "bold", "i": "italic", "mark": "blank"}
SPACE = re.compile(r"\s+")


class MarkupError(ValueError):
    """The report's template holds markup the report does not know."""


def read(markup: str, pictures: Sequence[bytes | None] = ()) -> tuple[Block, ...]:
    """The blocks of ``markup``; ``<img picture="N">`` shows ``pictures[N]`` (a picture
    that could not be drawn, None, is left out)."""
    reader = _Reader(pictures)
    reader.feed(markup)
    reader.close()
    reader.finish()
    return tuple(reader.blocks)


class _Reader(HTMLParser):
    def __init__(self, pictures: Sequence[bytes | None]) -> None:
        super().__init__(convert_charrefs=True)
        self.pictures = pictures
        self.blocks: list[Block] = []
        self.styles = {"bold": 0, "italic": 0, "blank": 0}
        self.runs: list[Run] | None = None
        """The inline text being read (a heading, paragraph, list item or cell)."""
        self.inline_tag: str | None = None
        self.images: list[Picture] = []
        self.items: list[Inline] | None = None
        self.rows: list[Row] | None = None
        self.cells: list[Cell] | None = None
        self.header = False
        self.number = False

    # --- tags -------------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag in STYLES:
            self._need_text(tag)
            self.styles[STYLES[tag]] += 1
        elif tag == "br":
            self._need_text(tag)
            self._add("\n")
        elif tag == "img":
            self._picture(attributes.get("picture"))
        elif tag in HEADINGS or tag == "p":
            self._open_text(tag)
        elif tag == "ul":
            self._outside(tag)
            self.items = []
        elif tag == "li":
            if self.items is None:
                raise MarkupError("<li> outside <ul>")
            self._open_text(tag)
        elif tag == "table":
            self._outside(tag)
            self.rows = []
        elif tag == "tr":
            if self.rows is None or self.cells is not None:
                raise MarkupError("<tr> outside <table>")
            self.cells, self.header = [], False
        elif tag in ("td", "th"):
            if self.cells is None:
                raise MarkupError(f"<{tag}> outside <tr>")
            self.header = self.header or tag == "th"
            self.number = attributes.get("class") == "number"
            self._open_text(tag)
        else:
            raise MarkupError(f"the report does not know <{tag}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)  # <br/>, <img .../>

    def handle_endtag(self, tag: str) -> None:
        if tag in STYLES:
            if self.styles[STYLES[tag]] == 0:
                raise MarkupError(f"</{tag}> without <{tag}>")
            self.styles[STYLES[tag]] -= 1
        elif tag in HEADINGS or tag in ("p", "li", "td", "th"):
            if self.inline_tag != tag:
                raise MarkupError(f"</{tag}> closes <{self.inline_tag}>")
            self._close_text(tag)
        elif tag == "ul":
            if self.items is None:
                raise MarkupError("</ul> without <ul>")
            if self.items:
                self.blocks.append(Bullets(tuple(self.items)))
            self.items = None
        elif tag == "tr":
            if self.cells is None or self.rows is None:
                raise MarkupError("</tr> without <tr>")
            if self.cells:
                self.rows.append(Row(tuple(self.cells), self.header))
            self.cells = None
        elif tag == "table":
            if self.rows is None or self.cells is not None:
                raise MarkupError("</table> without <table>")
            if self.rows:
                self.blocks.append(Table(tuple(self.rows)))
            self.rows = None
        elif tag not in ("br", "img"):
            raise MarkupError(f"the report does not know </{tag}>")

    def handle_data(self, data: str) -> None:
        if self.runs is None:
            if data.strip():
                raise MarkupError(f"text outside a block: {data.strip()[:40]!r}")
            return
        self._add(SPACE.sub(" ", data))

    def finish(self) -> None:
        if self.runs is not None or self.items is not None or self.rows is not None:
            raise MarkupError("the report's markup ends inside a block")

    # --- reading ----------------------------------------------------------------------

    def _outside(self, tag: str) -> None:
        if self.runs is not None or self.items is not None or self.rows is not None:
            raise MarkupError(f"<{tag}> inside another block")

    def _need_text(self, tag: str) -> None:
        if self.runs is None:
            raise MarkupError(f"<{tag}> outside a block")

    def _open_text(self, tag: str) -> None:
        if self.runs is not None:
            raise MarkupError(f"<{tag}> inside <{self.inline_tag}>")
        if tag in HEADINGS or tag == "p":
            self._outside(tag)
        self.runs, self.inline_tag, self.images = [], tag, []

    def _close_text(self, tag: str) -> None:
        runs = _tidy(self.runs or [])
        images = self.images
        self.runs, self.inline_tag, self.images = None, None, []
        if tag in HEADINGS:
            if runs:
                self.blocks.append(Heading(HEADINGS[tag], runs))
        elif tag == "p":
            if images and runs:
                raise MarkupError("a paragraph of pictures holds text")
            if images:
                self.blocks.append(Pictures(tuple(images)))
            elif runs:
                self.blocks.append(Paragraph(runs))
        elif tag == "li":
            if runs and self.items is not None:
                self.items.append(runs)
        elif self.cells is not None:
            self.cells.append(Cell(runs, self.number))

    def _picture(self, index: str | None) -> None:
        if self.inline_tag != "p":
            raise MarkupError("<img> outside <p>")
        try:
            png = self.pictures[int(index or "")]
        except (ValueError, IndexError) as exc:
            raise MarkupError(f"no picture {index!r}") from exc
        if png is not None:
            self.images.append(Picture(png))

    def _add(self, text: str) -> None:
        assert self.runs is not None
        run = Run(
            text,
            bold=self.styles["bold"] > 0,
            italic=self.styles["italic"] > 0,
            blank=self.styles["blank"] > 0,
        )
        last = self.runs[-1] if self.runs else None
        if last is not None and (last.bold, last.italic, last.blank) == (
            run.bold,
            run.italic,
            run.blank,
        ):
            self.runs[-1] = Run(last.text + text, run.bold, run.italic, run.blank)
        else:
            self.runs.append(run)


def _tidy(runs: list[Run]) -> Inline:
    """``runs`` with no space at either end, around a line break or twice in a row."""
    chars = [(char, (run.bold, run.italic, run.blank)) for run in runs for char in run.text]
    text = "".join(char for char, _ in chars)
    kept = [
        pair
        for i, pair in enumerate(chars)
        if pair[0] != " "
        or (0 < i < len(text) - 1 and text[i - 1] not in " \n" and text[i + 1] != "\n")
    ]
    while kept and kept[-1][0] in " \n":  # a <br> at the end shows nothing
        kept.pop()
    tidy: list[Run] = []
    for char, style in kept:
        if tidy and (tidy[-1].bold, tidy[-1].italic, tidy[-1].blank) == style:
            tidy[-1] = Run(tidy[-1].text + char, *style)
        else:
            tidy.append(Run(char, *style))
    return tuple(tidy)
