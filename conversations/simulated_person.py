"""How a simulated person acts on what their screen offers: one policy for the
rehearsal's people (who read the core's effects) and for the people of the demo, the
tests and the benchmark (who read Telegram messages through the sandbox).

Owns: a simulated person's ``Profile`` (drawn from a seed, or given: how much they value
each card, their age band, how many stories they tell, whether the stories make them
revise their top, how they vote, how many rounds they want), the ``Screen`` they read
(the taps it offers and what it shows beside them: what is chosen, how many hold a
card), ``decide``: the one thing they do with a screen (one of its taps, text to type,
or nothing), and ``screen_of``: an effect as the screen it is (the rehearsal's people
read effects; the shell's simulated people read buttons). They answer from what the
screen shows, like a person, so a screen shown twice gets the same answer and a stale
one changes nothing (the core refuses stale taps). Must not: do I/O, wait, or hold
words a person reads (text to type is named by a label the shell fills in).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from conversations import effects as fx
from conversations import events as ev
from conversations.model import AGE_BANDS
from conversations.options import asks, taps

ORGANISATIONS = 6
"""Simulated people pick one of this many organisations (named by the shell)."""
VARIANTS = 3
"""Variants of each typed text (stories, notes) a profile picks from."""
NEUTRAL = 3.0
"""How much a person with given leanings values a card they were given none for."""


@dataclass(frozen=True, slots=True)
class Profile:
    seed: int | float
    age_band: str | None
    organisation: int | None
    """Which of the shell's organisation names they type; None: they skip the question."""
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
    voice: int = 0
    """Which variant of the typed texts is theirs."""
    withholds: int = 0
    """Going with the table, how many of the cards it holds most they do not approve
    (those they value least), approving instead the other cards they value most."""
    pace: float = 1.0
    """How quick they are: the shell's delay is multiplied by this (0.5..1.5)."""
    leanings: Mapping[str, float] | None = None
    """Given leanings (card id -> about 1..5; others ``NEUTRAL``); None: drawn from the
    seed, around what simulated colleagues value in common."""
    noise: float = 0.6
    """How much a single rating strays from the leaning."""

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
        """How much they value a card (about 1..5): as given, or what their colleagues
        value too and their own view."""
        if self.leanings is not None:
            return self.leanings.get(card_id, NEUTRAL)
        return self.shared(card_id) + random.Random(f"{self.seed}:{card_id}").gauss(0.0, 0.9)

    def level(self, card_id: str, lens_index: int) -> int:
        """The pile they put a card on in a lens: their leaning, a little different per
        lens (the same answer whenever the card is shown)."""
        noise = random.Random(f"{self.seed}:{card_id}:{lens_index}").gauss(0.0, self.noise)
        return min(5, max(1, round(self.leaning(card_id) + noise)))

    def ranked(self, card_ids: Sequence[str]) -> list[str]:
        """Cards from the one they value most to the one they value least (as shown,
        where they value two alike)."""
        return sorted(card_ids, key=lambda card: -self.leaning(card))


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


@dataclass(frozen=True, slots=True)
class Screen:
    """What a person's screen offers (``taps``) and shows beside them."""

    session_id: int
    user_id: int
    taps: tuple[ev.Tap, ...]
    asks: str | None = None
    """The text the screen asks for: ``organisation``, ``story`` or ``note``."""
    selected: tuple[str, ...] = ()
    """In a picker or a vote: the cards chosen; among story cards: those told about."""
    limit: int = 0
    """In a picker or a vote: how many cards may be chosen."""
    holders: Mapping[str, int] = field(default_factory=dict)
    """In a vote: how many at the table hold each card in their top."""
    revising: bool = False
    """The picker is the revision of their top after the stories (their top first)."""
    round: int = 0
    """After a voting round: which one it was."""
    own_top: tuple[str, ...] = ()
    """In a vote: the top the person chose, if they remember it (the shell's simulated
    people do; a rehearsal's read only what the effect holds)."""
    deck_id: str | None = None
    card_id: str | None = None
    """The card a story is asked about."""


def respond(effect: fx.Effect, profile: Profile, at: float) -> Response:
    """What a simulated person does when shown ``effect`` in their private chat."""
    screen = screen_of(effect, at)
    return decide(screen, profile) if screen is not None else None


