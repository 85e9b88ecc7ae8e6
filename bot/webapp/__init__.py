"""The Telegram Mini App: the sort board and the facilitator's dashboard, served by the bot's
own process.

Modules: ``init_data`` (checking who is asking, as Telegram signed it), ``board`` (the
board's state and actions), ``dashboard`` (the dashboard's), ``server`` (HTTP), ``static/``
(the pages: ``board.*`` and ``dashboard.*``, with ``common.js`` and ``common.css`` for what
both share).
"""
