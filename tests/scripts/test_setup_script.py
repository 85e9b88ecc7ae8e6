"""The setup script behind both README commands, on a copy of it in a scratch project:
it refuses a Python older than 3.11 with one sentence and rebuilds a broken `.venv`."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

SETUP = Path(__file__).resolve().parents[2] / "scripts" / "setup.sh"


def scratch_project(tmp_path: Path) -> Path:
    (tmp_path / "scripts").mkdir()
    shutil.copy(SETUP, tmp_path / "scripts" / "setup.sh")
    (tmp_path / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools>=77"]\nbuild-backend = "setuptools.build_meta"\n'
        '[project]\nname = "scratch"\nversion = "0"\n'
        "[project.optional-dependencies]\ntest = []\n"
        "[tool.setuptools]\npy-modules = []\n"
    )
    return tmp_path


def fake_python(folder: Path, version: str) -> Path:
    """An interpreter that says it is ``version`` and can do nothing else."""
    path = folder / f"python{version}"
    path.write_text(f"#!/bin/sh\necho {version}\nexit 1\n")
    path.chmod(0o755)
    return path


def setup(project: Path, python: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(project / "scripts" / "setup.sh")],
        env={"PATH": "/usr/bin:/bin", "PYTHON": str(python), "HOME": str(project)},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_an_old_python_is_refused_in_one_sentence_and_makes_no_venv(tmp_path: Path) -> None:
    project = scratch_project(tmp_path)
    old = fake_python(tmp_path, "3.10")
    result = setup(project, old)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"PYTHON={old} is Python 3.10, but this project needs Python 3.11 or newer."
    ]
    assert not (project / ".venv").exists()


def test_a_python_that_does_not_run_is_named(tmp_path: Path) -> None:
    result = setup(scratch_project(tmp_path), tmp_path / "no-such-python")
    assert result.returncode == 2
    assert "cannot be run" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_venv_of_another_python_is_rebuilt(tmp_path: Path) -> None:
    project = scratch_project(tmp_path)
    broken = project / ".venv" / "bin"
    broken.mkdir(parents=True)
    (broken / "python").symlink_to(fake_python(tmp_path, "3.10"))
    result = setup(project, sys.executable)
    assert result.returncode == 0, result.stderr
    assert "Rebuilding .venv" in result.stderr
    version = subprocess.run(
        [str(broken / "python"), "-c", "import sys; print(sys.version_info[:2])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert version.strip() == str(tuple(sys.version_info[:2]))
    assert (project / ".venv" / ".installed-stamp").exists()
