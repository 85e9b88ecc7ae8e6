"""The driver side: people acting, transcripts, waiting, and the HTTP control routes."""

from __future__ import annotations

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from bot.sandbox import Sandbox, SandboxError


def keyboard(*buttons: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=d) for t, d in buttons]])


async def test_commands_get_bot_command_entities(sandbox: Sandbox, bot: Bot) -> None:
    alice = sandbox.add_user("Alice")
    group = sandbox.add_group("Plenary", members=[alice])
    await alice.send_command(group, "join")
    await alice.send_command(group, "/help", mention=False)
    await alice.send_text(alice.private_chat, "/status now")
    updates = await bot.get_updates()
    texts = [(u.message.text, u.message.entities[0].length) for u in updates]
    assert texts == [
        ("/join@valuecards_test_bot", len("/join@valuecards_test_bot")),
        ("/help", 5),
        ("/status now", 7),
    ]
    assert updates[0].message.chat.type == "group"


async def test_start_bot_marks_started_and_unblocks(sandbox: Sandbox, bot: Bot) -> None:
    alice = sandbox.add_user("Alice")
    assert not alice.has_started
    await alice.start_bot("deep-link")
    assert alice.has_started
    await alice.block_bot()
    with pytest.raises(SandboxError, match="blocked the bot"):
        await alice.send_text(alice.private_chat, "hi")
    await alice.start_bot()  # "Restart" in the client
    assert not alice.has_blocked
    kinds = [next(k for k in u if k != "update_id") for u in sandbox.pending_updates]
    assert kinds == ["message", "my_chat_member", "my_chat_member", "message"]
    blocked = sandbox.pending_updates[1]["my_chat_member"]
    assert blocked["new_chat_member"]["status"] == "kicked"


async def test_tap_finds_the_newest_button_and_refuses_impossible_taps(
    sandbox: Sandbox, bot: Bot
) -> None:
    alice = sandbox.add_user("Alice", started=True)
    old = await bot.send_message(alice.id, "card 1", reply_markup=keyboard(("5", "r:1:5")))
    new = await bot.send_message(alice.id, "card 2", reply_markup=keyboard(("5", "r:2:5")))
    await alice.tap(text="5")
    await alice.tap(old.message_id, data="r:1:5")
    queries = [u["callback_query"] for u in sandbox.pending_updates]
    assert [q["data"] for q in queries] == ["r:2:5", "r:1:5"]
    assert queries[0]["message"]["message_id"] == new.message_id
    assert queries[0]["from"]["id"] == alice.id and queries[0]["id"] != queries[1]["id"]
    with pytest.raises(SandboxError, match="has no button"):
        await alice.tap(new.message_id, text="4")
    await bot.delete_message(alice.id, new.message_id)
    with pytest.raises(SandboxError, match="no message"):
        await alice.tap(new.message_id, text="5")
    bob = sandbox.add_user("Bob")
    with pytest.raises(SandboxError, match="someone else's private chat"):
        await bob.tap(old.message_id, alice.private_chat, text="5")


async def test_stale_taps_reach_the_bot_with_old_data(sandbox: Sandbox, bot: Bot) -> None:
    alice = sandbox.add_user("Alice", started=True)
    card = await bot.send_message(alice.id, "card 1", reply_markup=keyboard(("5", "r:1:5")))
    await bot.edit_message_text(
        "card 2", alice.id, card.message_id, reply_markup=keyboard(("5", "r:2:5"))
    )
    with pytest.raises(SandboxError, match="has no button"):
        await alice.tap(card.message_id, data="r:1:5")
    await alice.tap_stale(card.message_id, data="r:1:5")
    query = sandbox.pending_updates[-1]["callback_query"]
    assert query["data"] == "r:1:5" and query["message"]["text"] == "card 2"


async def test_deep_link_payloads_follow_telegrams_alphabet(sandbox: Sandbox) -> None:
    alice = sandbox.add_user("Alice")
    with pytest.raises(SandboxError, match="deep-link payload"):
        await alice.start_bot("s:12")
    with pytest.raises(SandboxError, match="deep-link payload"):
        await alice.start_bot("x" * 65)
    sent = await alice.start_bot("s_12-ab")
    assert sent.text == "/start s_12-ab"


