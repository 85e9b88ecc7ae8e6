"""The sort board in a real browser, through the real stack: the sandbox Bot API, the bot
(python-telegram-bot polling it) with its web app server on 127.0.0.1, and Debian's Chromium
opening the URL the sandbox's Telegram client opens for the chat's web_app button.

Screenshots of the board (both languages, light and dark, phone size) go to a temporary
folder; with ``BOARD_SCREENSHOTS=1`` they are written to ``docs/screenshots/`` instead.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import pytest
from playwright.async_api import Locator, Page
from sql_rows import select
from webapp_stack import (
    LABELS,
    NewPage,
    Person,
    Stack,
    answered,
    board_api,
    join,
    new_session,
    screenshot_folder,
    session_of,
    start_stack,
)

from bot.sandbox import DARK_THEME, LIGHT_THEME

TOKEN = "123456:Board-browser-test-token"


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    async with start_stack(tmp_path, TOKEN) as stack:
        yield stack


@dataclass
class Participant(Person):
    board_url: str


async def join_board(
    stack: Stack, code: str, locale: str = "en", name: str = "Ann", theme: str = "light"
) -> Participant:
    """Someone joins through the deep link, answers the welcome in the chat and taps the sort
    screen's web_app button: the URL their Telegram client opens."""
    person = await join(stack, code, name, locale)
    board_url = await person.user.open_web_app(person.sort_screen, theme=theme)  # type: ignore[arg-type]
    assert board_url.startswith(f"{stack.url}/board?s="), board_url
    session = session_of(board_url)
    return Participant(person.user, session, person.sort_screen, board_url)


async def participant_on_the_board(stack: Stack, theme: str = "light") -> Participant:
    return await join_board(stack, await new_session(stack, "en"), theme=theme)


async def ratings(stack: Stack, lens_id: str = "professional") -> dict[str, int]:
    rows = await stack.services.store.read(
        lambda tx: select(tx, "SELECT card_id, level FROM ratings WHERE lens_id = ?", (lens_id,))
    )
    return {card: level for card, level in rows}


# --- driving the page ---------------------------------------------------------------------


async def open_board(page: Page, url: str, step: str = "sorting") -> None:
    await page.goto(url)
    await settled(page, step)


async def settled(page: Page, step: str | None = None) -> None:
    """Wait until the page shows ``step`` and no move is on its way."""
    if step is not None:
        await page.wait_for_selector(f'#app[data-step="{step}"]')
    await page.wait_for_selector('#app[data-pending="0"]')


async def board_shown(page: Page) -> dict[str, int | None]:
    """Where the page shows each card: its pile's level, or None in the tray."""
    shown: dict[str, int | None] = await page.evaluate(
        """() => Object.fromEntries(Array.from(document.querySelectorAll('[data-card]'))
            .filter((el) => el.closest('#view-sort'))
            .map((el) => [el.dataset.card,
                          el.parentElement.dataset.level ? Number(el.parentElement.dataset.level)
                                                         : null]))"""
    )
    return shown


def card(page: Page, card_id: str) -> Locator:
    return page.locator(f'#view-sort [data-card="{card_id}"]')


def pile(page: Page, level: int) -> Locator:
    return page.locator(f'ul[data-level="{level}"]')


async def centre(locator: Locator) -> tuple[float, float]:
    box = await locator.bounding_box()
    assert box is not None
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


async def hit(page: Page, locator: Locator, x: float, y: float) -> bool:
    """Whether a finger or the mouse at (x, y) would touch ``locator`` (not the sticky tray
    over it, not something off the screen)."""
    height = await page.evaluate("innerHeight")
    if not 0 < y < height - 4:
        return False
    inside: bool = await locator.evaluate(
        "(el, [x, y]) => el.contains(document.elementFromPoint(x, y))", [x, y]
    )
    return inside


async def drag_points(
    page: Page, source: Locator, target: Locator
) -> tuple[tuple[float, float], tuple[float, float]]:
    """Where a drag of ``source`` onto ``target`` starts and ends, both in view: the pile is
    scrolled to the middle of the screen (the tray of cards to sort is sticky, so it stays
    in view); a card on a pile that is then hidden is scrolled to the middle instead."""
    grip = source.locator(".card-main")
    # a card in the tray: the tray scrolled sideways to it (scrollIntoView would scroll the
    # page too, and the tray is sticky)
    await source.evaluate(
        """(el) => { const list = el.parentElement;
            if (list.id === 'tray') list.scrollLeft = el.offsetLeft - list.offsetLeft - 8; }"""
    )
    await target.evaluate("(el) => el.scrollIntoView({block: 'center'})")
    start, end = await centre(grip), await centre(target)
    if not await hit(page, grip, *start):
        await source.evaluate("(el) => el.scrollIntoView({block: 'center'})")
        start, end = await centre(grip), await centre(target)
    assert await hit(page, grip, *start), "the card cannot be reached"
    assert await hit(page, target, *end), "the pile is not in view with the card"
    return start, end


