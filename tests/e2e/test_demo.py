"""The offline demo runs the whole session through the real bot and writes its folder."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs

import aiohttp
from conftest import free_port

from bot.demo import Demo

ROOT = Path(__file__).resolve().parent.parent.parent


def test_the_demo_runs_a_whole_session_offline(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "demo", "--lang", "en", "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    out = result.stdout
    assert "Proposed seating" in out and "The tables are set" in out
    assert "Top 4 chosen: 20" in out
    assert "Excerpt of Anneke's private chat" in out
    assert "Traceback" not in result.stderr
    group = (tmp_path / "group-chat.txt").read_text("utf-8")
    assert group.count("Table ") >= 5
    assert (tmp_path / "demo.sqlite3").exists()
    assert "Plenary: what the tables found" in out
    assert "no agreement" in out and "common top 4" in out
    for number in (1, 2, 3):  # the plenary's pictures
        assert (tmp_path / f"plenary-{number}.png").read_bytes().startswith(b"\x89PNG")
    assert (tmp_path / "session-1-export.zip").stat().st_size > 1000


async def test_the_demo_serves_the_board_to_whoever_opens_it(tmp_path: Path) -> None:
    """``demo --web``: the board's address works in a browser's place (its signed
    ``initData`` in the fragment); a sort done there is the one the tables wait for."""
    lines: list[str] = []
    port = free_port()
    demo = Demo("en", 2012, tmp_path, lines.append, web=port, wait=60, linger=0)
    running = asyncio.create_task(demo.run())
    while not any("the sort board, as you:" in line for line in lines):
        assert not running.done(), lines
        await asyncio.sleep(0.2)
    address = next(line for line in lines if "the sort board" in line).split()[-1]
    page, _, fragment = address.partition("#")
    assert page.startswith(f"http://127.0.0.1:{port}/board?s=")
    init_data = parse_qs(fragment)["tgWebAppData"][0]
    headers = {"Authorization": f"tma {init_data}"}
    async with aiohttp.ClientSession(headers=headers) as http:
        async with http.get(page) as html:
            text = await html.text()
            assert "/telegram-web-app.js" in text and "telegram.org" not in text
        api = page.replace("/board?", "/api/board?")
        async with http.get(api) as answer:
            state = (await answer.json())["state"]
        while state["step"] in ("sorting", "review"):
            lens = state["lens"]["index"]
            for n, card in enumerate(state["cards"]):
                move = {
                    "action": "place",
                    "lens": lens,
                    "card": card["id"],
                    "level": 5 if n < 4 else 1 + n % 4,
                }
                async with http.post(api, json=move) as answer:
                    assert answer.status == 200
            async with http.post(api, json={"action": "confirm", "lens": lens}) as answer:
                state = (await answer.json())["state"]
        async with http.post(api, json={"action": "confirm_top"}) as answer:
            assert (await answer.json())["state"]["step"] == "done"
    await asyncio.wait_for(running, 120)
    assert "    You chose your top: thank you" in lines and "7/7 Done" in lines
