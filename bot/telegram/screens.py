"""What each effect looks like: its template, its buttons and where it goes.

Owns: the mapping from the core's effect classes to a ``Screen`` (text in Telegram HTML,
buttons with their labels and callback data, the message slot to edit in place), and the
card screens kept rendered (nearly every tap shows one, and in a large session many people
see the same card at the same position). Must not: send anything (``delivery`` does) or
decide workshop rules.
"""

from __future__ import annotations

import base64
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from bot.plenary_pictures.specs import Picture
from bot.plenary_pictures.wording import plenary_pictures
from bot.render import Renderer
from bot.telegram import callbacks
from conversations import effects as fx
from conversations import events as ev
from conversations.deck import Deck
from conversations.options import taps

CARD_SCREENS = 2048
"""Card screens kept rendered, the least recently shown dropped first: a session of 1,000
people rating 30 cards in two lenses shows at most 1,800 different ones (card, position)."""
CARD_BUTTON_WIDTH = 28
"""Cards on buttons are cut to this many characters so two fit side by side."""


@dataclass(frozen=True, slots=True)
class Button:
    """One inline button: a tap (``data``), a link (``url``) or a Mini App (``web_app``)."""

    text: str
    data: str | None = None
    url: str | None = None
    web_app: str | None = None


Keyboard = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True, slots=True)
class Screen:
    chat_id: int
    text: str
    buttons: Keyboard = ()
    slot: str | None = None
    """Messages with the same slot in a chat replace each other (edited in place)."""
    fresh: bool = False
    """Send a new message for the slot instead of editing the old one."""
    room: tuple[int, int] | None = None
    """(session id, table number): post in that table's forum topic."""
    new_topic: str | None = None
    """Create a forum topic of this name for ``room`` instead of sending ``text``."""
    copy_of: tuple[int, int] | None = None
    """(chat id, message id) of a message to copy after ``text`` (a relayed photo...)."""
    pictures: tuple[Picture, ...] = ()
    """Pictures sent after ``text``, drawn as they are sent (the text stands on its own),
    as one album with ``caption`` on the first."""
    document: tuple[str, bytes] | None = None
    """(file name, bytes) sent instead of a message; ``text`` is its caption."""
    report: fx.SendReport | None = None
    """The session's report, written as it is sent (its files instead of a message;
    ``text`` is their caption)."""
    caption: str | None = None


class DeckText:
    """A deck's words in one language, for templates."""

    def __init__(self, deck: Deck, locale: str) -> None:
        self.deck = deck
        self.locale = deck.language(locale)

    @property
    def name(self) -> str:
        return self.deck.text(self.deck.title, self.locale)

    def title(self, card_id: str) -> str:
        return self.deck.text(self.deck.card(card_id).title, self.locale)

    def titles(self, card_ids: Sequence[str]) -> list[str]:
        return [self.title(card_id) for card_id in card_ids]

    def description(self, card_id: str) -> str:
        return self.deck.text(self.deck.card(card_id).description, self.locale)

    def level(self, level: int, lens_index: int | None = None) -> str:
        """A pile's label, on ``lens_index``'s piles (-1: the last lens's)."""
        return self.deck.level_label(level, self.locale, lens_index)

    def lens_name(self, lens_index: int) -> str:
        return self.deck.text(self.deck.lenses[lens_index].name, self.locale)

    def lens_prompt(self, lens_index: int) -> str:
        return self.deck.text(self.deck.lenses[lens_index].prompt, self.locale)


MESSAGE_LIMIT = 3500
"""Characters of one message we send, counted with markup; Telegram's limit is 4096
after markup, in UTF-16 units, so this leaves room for emoji."""


def split_long(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """A long message as several, cut between paragraphs (then lines). Templates close
    every tag on the line it opens, so each part is valid HTML on its own."""
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for separator, pieces in (("\n\n", text.split("\n\n")),):
        for piece in pieces:
            candidate = f"{current}{separator}{piece}" if current else piece
            if len(candidate) <= limit:
                current = candidate
                continue
            if current:
                parts.append(current)
            if len(piece) <= limit:
                current = piece
                continue
            current = ""
            for line in piece.split("\n"):  # one paragraph longer than a message
                line = line if len(line) <= limit else line[: limit - 1] + "…"
                candidate = f"{current}\n{line}" if current else line
                if len(candidate) <= limit:
                    current = candidate
                else:
                    parts.append(current)
                    current = line
    if current:
        parts.append(current)
    return parts


def _short(text: str, width: int = CARD_BUTTON_WIDTH) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _pairs(buttons: list[Button]) -> Keyboard:
    return tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))


