"""How a simulated participant answers the screens the bot shows them (rehearsals).

Owns: a simulated person's profile, drawn from a seed (how much they value each card,
their age band, how many stories they tell, whether the stories make them revise their
top, how they vote, how many rounds they want) and ``respond``: the one thing they do
when shown a screen (an effect addressed to their private chat): the event a tap of
theirs would make, text to type, or nothing. They answer from what the screen shows,
like a person, so a screen shown twice gets the same answer and a stale one changes
nothing (the core refuses stale taps). Must not: do I/O, wait, or hold words a person
reads (text to type is named by a label the shell fills in).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from conversations import effects as fx
from conversations import events as ev
from conversations.model import AGE_BANDS

ORGANISATIONS = 6
"""Simulated people pick one of this many organisations (named by the shell)."""
VARIANTS = 3
"""Variants of each typed text (stories, notes) a profile picks from."""


@dataclass(frozen=True, slots=True)
class Profile:
    seed: int
    age_band: str | None
    organisation: int
    """Which of the shell's organisation names they type."""
    stories: int
    """How many stories they tell their table (at least one)."""
    revises: bool
    """Whether their table mates' stories make them change their top."""
    stubborn: bool
    """In a vote they approve what they value most, not what the table holds most."""
    rounds: int
    """How many voting rounds they want before settling."""
    writes_note: bool
    """Whether they add a note when their table settles without a full top."""
    voice: int
    """Which variant of the typed texts is theirs."""
    pace: float
    """How quick they are: the shell's delay is multiplied by this (0.5..1.5)."""

    @classmethod
    def from_seed(cls, seed: int) -> Profile:
        draw = random.Random(f"profile:{seed}")
        return cls(
            seed=seed,
            age_band=draw.choice((*AGE_BANDS, None)),
            organisation=draw.randrange(ORGANISATIONS),
            stories=draw.choice((1, 1, 2)),
            revises=draw.random() < 0.35,
            stubborn=draw.random() < 0.25,
            rounds=draw.choice((1, 2, 2)),
            writes_note=draw.random() < 0.5,
            voice=draw.randrange(VARIANTS),
            pace=0.5 + draw.random(),
        )

    @staticmethod
    def shared(card_id: str) -> float:
        """How much simulated colleagues value a card in common (the same for all of
        them, so that tables find common ground), about 1.5..4.5."""
        return random.Random(f"culture:{card_id}").uniform(1.5, 4.5)

    def leaning(self, card_id: str) -> float:
        """How much they value a card (about 1..5): what their colleagues value too and
        their own view."""
        return self.shared(card_id) + random.Random(f"{self.seed}:{card_id}").gauss(0.0, 0.9)

    def level(self, card_id: str, lens_index: int) -> int:
        """The pile they put a card on in a lens: their leaning, a little different per
        lens (the same answer whenever the card is shown)."""
        noise = random.Random(f"{self.seed}:{card_id}:{lens_index}").gauss(0.0, 0.6)
        return min(5, max(1, round(self.leaning(card_id) + noise)))

    def ranked(self, card_ids: tuple[str, ...] | list[str]) -> list[str]:
        """Cards from the one they value most to the one they value least."""
        return sorted(card_ids, key=lambda card: (-self.leaning(card), card))


@dataclass(frozen=True, slots=True)
class Typing:
    """Text a simulated person types: variant ``variant`` of the label ``label`` (its
    variants are separated by ``|``), with ``{card}`` the title of ``card_id``."""

    session_id: int
    user_id: int
    label: str
    variant: int
    deck_id: str | None = None
    card_id: str | None = None


Response = ev.Event | Typing | None


