"""The Telegram Mini App: the sort board, served by the bot's own process.

Modules: ``init_data`` (checking who is asking, as Telegram signed it), ``board`` (the
page's state and actions), ``server`` (HTTP), ``static/`` (the page itself).
"""
