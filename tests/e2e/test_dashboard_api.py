"""The facilitator's dashboard API end to end: ``/dashboard`` in the group, the button in
private, the state and its live stream, moving someone and seating through the same events
as ``/move`` and ``/seat``, and strangers refused. (The page is driven in a real browser in
``tests/webapp``.)"""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
from conftest import World
from sql_rows import select
from test_board_api import call, join, sort_all, sorting
from test_sort_flow import new_session

from bot.app import Services
from bot.sandbox import SimUser


async def open_dashboard(world: World) -> int:
    """The facilitator asks for the dashboard in the group and opens its button."""
    await world.facilitator.send_command(world.facilitator.private_chat, "start")
    sent = await world.facilitator.send_command(world.group, "dashboard")
    await world.sandbox.wait_for_message(world.group, text_contains="private chat", after=sent)
    link = await world.sandbox.wait_for_message(
        world.facilitator.private_chat, lambda m: any(b.web_app_url for r in m.buttons for b in r)
    )
    opened = await world.facilitator.open_web_app(link)
    assert urlsplit(opened).path == "/dashboard"
    return int(parse_qs(urlsplit(opened).query)["s"][0])


async def dashboard(
    url: str, person: SimUser, session: int, body: Any = None
) -> tuple[int, dict[str, Any]]:
    headers = {"Authorization": f"tma {person.web_app_init_data()}"}
    async with aiohttp.ClientSession() as http:
        if body is None:
            answer = await http.get(f"{url}/api/dashboard?s={session}", headers=headers)
        else:
            answer = await http.post(f"{url}/api/dashboard?s={session}", headers=headers, json=body)
        async with answer:
            return answer.status, await answer.json()


async def next_state(stream: aiohttp.StreamReader) -> dict[str, Any]:
    """The next ``state`` event of a server-sent event stream."""
    event = None
    while True:
        line = (await asyncio.wait_for(stream.readline(), 10)).decode().rstrip("\n")
        if line.startswith("event: "):
            event = line.removeprefix("event: ")
        elif line.startswith("data: ") and event == "state":
            return json.loads(line.removeprefix("data: "))


async def test_the_dashboard_follows_the_sort_live(
    world: World, board: tuple[Services, str]
) -> None:
    _, url = board
    ann, session = await sorting(world)
    assert await open_dashboard(world) == session
    status, answer = await dashboard(url, world.facilitator, session)
    assert status == 200
    (row,) = answer["state"]["people"]
    assert row["name"] == "Ann" and row["step"] == "sorting" and row["cards_done"] == 0
    assert row["step_label"] == "Sorting (lens 1 of 2)"
    headers = {"Authorization": f"tma {world.facilitator.web_app_init_data()}"}
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{url}/api/dashboard/stream?s={session}", headers=headers) as stream,
    ):
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        first = await next_state(stream.content)
        assert first["people"][0]["cards_done"] == 0
        _, opened = await call(url, ann, session)
        for card in opened["state"]["cards"][:3]:
            move = {"action": "place", "lens": 0, "card": card["id"], "level": 4}
            await call(url, ann, session, move)
        pushed = await next_state(stream.content)
        while pushed["people"][0]["cards_done"] < 3:
            pushed = await next_state(stream.content)
        assert pushed["people"][0]["on_board"] is True


async def test_a_stranger_and_a_participant_are_refused(
    world: World, board: tuple[Services, str]
) -> None:
    _, url = board
    ann, session = await sorting(world)
    for person in (ann, world.sandbox.add_user("Eve", language_code="en")):
        status, answer = await dashboard(url, person, session)
        assert status == 403 and answer["error"] == "not_facilitator"
        status, _ = await dashboard(url, person, session, {"action": "propose"})
        assert status == 403


async def test_moving_someone_and_seating_from_the_dashboard(
    world: World, board: tuple[Services, str]
) -> None:
    services, url = board
    code = await new_session(world)
    await world.facilitator.send_command(world.group, "settings", "start join")
    await world.sandbox.wait_for_message(world.group, text_contains="as soon as someone joins")
    people = [await join(world, code, name) for name in ("Ann", "Bo", "Cas", "Dee", "Eli", "Fay")]
    session = people[0][1]
    for person, _ in people:
        await sort_all(url, person, session)
    await open_dashboard(world)
    status, answer = await dashboard(url, world.facilitator, session, {"action": "propose"})
    assert status == 200
    seating = answer["state"]["seating"]
    assert seating["state"] == "proposed" and answer["state"]["can"]["seat"]
    tables = {t["number"]: t["members"] for t in seating["tables"]}
    assert len(tables) >= 2
    mover = tables[1][0]
    await world.sandbox.wait_for_message(world.group, text_contains="Proposed seating")
    posts = len(world.sandbox.bot_messages(world.group))
    _, answer = await dashboard(
        url, world.facilitator, session, {"action": "move", "user": mover, "table": 2}
    )
    assert answer["state"]["phase_label"] == "Seating proposed"
    moved = {t["number"]: t["members"] for t in answer["state"]["seating"]["tables"]}
    assert mover in moved[2]
    assert len(world.sandbox.bot_messages(world.group)) == posts, "a drag posts nothing"
    _, answer = await dashboard(url, world.facilitator, session, {"action": "seat"})
    assert answer["state"]["seating"]["state"] == "seated"
    await world.sandbox.wait_for_message(world.group, text_contains="The tables are set")
    rows = await services.store.read(
        lambda tx: select(tx, "SELECT user_id, table_number FROM participants")
    )
    assert dict(rows)[mover] == 2
    seated = {t["number"]: sorted(t["members"]) for t in answer["state"]["seating"]["tables"]}
    assert seated == {n: sorted(u for u, t in rows if t == n) for n in {t for _, t in rows}}
