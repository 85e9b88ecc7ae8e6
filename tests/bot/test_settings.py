"""Settings from the environment, and the command line's answers to bad ones."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.errors import SettingsError
from bot.settings import TELEGRAM_BASE_URL, load_settings

ROOT = Path(__file__).resolve().parent.parent.parent


def test_defaults() -> None:
    s = load_settings({})
    assert s.token is None and s.base_url == TELEGRAM_BASE_URL
    assert s.default_locale == "nl" and s.facilitator_ids == frozenset()
    assert s.file_base_url == "https://api.telegram.org/file/bot"


def test_values_are_read_and_the_token_is_not_shown() -> None:
    s = load_settings(
        {
            "TELEGRAM_BOT_TOKEN": "123:secret-token",
            "BOT_API_BASE_URL": "http://127.0.0.1:8081/bot",
            "FACILITATOR_IDS": " 5, 6 ,,7",
            "DEFAULT_LOCALE": "EN",
            "DATABASE_PATH": "/tmp/x.sqlite3",
            "LOG_LEVEL": "debug",
        }
    )
    assert s.facilitator_ids == {5, 6, 7} and s.default_locale == "en" and s.log_level == "DEBUG"
    assert s.file_base_url == "http://127.0.0.1:8081/file/bot"
    assert "secret-token" not in repr(s)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("FACILITATOR_IDS", "5,abc"),
        ("DEFAULT_LOCALE", "fr"),
        ("LOG_LEVEL", "LOUD"),
        ("BOT_API_BASE_URL", "127.0.0.1:8081"),
    ],
)
def test_malformed_settings_are_named(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        load_settings({name: value})


def _bot(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", **(env or {})},
        timeout=60,
    )


def test_run_without_a_token_says_so_in_one_sentence() -> None:
    result = _bot("run")
    assert result.returncode != 0
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "TELEGRAM_BOT_TOKEN" in lines[0]
    assert "Traceback" not in result.stderr


def test_run_with_a_malformed_setting_says_which() -> None:
    result = _bot("run", env={"TELEGRAM_BOT_TOKEN": "1:x", "DEFAULT_LOCALE": "fr"})
    assert result.returncode == 2
    assert "DEFAULT_LOCALE" in result.stderr and "Traceback" not in result.stderr


def test_deck_check_passes_on_the_shipped_decks() -> None:
    decks = sorted(str(p) for p in (ROOT / "decks").glob("*.toml"))
    result = _bot("deck", "check", *decks)
    assert result.returncode == 0, result.stdout + result.stderr


def test_deck_check_names_every_problem(tmp_path: Path) -> None:
    source = (ROOT / "decks" / "team-values.toml").read_text("utf-8")
    broken = tmp_path / "broken.toml"
    first_id = source.split('[[cards]]\nid = "', 1)[1].split('"', 1)[0]
    second_id = source.split('[[cards]]\nid = "', 2)[2].split('"', 1)[0]
    broken.write_text(
        source.replace(f'id = "{second_id}"', f'id = "{first_id}"', 1).replace(
            'title.en = "', 'title.xx = "', 1
        ),
        "utf-8",
    )
    result = _bot("deck", "check", str(broken))
    assert result.returncode == 1
    assert "broken.toml" in result.stdout
    assert f'card "{first_id}": id: this id is already used by card #1' in result.stdout
    assert "title.en" in result.stdout


def test_the_token_is_masked_even_in_tracebacks() -> None:
    import logging

    from bot.logs import RedactingFormatter

    token = "123456:AAE-very-secret"
    formatter = RedactingFormatter("%(message)s", token)
    try:
        raise RuntimeError(f"Unauthorized for https://api.telegram.org/bot{token}/getMe")
    except RuntimeError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed %s", (token,), None)
        record.exc_info = __import__("sys").exc_info()
    line = formatter.format(record)
    assert "AAE-very-secret" not in line and "<token>" in line and "Traceback" in line
