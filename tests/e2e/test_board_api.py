"""The sort board's API end to end: the real bot with its web app server on 127.0.0.1, the
sandbox's signed ``initData``, and the ratings in SQLite. (The page itself is driven in a
real browser in ``tests/webapp``.)"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
from conftest import World
from sql_rows import select
from test_sort_flow import new_session

from bot.app import Services
from bot.sandbox import SimUser


async def sorting(world: World, name: str = "Ann") -> tuple[SimUser, int]:
    """Someone through the welcome, on the first card of a session that sorts on joining;
    and the session's id, from the board's button."""
    code = await new_session(world)
    await world.facilitator.send_command(world.group, "settings", "start join")
    await world.sandbox.wait_for_message(world.group, text_contains="as soon as someone joins")
    return await join(world, code, name)


async def join(world: World, code: str, name: str) -> tuple[SimUser, int]:
    """Someone joins with ``code`` and answers the welcome; on the first card."""
    person = world.sandbox.add_user(name, language_code="en")
    await person.send_command(person.private_chat, "start", code)
    for asked, button in (
        ("take part?", "Yes, I'll take part"),
        ("What is your age band?", "Skip"),
        ("Which organisation", "Skip"),
    ):
        shown = await world.sandbox.wait_for_message(person.private_chat, text_contains=asked)
        await person.tap(shown, text=button)
    card = await world.sandbox.wait_for_message(
        person.private_chat, lambda m: any(b.web_app_url for r in m.buttons for b in r)
    )
    opened = await person.open_web_app(card)
    session = parse_qs(urlsplit(opened).query)["s"][0]
    return person, int(session)


async def sort_all(url: str, person: SimUser, session: int) -> dict[str, Any]:
    """A whole sort on the board: every lens, then the top the piles preselect."""
    _, answer = await call(url, person, session)
    while answer["state"]["step"] in ("sorting", "review"):
        state = answer["state"]
        lens = state["lens"]["index"]
        for n, card in enumerate(state["cards"]):
            move = {
                "action": "place",
                "lens": lens,
                "card": card["id"],
                "level": 5 if n < 4 else 1 + n % 4,
            }
            await call(url, person, session, move)
        _, answer = await call(url, person, session, {"action": "confirm", "lens": lens})
    assert answer["state"]["step"] == "top"
    _, answer = await call(url, person, session, {"action": "confirm_top"})
    assert answer["state"]["step"] == "done", answer
    result = answer["state"]["result"]
    assert len(result["top"]) == 4 and len(result["lenses"]) == 2
    titles = {card["id"] for card in answer["state"]["cards"]}
    assert all(m["from"] != m["to"] and m["card"] in titles for m in result["moves"])
    return answer["state"]


async def call(
    url: str,
    person: SimUser | None,
    session: int,
    body: Any = None,
    init_data: str | None = None,
    *,
    named: bool = True,
) -> tuple[int, Any]:
    """The board's API as the page calls it; ``named=False``: without a session in the
    address, as from the chat's menu button."""
    data = init_data if init_data is not None else person.web_app_init_data() if person else ""
    headers = {"Authorization": f"tma {data}"}
    async with aiohttp.ClientSession() as http:
        method = http.get if body is None else http.post
        kwargs = {} if body is None else {"json": body}
        where = f"{url}/api/board?s={session}" if named else f"{url}/api/board"
        async with method(where, headers=headers, **kwargs) as answer:
            return answer.status, await answer.json()