def decide(screen: Screen, profile: Profile) -> Response:
    """The one thing a simulated person does with ``screen``."""
    taps = screen.taps
    kinds = {type(tap) for tap in taps}
    s, u = screen.session_id, screen.user_id
    if ev.ConsentAnswered in kinds:
        return next(t for t in taps if isinstance(t, ev.ConsentAnswered) and t.agreed)
    if ev.AgeBandAnswered in kinds:
        bands = [t for t in taps if isinstance(t, ev.AgeBandAnswered)]
        return next((t for t in bands if t.band == profile.age_band), bands[-1])
    if screen.asks == "organisation" and profile.organisation is not None:
        return Typing(s, u, "rehearsal_organisations", profile.organisation)
    if ev.CardRated in kinds:
        rated = [t for t in taps if isinstance(t, ev.CardRated)]
        level = profile.level(rated[0].card_id, rated[0].lens_index)
        return next(t for t in rated if t.level == level)
    if ev.PileCardMoved in kinds:  # a card picked up: put it back where it was
        return next(t for t in taps if isinstance(t, ev.PileCardPicked) and t.card_id is None)
    if kinds & {ev.TopCardToggled, ev.TopConfirmed}:
        return _pick(screen, profile)
    if kinds & {ev.VoteToggled, ev.VoteConfirmed}:
        return _vote(screen, profile)
    if screen.asks == "story":
        return Typing(s, u, "rehearsal_stories", profile.voice, screen.deck_id, screen.card_id)
    if ev.StoryCardChosen in kinds:
        cards = [t.card_id for t in taps if isinstance(t, ev.StoryCardChosen) and t.card_id]
        untold = [card for card in cards if card not in screen.selected]
        wanted = (
            profile.ranked(untold)[0] if untold and len(screen.selected) < profile.stories else None
        )
        return next(t for t in taps if isinstance(t, ev.StoryCardChosen) and t.card_id == wanted)
    if ev.RevisionAnswered in kinds:
        keep = not profile.revises
        return next(t for t in taps if isinstance(t, ev.RevisionAnswered) and t.keep == keep)
    if ev.RoundDecided in kinds:
        again = screen.round < profile.rounds
        return next(t for t in taps if isinstance(t, ev.RoundDecided) and t.again == again)
    if screen.asks == "note" and profile.writes_note:
        return Typing(s, u, "rehearsal_notes", profile.voice)
    for kind in (ev.OrganisationAnswered, ev.NoteSkipped, ev.ContinueRequested, ev.PilesConfirmed):
        if kind in kinds:
            return next(t for t in taps if isinstance(t, kind))
    return None  # a message to read, not to answer


def _wanted_top(screen: Screen, candidates: list[str], profile: Profile) -> list[str]:
    """The top they want: what is chosen, filled with the cards they value most; when
    revising after the stories and inclined to, their own top (shown first) with its
    weakest card swapped for the best card they heard about."""
    size = screen.limit
    own, heard = candidates[:size], candidates[size:]
    if screen.revising and profile.revises:
        if not heard:
            return own
        weakest = min(own, key=profile.leaning)
        return [*(card for card in own if card != weakest), profile.ranked(heard)[0]]
    kept = [card for card in candidates if card in screen.selected]
    rest = [card for card in candidates if card not in screen.selected]
    return [*kept, *profile.ranked(rest)][:size]


def _pick(screen: Screen, profile: Profile) -> Response:
    toggles = [t for t in screen.taps if isinstance(t, ev.TopCardToggled)]
    wanted = _wanted_top(screen, [t.card_id for t in toggles], profile)
    return _towards(screen, wanted, toggles, ev.TopConfirmed)


def _vote(screen: Screen, profile: Profile) -> Response:
    """Approve what the table holds most (as listed, where they hold two alike), less the
    ``withholds`` of those they value least, in whose place they approve the other cards
    they value most; or, if stubborn, only what they value most themselves: their own
    top, where they remember it."""
    toggles = [t for t in screen.taps if isinstance(t, ev.VoteToggled)]
    cards = [t.card_id for t in toggles]
    if profile.stubborn:
        own = [card for card in cards if card in screen.own_top] if screen.own_top else cards
        wanted = profile.ranked(own)[: screen.limit]
    else:
        table = sorted(cards, key=lambda card: -screen.holders.get(card, 0))[: screen.limit]
        kept = profile.ranked(table)[: max(0, len(table) - profile.withholds)]
        others = profile.ranked([card for card in cards if card not in table])
        wanted = [card for card in table if card in kept] + others[: len(table) - len(kept)]
    return _towards(screen, wanted, toggles, ev.VoteConfirmed)


def _towards(
    screen: Screen,
    wanted: list[str],
    toggles: Sequence[ev.TopCardToggled | ev.VoteToggled],
    confirm: type[ev.TopConfirmed | ev.VoteConfirmed],
) -> Response:
    """One tap towards ``wanted`` in a toggle picker: un-choose, choose, then confirm."""
    by_card = {t.card_id: t for t in toggles}
    extra = [card for card in screen.selected if card not in wanted and card in by_card]
    if extra:
        return by_card[extra[0]]
    missing = [card for card in wanted if card not in screen.selected]
    if missing and len(screen.selected) < screen.limit:
        return by_card[missing[0]]
    return next((t for t in screen.taps if isinstance(t, confirm)), None)


def screen_of(effect: fx.Effect, at: float) -> Screen | None:
    """``effect`` as the screen a person sees (None for a message with nothing to do)."""
    offered, asked = taps(effect, at), asks(effect)
    if not offered and asked is None:
        return None
    s, u = offered[0].session_id, effect.chat_id
    if isinstance(effect, fx.ShowTopPicker):
        return Screen(
            s, u, offered, selected=effect.selected, limit=effect.top_size, revising=effect.revising
        )
    if isinstance(effect, fx.AskStoryCard):
        return Screen(s, u, offered, selected=effect.told)
    if isinstance(effect, fx.AskStoryText):
        return Screen(s, u, offered, asked, deck_id=effect.deck_id, card_id=effect.card_id)
    if isinstance(effect, fx.AskVote):
        holders = dict(effect.candidates)
        return Screen(s, u, offered, selected=effect.selected, limit=effect.limit, holders=holders)
    if isinstance(effect, fx.AskNextRound):
        return Screen(s, u, offered, round=effect.round)
    return Screen(s, u, offered, asked)
