"""The facilitator's dashboard in a real browser, through the real stack: the sandbox Bot API,
the bot (python-telegram-bot polling it) with its web app server on 127.0.0.1, and Debian's
Chromium opening the URL the sandbox's Telegram client opens for the web_app button that
``/dashboard`` in the group sends the facilitator in private.

Screenshots of the dashboard (both languages, light and dark, desktop size) go to a temporary
folder; with ``DASHBOARD_SCREENSHOTS=1`` they are written to ``docs/screenshots/`` instead.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

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
    start_stack,
)

from bot.codec import decode_effect
from bot.sandbox import TranscriptMessage
from bot.sandbox.methods import ApiCall
from bot.sandbox.web_app import launch_url
from conversations.effects import Effect, SendReport

TOKEN = "123456:Dashboard-browser-test-token"


@pytest.fixture
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    async with start_stack(tmp_path, TOKEN, cable=True, seed=7) as stack:
        yield stack


async def sort_on_the_board(stack: Stack, person: Person, cards: int | None = None) -> None:
    """Every lens sorted on the board and the top the piles preselect confirmed; or, with
    ``cards``, only that many cards of the first lens placed."""
    state = (await board_api(stack, person))["state"]
    while state["step"] in ("sorting", "review"):
        lens = state["lens"]["index"]
        for n, card in enumerate(state["cards"][:cards]):
            level = 5 if n < 4 else 1 + n % 4
            move = {"action": "place", "lens": lens, "card": card["id"], "level": level}
            state = (await board_api(stack, person, move))["state"]
        if cards is not None:
            return
        state = (await board_api(stack, person, {"action": "confirm", "lens": lens}))["state"]
    assert state["step"] == "top", state
    state = (await board_api(stack, person, {"action": "confirm_top"}))["state"]
    assert state["step"] == "done", state


async def rate_in_the_chat(stack: Stack, person: Person, count: int) -> None:
    """``count`` cards rated with the chat's buttons, one card screen after the other."""
    chat = person.user.private_chat
    seen: set[tuple[int, str]] = set()

    def rating(m: TranscriptMessage) -> str | None:
        return next(
            (
                b.callback_data
                for r in m.buttons
                for b in r
                if (b.callback_data or "").endswith(":4")
            ),
            None,
        )

    def new_card(m: TranscriptMessage) -> bool:
        return rating(m) is not None and (m.message_id, m.content) not in seen

    for _ in range(count):
        card = await stack.sandbox.wait_for_message(chat, new_card)
        seen.add((card.message_id, card.content))
        await person.user.tap(card, chat, data=rating(card))
    await stack.sandbox.wait_for_message(chat, new_card)


async def open_dashboard(stack: Stack, theme: str = "light") -> str:
    """``/dashboard`` in the group, then the web_app button it sends the facilitator in
    private: the URL their Telegram client opens."""
    facilitator, sandbox = stack.facilitator, stack.sandbox
    if not facilitator.state.started:
        sent = await facilitator.send_command(facilitator.private_chat, "start")
        await sandbox.wait_for_message(facilitator.private_chat, after=sent)
    before = sandbox.bot_messages(facilitator.private_chat)
    await facilitator.send_command(stack.group, "dashboard")
    link = await sandbox.wait_for_message(
        facilitator.private_chat,
        lambda m: any(b.web_app_url for r in m.buttons for b in r),
        after=before[-1].message_id if before else None,
    )
    url = await facilitator.open_web_app(link, theme=theme)  # type: ignore[arg-type]
    assert url.startswith(f"{stack.url}/dashboard?s="), url
    return url


async def tables_in_sqlite(stack: Stack) -> dict[int, int | None]:
    rows = await stack.services.store.read(
        lambda tx: select(tx, "SELECT user_id, table_number FROM participants")
    )
    return {user: table for user, table in rows}


# --- driving the page ---------------------------------------------------------------------


async def live(page: Page, url: str) -> None:
    """Open the dashboard and wait until its stream is live."""
    await page.goto(url)
    await page.wait_for_selector('#app[data-view="dashboard"][data-live="live"]')


async def seating_shown(page: Page) -> dict[int, list[int]]:
    """The tables the page shows: number -> its members' user ids (the new-table zone left
    out)."""
    shown: dict[str, list[int]] = await page.evaluate(
        """() => Object.fromEntries(
            Array.from(document.querySelectorAll('#tables .table:not(.table-new)')).map((t) => [
                t.dataset.table,
                Array.from(t.querySelectorAll('[data-user]')).map((m) => Number(m.dataset.user)),
            ]))"""
    )
    return {int(number): sorted(members) for number, members in shown.items()}


