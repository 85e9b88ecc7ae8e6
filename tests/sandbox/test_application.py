"""A real ``telegram.ext.Application`` polling the sandbox, end to end."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.sandbox import Sandbox

TOKEN = "123456:TEST-token"


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.effective_user is not None
    payload = " ".join(context.args or [])
    await update.message.reply_html(
        f"Welcome <b>{update.effective_user.first_name}</b> ({payload})",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="c:yes")]]),
    )


async def tapped(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("Noted")
    await query.edit_message_text(f"You chose {query.data}")


async def new_session(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_chat is not None
    await context.bot.send_message(
        update.effective_chat.id, f"Session with {' '.join(context.args or [])}"
    )


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.message.text is not None
    await update.message.reply_text(f"echo: {update.message.text}")


@pytest.fixture
async def app(sandbox: Sandbox) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    application = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(sandbox.base_url)
        .base_file_url(sandbox.base_file_url)
        .build()
    )
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CommandHandler("newsession", new_session))
    application.add_handler(CallbackQueryHandler(tapped))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(timeout=10)
        yield application
        await application.updater.stop()
        await application.stop()


async def test_start_command_and_button_tap(sandbox: Sandbox, app: Application) -> None:  # type: ignore[type-arg]
    alice = sandbox.add_user("Alice", language_code="nl")
    sent = await alice.start_bot("invite-42")
    welcome = await sandbox.wait_for_message(alice.private_chat, after=sent, timeout=5)
    assert welcome.text == "Welcome Alice (invite-42)"
    assert welcome.html == "Welcome <b>Alice</b> (invite-42)"
    assert welcome.button_texts == ["Yes"]
    query_id = await alice.tap(welcome, text="Yes")
    answer = await sandbox.wait_for_callback_answer(query_id, timeout=5)
    assert answer.text == "Noted" and not answer.show_alert
    await sandbox.wait_until(
        lambda: sandbox.message(alice.private_chat, welcome.message_id).text == "You chose c:yes",
        timeout=5,
    )
    final = sandbox.message(alice.private_chat, welcome.message_id)
    assert final.edit_count == 1 and final.buttons == ()
    methods = [c.method for c in sandbox.calls]
    for expected in ("getMe", "deleteWebhook", "getUpdates", "sendMessage"):
        assert expected in methods
    assert methods.index("answerCallbackQuery") < methods.index("editMessageText")
    assert all(c.ok for c in sandbox.calls if c.method != "getUpdates")


async def test_group_command_with_bot_mention_and_privacy_mode(
    sandbox: Sandbox,
    app: Application,  # type: ignore[type-arg]
) -> None:
    alice = sandbox.add_user("Alice")
    bob = sandbox.add_user("Bob")
    group = sandbox.add_group("Plenary", members=[alice, bob], admins=[alice], bot_is_admin=False)
    chatter = await bob.send_text(group, "just chatting")
    command = await alice.send_command(group, "newsession", "goed-werk nl")
    assert command.text == "/newsession@valuecards_test_bot goed-werk nl"
    reply = await sandbox.wait_for_message(group, after=command, timeout=5)
    assert reply.text == "Session with goed-werk nl"
    # Privacy mode: the non-admin bot never saw the plain chatter, so it did not echo it.
    assert [m.text for m in sandbox.transcript(group)] == [
        chatter.text,
        command.text,
        reply.text,
    ]
    await bob.send_text(group, "reply to the bot", reply_to=reply)
    echoed = await sandbox.wait_for_message(group, text_contains="echo:", timeout=5)
    assert echoed.text == "echo: reply to the bot"
