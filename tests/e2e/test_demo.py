"""The offline demo runs the whole session through the real bot and writes its folder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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
    assert (tmp_path / "summary-chart.png").read_bytes().startswith(b"\x89PNG")
    assert (tmp_path / "session-1-export.zip").stat().st_size > 1000