async def touch_drag(page: Page, source: Locator, target: Locator) -> None:
    """A finger on the card, held a moment (SortableJS waits before a touch drag starts, so a
    swipe still scrolls), moved to the pile in small steps and lifted there."""
    (x0, y0), end = await drag_points(page, source, target)
    cdp = await page.context.new_cdp_session(page)

    async def touch(kind: str, x: float = 0, y: float = 0) -> None:
        points = [] if kind == "touchEnd" else [{"x": x, "y": y}]
        await cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    await touch("touchStart", x0, y0)
    await page.wait_for_timeout(300)
    await follow(page, target, (x0, y0), end, lambda x, y: touch("touchMove", x, y))
    await touch("touchEnd")
    await cdp.detach()


async def mouse_drag(page: Page, source: Locator, target: Locator) -> None:
    """The mouse pressed on the card, moved to the pile in steps and released there."""
    start, end = await drag_points(page, source, target)
    await page.mouse.move(*start)
    await page.mouse.down()
    await follow(page, target, start, end, page.mouse.move)
    await page.mouse.up()


async def follow(
    page: Page,
    target: Locator,
    start: tuple[float, float],
    end: tuple[float, float],
    move: Callable[[float, float], Awaitable[None]],
) -> None:
    """Move to the pile in small steps, then rest there as a hand does: never quite still,
    following the pile when it shifts (the card shows where it would land on each pile it
    passes). SortableJS looks again only when the pointer moves, and not at a card that is
    still sliding (its animations take 150 ms)."""
    (x0, y0), (x1, y1) = start, end
    steps = 15
    for i in range(1, steps + 1):
        await move(x0 + (x1 - x0) * i / steps, y0 + (y1 - y0) * i / steps)
        await page.wait_for_timeout(16)
    for jitter in (1, -1, 1, 0):
        await page.wait_for_timeout(200)
        x, y = await centre(target)
        for i in range(1, 5):
            await move(x1 + (x - x1) * i / 4 + jitter, y1 + (y - y1) * i / 4)
            await page.wait_for_timeout(16)
        x1, y1 = x, y
    await page.wait_for_timeout(120)


async def tap_move(page: Page, card_id: str, level: int) -> None:
    """Tap-to-move: tap the card (it shows as selected), then the pile's header."""
    main = card(page, card_id).locator(".card-main")
    await main.tap()
    await page.wait_for_selector(f'[data-card="{card_id}"] .card-main[aria-pressed="true"]')
    await page.locator(f'[data-place="{level}"]').tap()


# --- the tests ----------------------------------------------------------------------------


async def test_a_lens_sorted_on_a_phone_lands_in_sqlite_exactly_as_placed(
    stack: Stack, page: Page
) -> None:
    ann = await participant_on_the_board(stack)
    await open_board(page, ann.board_url)
    events = await page.evaluate("window.__tgEvents.map((e) => e.eventType)")
    assert "web_app_ready" in events and "web_app_expand" in events
    order = list(await board_shown(page))
    assert len(order) == 30 and set((await board_shown(page)).values()) == {None}
    assert await page.locator(".pile-label").all_inner_texts() == [
        "Most important",
        "More important",
        "Neutral",
        "Less important",
        "Least important",
    ]
    assert await page.inner_text("#tray-count") == "0 of 30 cards sorted"

    def everywhere(placed: dict[str, int]) -> dict[str, int | None]:
        return {c: placed.get(c) for c in order}

    expected: dict[str, int] = {}
    # by touch: a card onto every pile, from the tray
    for n, card_id in enumerate(order[:5]):
        level = 5 - n
        await answered(page, touch_drag(page, card(page, card_id), pile(page, level)))
        expected[card_id] = level
    assert await board_shown(page) == everywhere(expected)
    # by mouse, one of them from one pile to another
    for card_id, level in ((order[5], 2), (order[6], 4), (order[0], 1)):
        await answered(page, mouse_drag(page, card(page, card_id), pile(page, level)))
        expected[card_id] = level
    assert await board_shown(page) == everywhere(expected)
    assert await ratings(stack) == expected

    # a reload mid-sort resumes where the server has the person
    await page.reload()
    await settled(page, "sorting")
    assert await board_shown(page) == everywhere(expected)
    assert await page.inner_text("#tray-count") == f"{len(expected)} of 30 cards sorted"

    # by keyboard: Enter on the card, Enter on the pile
    await card(page, order[7]).locator(".card-main").focus()
    await page.keyboard.press("Enter")
    await page.locator('[data-place="3"]').focus()
    await answered(page, page.keyboard.press("Enter"))
    expected[order[7]] = 3
    # by tap-to-move, the rest, and a placed card moved by tap
    for n, card_id in enumerate(order[8:]):
        level = 1 + n % 5
        await answered(page, tap_move(page, card_id, level))
        expected[card_id] = level
    await answered(page, tap_move(page, order[1], 5))
    expected[order[1]] = 5
    await settled(page, "review")

    assert await board_shown(page) == expected
    assert await ratings(stack) == expected
    confirm = page.locator("#confirm-piles")
    assert await confirm.is_visible() and await confirm.is_enabled()
    assert await confirm.inner_text() == LABELS.label("en", "board_confirm_piles")
    await answered(page, confirm.tap())
    await settled(page, "sorting")
    lens_step = await page.evaluate("document.getElementById('lens-step').textContent")
    assert lens_step == "Sort 2 of 2"
    assert set((await board_shown(page)).values()) == {None}
    assert await ratings(stack) == expected
    assert await ratings(stack, "situation") == {}


