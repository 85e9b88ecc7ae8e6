"""The report tells which dilemmas the tables talked through: the deck's, and the
facilitator's own (``/dilemma <text>``), in both languages, as typed."""

from __future__ import annotations

from dataclasses import replace

import pytest
from report_reading import docx_text, pdf_text
from report_session import NASTY_NOTE, seed_view

from bot.render import Renderer
from bot.report import write_report
from conversations.report import report_of

OWN = (NASTY_NOTE + "?", "Zeg je het tegen de wethouder?")


def report_texts(locale: str, dilemma_index: int, own: tuple[str, ...]) -> tuple[str, str]:
    """The PDF's and the .docx's text, whitespace folded."""
    view = seed_view(locale)
    session = replace(view.session, dilemma_index=dilemma_index, own_dilemmas=own)
    files = write_report(report_of(replace(view, session=session), False, "Wouke Lam"), Renderer())
    (_, pdf), (_, editable) = files
    return " ".join(pdf_text(pdf).split()), " ".join(docx_text(editable).split())


@pytest.mark.parametrize(
    ("locale", "both", "only_own"),
    [
        (
            "nl",
            "De begeleiding legde de tafels ook twee eigen dilemma’s voor:",
            "Daarna legde de begeleiding de tafels twee eigen dilemma’s voor:",
        ),
        (
            "en",
            "The facilitator also put two dilemmas of their own to the tables:",
            "Next, the facilitator put two dilemmas of their own to the tables:",
        ),
    ],
)
def test_the_facilitators_own_dilemmas_are_told_as_typed(
    locale: str, both: str, only_own: str
) -> None:
    deck = seed_view(locale).deck
    pdf, editable = report_texts(locale, 1, OWN)
    first = " ".join(deck.text(deck.dilemmas[0].text, locale).split())
    for text in (pdf, editable):
        assert both in text
        assert text.index(first) < text.index(both) < text.index(OWN[0]) < text.index(OWN[1])
        assert " ".join(deck.text(deck.dilemmas[1].text, locale).split()) not in text

    pdf, editable = report_texts(locale, 0, OWN)
    for text in (pdf, editable):
        assert only_own in text and OWN[0] in text and first not in text


def test_without_own_dilemmas_the_report_names_none() -> None:
    pdf, editable = report_texts("en", 2, ())
    for text in (pdf, editable):
        assert "of their own" not in text
        assert "given two dilemmas from the deck" in text