def row(page: Page, user: int) -> Locator:
    return page.locator(f'[data-testid="people"] [data-user="{user}"]')


def member(page: Page, user: int) -> Locator:
    return page.locator(f'[data-testid="seating"] [data-user="{user}"]')


async def mouse_drag(page: Page, source: Locator, target: Locator) -> None:
    """Press on the person, move in small steps onto the table, let go (SortableJS's
    fallback mode follows the pointer's moves)."""
    await target.scroll_into_view_if_needed()
    await source.scroll_into_view_if_needed()
    start, end = await source.bounding_box(), await target.bounding_box()
    assert start is not None and end is not None
    x0, y0 = start["x"] + start["width"] / 2, start["y"] + start["height"] / 2
    x1, y1 = end["x"] + end["width"] / 2, end["y"] + end["height"] / 2
    await page.mouse.move(x0, y0)
    await page.mouse.down()
    await page.mouse.move(x0 + 8, y0 + 8, steps=4)
    await page.mouse.move(x1, y1, steps=16)
    await page.mouse.up()


# --- the tests ----------------------------------------------------------------------------


async def test_the_dashboard_follows_the_sort_live_and_seats_the_tables(
    stack: Stack, desktop_page: Page
) -> None:
    page = desktop_page
    code = await new_session(stack, "en")
    finished = [await join(stack, code, name) for name in ("Ann", "Bo", "Cas", "Dee", "Eli", "Fay")]
    for person in finished:
        await sort_on_the_board(stack, person)
    gus = await join(stack, code, "Gus")
    url = await open_dashboard(stack)
    await live(page, url)
    events = await page.evaluate("window.__tgEvents.map((e) => e.eventType)")
    assert "web_app_ready" in events and "web_app_expand" in events
    assert (await page.inner_text('[data-testid="title"]')).startswith("Good Work")
    assert await page.locator('[data-testid="roster"] [data-user]').count() == 7
    assert await row(page, gus.user.id).locator(".person-count").inner_text() == "0/30"
    assert await row(page, gus.user.id).locator(".person-step").inner_text() == (
        LABELS.label("en", "overview_step_sorting", lens=1, lenses=2)
    )
    assert await page.inner_text('[data-testid="count-with_top"] dd') == "6"

    # someone sorting in the chat advances on the dashboard, pushed: no reload, no request
    await page.evaluate("window.__sameDocument = true")
    pushes = int(await page.get_attribute("#app", "data-pushes") or 0)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    await rate_in_the_chat(stack, gus, 3)
    await page.wait_for_function(
        "(id) => document.querySelector(`#roster [data-user='${id}'] .person-count`)"
        ".textContent === '3/30'",
        arg=gus.user.id,
    )
    assert await page.evaluate("window.__sameDocument") is True
    assert int(await page.get_attribute("#app", "data-pushes") or 0) > pushes
    assert requests == [], "the change came over the open stream"

    # the filter box narrows the list down
    await page.fill('[data-testid="filter"]', "gu")
    assert await page.locator('[data-testid="roster"] [data-user]').count() == 1
    assert await row(page, gus.user.id).is_visible()
    assert await page.inner_text('[data-testid="people-count"]') == "1 of 7 people"
    await page.fill('[data-testid="filter"]', "")
    assert await page.locator('[data-testid="roster"] [data-user]').count() == 7

    # propose tables with the button
    seating = page.locator('[data-testid="seating"]')
    assert await seating.get_attribute("data-state") == "none"
    assert await page.locator('[data-testid="seat"]').is_hidden()
    await answered(page, page.locator('[data-testid="propose"]').click())
    await page.wait_for_selector('[data-testid="seating"][data-state="proposed"]')
    tables = await seating_shown(page)
    everyone = sorted(p.user.id for p in finished)
    assert sorted(u for members in tables.values() for u in members) == everyone
    assert len(tables) >= 2
    assert {u: t for t, members in tables.items() for u in members} == {
        u: t for u, t in (await tables_in_sqlite(stack)).items() if u != gus.user.id
    }
    assert await row(page, gus.user.id).locator(".mark-table").is_hidden()

    # drag someone from table 1 to table 2
    mover = tables[1][0]
    target = page.locator('[data-testid="table-2"] .members')
    await answered(page, mouse_drag(page, member(page, mover), target))
    tables = await seating_shown(page)
    assert mover in tables[2]
    assert (await tables_in_sqlite(stack))[mover] == 2
    table_mark = row(page, mover).locator(".mark-table")
    assert await table_mark.inner_text() == "Table 2"

    # the tap alternative: tap a person, then the new table
    second = next(u for u in tables[2] if u != mover)
    await member(page, second).locator(".member-main").click()
    assert await page.locator('[data-testid="select-bar"]').is_visible()
    assert await member(page, second).locator('.member-main[aria-pressed="true"]').count() == 1
    new_number = len(tables) + 1
    await answered(page, page.locator('[data-testid="place-new"]').click())
    tables = await seating_shown(page)
    assert tables[new_number] == [second]
    assert (await tables_in_sqlite(stack))[second] == new_number
    assert await page.locator('[data-testid="select-bar"]').is_hidden()

    # seat everyone, after saying so in the confirmation
    await page.locator('[data-testid="seat"]').click()
    sheet = page.locator('[data-testid="sheet"]')
    assert await sheet.is_visible()
    assert await sheet.locator("#sheet-title").inner_text() == LABELS.label(
        "en", "dashboard_seat_confirm_title"
    )
    await answered(page, sheet.locator('[data-testid="sheet-confirm"]').click())
    await page.wait_for_selector('[data-testid="seating"][data-state="seated"]')
    shown = await seating_shown(page)
    assert shown == tables
    assert await page.locator('[data-testid="tables"] button').count() == 0, "read-only"
    assert await page.locator('[data-testid="propose"]').is_hidden()
    in_sqlite = await tables_in_sqlite(stack)
    assert in_sqlite == {
        **{u: t for t, members in shown.items() for u in members},
        gus.user.id: None,
    }


