"""Building the package, as ``pip install .`` does, on a copy of the project's tracked
files: the wheel holds both packages and the project folder is left as it was (no
``build/``, no ``*.egg-info``)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def tracked_copy(target: Path) -> Path:
    files = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    for name in filter(None, files):
        source = ROOT / name.decode()
        if source.is_file():
            (target / name.decode()).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name.decode())
    return target


def test_building_the_wheel_leaves_the_project_folder_as_it_was(tmp_path: Path) -> None:
    project = tracked_copy(tmp_path / "project")
    before = sorted(p.relative_to(project) for p in project.rglob("*"))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", "../wheels", "."],
        cwd=project,
        check=True,
        capture_output=True,
        timeout=300,
    )
    after = sorted(p.relative_to(project) for p in project.rglob("*"))
    assert after == before, "the build wrote into the project folder"
    (wheel,) = (tmp_path / "wheels").glob("valuecards_bot-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"bot/__init__.py", "bot/cli.py", "conversations/__init__.py"} <= names
    assert not any(name.startswith("tests/") for name in names)
