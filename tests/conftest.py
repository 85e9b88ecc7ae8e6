"""Settings for the whole test suite."""

import os

# python-telegram-bot 22 warns about RetryAfter.retry_after turning into a timedelta unless
# this opt-in is set; the bot handles both forms. Bot processes started by tests inherit it.
os.environ.setdefault("PTB_TIMEDELTA", "true")
