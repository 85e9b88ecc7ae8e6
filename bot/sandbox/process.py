"""Run the bot as a separate OS process against a sandbox, to test crashes and restarts.

Owns: :class:`BotProcess` (start ``python -m bot run`` or any other command with the bot's
environment: TELEGRAM_BOT_TOKEN, BOT_API_BASE_URL, DATABASE_PATH plus extras; kill it with
SIGKILL, stop it with SIGTERM, restart it on the same database) and the capture of its output
(stdout and stderr) into a log file for debugging.

Must not: block the event loop (the sandbox serving the process usually runs in the same loop,
so every wait goes through a worker thread), or signal anything but the process it started.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO

logger = logging.getLogger("bot.sandbox.process")

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_ARGV: tuple[str, ...] = (sys.executable, "-m", "bot", "run")


class BotProcess:
    """One bot process; start it, kill or terminate it, restart it on the same database."""

    def __init__(
        self,
        sandbox_base_url: str,
        token: str,
        database_path: str | os.PathLike[str],
        env_extra: Mapping[str, str] | None = None,
        *,
        argv: Sequence[str] = DEFAULT_ARGV,
        cwd: str | os.PathLike[str] | None = None,
        log_path: str | os.PathLike[str] | None = None,
    ) -> None:
        self.sandbox_base_url = sandbox_base_url
        self.token = token
        self.database_path = Path(database_path)
        self.env_extra = dict(env_extra or {})
        self.argv = list(argv)
        self.cwd = Path(cwd) if cwd is not None else PROJECT_ROOT
        if log_path is None:
            handle, name = tempfile.mkstemp(prefix="bot-process-", suffix=".log")
            os.close(handle)
            log_path = name
        self.stderr_path = Path(log_path)
        self.starts = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "TELEGRAM_BOT_TOKEN": self.token,
                "BOT_API_BASE_URL": self.sandbox_base_url,
                "DATABASE_PATH": str(self.database_path),
                "PYTHONUNBUFFERED": "1",
            }
        )
        paths = [str(PROJECT_ROOT), *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))]
        env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
        env.update(self.env_extra)
        return env

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    @property
    def returncode(self) -> int | None:
        return self._process.poll() if self._process else None

    @property
    def is_running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def read_stderr(self) -> str:
        """Everything the process(es) wrote so far (stdout and stderr, all starts)."""
        try:
            return self.stderr_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    async def start(self) -> None:
        """Spawn the process (its output goes to :attr:`stderr_path`)."""
        if self.is_running:
            raise RuntimeError("the bot process is already running")
        self._close_log()
        await asyncio.to_thread(self._spawn)
        assert self._process is not None
        logger.info("started bot process %s (log %s)", self._process.pid, self.stderr_path)

    def _spawn(self) -> None:
        self.starts += 1
        log = open(self.stderr_path, "ab")  # noqa: SIM115 - closed in _close_log
        log.write(f"--- start {self.starts}: {' '.join(self.argv)}\n".encode())
        log.flush()
        self._log = log
        self._process = subprocess.Popen(
            self.argv,
            cwd=self.cwd,
            env=self.environment(),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    async def wait(self, timeout: float | None = None) -> int:  # noqa: ASYNC109
        """Wait for the process to end (without blocking the loop); TimeoutError if it lasts."""
        process = self._process
        if process is None:
            raise RuntimeError("the bot process was never started")
        try:
            code = await asyncio.to_thread(process.wait, timeout)
        except subprocess.TimeoutExpired as exc:
            raise TimeoutError(f"bot process {process.pid} still running after {timeout}s") from exc
        self._close_log()
        return code

    async def kill(self) -> int:
        """SIGKILL: a crash, no chance to clean up. Returns the exit code."""
        process = self._process
        if process is None:
            raise RuntimeError("the bot process was never started")
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            logger.info("killed bot process %s", process.pid)
        return await self.wait(10.0)

    async def terminate(self, timeout: float = 10.0) -> int:  # noqa: ASYNC109
        """SIGTERM and wait; SIGKILL if it has not ended after ``timeout`` seconds."""
        process = self._process
        if process is None:
            raise RuntimeError("the bot process was never started")
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                return await self.wait(timeout)
            except TimeoutError:
                logger.warning("bot process %s ignored SIGTERM; killing it", process.pid)
                return await self.kill()
        return await self.wait(0)

    async def restart(self, *, hard: bool = False, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Stop (SIGKILL if ``hard``, else SIGTERM) and start again on the same database."""
        if self.is_running:
            if hard:
                await self.kill()
            else:
                await self.terminate(timeout)
        await self.start()

    async def __aenter__(self) -> BotProcess:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self.is_running:
            await self.terminate()
        self._close_log()

    def _close_log(self) -> None:
        if self._log is not None and (self._process is None or self._process.poll() is not None):
            self._log.close()
            self._log = None
