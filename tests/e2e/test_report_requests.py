"""``/report`` through Telegram (issue 19): who may ask for the session's report and
where, and what arrives: one album of a PDF and a .docx in the facilitator's private chat,
in the session's language, with nobody's name unless the facilitator asked for names."""

from __future__ import annotations

import asyncio
import random

from conftest import World
from report_reading import docx_text
from test_sort_flow import new_session

from bot.app import Services
from bot.sandbox import Sandbox, SimUser, TranscriptMessage
from bot.simulation import Persona, SimulatedParticipant

PEOPLE = (
    ("Ayşe", "Gemeente Utrecht", "under-30"),
    ("Bram", "Gemeente Utrecht", "45-59"),
    ("Chantal", "UWV", "30-44"),
    ("Dirk", "UWV", "60-plus"),
    ("Esra", "Rijkswaterstaat", "30-44"),
)


def report_files(sandbox: Sandbox, user: SimUser, after: int) -> list[TranscriptMessage] | None:
    """The report's two documents in ``user``'s private chat, once both arrived."""
    files = [m for m in sandbox.bot_messages(user.private_chat)[after:] if m.document]
    return files if len(files) >= 2 else None


async def sorted_session(world: World) -> None:
    """Five people of three organisations join and sort; the facilitator posts the
    summary (the report works at any stage; its button is under the summary)."""
    sandbox = world.sandbox
    code = await new_session(world)
    await world.facilitator.send_command(world.group, "settings", "start join")
    await sandbox.wait_for_message(world.group, text_contains="as soon as someone joins")
    people = []
    for name, organisation, band in PEOPLE:
        user = sandbox.add_user(name, language_code="en")
        persona = Persona(organisation=organisation, age_band=band)
        people.append(SimulatedParticipant(sandbox, user, persona, random.Random(name), 20))
    for person in people:
        await person.join(code)
    await asyncio.gather(*(p.run() for p in people))
    sent = await world.facilitator.send_command(world.group, "summary")
    summary = await sandbox.wait_for_message(world.group, text_contains="Plenary", after=sent)
    await sandbox.wait_for_message(world.group, lambda m: m.photo is not None, after=summary)


async def test_the_report_goes_to_the_facilitator_in_private(world: World, bot: Services) -> None:
    sandbox, facilitator = world.sandbox, world.facilitator
    await sorted_session(world)
    await facilitator.start_bot()

    # /report in the group: the group hears where it goes, the files arrive in private.
    before = len(sandbox.bot_messages(facilitator.private_chat))
    sent = await facilitator.send_command(world.group, "report")
    await sandbox.wait_for_message(
        world.group, text_contains="send it to your private chat", after=sent
    )
    pdf, editable = await sandbox.wait_until(lambda: report_files(sandbox, facilitator, before), 60)
    assert pdf.media_group_id and pdf.media_group_id == editable.media_group_id
    assert pdf.document and pdf.document.data and pdf.document.file_name
    assert editable.document and editable.document.data and editable.document.file_name
    assert pdf.document.file_name.endswith(".pdf") and pdf.document.data[:5] == b"%PDF-"
    assert editable.document.file_name.endswith(".docx")
    assert "Report of session 1" in (editable.caption or "")
    text = docx_text(editable.document.data)
    for organisation in ("Gemeente Utrecht", "UWV", "Rijkswaterstaat"):
        assert organisation in text
    assert "Fenna Facilitator" in text, "the facilitator who asked"
    assert not any(name in text for name, _, _ in PEOPLE), "nobody by name unless asked"

    # In private, /report names: the latest session the facilitator started, with names.
    before = len(sandbox.bot_messages(facilitator.private_chat))
    await facilitator.send_command(facilitator.private_chat, "report", "names")
    _, editable = await sandbox.wait_until(lambda: report_files(sandbox, facilitator, before), 60)
    assert editable.document and editable.document.data
    named = docx_text(editable.document.data)
    assert all(name in named for name, _, _ in PEOPLE)
    assert "only with them" in (editable.caption or "")


async def test_strangers_and_stale_buttons_get_no_report(world: World, bot: Services) -> None:
    sandbox, facilitator = world.sandbox, world.facilitator
    await sorted_session(world)
    member = sandbox.add_user("Mo", language_code="en")
    await member.join(world.group)
    await member.start_bot()
    calls_before = len(sandbox.calls)

    sent = await member.send_command(world.group, "report")
    await sandbox.wait_for_message(
        world.group, text_contains="only the facilitators of this session", after=sent
    )

    # In private the bot answers there, and sends nothing to the group.
    before = len(sandbox.bot_messages(world.group))
    sent = await member.send_command(member.private_chat, "report")
    answer = await sandbox.wait_for_message(member.private_chat, after=sent)
    assert "latest session you started" in answer.content
    assert len(sandbox.bot_messages(world.group)) == before

    label = "📄 Session report"
    query = await member.tap(chat=world.group, text=label)
    toast = await sandbox.wait_for_callback_answer(query)
    assert toast.text == "Only a facilitator can do this." and toast.show_alert

    summary = next(m for m in reversed(sandbox.bot_messages(world.group)) if m.button(label))
    query = await facilitator.tap_stale(summary, world.group, data="rp:999")
    toast = await sandbox.wait_for_callback_answer(query)
    assert toast.text == "That button is no longer current."

    documents = [c for c in sandbox.calls[calls_before:] if c.method == "sendMediaGroup"]
    assert documents == [], "no report went anywhere"

    # The facilitator's own tap: a toast, and the files in private.
    await facilitator.start_bot()
    before = len(sandbox.bot_messages(facilitator.private_chat))
    query = await facilitator.tap(chat=world.group, text=label)
    toast = await sandbox.wait_for_callback_answer(query)
    assert toast.text and "private chat" in toast.text
    await sandbox.wait_until(lambda: report_files(sandbox, facilitator, before), 60)
