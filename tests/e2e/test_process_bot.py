"""The project's real application as its own process, pointed at the sandbox through
``BOT_API_BASE_URL``: it answers /start in a private chat and a button tap."""

from __future__ import annotations

from pathlib import Path

from conftest import TOKEN, World
from test_sort_flow import new_session

from bot.sandbox import BotProcess


async def test_the_bot_process_answers_start_and_a_tap(world: World, tmp_path: Path) -> None:
    sandbox = world.sandbox
    process = BotProcess(
        sandbox.base_url,
        TOKEN,
        world.database,
        {"DEFAULT_LOCALE": "en", "LOG_LEVEL": "DEBUG"},
        log_path=tmp_path / "bot.log",
    )
    async with process:
        ann = sandbox.add_user("Ann", language_code="en")
        await ann.start_bot()
        help_text = await sandbox.wait_for_message(
            ann.private_chat, text_contains="/continue", timeout=30
        )
        assert "invitation link" in help_text.content

        code = await new_session(world)
        await ann.start_bot(code)
        welcome = await sandbox.wait_for_message(
            ann.private_chat, text_contains="Do you want to take part?"
        )
        before = len(sandbox.calls)
        query = await ann.tap(welcome.message_id, ann.private_chat, text="Yes, I'll take part")
        answer = await sandbox.wait_for_callback_answer(query)
        assert answer.text is None
        await sandbox.wait_for_message(ann.private_chat, text_contains="age band", after=welcome)
        await sandbox.wait_for_call("editMessageReplyMarkup", after=before)  # welcome's buttons go
        after_tap = [c.method for c in sandbox.calls[before:] if c.method != "getUpdates"]

    methods = [c.method for c in sandbox.calls]
    assert methods[0] == "getMe"
    assert {"setMyCommands", "deleteWebhook", "getUpdates"} <= set(methods)
    assert "getChatMember" in methods  # the facilitator's rights were checked
    assert sorted(after_tap) == ["answerCallbackQuery", "editMessageReplyMarkup", "sendMessage"]
    log = process.read_stderr()
    assert "started as @" in log
    assert TOKEN not in log and TOKEN.split(":", 1)[1] not in log
