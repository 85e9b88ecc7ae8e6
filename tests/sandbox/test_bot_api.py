"""The sandbox's Bot API through a real PTB ``Bot``: results and Telegram's exact errors."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    InputMediaDocument,
    InputMediaPhoto,
)
from telegram.constants import ChatMemberStatus, ParseMode
from telegram.error import BadRequest, Forbidden

from bot.sandbox import Sandbox


def keyboard(*rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data) for text, data in row] for row in rows]
    )


async def test_get_me_identifies_the_bot_from_the_token(bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.username) == (123456, True, "valuecards_test_bot")


async def test_send_message_returns_telegrams_message_shape(sandbox: Sandbox, bot: Bot) -> None:
    alice = sandbox.add_user("Alice", started=True)
    sent = await bot.send_message(
        alice.id,
        "<b>Card</b> 1/30: <i>Openheid</i> &amp; meer",
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard([("Meest belangrijk", "r:1:1:5")]),
    )
    assert sent.text == "Card 1/30: Openheid & meer"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [
        ("bold", 0, 4),
        ("italic", 11, 8),
    ]
    assert sent.from_user.id == bot.id and sent.chat.id == alice.id
    assert sent.reply_markup == keyboard([("Meest belangrijk", "r:1:1:5")])
    second = await bot.send_message(alice.id, "next")
    assert second.message_id == sent.message_id + 1
    line = sandbox.transcript(alice.private_chat)[-2]
    assert line.html == "<b>Card</b> 1/30: <i>Openheid</i> &amp; meer"
    assert line.button_texts == ["Meest belangrijk"]


async def test_message_text_is_empty(sandbox: Sandbox, bot: Bot) -> None:
    alice = sandbox.add_user("Alice", started=True)
    with pytest.raises(BadRequest, match=r"^Message text is empty$"):
        await bot.send_message(alice.id, "<b> </b>", parse_mode=ParseMode.HTML)


async def test_message_is_too_long_counts_after_entity_parsing(sandbox: Sandbox, bot: Bot) -> None:
    alice = sandbox.add_user("Alice", started=True)
    sent = await bot.send_message(alice.id, "<b>" + "&amp;" * 4096 + "</b>", parse_mode="HTML")
    assert len(sent.text) == 4096
    with pytest.raises(BadRequest, match=r"^Message is too long$"):
        await bot.send_message(alice.id, "x" * 4097)
    with pytest.raises(BadRequest, match=r"^Message is too long$"):
        await bot.send_message(alice.id, "😀" * 2049)


async def test_bad_html_cannot_be_parsed(sandbox: Sandbox, bot: Bot) -> None:
    alice = sandbox.add_user("Alice", started=True)
    with pytest.raises(BadRequest, match='Can\'t parse entities: unsupported start tag "br"'):
        await bot.send_message(alice.id, "a<br>b", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="Can't parse entities: can't find end tag"):
        await bot.send_message(alice.id, "<b>open", parse_mode=ParseMode.HTML)
    assert sandbox.transcript(alice.private_chat) == []


async def test_callback_data_must_be_1_to_64_bytes(sandbox: Sandbox, bot: Bot) -> None:
    alice = sandbox.add_user("Alice", started=True)
    await bot.send_message(alice.id, "ok", reply_markup=keyboard([("A", "x" * 64)]))
    for data in ("", "x" * 65):
        with pytest.raises(BadRequest, match=r"^Button_data_invalid$"):
            await bot.send_message(alice.id, "no", reply_markup=keyboard([("A", data)]))


async def test_bot_cannot_initiate_conversation(sandbox: Sandbox, bot: Bot) -> None:
    bob = sandbox.add_user("Bob")
    with pytest.raises(
        Forbidden, match=r"^Forbidden: bot can't initiate conversation with a user$"
    ):
        await bot.send_message(bob.id, "hello")
    await bob.start_bot()
    await bot.send_message(bob.id, "hello")


async def test_bot_was_blocked_by_the_user(sandbox: Sandbox, bot: Bot) -> None:
    carol = sandbox.add_user("Carol", started=True)
    await carol.block_bot()
    with pytest.raises(Forbidden, match=r"^Forbidden: bot was blocked by the user$"):
        await bot.send_message(carol.id, "hello")
    await carol.unblock_bot()
    await bot.send_message(carol.id, "hello")


async def test_chat_not_found(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"^Chat not found$"):
        await bot.send_message(-100999, "hello")


async def test_bot_not_in_group_is_forbidden(sandbox: Sandbox, bot: Bot) -> None:
    group = sandbox.add_group("Elsewhere", bot_is_member=False)
    with pytest.raises(Forbidden, match="bot is not a member of the group chat"):
        await bot.send_message(group.id, "hello")


async def test_edit_text_and_not_modified(sandbox: Sandbox, bot: Bot) -> None:
    alice = sandbox.add_user("Alice", started=True)
    markup = keyboard([("1", "a"), ("2", "b")])
    sent = await bot.send_message(alice.id, "<b>Card</b>", parse_mode="HTML", reply_markup=markup)
    with pytest.raises(
        BadRequest, match=r"^Message is not modified: specified new message content"
    ):
        await bot.edit_message_text(
            "<b>Card</b>", alice.id, sent.message_id, parse_mode="HTML", reply_markup=markup
        )
    # Same text but without bold is a change; so is dropping the keyboard.
    await bot.edit_message_text("Card", alice.id, sent.message_id, reply_markup=markup)
    edited = await bot.edit_message_text("Card", alice.id, sent.message_id)
    assert edited.reply_markup is None and edited.edit_date is not None
    snap = sandbox.message(alice.private_chat, sent.message_id)
    assert (snap.text, snap.edit_count, snap.buttons) == ("Card", 2, ())


async def test_edit_reply_markup_not_modified(sandbox: Sandbox, bot: Bot) -> None:
    alice = sandbox.add_user("Alice", started=True)
    markup = keyboard([("1", "a")])
    sent = await bot.send_message(alice.id, "x", reply_markup=markup)
    with pytest.raises(BadRequest, match=r"^Message is not modified"):
        await bot.edit_message_reply_markup(alice.id, sent.message_id, reply_markup=markup)
    await bot.edit_message_reply_markup(alice.id, sent.message_id, reply_markup=None)
    assert sandbox.message(alice.id, sent.message_id).buttons == ()


async def test_message_to_edit_not_found(sandbox: Sandbox, bot: Bot) -> None:
    alice = sandbox.add_user("Alice", started=True)
    with pytest.raises(BadRequest, match=r"^Message to edit not found$"):
        await bot.edit_message_text("x", alice.id, 42)
    sent = await bot.send_message(alice.id, "x")
    assert await bot.delete_message(alice.id, sent.message_id)
    with pytest.raises(BadRequest, match=r"^Message to edit not found$"):
        await bot.edit_message_text("y", alice.id, sent.message_id)
    with pytest.raises(BadRequest, match=r"^Message to delete not found$"):
        await bot.delete_message(alice.id, sent.message_id)
    assert sandbox.message(alice.id, sent.message_id).deleted


async def test_cannot_edit_someone_elses_message(sandbox: Sandbox, bot: Bot) -> None:
    alice = sandbox.add_user("Alice")
    said = await alice.start_bot()
    with pytest.raises(BadRequest, match=r"^Message can't be edited$"):
        await bot.edit_message_text("mine now", alice.id, said.message_id)


async def test_answer_callback_query_only_once(sandbox: Sandbox, bot: Bot) -> None:
    alice = sandbox.add_user("Alice", started=True)
    sent = await bot.send_message(alice.id, "pick", reply_markup=keyboard([("Yes", "y")]))
    query_id = await alice.tap(sent.message_id, text="Yes")
    assert await bot.answer_callback_query(query_id, "Saved", show_alert=True)
    answer = sandbox.callback_answer(query_id)
    assert answer is not None and (answer.text, answer.show_alert) == ("Saved", True)
    with pytest.raises(BadRequest, match=r"^Query is too old and response timeout expired"):
        await bot.answer_callback_query(query_id)
    with pytest.raises(BadRequest, match=r"^Query is too old"):
        await bot.answer_callback_query("123")


async def test_caption_too_long_and_photo_upload(
    sandbox: Sandbox, bot: Bot, make_png: Callable[..., bytes]
) -> None:
    alice = sandbox.add_user("Alice", started=True)
    with pytest.raises(BadRequest, match=r"^Message caption is too long$"):
        await bot.send_photo(alice.id, make_png(), caption="c" * 1025)
    sent = await bot.send_photo(
        alice.id, make_png(4, 5), caption="<b>Top</b> values", parse_mode="HTML"
    )
    assert (sent.photo[-1].width, sent.photo[-1].height) == (4, 5)
    assert sent.caption == "Top values" and sent.caption_entities[0].type == "bold"
    again = await bot.send_photo(alice.id, sent.photo[-1].file_id)
    assert again.photo[-1].file_id == sent.photo[-1].file_id
    with pytest.raises(BadRequest, match=r"^Image_process_failed$"):
        await bot.send_photo(alice.id, b"not an image")


async def test_send_document_keeps_bytes_for_tests(sandbox: Sandbox, bot: Bot) -> None:
    alice = sandbox.add_user("Alice", started=True)
    payload = b"card,level\nopenheid,5\n"
    sent = await bot.send_document(
        alice.id, InputFile(payload, filename="export.csv"), caption="Export"
    )
    assert sent.document.file_name == "export.csv"
    assert sent.document.file_size == len(payload)
    snap = sandbox.last_bot_message(alice.private_chat)
    assert snap is not None and snap.document is not None
    assert snap.document.data == payload and snap.caption == "Export"
    assert sandbox.file_bytes(sent.document.file_id) == payload
    downloaded = await (await bot.get_file(sent.document.file_id)).download_as_bytearray()
    assert bytes(downloaded) == payload


async def test_chat_and_members(sandbox: Sandbox, bot: Bot) -> None:
    alice = sandbox.add_user("Alice")
    bob = sandbox.add_user("Bob")
    group = sandbox.add_group("Plenary", members=[alice, bob], admins=[alice], supergroup=True)
    chat = await bot.get_chat(group.id)
    assert (chat.type, chat.title) == ("supergroup", "Plenary")
    assert (await bot.get_chat_member(group.id, alice.id)).status == ChatMemberStatus.ADMINISTRATOR
    assert (await bot.get_chat_member(group.id, bob.id)).status == ChatMemberStatus.MEMBER
    me = await bot.get_chat_member(group.id, bot.id)
    assert me.status == ChatMemberStatus.ADMINISTRATOR and me.can_manage_topics is False
    admins = await bot.get_chat_administrators(group.id)
    assert {a.user.id for a in admins} == {alice.id, bot.id}
    await bob.leave(group)
    assert (await bot.get_chat_member(group.id, bob.id)).status == ChatMemberStatus.LEFT
    with pytest.raises(BadRequest, match=r"^Chat not found$"):
        await bot.get_chat(alice.id)  # alice never talked to the bot


async def test_create_forum_topic_rules(sandbox: Sandbox, bot: Bot) -> None:
    plain = sandbox.add_group("Plain", supergroup=True, bot_can_manage_topics=True)
    with pytest.raises(BadRequest, match=r"^The chat is not a forum$"):
        await bot.create_forum_topic(plain.id, "Table 1")
    no_rights = sandbox.add_group("Forum", forum=True, bot_can_manage_topics=False)
    with pytest.raises(BadRequest, match=r"^Not enough rights to create a topic$"):
        await bot.create_forum_topic(no_rights.id, "Table 1")
    forum = sandbox.add_group("Forum", forum=True, bot_can_manage_topics=True)
    topic = await bot.create_forum_topic(forum.id, "Table 1")
    assert topic.name == "Table 1" and topic.message_thread_id > 0
    sent = await bot.send_message(forum.id, "Welcome", message_thread_id=topic.message_thread_id)
    assert sent.message_thread_id == topic.message_thread_id and sent.is_topic_message
    assert await bot.close_forum_topic(forum.id, topic.message_thread_id)
    with pytest.raises(BadRequest, match=r"^Topic_not_modified$"):
        await bot.close_forum_topic(forum.id, topic.message_thread_id)
    with pytest.raises(BadRequest, match=r"^Message thread not found$"):
        await bot.send_message(forum.id, "x", message_thread_id=9999)
    assert forum.topics == {topic.message_thread_id: "Table 1"}


async def test_closed_topic_refuses_a_bot_without_rights(sandbox: Sandbox, bot: Bot) -> None:
    forum = sandbox.add_group("Forum", forum=True, bot_can_manage_topics=True)
    topic = await bot.create_forum_topic(forum.id, "Table 1")
    await bot.close_forum_topic(forum.id, topic.message_thread_id)
    sandbox.set_bot_rights(forum, can_manage_topics=False)
    with pytest.raises(BadRequest, match=r"^Topic_closed$"):
        await bot.send_message(forum.id, "x", message_thread_id=topic.message_thread_id)


async def test_commands_and_webhook_settings(sandbox: Sandbox, bot: Bot) -> None:
    await bot.set_my_commands([("start", "Begin"), ("help", "Help")])
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    await bot.set_my_commands([("start", "Beginnen")], language_code="nl")
    assert [c.description for c in await bot.get_my_commands(language_code="nl")] == ["Beginnen"]
    assert await bot.set_webhook("https://example.org/hook", secret_token="s3cret")
    info = await bot.get_webhook_info()
    assert info.url == "https://example.org/hook"
    assert sandbox.world.webhook.secret_token == "s3cret"
    assert await bot.delete_webhook()
    assert (await bot.get_webhook_info()).url == ""


async def test_reply_to_missing_message(sandbox: Sandbox, bot: Bot) -> None:
    alice = sandbox.add_user("Alice", started=True)
    with pytest.raises(BadRequest, match=r"^Message to be replied not found$"):
        await bot.send_message(alice.id, "x", reply_to_message_id=77)
    first = await bot.send_message(alice.id, "first")
    reply = await bot.send_message(alice.id, "second", reply_to_message_id=first.message_id)
    assert reply.reply_to_message is not None
    assert reply.reply_to_message.message_id == first.message_id


async def test_an_album_of_photos_shares_one_media_group(
    sandbox: Sandbox, bot: Bot, make_png: Callable[..., bytes]
) -> None:
    group = sandbox.add_group("Plenary", members=[sandbox.add_user("Alice")])
    album = [
        InputMediaPhoto(make_png(4, 5), caption="<b>The plenary</b>", parse_mode="HTML"),
        InputMediaPhoto(make_png(6, 7)),
        InputMediaPhoto(make_png(8, 9), caption="third"),
    ]
    sent = await bot.send_media_group(group.id, album)
    assert [(m.photo[-1].width, m.photo[-1].height) for m in sent] == [(4, 5), (6, 7), (8, 9)]
    assert len({m.media_group_id for m in sent}) == 1 and sent[0].media_group_id
    assert [m.caption for m in sent] == ["The plenary", None, "third"]
    assert sent[0].caption_entities[0].type == "bold"
    shown = sandbox.bot_messages(group)[-3:]
    assert [m.message_id for m in shown] == [m.message_id for m in sent]
    assert {m.media_group_id for m in shown} == {sent[0].media_group_id}
    assert all(m.photo is not None and m.photo.data for m in shown)
    again = await bot.send_media_group(group.id, album[:2])
    assert again[0].media_group_id != sent[0].media_group_id, "a new album, a new id"
    alone = await bot.send_media_group(group.id, album[:1])
    assert len(alone) == 1 and alone[0].media_group_id is None, "one item goes out alone"


async def test_an_album_is_refused_whole_as_telegram_refuses_it(
    sandbox: Sandbox, bot: Bot, make_png: Callable[..., bytes]
) -> None:
    alice = sandbox.add_user("Alice", started=True)
    before = len(sandbox.bot_messages(alice.private_chat))
    photo = InputMediaPhoto(make_png())
    with pytest.raises(BadRequest, match=r"^Too many messages to send as an album$"):
        await bot.send_media_group(alice.id, [photo] * 11)
    with pytest.raises(BadRequest, match=r"^Document can't be mixed with other media types$"):
        await bot.send_media_group(alice.id, [photo, InputMediaDocument(b"x", filename="a.csv")])
    with pytest.raises(BadRequest, match=r"^Message caption is too long$"):
        await bot.send_media_group(
            alice.id, [photo, InputMediaPhoto(make_png(), caption="c" * 1025)]
        )
    with pytest.raises(BadRequest, match=r"^Image_process_failed$"):
        await bot.send_media_group(alice.id, [photo, InputMediaPhoto(b"not an image")])
    for media, error in (
        ("[]", "there are no messages to send"),
        ('{"type": "photo"}', "expected an Array of InputMedia"),
        (
            '[{"type": "sticker", "media": "x"}]',
            'can\'t parse InputMedia: type "sticker" is unsupported',
        ),
        ('[{"type": "photo"}]', "can't parse InputMedia: media not found"),
        ("[", "can't parse media JSON object"),
    ):
        async with httpx.AsyncClient() as http:
            answer = await http.post(
                f"{sandbox.base_url}{sandbox.token}/sendMediaGroup",
                data={"chat_id": str(alice.id), "media": media},
            )
        assert (answer.status_code, answer.json()["description"]) == (400, f"Bad Request: {error}")
    assert len(sandbox.bot_messages(alice.private_chat)) == before, "nothing was sent"