def _button(text: str, tap: ev.Tap) -> Button:
    return Button(text, callbacks.data(tap))


def _rows(buttons: list[Button]) -> Keyboard:
    return tuple((button,) for button in buttons)


def _choices_then(buttons: list[Button]) -> Keyboard:
    """Cards two by two, then the screen's last button (done, confirm) on its own."""
    return (*_pairs(buttons[:-1]), (buttons[-1],))


T = TypeVar("T", bound=ev.Tap)


def _of(kind: type[T], offered: Sequence[ev.Tap]) -> list[T]:
    """The taps of one kind (a screen's taps are all of a few kinds; ``taps`` orders them)."""
    return [tap for tap in offered if isinstance(tap, kind)]


def local_time(at: float, time_zone: str) -> str:
    """``at`` as a day and time in ``time_zone``: ``2026-11-30 17:00 (Europe/Amsterdam)``."""
    return f"{datetime.fromtimestamp(at, ZoneInfo(time_zone)):%Y-%m-%d %H:%M} ({time_zone})"


class Screens:
    """Turns effects into screens, given the decks, the bot's username and, where the sort
    board is served, its public address."""

    def __init__(
        self,
        renderer: Renderer,
        decks: Callable[[str], Deck],
        bot_username: str,
        webapp_url: str | None = None,
    ) -> None:
        self.renderer = renderer
        self.decks = decks
        self.bot_username = bot_username
        self.webapp_url = webapp_url.rstrip("/") if webapp_url else None
        self._cards: OrderedDict[fx.ShowCard, tuple[Deck, Screen]] = OrderedDict()
        """A card's screen by its effect for nobody (chat 0), with the deck it was made of."""
        self._builders: Mapping[type[fx.Effect], Callable[[Any], Screen]] = {
            fx.Say: self._say,
            fx.Invite: self._invite,
            fx.ShowSettings: self._settings,
            fx.ShowStatus: self._status,
            fx.AskConsent: self._consent,
            fx.AskAgeBand: self._age_band,
            fx.AskOrganisation: self._organisation,
            fx.Notice: self._notice,
            fx.ShowOnBoard: self._on_board,
            fx.ShowDashboardLink: self._dashboard_link,
            fx.IntroduceLens: self._lens,
            fx.ShowCard: self._card,
            fx.ShowPaused: self._paused,
            fx.ShowPiles: self._piles,
            fx.ShowTopPicker: self._top_picker,
            fx.ShowTop: self._top,
            fx.ShowDecks: self._decks,
            fx.ShowSeating: self._seating,
            fx.OpenTableRoom: self._table_room,
            fx.TableIntro: self._table_intro,
            fx.AskStoryCard: self._ask_story_card,
            fx.AskStoryText: self._ask_story_text,
            fx.TableShare: self._table_share,
            fx.Relay: self._relay,
            fx.RelayCopy: self._relay_copy,
            fx.TableNotice: self._table_notice,
            fx.AskRevision: self._ask_revision,
            fx.ShowRevision: self._show_revision,
            fx.ShowDilemma: self._dilemma,
            fx.AskVote: self._ask_vote,
            fx.VoteResult: self._vote_result,
            fx.AskNextRound: self._next_round,
            fx.AskNote: self._ask_note,
            fx.ShowSummary: self._summary,
            fx.SendFile: self._file,
            fx.SendReport: self._report,
            fx.AskNext: self._ask_next,
            fx.MovedOn: self._moved_on,
            fx.ShowDeadlines: self._deadlines,
            fx.Remind: self._remind,
            fx.ShowMuted: self._muted,
            fx.InviteFollowup: self._invite_followup,
            fx.ShowThenAndNow: self._then_and_now,
            fx.ShowSeriesComparison: self._series_comparison,
        }

    def screen(self, effect: fx.Effect) -> Screen:
        if isinstance(effect, fx.ShowCard):
            return self._card_screen(effect)
        return self._screen(effect)

    def _card_screen(self, effect: fx.ShowCard) -> Screen:
        """A card's screen, rendered once for everyone it is shown to: it depends on the
        effect (not on whose chat it goes to) and on the deck (an upload may replace one)."""
        key = replace(effect, chat_id=0)
        deck = self.decks(effect.deck_id)
        kept = self._cards.get(key)
        if kept is not None and kept[0] is deck:
            self._cards.move_to_end(key)
        else:
            kept = self._cards[key] = (deck, self._screen(key))
            if len(self._cards) > CARD_SCREENS:
                self._cards.popitem(last=False)
        return replace(kept[1], chat_id=effect.chat_id)

    def _screen(self, effect: fx.Effect) -> Screen:
        screen = self._builders[type(effect)](effect)
        if isinstance(effect, fx.TableEffect) and effect.in_room:
            screen = replace(screen, room=(effect.session_id, effect.table_number))
        if effect.SLOT is None:
            return screen
        session_id = getattr(effect, "session_id")  # noqa: B009 - every slot effect has one
        return replace(
            screen,
            slot=f"{effect.SLOT}:{session_id}",
            fresh=bool(getattr(effect, "fresh", False)),
        )

    # --- helpers ------------------------------------------------------------------------

    def _text(self, effect: fx.Effect, template: str, **context: Any) -> str:
        return self.renderer.render(effect.locale, template, **context)

    def _label(self, effect: fx.Effect, key: str, **params: Any) -> str:
        return self.renderer.label(effect.locale, key, **params)

    def _deck(self, deck_id: str, locale: str) -> DeckText:
        return DeckText(self.decks(deck_id), locale)

    # --- group --------------------------------------------------------------------------

    def _say(self, e: fx.Say) -> Screen:
        deck = self._deck(e.deck_id, e.locale) if e.deck_id else None
        return Screen(e.chat_id, self._text(e, e.template, deck=deck, **e.params))

    def _invite(self, e: fx.Invite) -> Screen:
        url = f"https://t.me/{self.bot_username}?start={e.join_code}"
        deck = self._deck(e.deck_id, e.locale)
        return Screen(
            e.chat_id,
            self._text(e, "invite", deck=deck, card_count=len(deck.deck.cards)),
            ((Button(self._label(e, "join"), url=url),),),
        )

    def _invite_followup(self, e: fx.InviteFollowup) -> Screen:
        url = f"https://t.me/{self.bot_username}?start={e.join_code}"
        deck = self._deck(e.deck_id, e.locale)
        return Screen(
            e.chat_id,
            self._text(e, "followup_invite", e=e, deck=deck, card_count=len(deck.deck.cards)),
            ((Button(self._label(e, "join"), url=url),),),
        )

    def _then_and_now(self, e: fx.ShowThenAndNow) -> Screen:
        deck, then_deck = self._deck(e.deck_id, e.locale), self._deck(e.then_deck_id, e.locale)
        return Screen(e.chat_id, self._text(e, "then_and_now", e=e, deck=deck, then_deck=then_deck))

    def _series_comparison(self, e: fx.ShowSeriesComparison) -> Screen:
        decks = {deck_id: self._deck(deck_id, e.locale) for _, deck_id, _, _ in e.sessions}
        gone = [decks[deck_id].title(card) for card, deck_id in e.agreed_gone]
        return Screen(e.chat_id, self._text(e, "series_summary", e=e, decks=decks, gone=gone))

    def _settings(self, e: fx.ShowSettings) -> Screen:
        return Screen(e.chat_id, self._text(e, "settings", s=e))

    def _status(self, e: fx.ShowStatus) -> Screen:
        deck = self._deck(e.deck_id, e.locale)
        lenses = [
            {"number": i + 1, "sorting": sorting, "done": done}
            for i, (_, sorting, done) in enumerate(e.lenses)
        ]
        deadline = (
            (e.next_deadline[0], local_time(e.next_deadline[1], e.time_zone))
            if e.next_deadline
            else None
        )
        return Screen(
            e.chat_id,
            self._text(e, "status", s=e, deck=deck, lenses=lenses, deadline=deadline),
        )

    def _decks(self, e: fx.ShowDecks) -> Screen:
        return Screen(
            e.chat_id,
            self._text(e, "decks", deck_ids=e.deck_ids, default_deck=e.default_deck),
        )

    # --- pacing -----------------------------------------------------------------------------

    def _ask_next(self, e: fx.AskNext) -> Screen:
        stage = self._label(e, f"stage_{e.next_stage}")
        button = Button(
            self._label(e, "move_on", stage=stage), callbacks.move_on(e.session_id, e.stage)
        )
        return Screen(e.chat_id, self._text(e, "ask_next", e=e), ((button,),))

    def _moved_on(self, e: fx.MovedOn) -> Screen:
        return Screen(e.chat_id, self._text(e, "moved_on", e=e))

    def _deadlines(self, e: fx.ShowDeadlines) -> Screen:
        rows = [
            {"stage": stage, "when": local_time(due, e.time_zone), "passed": passed}
            for stage, due, passed in e.deadlines
        ]
        return Screen(e.chat_id, self._text(e, "deadlines", e=e, rows=rows))

    def _remind(self, e: fx.Remind) -> Screen:
        when = local_time(e.due_at, e.time_zone) if e.due_at is not None else None
        labels = (self._label(e, "resume"), self._label(e, "mute_reminders"))
        buttons = [_button(label, tap) for label, tap in zip(labels, taps(e), strict=True)]
        return Screen(e.chat_id, self._text(e, "remind", e=e, when=when), _rows(buttons))

    def _muted(self, e: fx.ShowMuted) -> Screen:
        (again,) = taps(e)
        button = _button(self._label(e, "remind_again"), again)
        return Screen(e.chat_id, self._text(e, "reminders_muted"), ((button,),))

    # --- tables ---------------------------------------------------------------------------

    def _seating(self, e: fx.ShowSeating) -> Screen:
        return Screen(e.chat_id, self._text(e, "seating", e=e))

    def _table_room(self, e: fx.OpenTableRoom) -> Screen:
        name = self._label(e, "table_name", number=e.table_number)
        return Screen(
            e.chat_id,
            self._text(e, "table_room", e=e),
            room=(e.session_id, e.table_number),
            new_topic=name,
        )

    def _table_intro(self, e: fx.TableIntro) -> Screen:
        return Screen(e.chat_id, self._text(e, "table_intro", e=e))

    def _ask_story_card(self, e: fx.AskStoryCard) -> Screen:
        deck = self._deck(e.deck_id, e.locale)
        buttons = [
            _button(
                ("✅ " if tap.card_id in e.told else "") + _short(deck.title(tap.card_id))
                if tap.card_id
                else self._label(e, "stories_done"),
                tap,
            )
            for tap in _of(ev.StoryCardChosen, taps(e))
        ]
        return Screen(
            e.chat_id,
            self._text(e, "ask_story_card", e=e, deck=deck),
            _choices_then(buttons),
        )

    def _ask_story_text(self, e: fx.AskStoryText) -> Screen:
        deck = self._deck(e.deck_id, e.locale)
        (back,) = taps(e)
        return Screen(
            e.chat_id,
            self._text(e, "ask_story_text", e=e, deck=deck),
            ((_button(self._label(e, "back"), back),),),
        )

    def _table_share(self, e: fx.TableShare) -> Screen:
        deck = self._deck(e.deck_id, e.locale)
        return Screen(e.chat_id, self._text(e, "table_share", e=e, deck=deck))

    def _relay(self, e: fx.Relay) -> Screen:
        return Screen(e.chat_id, self._text(e, "relay", e=e))

    def _relay_copy(self, e: fx.RelayCopy) -> Screen:
        return Screen(
            e.chat_id,
            self._text(e, "relay_copy", e=e),
            copy_of=(e.from_chat_id, e.message_id),
        )

    def _table_notice(self, e: fx.TableNotice) -> Screen:
        return Screen(e.chat_id, self._text(e, e.template, e=e, **e.params))

    def _ask_revision(self, e: fx.AskRevision) -> Screen:
        deck = self._deck(e.deck_id, e.locale)
        buttons = [
            _button(self._label(e, "revision_keep" if tap.keep else "revision_change"), tap)
            for tap in _of(ev.RevisionAnswered, taps(e))
        ]
        return Screen(e.chat_id, self._text(e, "ask_revision", e=e, deck=deck), _rows(buttons))

    def _show_revision(self, e: fx.ShowRevision) -> Screen:
        deck = self._deck(e.deck_id, e.locale)
        return Screen(e.chat_id, self._text(e, "revision_done", e=e, deck=deck))

    # --- dilemmas, votes and the plenary -------------------------------------------------

    def _dilemma(self, e: fx.ShowDilemma) -> Screen:
        deck = self._deck(e.deck_id, e.locale)
        text = e.text
        if e.dilemma_id is not None:
            text = deck.deck.text(deck.deck.dilemma(e.dilemma_id).text, deck.locale)
        return Screen(e.chat_id, self._text(e, "dilemma", e=e, deck=deck, dilemma=text))

    def _ask_vote(self, e: fx.AskVote) -> Screen:
        deck = self._deck(e.deck_id, e.locale)
        holders = dict(e.candidates)
        buttons = [
            _button(
                ("✅ " if tap.card_id in e.selected else "")
                + _short(f"{holders[tap.card_id]}· {deck.title(tap.card_id)}")
                if isinstance(tap, ev.VoteToggled)
                else self._label(e, "confirm_vote", chosen=len(e.selected), size=e.limit),
                tap,
            )
            for tap in taps(e)
        ]
        return Screen(e.chat_id, self._text(e, "ask_vote", e=e, deck=deck), _choices_then(buttons))

    def _vote_result(self, e: fx.VoteResult) -> Screen:
        deck = self._deck(e.deck_id, e.locale)
        return Screen(e.chat_id, self._text(e, "vote_result", e=e, deck=deck))

    def _next_round(self, e: fx.AskNextRound) -> Screen:
        buttons = [
            _button(self._label(e, "vote_again" if tap.again else "vote_settle"), tap)
            for tap in _of(ev.RoundDecided, taps(e))
        ]
        return Screen(e.chat_id, self._text(e, "ask_next_round", e=e), _rows(buttons))

    def _ask_note(self, e: fx.AskNote) -> Screen:
        (skip,) = taps(e)
        return Screen(
            e.chat_id, self._text(e, "ask_note", e=e), ((_button(self._label(e, "skip"), skip),),)
        )

    def _summary(self, e: fx.ShowSummary) -> Screen:
        deck = self._deck(e.deck_id, e.locale)
        return Screen(
            e.chat_id,
            self._text(e, "summary", e=e, deck=deck),
            ((Button(self._label(e, "report_button"), callbacks.report(e.session_id)),),),
            pictures=plenary_pictures(e, self.renderer, deck.deck),
            caption=self._label(e, "picture_caption"),
        )

    def _report(self, e: fx.SendReport) -> Screen:
        return Screen(e.chat_id, self._text(e, "report_caption", e=e), report=e)

    def _file(self, e: fx.SendFile) -> Screen:
        data = base64.b64decode(e.data_base64)
        return Screen(e.chat_id, self._text(e, e.caption, **e.params), document=(e.file_name, data))

    # --- joining ------------------------------------------------------------------------

    def _consent(self, e: fx.AskConsent) -> Screen:
        deck = self._deck(e.deck_id, e.locale)
        offered = taps(e)
        answers = [
            _button(self._label(e, "consent_yes" if tap.agreed else "consent_no"), tap)
            for tap in _of(ev.ConsentAnswered, offered)
        ]
        languages = tuple(
            _button(self._label(e, f"language_{tap.locale}"), tap)
            for tap in _of(ev.LanguageChosen, offered)
        )
        buttons = (*_rows(answers), languages)
        minutes = 5 + e.card_count * e.lens_count // 4
        return Screen(e.chat_id, self._text(e, "consent", e=e, deck=deck, minutes=minutes), buttons)

    def _age_band(self, e: fx.AskAgeBand) -> Screen:
        buttons = [
            _button(self._label(e, f"age_{tap.band}" if tap.band else "skip"), tap)
            for tap in _of(ev.AgeBandAnswered, taps(e))
        ]
        return Screen(e.chat_id, self._text(e, "ask_age"), _choices_then(buttons))

    def _organisation(self, e: fx.AskOrganisation) -> Screen:
        (skip,) = taps(e)
        return Screen(
            e.chat_id,
            self._text(e, "ask_organisation"),
            ((_button(self._label(e, "skip"), skip),),),
        )

    def _notice(self, e: fx.Notice) -> Screen:
        return Screen(e.chat_id, self._text(e, e.template))

    def _board_row(self, e: fx.Effect, session_id: int) -> Keyboard:
        """The button that opens the sort board, where it is served."""
        if self.webapp_url is None:
            return ()
        url = f"{self.webapp_url}/board?s={session_id}"
        return ((Button(self._label(e, "open_board"), web_app=url),),)

    def _dashboard_link(self, e: fx.ShowDashboardLink) -> Screen:
        served = self.webapp_url is not None
        text = self._text(e, "dashboard_link", served=served)
        if not served:
            return Screen(e.chat_id, text)
        url = f"{self.webapp_url}/dashboard?s={e.session_id}"
        return Screen(e.chat_id, text, ((Button(self._label(e, "open_dashboard"), web_app=url),),))

    def _on_board(self, e: fx.ShowOnBoard) -> Screen:
        (chat,) = taps(e)
        return Screen(
            e.chat_id,
            self._text(e, "on_board"),
            (*self._board_row(e, e.session_id), (_button(self._label(e, "sort_in_chat"), chat),)),
        )

    # --- the sort -----------------------------------------------------------------------

    def _lens(self, e: fx.IntroduceLens) -> Screen:
        deck = self._deck(e.deck_id, e.locale)
        return Screen(e.chat_id, self._text(e, "lens_intro", e=e, deck=deck))

    def _card(self, e: fx.ShowCard) -> Screen:
        deck = self._deck(e.deck_id, e.locale)
        buttons = [
            _button(
                deck.level(tap.level, e.lens_index)
                if isinstance(tap, ev.CardRated)
                else self._label(e, "undo" if isinstance(tap, ev.RatingUndone) else "pause"),
                tap,
            )
            for tap in taps(e)
        ]
        *levels, undo, pause = buttons
        return Screen(
            e.chat_id,
            self._text(e, "card", e=e, deck=deck),
            (*_rows(levels), (undo, pause), *self._board_row(e, e.session_id)),
        )

    def _paused(self, e: fx.ShowPaused) -> Screen:
        (resume,) = taps(e)
        return Screen(
            e.chat_id, self._text(e, "paused", e=e), ((_button(self._label(e, "resume"), resume),),)
        )

    def _piles(self, e: fx.ShowPiles) -> Screen:
        deck = self._deck(e.deck_id, e.locale)
        offered = taps(e)
        buttons: Keyboard
        if e.moving is not None:
            *moved, back = offered
            levels = [
                _button(
                    ("• " if e.moving in e.piles[t.level - 1] else "")
                    + deck.level(t.level, e.lens_index),
                    t,
                )
                for t in _of(ev.PileCardMoved, moved)
            ]
            buttons = (*_rows(levels), (_button(self._label(e, "back"), back),))
        else:
            level_of = {card: n for n, pile in enumerate(e.piles, 1) for card in pile}
            *picks, done = offered
            cards = [
                _button(_short(f"{level_of[t.card_id]}· {deck.title(t.card_id)}"), t)
                for t in _of(ev.PileCardPicked, picks)
                if t.card_id
            ]
            confirm = (_button(self._label(e, "confirm_piles"), done),)
            buttons = (*_pairs(cards), confirm, *self._board_row(e, e.session_id))
        piles = [
            {"level": level, "label": deck.level(level, e.lens_index), "cards": e.piles[level - 1]}
            for level in range(5, 0, -1)
        ]
        return Screen(
            e.chat_id,
            self._text(e, "piles", e=e, deck=deck, piles=piles),
            buttons,
        )

    def _top_picker(self, e: fx.ShowTopPicker) -> Screen:
        deck = self._deck(e.deck_id, e.locale)
        buttons = [
            _button(
                ("✅ " if tap.card_id in e.selected else "") + _short(deck.title(tap.card_id))
                if isinstance(tap, ev.TopCardToggled)
                else self._label(e, "confirm_top", chosen=len(e.selected), size=e.top_size),
                tap,
            )
            for tap in taps(e)
        ]
        board = () if e.revising else self._board_row(e, e.session_id)
        return Screen(
            e.chat_id,
            self._text(e, "top_picker", e=e, deck=deck),
            (*_choices_then(buttons), *board),
        )

    def _top(self, e: fx.ShowTop) -> Screen:
        deck = self._deck(e.deck_id, e.locale)
        lenses = None
        if e.lens_ids:
            lenses = tuple(deck.lens_name(deck.deck.lens_ids.index(i)) for i in e.lens_ids)
        return Screen(
            e.chat_id,
            self._text(e, "top", e=e, deck=deck, lenses=lenses),
        )