async def test_someone_who_is_not_a_facilitator_reads_why(stack: Stack, page: Page) -> None:
    code = await new_session(stack, "en")
    ann = await join(stack, code, "Ann")
    url = launch_url(
        f"{stack.url}/dashboard?s={ann.session}", ann.user.web_app_init_data(), "light"
    )
    statuses: list[tuple[str, int]] = []
    page.on(
        "response",
        lambda r: statuses.append((urlsplit(r.url).path, r.status)) if "/api/" in r.url else None,
    )
    await page.goto(url)
    await page.wait_for_selector('#app[data-view="message"]')
    assert await page.inner_text("#message") == LABELS.label("en", "webapp_not_facilitator")
    assert statuses == [("/api/dashboard", 403)], "no stream is opened after a refusal"
    assert await page.locator('[data-testid="roster"] [data-user]').count() == 0


async def test_a_dropped_stream_says_so_and_comes_back(stack: Stack, desktop_page: Page) -> None:
    page = desktop_page
    code = await new_session(stack, "en")
    await join(stack, code, "Ann")
    url = await open_dashboard(stack)
    await live(page, url)
    stack.cable.pull()
    await page.wait_for_selector('#app[data-live="reconnecting"]')
    assert await page.inner_text('[data-testid="live"]') == LABELS.label(
        "en", "dashboard_reconnecting"
    )
    # a change while the page is away arrives once it is back
    await join(stack, code, "Bo")
    stack.cable.plug()
    await page.wait_for_selector('#app[data-live="live"]', timeout=15_000)
    await page.wait_for_function("document.querySelectorAll('#roster [data-user]').length === 2")


def sent_to(stack: Stack, chat: int, after: int) -> list[ApiCall]:
    """The messages the bot sent ``chat`` (by its id) since call number ``after``."""
    return [
        c
        for c in stack.sandbox.calls[after:]
        if c.method.startswith("send") and int(c.params.get("chat_id", 0)) == chat and c.ok
    ]


async def outbox(stack: Stack, after: int = 0) -> list[tuple[int, int, Effect]]:
    """The effects the core put in the outbox (after row ``after``): (row, chat, effect)."""
    rows = await stack.services.store.read(
        lambda tx: select(
            tx, "SELECT id, chat_id, kind, payload FROM outbox WHERE id > ? ORDER BY id", [after]
        )
    )
    return [(row, chat, decode_effect(kind, payload)) for row, chat, kind, payload in rows]


async def reports_asked(stack: Stack) -> list[SendReport]:
    """The reports the core asked the shell to write and send."""
    return [e for _, _, e in await outbox(stack) if isinstance(e, SendReport)]


async def the_report_arrives(stack: Stack, after: int) -> ApiCall:
    """The report's delivery to the facilitator's private chat: one album of documents (or,
    while the report's writer cannot write it, the message that says so)."""
    private = stack.facilitator.private_chat.id
    failed = LABELS.render("en", "report_failed")

    def delivered() -> ApiCall | None:
        for call in sent_to(stack, private, after):
            if call.method == "sendMediaGroup":
                return call
            if call.method == "sendMessage" and call.params.get("text") == failed:
                return call
        return None

    return await stack.sandbox.wait_until(delivered, 60, what="the report in private")