async def test_a_move_that_does_not_arrive_is_shown_undone_and_sent_again(
    stack: Stack, page: Page
) -> None:
    ann = await participant_on_the_board(stack)
    await open_board(page, ann.board_url)
    first, second = list(await board_shown(page))[:2]
    offline = True

    async def network(route: Any) -> None:
        if offline and route.request.method == "POST":
            await route.abort("internetdisconnected")
        else:
            await route.fallback()

    await page.route("**/api/board*", network)
    await answered(page, tap_move(page, first, 4))
    assert await page.get_attribute("#app", "data-failed") == "1"
    notice = page.locator("#notice")
    assert await notice.is_visible()
    assert LABELS.label("en", "board_retry_notice") in await notice.inner_text()
    assert (await board_shown(page))[first] is None, "the card stays where it was"
    assert await ratings(stack) == {}
    offline = False
    await answered(page, page.locator("#notice-retry").tap())
    assert await page.get_attribute("#app", "data-failed") == "0"
    assert (await board_shown(page))[first] == 4
    assert await notice.is_hidden()
    await answered(page, tap_move(page, second, 2))
    assert await ratings(stack) == {first: 4, second: 2}


async def test_the_chat_menu_button_opens_the_board_of_the_session_joined_last(
    stack: Stack, page: Page
) -> None:
    ann = await participant_on_the_board(stack)
    url = await ann.user.open_menu_web_app()
    assert "?s=" not in url.partition("#")[0]
    await open_board(page, url)
    first = next(iter(await board_shown(page)))
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if r.method == "POST" else None)
    await answered(page, tap_move(page, first, 5))
    assert await ratings(stack) == {first: 5}
    assert requests == [f"{stack.url}/api/board?s={ann.session}"], "it stays with that session"


def tampered(url: str) -> str:
    """The launch URL with the user's name changed inside the signed initData."""
    base, _, fragment = url.partition("#")
    params = dict(part.split("=", 1) for part in fragment.split("&"))
    init_data = unquote(params["tgWebAppData"])
    assert "Ann" in unquote(init_data)
    params["tgWebAppData"] = quote(init_data.replace("Ann", "Eve"), safe="")
    return base + "#" + "&".join(f"{k}={v}" for k, v in params.items())


async def test_a_tampered_init_data_gets_401_and_changes_nothing(stack: Stack, page: Page) -> None:
    ann = await participant_on_the_board(stack)
    statuses: list[int] = []
    page.on("response", lambda r: statuses.append(r.status) if "/api/board" in r.url else None)
    await page.goto(tampered(ann.board_url))
    await page.wait_for_selector('#app[data-step="message"]')
    assert statuses == [401]
    assert await page.inner_text("#message") == LABELS.label("en", "webapp_unauthorized")
    assert await page.locator("[data-card]").count() == 0
    assert await page.locator("#reload").is_hidden()
    # a move sent with that initData from the page itself is refused as well
    status = await page.evaluate(
        """async () => (await fetch('/api/board' + location.search, {
            method: 'POST',
            headers: {'Authorization': 'tma ' + Telegram.WebApp.initData,
                      'Content-Type': 'application/json'},
            body: JSON.stringify({action: 'place', lens: 0, card: 'integrity', level: 5}),
        })).status"""
    )
    assert status == 401
    assert await ratings(stack) == {}


