"""Long messages are cut into valid parts between paragraphs."""

from __future__ import annotations

from bot.telegram.screens import split_long


def test_short_messages_stay_whole() -> None:
    assert split_long("<b>hi</b>\n\nthere", 100) == ["<b>hi</b>\n\nthere"]


def test_long_messages_are_cut_between_paragraphs() -> None:
    paragraphs = [f"<b>Table {n}</b>\n• Ann\n• Bo" for n in range(1, 200)]
    text = "\n\n".join(paragraphs)
    parts = split_long(text, 500)
    assert len(parts) > 1
    assert all(len(part) <= 500 for part in parts)
    assert "\n\n".join(parts) == text, "nothing is lost or reordered"
    assert all(part.count("<b>") == part.count("</b>") for part in parts)


def test_a_paragraph_longer_than_a_message_is_cut_between_lines() -> None:
    text = "\n".join(f"• person {n}" for n in range(300))
    parts = split_long(text, 400)
    assert all(len(part) <= 400 for part in parts)
    assert "\n".join(parts) == text
