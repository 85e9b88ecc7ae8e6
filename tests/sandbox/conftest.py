"""Fixtures for the sandbox's own tests: a started sandbox and a real PTB Bot pointed at it."""

from __future__ import annotations

import struct
import zlib
from collections.abc import AsyncIterator, Callable

import pytest
from telegram import Bot

from bot.sandbox import Sandbox

TOKEN = "123456:TEST-token"


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    sb = Sandbox(token=TOKEN)
    await sb.start()
    try:
        yield sb
    finally:
        await sb.stop()
    assert not sb.internal_errors, sb.internal_errors


@pytest.fixture
async def bot(sandbox: Sandbox) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=sandbox.base_url, base_file_url=sandbox.base_file_url) as b:
        yield b


@pytest.fixture
def make_png() -> Callable[..., bytes]:
    """A factory of valid PNG images: ``make_png(width, height)``."""
    return png_bytes


def png_bytes(width: int = 2, height: int = 3) -> bytes:
    """A valid PNG image of the given size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