async def test_a_lens_sorted_on_the_board_lands_in_sqlite_without_a_chat_message(
    world: World, board: tuple[Services, str]
) -> None:
    services, url = board
    ann, session = await sorting(world)
    status, opened = await call(url, ann, session)
    assert status == 200
    state = opened["state"]
    assert state["step"] == "sorting" and state["lens"]["index"] == 0
    assert [level["level"] for level in state["levels"]] == [5, 4, 3, 2, 1]
    assert len(state["cards"]) == 30 and all(c["level"] is None for c in state["cards"])
    assert state["words"]["board_title"]
    notice = await world.sandbox.wait_for_message(
        ann.private_chat, text_contains="sorting on the board"
    )
    assert [b.text for r in notice.buttons for b in r] == [
        "🗂 Open the board",
        "💬 Sort in the chat",
    ]
    calls_before = len(world.sandbox.calls)
    placed = {card["id"]: 1 + n % 5 for n, card in enumerate(reversed(state["cards"]))}
    for card, level in placed.items():
        status, answer = await call(
            url, ann, session, {"action": "place", "lens": 0, "card": card, "level": level}
        )
        assert status == 200 and answer["notice"] is None
    assert answer["state"]["step"] == "review"
    status, answer = await call(
        url, ann, session, {"action": "place", "lens": 0, "card": card, "level": 5}
    )
    assert status == 200 and {c["id"]: c["level"] for c in answer["state"]["cards"]}[card] == 5
    placed[card] = 5
    rows = await services.store.read(
        lambda tx: select(tx, "SELECT card_id, level FROM ratings WHERE lens_id = 'professional'")
    )
    assert dict(rows) == placed
    status, answer = await call(url, ann, session, {"action": "confirm", "lens": 0})
    assert answer["state"]["step"] == "sorting" and answer["state"]["lens"]["index"] == 1
    sent = [c for c in world.sandbox.calls[calls_before:] if c.method.startswith(("send", "edit"))]
    assert sent == [], "the board's moves cost no Bot API call"


async def test_refused_requests_change_nothing(world: World, board: tuple[Services, str]) -> None:
    services, url = board
    ann, session = await sorting(world)
    await call(url, ann, session)
    good = ann.web_app_init_data()
    tampered = good.replace("Ann", "Bob")
    move = {"action": "place", "lens": 0, "card": "integrity", "level": 5}
    status, answer = await call(url, None, session, move, init_data=tampered)
    assert status == 401 and answer["error"] == "unauthorized"
    expired = ann.web_app_init_data(auth_date=1)
    status, answer = await call(url, None, session, move, init_data=expired)
    assert status == 401
    stranger = world.sandbox.add_user("Eve", language_code="en")
    status, answer = await call(url, stranger, session, move)
    assert status == 403 and answer["error"] == "forbidden"
    for forged in (
        {"action": "place", "lens": "0", "card": "x", "level": 5},
        {"action": "drop"},
        [1],
    ):
        status, answer = await call(url, ann, session, forged)
        assert status == 400 and answer["message"]
    rows = await services.store.read(lambda tx: select(tx, "SELECT count(*) FROM ratings"))
    assert rows == [(0,)]


async def test_going_back_to_the_chat_picks_up_where_the_board_left_off(
    world: World, board: tuple[Services, str]
) -> None:
    _, url = board
    ann, session = await sorting(world)
    _, opened = await call(url, ann, session)
    for card in opened["state"]["cards"][:3]:
        await call(
            url, ann, session, {"action": "place", "lens": 0, "card": card["id"], "level": 4}
        )
    await ann.tap(text="💬 Sort in the chat")
    card = await world.sandbox.wait_for_message(ann.private_chat, text_contains="Card 4 of 30")
    assert opened["state"]["cards"][3]["title"] in card.content


async def test_the_menu_button_opens_the_board_of_the_session_joined_last(
    world: World, board: tuple[Services, str]
) -> None:
    _, url = board
    menu = world.sandbox.menu_button()
    assert menu["type"] == "web_app" and menu["web_app"]["url"] == f"{url}/board"
    ann, session = await sorting(world)
    opened = await ann.open_menu_web_app()
    assert urlsplit(opened).path == "/board" and not urlsplit(opened).query
    status, answer = await call(url, ann, 0, init_data=None, named=False)
    assert status == 200 and answer["state"]["session"] == session
    newcomer = world.sandbox.add_user("Nia", language_code="en")
    status, answer = await call(url, newcomer, 0, named=False)
    assert status == 404 and "not in a session" in answer["message"]