async def test_the_report_button_sends_the_report_to_the_facilitator_in_private(
    stack: Stack, page: Page
) -> None:
    code = await new_session(stack, "en")
    await sort_on_the_board(stack, await join(stack, code, "Ann Baker"))
    await join(stack, code, "Bo Chen")  # still sorting: the report works at any stage
    url = await open_dashboard(stack)
    await live(page, url)
    button = page.locator('[data-testid="report-button"]')
    names = page.locator('[data-testid="report-names"]')
    assert await button.inner_text() == LABELS.label("en", "dashboard_report")
    assert await page.inner_text('[data-testid="report"] label') == LABELS.label(
        "en", "dashboard_report_names"
    )
    assert not await names.is_checked(), "nobody by name unless the facilitator asks"
    group, private = stack.group.id, stack.facilitator.private_chat.id
    last = max((row for row, _, _ in await outbox(stack)), default=0)
    before = len(stack.sandbox.calls)

    await answered(page, button.click())
    notice = page.locator('[data-testid="notice"]')
    assert await notice.is_visible()
    assert await notice.inner_text() == LABELS.label("en", "toast_report_coming")
    delivered = await the_report_arrives(stack, before)
    if delivered.method == "sendMediaGroup":
        media = delivered.params["media"]
        album = json.loads(media) if isinstance(media, str) else media
        assert [m["type"] for m in album] == ["document", "document"]
    (report,) = await reports_asked(stack)
    assert (report.chat_id, report.names) == (private, False)
    assert report.facilitator == "Fenna Facilitator", "the name Telegram signed"

    # with names: the box ticked, the same button
    await notice.wait_for(state="hidden")
    await names.check()
    before = len(stack.sandbox.calls)
    await answered(page, button.click())
    assert await notice.is_visible()
    assert await notice.inner_text() == LABELS.label("en", "toast_report_coming")
    await the_report_arrives(stack, before)
    _, named = await reports_asked(stack)
    assert (named.chat_id, named.names) == (private, True)
    assert [e for _, chat, e in await outbox(stack, last) if chat == group] == [], (
        "nothing for the group"
    )


PEOPLE = {
    "en": ("Ann Baker", "Bo Chen", "Cas Dekker", "Dee Evans", "Eli Fischer", "Fay Green"),
    "nl": ("Anouk Bakker", "Bram de Vries", "Chloë Jansen", "Daan Visser", "Eva Smit", "Fleur Bos"),
}
STILL_SORTING = {
    "en": ("Gus Hill", "Hana Ito", "Ivo Jones"),
    "nl": ("Gijs Mulder", "Hanna de Boer", "Ilse Peters"),
}


@pytest.mark.parametrize("locale", ["nl", "en"])
async def test_screenshots_of_the_dashboard(
    stack: Stack, new_page: NewPage, locale: str, tmp_path: Path
) -> None:
    folder = screenshot_folder("DASHBOARD_SCREENSHOTS", tmp_path)
    code = await new_session(stack, locale)
    for name in PEOPLE[locale]:
        await sort_on_the_board(stack, await join(stack, code, name, locale))
    slow, on_board, in_chat = [await join(stack, code, n, locale) for n in STILL_SORTING[locale]]
    await sort_on_the_board(stack, on_board, cards=11)
    stack.clock.offset += 20 * 60  # twenty minutes later: the slow one falls behind
    await sort_on_the_board(stack, on_board, cards=17)
    await rate_in_the_chat(stack, in_chat, 6)
    for theme in ("light", "dark"):
        page = await new_page("desktop")
        await live(page, await open_dashboard(stack, theme))
        if theme == "light":
            await answered(page, page.locator('[data-testid="propose"]').click())
            await page.wait_for_selector('[data-testid="seating"][data-state="proposed"]')
        state_words = LABELS.labels(locale, "dashboard_")
        assert (
            await page.inner_text('[data-testid="propose"]')
            == (state_words["dashboard_propose_again"])
        )
        assert await row(page, slow.user.id).get_attribute("data-straggling") == "true"
        assert await row(page, on_board.user.id).locator(".mark-board").is_visible()
        assert await row(page, in_chat.user.id).locator(".person-count").inner_text() == "6/30"
        first = page.locator('[data-testid="roster"] [data-user]').first
        assert await first.get_attribute("data-user") == str(slow.user.id), "stragglers first"
        # a person chosen to move: the tap alternative's state
        some = (await seating_shown(page))[1][0]
        await member(page, some).locator(".member-main").click()
        await page.wait_for_selector('[data-testid="select-bar"]:not([hidden])')
        await page.screenshot(path=str(folder / f"dashboard-{locale}-{theme}.png"), full_page=True)
        background = await page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert (background == "rgb(241, 241, 241)") == (theme == "light"), background
        assert await page.evaluate("document.documentElement.lang") == locale