def respond(effect: fx.Effect, profile: Profile, at: float) -> Response:
    """What a simulated person does when shown ``effect`` in their private chat."""
    user = effect.chat_id
    if isinstance(effect, fx.AskConsent):
        return ev.ConsentAnswered(at, effect.session_id, user, True)
    if isinstance(effect, fx.AskAgeBand):
        band = profile.age_band if profile.age_band in effect.bands else None
        return ev.AgeBandAnswered(at, effect.session_id, user, band)
    if isinstance(effect, fx.AskOrganisation):
        return Typing(effect.session_id, user, "rehearsal_organisations", profile.organisation)
    if isinstance(effect, fx.ShowCard):
        level = profile.level(effect.card_id, effect.lens_index)
        return ev.CardRated(at, effect.session_id, user, effect.lens_index, effect.card_id, level)
    if isinstance(effect, fx.ShowPaused):
        return ev.ContinueRequested(at, effect.session_id, user)
    if isinstance(effect, fx.ShowPiles):
        if effect.moving is not None:
            return ev.PileCardPicked(at, effect.session_id, user, effect.lens_index, None)
        return ev.PilesConfirmed(at, effect.session_id, user, effect.lens_index)
    if isinstance(effect, fx.ShowTopPicker):
        return _pick(effect, _wanted_top(effect, profile), at)
    if isinstance(effect, fx.AskStoryCard):
        untold = [card for card in effect.top if card not in effect.told]
        if untold and len(effect.told) < profile.stories:
            return ev.StoryCardChosen(at, effect.session_id, user, profile.ranked(untold)[0])
        return ev.StoryCardChosen(at, effect.session_id, user, None)
    if isinstance(effect, fx.AskStoryText):
        return Typing(
            effect.session_id,
            user,
            "rehearsal_stories",
            profile.voice,
            effect.deck_id,
            effect.card_id,
        )
    if isinstance(effect, fx.AskRevision):
        return ev.RevisionAnswered(at, effect.session_id, user, not profile.revises)
    if isinstance(effect, fx.AskVote):
        return _vote(effect, profile, at)
    if isinstance(effect, fx.AskNextRound):
        return ev.RoundDecided(at, effect.session_id, user, effect.round < profile.rounds)
    if isinstance(effect, fx.AskNote):
        if profile.writes_note:
            return Typing(effect.session_id, user, "rehearsal_notes", profile.voice)
        return ev.NoteSkipped(at, effect.session_id, user)
    return None  # a message to read, not to answer


def _wanted_top(effect: fx.ShowTopPicker, profile: Profile) -> list[str]:
    """The top they want: the cards they value most; when revising after the stories and
    inclined to, their own top (the first ``top_size`` candidates) with its weakest card
    swapped for the best card they heard about."""
    size = effect.top_size
    if not (effect.revising and profile.revises):
        return profile.ranked(effect.candidates)[:size]
    own, heard = list(effect.candidates[:size]), list(effect.candidates[size:])
    if not heard:
        return own
    return [*profile.ranked(own)[: size - 1], profile.ranked(heard)[0]]


def _pick(effect: fx.ShowTopPicker, wanted: list[str], at: float) -> ev.Event:
    """One tap towards ``wanted`` in a toggle picker: un-choose, choose, then confirm."""
    user, session = effect.chat_id, effect.session_id
    extra = [card for card in effect.selected if card not in wanted]
    if extra:
        return ev.TopCardToggled(at, session, user, extra[0])
    missing = [card for card in wanted if card not in effect.selected]
    if missing and len(effect.selected) < effect.top_size:
        return ev.TopCardToggled(at, session, user, missing[0])
    return ev.TopConfirmed(at, session, user)


def _vote(effect: fx.AskVote, profile: Profile, at: float) -> ev.Event:
    """Approve what the table holds most, ties going to what colleagues value in common
    (or, if stubborn, only what they value most themselves)."""
    user, session = effect.chat_id, effect.session_id
    holders = dict(effect.candidates)
    cards = list(holders)
    if profile.stubborn:
        wanted = profile.ranked(cards)[: effect.limit]
    else:
        wanted = sorted(cards, key=lambda card: (-holders[card], -profile.shared(card), card))
        wanted = wanted[: effect.limit]
    extra = [card for card in effect.selected if card not in wanted]
    if extra:
        return ev.VoteToggled(at, session, user, extra[0])
    missing = [card for card in wanted if card not in effect.selected]
    if missing and len(effect.selected) < effect.limit:
        return ev.VoteToggled(at, session, user, missing[0])
    return ev.VoteConfirmed(at, session, user)
