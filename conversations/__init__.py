"""The value-card method as a pure state machine.

Theory of operation
-------------------
The shell (``bot``) turns each Telegram update into an *event*: a frozen dataclass
naming a fact that happened (``CardRated``, ``SessionRequested``). The core's table
(:data:`conversations.machine.SPECS`) says, for each event type, who sends it, what it
needs loaded (:func:`conversations.machine.needs`) and which rule decides it. The shell
loads exactly that (a :class:`~conversations.model.ParticipantView` or a
:class:`~conversations.model.SessionView`, with every part it did not load marked
:class:`~conversations.needs.NotLoaded`), calls :func:`conversations.machine.handle`,
which applies the guards once and then the rule, and gets back a
:class:`~conversations.decision.Decision`: the state *changes* to save and the
*effects* to deliver (messages to show), plus an optional short answer to a button
tap. The shell saves changes and effects in one transaction and delivers the effects
afterwards (the transactional outbox).

This package owns every rule of the workshop: who may do what in which phase, the
order of the cards, the piles, the top four. It must not do I/O: no Telegram, no SQL,
no templates, no ``asyncio``, no clock and no global randomness. Time and randomness
arrive as inputs on the events.
"""
