"""A tiny PTB bot for testing BotProcess: answers /start with a greeting and a counter.

The counter lives in the file named by DATABASE_PATH, so a restarted process continues it.
"""

from __future__ import annotations

import os
from pathlib import Path

from telegram import Update
from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes

COUNTER = Path(os.environ["DATABASE_PATH"])
GREETING = os.environ.get("ECHO_GREETING", "Hello")


def bump_counter() -> int:
    count = int(COUNTER.read_text()) + 1 if COUNTER.exists() else 1
    COUNTER.write_text(str(count))
    return count


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    count = bump_counter()
    assert update.message is not None
    await update.message.reply_text(f"{GREETING} {count}")


def main() -> None:
    app = (
        ApplicationBuilder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(os.environ["BOT_API_BASE_URL"])
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.run_polling(timeout=10)
    print("echo bot stopped cleanly", flush=True)


if __name__ == "__main__":
    main()
