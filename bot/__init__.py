"""The shell around the ``conversations`` core: Telegram, SQLite, templates, the CLI."""
