"""The package as a user gets it: the wheel is built (as ``pip install .`` does) from a
copy of the project's files (as a fresh clone has them), leaving that folder as it was
(no ``build/``, no ``*.egg-info``); it carries the templates and decks; installed into a
fresh venv, its bot runs the demo and its console script checks a deck from another
directory."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


NOT_SOURCE = (".git", ".venv", "__pycache__", "*_cache", ".hypothesis", "build", "dist")
NOT_SOURCE += ("*.egg-info", "*.sqlite3*", "demo-output")
"""What ``.gitignore`` leaves out, and git's own folder: a copy as a fresh clone has it."""


def source_copy(target: Path) -> Path:
    shutil.copytree(ROOT, target, ignore=shutil.ignore_patterns(*NOT_SOURCE))
    return target


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path], list[Path]]:
    """(the wheel, the project copy's files before the build, after it)."""
    scratch = tmp_path_factory.mktemp("build")
    project = source_copy(scratch / "project")
    before = sorted(p.relative_to(project) for p in project.rglob("*"))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", "../wheels", "."],
        cwd=project,
        check=True,
        capture_output=True,
        timeout=300,
    )
    after = sorted(p.relative_to(project) for p in project.rglob("*"))
    (wheel,) = (scratch / "wheels").glob("valuecards_bot-*.whl")
    return wheel, before, after


def test_building_the_wheel_leaves_the_project_folder_as_it_was(
    built: tuple[Path, list[Path], list[Path]],
) -> None:
    wheel, before, after = built
    assert after == before, "the build wrote into the project folder"
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"bot/__init__.py", "bot/cli.py", "conversations/__init__.py"} <= names
    assert {
        "bot/_shipped/templates/en/labels.toml",
        "bot/_shipped/templates/nl/export_labels.toml",
        "bot/export/session.schema.json",
        "bot/_shipped/templates/nl/card.html",
        "bot/_shipped/decks/goed-werk.toml",
    } <= names
    assert not any(name.startswith("tests/") for name in names)


def test_the_installed_wheel_runs_from_another_directory(
    built: tuple[Path, list[Path], list[Path]], tmp_path: Path
) -> None:
    wheel = built[0]
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", wheel],
        check=True,
        capture_output=True,
        timeout=600,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    clean["TELEGRAM_BOT_TOKEN"] = ""
    demo = subprocess.run(
        [python, "-m", "bot", "demo", "--lang", "en", "--out", "out"],
        cwd=elsewhere,
        env=clean,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert demo.returncode == 0, demo.stderr[-3000:]
    assert "Plenary" in demo.stdout
    assert (elsewhere / "out" / "demo.sqlite3").is_file()
    located = subprocess.run(
        [python, "-c", "import bot; print(bot.__file__)"],
        cwd=elsewhere,
        env=clean,
        capture_output=True,
        text=True,
        check=True,
    )
    assert str(env_dir) in located.stdout, "the installed package ran, not the checkout"

    shutil.copy(ROOT / "decks" / "team-values.toml", elsewhere / "mine.toml")
    check = subprocess.run(
        [env_dir / "bin" / "valuecards-bot", "deck", "check", "mine.toml"],
        cwd=elsewhere,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "1 deck file(s) OK." in check.stdout
