"""Decks in one place: reading deck files (``files``), their schema (``schema``), and the
library of decks a session can use (``library``). The deck model and its limits are
the core's (``conversations.deck``)."""
