"""Everything that speaks Telegram: receiving updates (``updates``: polling and the
``webhook``), turning them into core events (``handlers``, ``callbacks``), and the
way back: effects rendered as screens (``screens``, with the plenary's pictures from
``bot.plenary_pictures``) and sent by the outbox's ``delivery``. The rest of the shell
(the store, the runner, the scheduler) knows no Telegram object."""