async def test_the_top_is_chosen_on_the_board(stack: Stack, desktop_page: Page) -> None:
    page = desktop_page
    ann = await participant_on_the_board(stack, theme="dark")
    for lens in (0, 1):
        cards = (await board_api(stack, ann))["state"]["cards"]
        for n, c in enumerate(cards):
            await board_api(
                stack, ann, {"action": "place", "lens": lens, "card": c["id"], "level": 1 + n % 5}
            )
        await board_api(stack, ann, {"action": "confirm", "lens": lens})
    await open_board(page, ann.board_url, "top")
    top = (await board_api(stack, ann))["state"]["top"]
    size = top["size"]
    confirm = page.locator("#confirm-top")
    assert await confirm.is_disabled()
    chosen = [c for c in top["candidates"] if c not in top["selected"]]
    for card_id in chosen[: size - len(top["selected"]) + 1]:
        await answered(page, page.locator(f'[data-toggle="{card_id}"]').click())
    pressed = page.locator('.choice-main[aria-pressed="true"]')
    assert await pressed.count() == size, "one more than the top holds is refused"
    mine = await page.locator('.choice:has(.choice-main[aria-pressed="true"])').evaluate_all(
        "(items) => items.map((item) => item.dataset.card)"
    )
    assert await page.locator("#notice").is_visible()
    assert await confirm.is_enabled()
    assert await confirm.inner_text() == LABELS.label(
        "en", "board_confirm_top", chosen=size, size=size
    )
    # a card's description on demand; Telegram's back button closes it
    await page.locator(f'.card-info[data-info="{chosen[0]}"]').click()
    assert await page.locator("#sheet").is_visible()
    await page.evaluate("Telegram.WebApp.BackButton.__click()")
    assert await page.locator("#sheet").is_hidden()
    await answered(page, confirm.click())
    await settled(page, "done")
    shown = await page.locator("#result li").evaluate_all("(li) => li.map((i) => i.dataset.card)")
    rows = await stack.services.store.read(
        lambda tx: select(tx, "SELECT card_id FROM tops ORDER BY rank")
    )
    assert [card_id for (card_id,) in rows] == shown and sorted(shown) == sorted(mine)
    # the lens comparison: the cards that moved most between the two lenses, as the chat has it
    result = (await board_api(stack, ann))["state"]["result"]
    assert result["moves"], "the two lenses were sorted differently"
    moved = await page.locator("#moves-list li").evaluate_all(
        "(li) => li.map((i) => i.dataset.card)"
    )
    assert moved == [m["card"] for m in result["moves"]]
    assert result["lenses"][1] in await page.locator("#moves-title").inner_text()


def rgb(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


async def page_background(page: Page) -> str:
    colour: str = await page.evaluate("getComputedStyle(document.body).backgroundColor")
    return colour


@pytest.mark.parametrize("locale", ["nl", "en"])
async def test_screenshots_of_the_board(
    stack: Stack, new_page: NewPage, locale: str, tmp_path: Path
) -> None:
    """The board at phone size, light and dark, with nine cards placed and one selected to
    move by tap; in English also at desktop size. The page follows a theme change live."""
    folder = screenshot_folder("BOARD_SCREENSHOTS", tmp_path)
    code = await new_session(stack, locale)
    themes = {"light": LIGHT_THEME, "dark": DARK_THEME}
    for theme, colours in themes.items():
        person = await join_board(stack, code, locale, name=f"P{theme}", theme=theme)
        state = (await board_api(stack, person))["state"]
        assert state["locale"] == locale
        cards = state["cards"]
        for c, level in zip(cards[:9], (5, 4, 5, 3, 2, 4, 1, 3, 5), strict=True):
            await board_api(
                stack, person, {"action": "place", "lens": 0, "card": c["id"], "level": level}
            )
        page = await new_page("phone")
        await open_board(page, person.board_url)
        await card(page, cards[9]["id"]).locator(".card-main").tap()
        await page.wait_for_selector(".card.selected")
        words = state["words"]
        assert await page.inner_text("#tray-count") == words["board_progress"].format(
            placed=9, total=30
        )
        assert await page.inner_text("#sort-hint") == words["board_hint_selected"].format(
            card=cards[9]["title"]
        )
        await page.screenshot(path=str(folder / f"board-{locale}-{theme}.png"))
        assert await page_background(page) == rgb(colours["secondary_bg_color"])
        # Telegram changes the theme while the board is open
        other = themes["dark" if theme == "light" else "light"]
        await page.evaluate(
            "(theme) => Telegram.WebView.receiveEvent('theme_changed', {theme_params: theme})",
            dict(other),
        )
        assert await page_background(page) == rgb(other["secondary_bg_color"])
        scheme = await page.evaluate("document.documentElement.dataset.scheme")
        assert scheme == ("dark" if theme == "light" else "light")
        if locale == "en" and theme == "light":
            desktop = await new_page("desktop")
            await open_board(desktop, person.board_url)
            await desktop.screenshot(path=str(folder / "board-en-desktop.png"))
