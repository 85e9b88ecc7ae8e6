"""Telegram's content rules, tested on the pure functions of bot.sandbox.validation."""

from __future__ import annotations

import html

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.sandbox.errors import ApiError
from bot.sandbox.validation import (
    check_callback_data,
    check_caption,
    check_commands,
    check_text,
    entities_to_html,
    parse_html,
    parse_reply_markup,
    parse_text,
    utf16_len,
)


def error_of(func: object, *args: object) -> str:
    with pytest.raises(ApiError) as info:
        func(*args)  # type: ignore[operator]
    assert info.value.error_code == 400
    return info.value.description


def test_entities_are_stripped_and_positions_are_utf16() -> None:
    parsed = parse_html("😀 <b>bold</b> &amp; <i>it</i>")
    assert parsed.text == "😀 bold & it"
    assert parsed.entities == (
        {"offset": 3, "length": 4, "type": "bold"},
        {"offset": 10, "length": 2, "type": "italic"},
    )


def test_all_allowed_tags_map_to_entities() -> None:
    source = (
        "<b>a</b><strong>b</strong><i>c</i><em>d</em><u>e</u><ins>f</ins><s>g</s>"
        "<strike>h</strike><del>i</del><code>j</code><pre>k</pre><tg-spoiler>l</tg-spoiler>"
        '<span class="tg-spoiler">m</span><blockquote>n</blockquote>'
        '<a href="https://example.org/x">o</a><tg-emoji emoji-id="5368324170671202286">p</tg-emoji>'
        '<pre><code class="language-python">q</code></pre><blockquote expandable>r</blockquote>'
    )
    parsed = parse_html(source)
    assert parsed.text == "abcdefghijklmnopqr"
    types = [e["type"] for e in parsed.entities]
    assert types == [
        "bold",
        "bold",
        "italic",
        "italic",
        "underline",
        "underline",
        "strikethrough",
        "strikethrough",
        "strikethrough",
        "code",
        "pre",
        "spoiler",
        "spoiler",
        "blockquote",
        "text_link",
        "custom_emoji",
        "pre",
        "expandable_blockquote",
    ]
    assert parsed.entities[14]["url"] == "https://example.org/x"
    assert parsed.entities[16]["language"] == "python"


def test_html_entities_decode_like_telegram() -> None:
    assert parse_html("&lt;&gt;&amp;&quot;&#65;&#x42;").text == '<>&"AB'
    assert parse_html("&amp no semicolon").text == "& no semicolon"
    assert parse_html("&nbsp; &unknown; & alone").text == "&nbsp; &unknown; & alone"


@pytest.mark.parametrize(
    ("source", "detail"),
    [
        ("<foo>x</foo>", 'Unsupported start tag "foo" at byte offset 0'),
        ("é<br>", 'Unsupported start tag "br" at byte offset 2'),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("<b", "Unclosed start tag at byte offset 0"),
        ('<a href="x>y', "Unclosed start tag at byte offset 0"),
        ('<span class="x">y</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        (
            "<a href>x</a>",
            'Expected equal sign in declaration of an attribute of the tag "a" at byte offset 0',
        ),
    ],
)
def test_bad_html_is_refused_with_telegrams_words(source: str, detail: str) -> None:
    assert error_of(parse_html, source) == f"Bad Request: can't parse entities: {detail}"


def test_a_participant_name_escaped_cannot_break_a_message() -> None:
    name = "<b>&"
    assert parse_html(f"Hello <i>{html.escape(name)}</i>").text == "Hello <b>&"


@given(st.text(max_size=200))
def test_escaped_text_always_parses_back_to_itself(text: str) -> None:
    assert parse_html(html.escape(text, quote=False)).text == text


