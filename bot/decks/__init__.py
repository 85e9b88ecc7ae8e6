"""Decks in one place: reading deck files (``files``), their schema (``schema``), what can
be wrong with a file and its words in each language (``problems``), and the library of
decks a session can use (``library``). The deck model and its limits are
the core's (``conversations.deck``)."""
