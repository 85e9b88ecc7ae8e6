"""Load benchmark of the Mini App: 1,000 participants sorting on the board at once.

Owns: the benchmark of issue 16. One process (``--serve``, pinned to one CPU core) runs
the sandbox Bot API (in-process transport, as in ``sort_load.py``) and the project's real
application with its web app server on 127.0.0.1: a facilitator opens a session that
sorts on joining, N participants open the invitation and consent (through Telegram, as
people do). It writes every participant's signed ``initData`` to a file and says READY.
This process (the load, pinned to the other core) then:

1. opens every participant's board (``GET /api/board``, the core's ``BoardOpened``: the
   chat says once that they sort on the board), waits until the bot's outbox is empty;
2. opens the facilitator's dashboard stream (``GET /api/dashboard/stream``);
3. the measured phase: every participant places all 30 cards of the first lens, one
   ``POST /api/board`` per card, at most ``--inflight`` requests in flight (a closed loop
   without thinking time), each request timed from send to answer.

It prints requests per second (wall clock) with the server's CPU seconds beside them,
p50/p95/max latency, the Bot API calls the server made during the measured phase per
rating (sends, edits, answers; target 0: a move on the board costs no Telegram message;
other calls, such as the dashboard's check of the facilitator's rights, are listed), the
ratings stored
(must equal the moves), how many states the dashboard's stream pushed and how late the
last one was after the last move, and the server process's peak resident memory
(``ru_maxrss``; the in-process sandbox, which keeps every message, is in it). Last, one
JSON line.

Must not: send traffic anywhere but 127.0.0.1, or change the bot: it measures what is there.

Run: ``.venv/bin/python benchmarks/webapp_load.py [--size N] [--inflight K]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SCRIPT = Path(__file__).resolve()
ROOT = SCRIPT.parent.parent
for folder in (ROOT, ROOT / "tests", SCRIPT.parent):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

import aiohttp  # noqa: E402
from sort_load import (  # noqa: E402
    TOKEN,
    CallWatch,
    join_all,
    percentile,
    start_session,
    use_in_process_transport,
)
from sql_rows import select  # noqa: E402

from bot.app import build_application, polling  # noqa: E402
from bot.sandbox import Sandbox  # noqa: E402
from bot.settings import Settings  # noqa: E402

CARDS = 30
MESSAGE_METHODS = ("send", "edit", "answer", "copy", "delete")
"""Bot API calls that speak to people (the others: the dashboard's rights check)."""


def pin(cpu_index: int) -> int | None:
    """Run this process on one CPU (the ``cpu_index``-th this process may use)."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    cpus = sorted(os.sched_getaffinity(0))
    cpu = cpus[cpu_index % len(cpus)]
    os.sched_setaffinity(0, {cpu})
    return cpu


# --- the server: sandbox, bot and web app in one process ------------------------------------


async def serve(size: int, port: int, folder: Path) -> None:
    sandbox = Sandbox(TOKEN)
    watch = CallWatch(sandbox)
    url = f"http://127.0.0.1:{port}"
    settings = Settings(
        token=TOKEN,
        base_url=sandbox.base_url,
        database_path=folder / "bench.sqlite3",
        default_locale="en",
        webapp_url=url,
        webapp_port=port,
    )
    app = build_application(settings, rate_limiter=False)
    use_in_process_transport(app, sandbox)
    async with polling(app) as services:
        code = await start_session(sandbox)
        users = await join_all(sandbox, watch, code, size, 100)
        facilitator = sandbox.user(users[0].id - 1)  # start_session added them first
        people = {str(u.id): u.web_app_init_data() for u in users}
        session = await services.runner.current_session_of(users[0].id)
        (folder / "people.json").write_text(
            json.dumps(
                {
                    "url": url,
                    "session": session,
                    "people": people,
                    "facilitator": facilitator.web_app_init_data(),
                }
            )
        )
        print("READY", flush=True)
        loop = asyncio.get_running_loop()
        marks: dict[str, Any] = {}
        while True:
            line = (await loop.run_in_executor(None, sys.stdin.readline)).strip()
            if line == "DRAINED?":
                pending = services.store.read
                while await pending(lambda tx: tx.chats_with_pending_effects()):  # noqa: ASYNC110
                    await asyncio.sleep(0.1)
                await asyncio.sleep(0.5)
                print("DRAINED", flush=True)
            elif line == "MARK":
                marks = {
                    "calls": len([c for c in sandbox.calls if c.method != "getUpdates"]),
                    "cpu": time.process_time(),
                }
                print("MARKED", flush=True)
            elif line in ("STOP", ""):
                break
        calls = [c for c in sandbox.calls if c.method != "getUpdates"][marks.get("calls", 0) :]
        messages = [c for c in calls if c.method.startswith(MESSAGE_METHODS)]
        (rated,) = await services.store.read(lambda tx: select(tx, "SELECT count(*) FROM ratings"))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        "RESULT "
        + json.dumps(
            {
                "messages_in_phase": len(messages),
                "other_calls": sorted(c.method for c in calls if c not in messages),
                "cpu_s": round(time.process_time() - marks.get("cpu", 0.0), 2),
                "ratings_stored": rated[0],
                "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
                "sandbox_errors": len(sandbox.internal_errors),
            }
        ),
        flush=True,
    )


# --- the load --------------------------------------------------------------------------------


class Server:
    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process

    def ask(self, line: str, answer: str) -> None:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        while True:
            got = self.process.stdout.readline()
            if not got:
                raise RuntimeError("the server stopped")
            if got.strip() == answer:
                return

    def result(self) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write("STOP\n")
        self.process.stdin.flush()
        for line in self.process.stdout:
            if line.startswith("RESULT "):
                return dict(json.loads(line.removeprefix("RESULT ")))
        raise RuntimeError("the server gave no result")


async def stream_states(
    http: aiohttp.ClientSession, url: str, init_data: str, seen: list[tuple[float, int]]
) -> None:
    """Follow the dashboard's stream: (arrival time, cards done by everyone) per state."""
    headers = {"Authorization": f"tma {init_data}"}
    async with http.get(url, headers=headers, timeout=aiohttp.ClientTimeout(total=None)) as got:
        event = None
        async for raw in got.content:
            line = raw.decode().rstrip("\n")
            if line.startswith("event: "):
                event = line.removeprefix("event: ")
            elif line.startswith("data: ") and event == "state":
                state = json.loads(line.removeprefix("data: "))
                done = sum(p["cards_done"] for p in state["people"])
                seen.append((time.perf_counter(), done))


async def load(folder: Path, inflight: int) -> dict[str, Any]:
    setup = json.loads((folder / "people.json").read_text())
    url, session, people = setup["url"], setup["session"], setup["people"]
    board = f"{url}/api/board?s={session}"
    connector = aiohttp.TCPConnector(limit=inflight)
    async with aiohttp.ClientSession(connector=connector) as http:

        async def call(init_data: str, body: Any = None) -> dict[str, Any]:
            headers = {"Authorization": f"tma {init_data}"}
            method = (
                http.get(board, headers=headers)
                if body is None
                else http.post(board, headers=headers, json=body)
            )
            async with method as answer:
                if answer.status != 200:
                    raise RuntimeError(f"{answer.status}: {await answer.text()}")
                return dict(await answer.json())

        slots = asyncio.Semaphore(inflight)

        async def opened(init_data: str) -> list[str]:
            async with slots:
                state = (await call(init_data))["state"]
                return [card["id"] for card in state["cards"]]

        cards = await asyncio.gather(*(opened(d) for d in people.values()))
        return {"cards": dict(zip(people, cards, strict=True)), "url": url, "setup": setup}


async def measured(folder: Path, inflight: int, decks: dict[str, list[str]]) -> dict[str, Any]:
    setup = json.loads((folder / "people.json").read_text())
    url, session, people = setup["url"], setup["session"], setup["people"]
    board = f"{url}/api/board?s={session}"
    latencies: list[float] = []
    seen: list[tuple[float, int]] = []
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=inflight + 1)) as http:
        stream = asyncio.create_task(
            stream_states(
                http, f"{url}/api/dashboard/stream?s={session}", setup["facilitator"], seen
            )
        )
        while not seen:  # noqa: ASYNC110 - the stream's first state
            await asyncio.sleep(0.05)
        slots = asyncio.Semaphore(inflight)

        async def place_all(user: str) -> None:
            headers = {"Authorization": f"tma {people[user]}"}
            for n, card in enumerate(decks[user]):
                move = {"action": "place", "lens": 0, "card": card, "level": 1 + n % 5}
                async with slots:
                    sent = time.perf_counter()
                    async with http.post(board, headers=headers, json=move) as answer:
                        await answer.read()
                        if answer.status != 200:
                            raise RuntimeError(f"{answer.status} for {user}")
                    latencies.append(time.perf_counter() - sent)

        started = time.perf_counter()
        await asyncio.gather(*(place_all(user) for user in people))
        finished = time.perf_counter()
        total = sum(len(cards) for cards in decks.values())
        deadline = finished + 10
        while (not seen or seen[-1][1] < total) and time.perf_counter() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        stream.cancel()
    pushed = [at for at, _ in seen if at >= started]
    complete = next((at for at, done in seen if done >= total), None)
    return {
        "requests": len(latencies),
        "wall_s": round(finished - started, 2),
        "requests_per_s": round(len(latencies) / (finished - started), 1),
        "p50_ms": round(percentile(latencies, 50) * 1000, 1),
        "p95_ms": round(percentile(latencies, 95) * 1000, 1),
        "max_ms": round(max(latencies) * 1000, 1),
        "stream_states": len(pushed),
        "stream_last_after_s": round(complete - finished, 2) if complete else None,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=1000, help="participants (1000)")
    parser.add_argument("--inflight", type=int, default=100, help="requests in flight (100)")
    parser.add_argument("--port", type=int, default=18777)
    parser.add_argument("--serve", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve is not None:
        pin(0)
        asyncio.run(serve(args.size, args.port, args.serve))
        return
    with tempfile.TemporaryDirectory(prefix="webapp-load-") as tmp:
        folder = Path(tmp)
        command = [sys.executable, str(SCRIPT), "--serve", tmp, "--size", str(args.size)]
        command += ["--port", str(args.port)]
        environment = {**os.environ, "PTB_TIMEDELTA": "true"}
        print(f"Setting up {args.size} participants (through the sandbox) ...", flush=True)
        with subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=environment
        ) as process:
            server = Server(process)
            assert process.stdout is not None
            for line in process.stdout:
                if line.strip() == "READY":
                    break
            else:
                raise RuntimeError("the server did not start")
            pin(1)
            print("Opening every board ...", flush=True)
            opened = asyncio.run(load(folder, args.inflight))
            server.ask("DRAINED?", "DRAINED")
            server.ask("MARK", "MARKED")
            print(f"Measuring: {args.size} people place {CARDS} cards each ...", flush=True)
            figures = asyncio.run(measured(folder, args.inflight, opened["cards"]))
            figures.update(server.result())
    ratings = figures["requests"]
    figures["calls_per_rating"] = round(figures["messages_in_phase"] / max(1, ratings), 4)
    figures["size"] = args.size
    figures["inflight"] = args.inflight
    print()
    print(f"participants           {args.size}")
    print(f"moves (POST)           {figures['requests']} in {figures['wall_s']} s")
    print(f"requests per second    {figures['requests_per_s']} (server CPU {figures['cpu_s']} s)")
    print(
        f"latency p50/p95/max    {figures['p50_ms']} / {figures['p95_ms']} / {figures['max_ms']} ms"
    )
    print(
        f"Bot API calls/rating   {figures['calls_per_rating']} (target 0; other calls: "
        f"{', '.join(figures['other_calls']) or 'none'})"
    )
    print(f"ratings stored         {figures['ratings_stored']} (must equal the moves)")
    print(
        f"dashboard stream       {figures['stream_states']} states pushed; the last "
        f"{figures['stream_last_after_s']} s after the last move"
    )
    print(f"server peak RSS        {figures['peak_rss_mb']} MB (in-process sandbox included)")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