def test_text_length_counts_after_parsing_and_in_utf16() -> None:
    check_text(parse_text("<b>" + "a" * 4096 + "</b>", "HTML"))
    check_text(parse_text("&amp;" * 4096, "HTML"))
    assert error_of(check_text, parse_text("&amp;" * 4097, "HTML")) == (
        "Bad Request: message is too long"
    )
    assert utf16_len("😀" * 2048) == 4096
    check_text(parse_text("😀" * 2048, None))
    assert error_of(check_text, parse_text("😀" * 2048 + "a", None)) == (
        "Bad Request: message is too long"
    )


def test_empty_text_after_parsing_or_trimming_is_refused() -> None:
    for source in ["", "<b></b>", "  \n ", "<i> </i>"]:
        assert error_of(check_text, parse_text(source, "HTML")) == (
            "Bad Request: message text is empty"
        )


def test_trimming_keeps_entities_aligned() -> None:
    parsed = parse_text("  <b>hi</b> there \n", "HTML")
    assert parsed.text == "hi there"
    assert parsed.entities == ({"offset": 0, "length": 2, "type": "bold"},)


def test_caption_limit_is_1024_after_parsing() -> None:
    check_caption(parse_text("<b>" + "c" * 1024 + "</b>", "HTML"))
    assert error_of(check_caption, parse_text("c" * 1025, None)) == (
        "Bad Request: message caption is too long"
    )


def test_callback_data_must_be_1_to_64_bytes() -> None:
    check_callback_data("x" * 64)
    check_callback_data("é" * 32)
    assert error_of(check_callback_data, "") == "Bad Request: BUTTON_DATA_INVALID"
    assert error_of(check_callback_data, "x" * 65) == "Bad Request: BUTTON_DATA_INVALID"
    assert error_of(check_callback_data, "é" * 33) == "Bad Request: BUTTON_DATA_INVALID"


def test_reply_markup_rules() -> None:
    ok = parse_reply_markup('{"inline_keyboard": [[{"text": "A", "url": "https://t.me/x"}]]}')
    assert ok == {"inline_keyboard": [[{"text": "A", "url": "https://t.me/x"}]]}
    assert error_of(parse_reply_markup, '{"inline_keyboard": [[{"text": "A"}]]}') == (
        "Bad Request: can't parse inline keyboard button: "
        "Text buttons are unallowed in the inline keyboard"
    )
    assert error_of(
        parse_reply_markup, {"inline_keyboard": [[{"text": "A", "url": "not a url"}]]}
    ) == ("Bad Request: inline keyboard button URL 'not a url' is invalid: Wrong HTTP URL")
    many = {"inline_keyboard": [[{"text": "b", "callback_data": "d"}] * 10] * 11}
    assert error_of(parse_reply_markup, many) == "Bad Request: reply markup is too long"
    assert error_of(parse_reply_markup, "{not json") == (
        "Bad Request: can't parse reply keyboard markup JSON object"
    )


def test_bot_commands_rules() -> None:
    assert check_commands([{"command": "start", "description": "Begin"}])
    assert error_of(check_commands, [{"command": "Start", "description": "x"}]) == (
        "Bad Request: BOT_COMMAND_INVALID"
    )
    assert error_of(check_commands, [{"command": "x", "description": ""}]) == (
        "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID"
    )


@pytest.mark.parametrize(
    "source",
    [
        "plain &amp; &lt;simple&gt;",
        "<b>bold <i>both</i></b> 😀 <u>under</u>",
        '<a href="https://example.org/?a=1&amp;b=2">link</a> <code>x&lt;y</code>',
        '<pre><code class="language-python">print(1)</code></pre><tg-spoiler>s</tg-spoiler>',
        "<blockquote expandable>long</blockquote>",
    ],
)
def test_entities_render_back_to_equivalent_html(source: str) -> None:
    parsed = parse_html(source)
    again = parse_html(entities_to_html(parsed.text, parsed.entities))
    assert again == parsed


def test_non_html_entities_render_as_text() -> None:
    rendered = entities_to_html("/start x<y", [{"type": "bot_command", "offset": 0, "length": 6}])
    assert rendered == "/start x&lt;y"
