"""The shape of DESIGN.md, checked: a pure core, and a shell whose modules each talk to at
most one third-party library."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORE_FORBIDDEN = {
    "bot",
    "telegram",
    "aiosqlite",
    "sqlite3",
    "jinja2",
    "asyncio",
    "httpx",
    "aiohttp",
    "time",
    "secrets",
    "os",
    "socket",
    "tomllib",
    "csv",
}
"""Besides I/O, the core reads no file format: deck files are read in ``bot/decks/``."""
THIRD_PARTY = {
    "telegram",
    "aiosqlite",
    "jinja2",
    "aiohttp",
    "httpx",
    "matplotlib",
    "reportlab",
    "docx",
}


def imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_the_core_imports_nothing_of_the_shell_or_io() -> None:
    offenders = {
        path.name: sorted(imported_roots(path) & CORE_FORBIDDEN)
        for path in (ROOT / "conversations").glob("*.py")
    }
    assert {name: bad for name, bad in offenders.items() if bad} == {}


def test_the_core_uses_the_standard_library_only() -> None:
    allowed = set(sys.stdlib_module_names) | {"conversations", "__future__"}
    outside = {
        path.name: sorted(imported_roots(path) - allowed)
        for path in (ROOT / "conversations").glob("*.py")
    }
    assert {name: bad for name, bad in outside.items() if bad} == {}


def test_each_shell_module_talks_to_at_most_one_third_party_library() -> None:
    crowded = {}
    for path in (ROOT / "bot").rglob("*.py"):
        libraries = imported_roots(path) & THIRD_PARTY
        if len(libraries) > 1:
            crowded[str(path.relative_to(ROOT))] = sorted(libraries)
    assert crowded == {}


def test_only_the_store_speaks_sql() -> None:
    """SQLite's modules are imported in ``bot/store/`` only; the rest of the shell uses the
    store's ``Transaction`` methods and sees a locked database as ``StoreUnavailable``."""
    outside = {
        str(path.relative_to(ROOT)): sorted(imported_roots(path) & {"sqlite3", "aiosqlite"})
        for path in (ROOT / "bot").rglob("*.py")
        if "store" not in path.relative_to(ROOT / "bot").parts
    }
    assert {name: bad for name, bad in outside.items() if bad} == {}
    store = {p.stem for p in (ROOT / "bot" / "store").glob("*.py")}
    assert {"connection", "migrations", "rows", "outbox", "journal"} <= store


def test_the_checker_sees_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import asyncio\nfrom bot.store import Store\nfrom telegram import Bot\n")
    assert imported_roots(bad) & CORE_FORBIDDEN == {"asyncio", "bot", "telegram"}


def test_the_core_table_covers_every_event_type() -> None:
    """Every event has one spec (who sends it, what it needs, which rule decides it), and
    the runner has a loader for every need."""
    from typing import get_args

    from bot.runner import _LOADERS
    from conversations.events import Event
    from conversations.machine import SPECS
    from conversations.needs import Need

    assert set(SPECS) == set(get_args(Event))
    assert set(_LOADERS) == set(Need)


def test_the_runner_branches_on_no_event_type() -> None:
    """The runner names no event type in a test: what an event needs comes from the
    core's table. It may construct an event (a refused delivery) and name the bases."""
    bases = {"Event", "FacilitatorEvent", "SchedulerEvent", "ParticipantEvent"}
    tree = ast.parse((ROOT / "bot" / "runner.py").read_text("utf-8"))
    events = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "conversations.events"
        for alias in node.names
    }
    tested = {
        name.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "isinstance"
        for name in ast.walk(node.args[1])
        if isinstance(name, ast.Name)
    }
    assert tested & events <= bases
    assert events - bases <= {"ParticipantUnreachable"}


def test_the_bot_s_runtime_path_leaves_the_harness_out() -> None:
    """``python -m bot run`` loads neither the sandbox, nor the simulated people, nor the
    demo: they are imported only by their own commands and by tests."""
    import subprocess

    probe = (
        "import sys, bot.app, bot.cli, bot.telegram.updates;"
        "print(sorted(m for m in sys.modules if m.startswith(('bot.sandbox', 'bot.simulation',"
        " 'bot.demo'))))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.strip()
    assert loaded == "[]"