async def test_join_leave_and_admin_updates(sandbox: Sandbox, bot: Bot) -> None:
    await bot.get_updates(allowed_updates=["message", "chat_member", "my_chat_member"])
    alice = sandbox.add_user("Alice")
    group = sandbox.add_group("Plenary", supergroup=True)
    await alice.join(group)
    await alice.become_admin(group, can_manage_topics=False)
    sandbox.set_bot_rights(group, can_manage_topics=True)
    await alice.leave(group)
    updates = sandbox.pending_updates
    kinds = [next(k for k in u if k != "update_id") for u in updates]
    assert kinds == [
        "chat_member",
        "message",
        "chat_member",
        "my_chat_member",
        "chat_member",
        "message",
    ]
    assert updates[1]["message"]["new_chat_members"][0]["id"] == alice.id
    promoted = updates[2]["chat_member"]["new_chat_member"]
    assert promoted["status"] == "administrator" and promoted["can_manage_topics"] is False
    assert updates[3]["my_chat_member"]["new_chat_member"]["can_manage_topics"] is True
    assert updates[5]["message"]["left_chat_member"]["id"] == alice.id
    parsed = await bot.get_updates()
    assert parsed[1].message.new_chat_members[0].id == alice.id


async def test_people_write_in_forum_topics(sandbox: Sandbox, bot: Bot) -> None:
    alice = sandbox.add_user("Alice")
    forum = sandbox.add_group("Forum", members=[alice], forum=True, bot_can_manage_topics=True)
    topic = await bot.create_forum_topic(forum.id, "Table 1")
    assert await sandbox.wait_for_topic(forum, "Table 1") == topic.message_thread_id
    said = await alice.send_text(forum, "my story", thread_id=topic.message_thread_id)
    update = (await bot.get_updates())[-1]
    assert update.message.message_thread_id == topic.message_thread_id
    assert update.message.is_topic_message
    assert said.thread_id == topic.message_thread_id
    with pytest.raises(SandboxError, match="no topic"):
        await alice.send_text(forum, "x", thread_id=999)


async def test_wait_for_message_reports_the_transcript_on_timeout(
    sandbox: Sandbox, bot: Bot
) -> None:
    alice = sandbox.add_user("Alice", started=True)
    await bot.send_message(alice.id, "something else")
    with pytest.raises(TimeoutError, match="something else"):
        await sandbox.wait_for_message(alice.private_chat, text_contains="Welcome", timeout=0.2)
    found = await sandbox.wait_for_message(alice.private_chat, lambda m: m.text.startswith("some"))
    assert found.message_id == 1


async def test_control_routes_over_http(sandbox: Sandbox, bot: Bot) -> None:
    async with httpx.AsyncClient(base_url=sandbox.control_url + "/", timeout=10) as http:
        index = (await http.get("")).json()["result"]
        assert index["base_url"] == sandbox.base_url
        alice = (await http.post("users", json={"first_name": "Alice"})).json()["result"]
        group = (
            await http.post(
                "groups", json={"title": "Plenary", "members": [alice["id"]], "admins": []}
            )
        ).json()["result"]
        sent = await http.post(
            f"users/{alice['id']}/send_command",
            json={"chat_id": group["id"], "command": "newsession", "args": "x"},
        )
        assert sent.json()["result"]["text"] == "/newsession@valuecards_test_bot x"
        await http.post(f"users/{alice['id']}/start_bot", json={"payload": "p"})
        reply = await bot.send_message(alice["id"], "pick", reply_markup=keyboard(("Yes", "y")))
        tapped = await http.post(
            f"users/{alice['id']}/tap", json={"message_id": reply.message_id, "text": "Yes"}
        )
        query_id = tapped.json()["result"]["callback_query_id"]
        await bot.answer_callback_query(query_id, "ok")
        answers = (await http.get("callback_answers")).json()["result"]
        assert answers[0]["query_id"] == query_id and answers[0]["text"] == "ok"
        transcript = (await http.get(f"chats/{alice['id']}/transcript")).json()["result"]
        assert [m["text"] for m in transcript] == ["/start p", "pick"]
        assert transcript[1]["buttons"] == [[{"text": "Yes", "callback_data": "y", "url": None}]]
        waited = await http.post(
            "wait_for_message", json={"chat_id": alice["id"], "text_contains": "pick"}
        )
        assert waited.json()["result"]["message_id"] == reply.message_id
        calls = (await http.get("calls", params={"method": "sendMessage"})).json()["result"]
        assert calls[0]["params"]["reply_markup"]["inline_keyboard"][0][0]["text"] == "Yes"
        await http.post("faults/fail_next", json={"status": 500, "method": "getMe"})
        assert sandbox.faults.pending_failures[0].status == 500
        await http.post("faults/clear")
        assert sandbox.faults.pending_failures == []
        bad = await http.post("users/999/send_text", json={"chat_id": 1, "text": "x"})
        assert bad.status_code == 400 and "no user 999" in bad.json()["error"]
        timeout = await http.post(
            "wait_for_message",
            json={"chat_id": alice["id"], "text_contains": "nope", "timeout": 0.1},
        )
        assert timeout.status_code == 408
