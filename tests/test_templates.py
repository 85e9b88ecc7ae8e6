"""Every word a person reads: each template in each language renders with sample data to
valid Telegram HTML of at most 4096 characters, and both languages have the same files
and labels."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from bot.decks.files import load_builtin_decks
from bot.render import Renderer
from bot.telegram import callbacks
from bot.telegram.screens import Screens
from conversations import effects as fx
from conversations.model import AGE_BANDS
from conversations.options import taps
from conversations.rehearsal import MAX_AT_ONCE
from conversations.simulated_person import ORGANISATIONS, VARIANTS

ALLOWED_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "blockquote",
    "tg-spoiler",
}
LOCALES = ("nl", "en")
DECKS = load_builtin_decks()
DECK = DECKS["goed-werk"]
IDS = DECK.card_ids
TEAM_IDS = DECKS["team-values"].card_ids
NASTY = '<b>&"Jan" & Piet</b>'
EMPTY_ZIP = "UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA=="


class TelegramHTML(HTMLParser):
    """Raises on what Telegram's HTML parser would refuse."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            raise ValueError(f"tag <{tag}> is not allowed")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            raise ValueError(f"unbalanced </{tag}>")

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_entityref(self, name: str) -> None:
        if name not in ("lt", "gt", "amp", "quot"):
            raise ValueError(f"entity &{name}; is not supported")
        self.text.append("x")

    def handle_charref(self, name: str) -> None:
        self.text.append("x")


def check_html(text: str) -> str:
    parser = TelegramHTML()
    parser.feed(text)
    parser.close()
    if parser.stack:
        raise ValueError(f"unclosed tags {parser.stack}")
    plain = "".join(parser.text)
    assert plain.strip(), "empty message"
    assert len(plain) <= 4096
    return plain


def sample_effects(locale: str) -> list[fx.Effect]:
    piles = (IDS[:6], IDS[6:12], IDS[12:18], IDS[18:24], IDS[24:])
    return [
        fx.Invite(1, locale, 3, "code", DECK.id),
        fx.ShowSettings(1, locale, 3, True, False, locale),
        fx.ShowSettings(1, locale, 3, False, True, locale),
        fx.ShowStatus(
            1,
            locale,
            3,
            DECK.id,
            "sorting",
            20,
            18,
            (("professional", 5, 10), ("situation", 3, 7)),
            4,
            1,
        ),
        fx.ShowStatus(
            1,
            locale,
            3,
            DECK.id,
            "tables",
            9,
            9,
            (),
            9,
            0,
            "vote",
            True,
            ("vote", 1_790_000_000.0),
            "Europe/Amsterdam",
        ),
        fx.ShowDecks(1, locale, tuple(DECKS), DECK.id),
        fx.AskConsent(2, locale, 3, DECK.id, 2, 30, True),
        fx.AskConsent(2, locale, 3, DECK.id, 1, 30, False),
        fx.AskAgeBand(2, locale, 3, AGE_BANDS),
        fx.AskOrganisation(2, locale, 3),
        fx.Notice(2, locale, 3, "waiting_for_sort"),
        fx.Notice(2, locale, 3, "declined", fresh=True),
        fx.ShowOnBoard(2, locale, 3),
        fx.ShowDashboardLink(7, locale, 3),
        fx.ShowMuted(2, locale, 3),
        fx.IntroduceLens(2, locale, 3, DECK.id, 0, 2),
        fx.IntroduceLens(2, locale, 3, DECK.id, 1, 2),
        *(fx.ShowCard(2, locale, 3, DECK.id, 1, card_id, 12, 30) for card_id in IDS),
        fx.ShowPaused(2, locale, 3, 12, 30),
        fx.ShowPiles(2, locale, 3, DECK.id, 0, piles),
        fx.ShowPiles(2, locale, 3, DECK.id, 0, piles, moving=IDS[3]),
        fx.ShowPiles(2, locale, 3, DECK.id, 0, ((), (), (), (), IDS)),
        fx.ShowTopPicker(2, locale, 3, DECK.id, IDS[:7], IDS[:2], 4),
        fx.ShowTop(
            2,
            locale,
            3,
            DECK.id,
            IDS[:4],
            ((IDS[5], 1, 5), (IDS[6], 4, 2)),
            ("professional", "situation"),
        ),
        fx.ShowTop(2, locale, 3, DECK.id, IDS[:4], (), ("professional", "situation")),
        fx.ShowTop(2, locale, 3, DECK.id, IDS[:4], (), None),
        fx.ShowTopPicker(2, locale, 3, DECK.id, IDS[:9], IDS[:4], 4, revising=True),
        fx.ShowSeating(
            1, locale, 3, ((1, ((NASTY, "Org <i>"), ("Bo", None))), (2, (("Cy", "X"),))), False, 2
        ),
        fx.ShowSeating(1, locale, 3, ((1, (("Ann", None),)),), True, 0),
        fx.OpenTableRoom(1, locale, 3, 2),
        fx.TableIntro(2, locale, 3, 2, (NASTY, "Bo"), "topics"),
        fx.TableIntro(2, locale, 3, 2, ("Bo",), "relay"),
        fx.AskStoryCard(2, locale, 3, DECK.id, IDS[:4], ()),
        fx.AskStoryCard(2, locale, 3, DECK.id, IDS[:4], IDS[:2], trimmed=True),
        fx.AskStoryText(2, locale, 3, DECK.id, IDS[0], 1000),
        fx.TableShare(2, locale, 3, 1, False, DECK.id, NASTY, IDS[:4], ((IDS[0], "x" * 1000),)),
        fx.TableShare(1, locale, 3, 1, True, DECK.id, "Bo", (), ((IDS[1], NASTY),)),
        fx.Relay(2, locale, 3, 1, False, NASTY, "y" * 3500),
        fx.RelayCopy(2, locale, 3, 1, False, NASTY, 5, 77),
        fx.TableNotice(2, locale, 3, 1, False, "member_joined", {"name": NASTY}),
        fx.TableNotice(1, locale, 3, 1, True, "table_revising"),
        fx.TableNotice(1, locale, 3, 1, True, "table_settled"),
        fx.AskRevision(2, locale, 3, DECK.id, IDS[:4]),
        fx.ShowRevision(2, locale, 3, DECK.id, IDS[:4], IDS[:4]),
        fx.ShowRevision(2, locale, 3, DECK.id, IDS[:4], (*IDS[:3], IDS[9])),
        fx.ShowDilemma(1, locale, 3, 1, True, DECK.id, DECK.dilemmas[0].id, None, (IDS[0], IDS[1])),
        fx.ShowDilemma(2, locale, 3, 1, False, DECK.id, None, NASTY * 50, None),
        fx.AskVote(2, locale, 3, DECK.id, tuple((c, 4) for c in IDS[:16]), IDS[:3], 4, 1),
        fx.AskVote(2, locale, 3, DECK.id, tuple((c, 1) for c in IDS[:5]), (), 4, 2),
        fx.VoteResult(1, locale, 3, 1, True, DECK.id, 1, IDS[:4], "full", ((IDS[0], 4),), 4, True),
        fx.VoteResult(
            2, locale, 3, 1, False, DECK.id, 2, IDS[:2], "partial", ((IDS[0], 3),), 3, False
        ),
        fx.VoteResult(2, locale, 3, 1, False, DECK.id, 3, (), "none", (), 4, True),
        fx.AskNextRound(2, locale, 3, 1, 3),
        fx.AskNote(2, locale, 3),
        fx.TableNotice(1, locale, 3, 1, True, "vote_started", {"round": 2}),
        fx.TableNotice(5, locale, 3, 1, False, "vote_started", {"round": 1}),
        fx.TableNotice(1, locale, 3, 1, True, "table_settles"),
        fx.ShowSummary(
            1,
            locale,
            3,
            DECK.id,
            (
                (1, "full", IDS[:4], None),
                (2, "partial", IDS[:3], None),
                (3, "none", (), NASTY),
                (4, None, (), None),
            ),
            IDS[:2],
            IDS[:1],
            tuple((c, 9) for c in IDS[:7]),
            5,
            20,
            (("under-30", 2, 4), ("60-plus", 1, 5)),
            ((IDS[5], 1.25, 3, 2, 20),),
            tuple((c, (1, 2), (1, 2, 4)) for c in IDS[:12]),
            True,
            ((IDS[0], (0, 0, 1, 4, 15)), (IDS[1], (0, 1, 2, 5, 12))),
            ((IDS[8], (6, 2, 3, 3, 6)),),
        ),
        fx.ShowSummary(1, locale, 3, DECK.id, (), (), (), (), 0, 0, (), (), (), False, (), ()),
        fx.SendFile(2, locale, "export.zip", "UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==", "export_caption"),
        fx.SendReport(2, locale, 3, names=False, facilitator="Femke <b>&"),
        fx.SendReport(2, locale, 3, names=True, facilitator=None),
        fx.AskNext(1, locale, 3, "sort", "stories", (NASTY, "Ann"), 40),
        fx.AskNext(1, locale, 3, "vote", "plenary", (), 0),
        fx.MovedOn(1, locale, 3, "stories", "revision", 2, by_deadline=True),
        fx.MovedOn(1, locale, 3, "plenary", "over", 0, by_deadline=False),
        fx.ShowDeadlines(
            1,
            locale,
            3,
            (("sort", 1_790_000_000.0, True), ("vote", 1_790_090_000.0, False)),
            "Europe/Amsterdam",
            "stories",
        ),
        fx.ShowDeadlines(1, locale, 3, (), "Europe/Amsterdam", "join"),
        *(
            fx.Remind(2, locale, 3, stage, due, "Europe/London")
            for stage, due in (
                ("join", None),
                ("sort", 1_790_000_000.0),
                ("stories", None),
                ("revision", None),
            )
        ),
        fx.Remind(2, locale, 3, "vote", None, "Europe/Amsterdam"),
        *(
            fx.SendFile(2, locale, "export.zip", EMPTY_ZIP, caption, params)
            for caption in ("export_caption", "export_caption_names")
            for params in ({"simulated": 6, "included": 0}, {"simulated": 1, "included": 1})
        ),
        fx.ShowStatus(
            1, locale, 3, DECK.id, "tables", 8, 8, (("professional", 0, 8),), 8, 0, simulated=6
        ),
        fx.InviteFollowup(2, locale, 4, "code", DECK.id, 3, 2, NASTY),
        fx.InviteFollowup(2, locale, 4, "code", "team-values", 3, 5),
        fx.ShowThenAndNow(
            2,
            locale,
            4,
            DECK.id,
            DECK.id,
            3,
            IDS[:4],
            (IDS[0], IDS[2], IDS[5], IDS[6]),
            (IDS[0], IDS[2]),
            (IDS[5], IDS[6]),
            (IDS[1], IDS[3]),
        ),
        fx.ShowThenAndNow(2, locale, 4, DECK.id, DECK.id, 3, IDS[:4], IDS[:4], IDS[:4], (), ()),
        fx.ShowThenAndNow(
            2,
            locale,
            4,
            DECK.id,
            "team-values",
            1,
            TEAM_IDS[:3],
            IDS[:4],
            (),
            IDS[:4],
            TEAM_IDS[:3],
        ),
        fx.ShowSeriesComparison(
            1,
            locale,
            4,
            DECK.id,
            ((2, "team-values", 20, 5), (3, DECK.id, 1, 1), (4, DECK.id, 18, 4)),
            (
                *((c, "team-values", (2, 0, 0)) for c in TEAM_IDS[:4]),
                *((c, DECK.id, (0, 1, 3)) for c in IDS[:6]),
            ),
            (
                *((c, "team-values", (9, 0, 0)) for c in TEAM_IDS[:4]),
                *((c, DECK.id, (0, 1, 8)) for c in IDS[:6]),
            ),
            IDS[:1],
            IDS[1:4],
            tuple((c, "team-values") for c in TEAM_IDS[:4]),
        ),
        fx.ShowSeriesComparison(1, locale, 4, DECK.id, ((4, DECK.id, 0, 0),), (), (), (), (), ()),
    ]


SAY_PARAMS = {
    "deck_id": NASTY,
    "decks": "goed-werk, team-values",
    "locale": "fr",
    "locales": "nl, en",
    "count": 3,
    "more": 2,
    "limit": 256,
    "problems": "decks/x.toml: card <b>: title.en: missing & more",
    "title": NASTY,
    "cards": 30,
    "session": 4,
    "joined": 12,
    "person": NASTY,
    "table": 3,
    "tables": 4,
    "stage": "stories",
    "value": NASTY,
    "deadlines": 2,
    "minutes": 15,
    "recent": 1,
    "muted": 2,
    "late_joins": 1,
    "names": f"{NASTY} (simulated), Bo (simulated)",
    "total": 6,
    "min": 1,
    "max": 30,
    "existing": 55,
    "room": 5,
    "number": 2,
}


@pytest.fixture(scope="module")
def screens() -> Screens:
    return Screens(Renderer(), DECKS.__getitem__, "valuecards_bot", "https://cards.example.org/")


@pytest.mark.parametrize("locale", LOCALES)
def test_every_effect_renders_to_valid_html_with_valid_buttons(
    screens: Screens, locale: str
) -> None:
    rendered = set()
    for effect in sample_effects(locale):
        screen = screens.screen(effect)
        check_html(screen.text)
        for row in screen.buttons:
            for button in row:
                assert button.text.strip()
                assert [button.data, button.url, button.web_app].count(None) == 2
                if button.data is not None:
                    assert 1 <= len(button.data.encode()) <= 64
        rendered.add(type(effect))
    assert rendered == set(fx.EFFECT_TYPES.values()) - {fx.Say}


@pytest.mark.parametrize("locale", LOCALES)
def test_a_screens_buttons_are_the_taps_the_core_says_it_offers(
    screens: Screens, locale: str
) -> None:
    with_taps = set()
    for effect in sample_effects(locale):
        if isinstance(effect, fx.AskNext):
            continue  # the facilitator's button under /next's question
        buttons = [b.data for row in screens.screen(effect).buttons for b in row if b.data]
        if isinstance(effect, fx.ShowSummary):  # the facilitator's report button
            assert [callbacks.parse_report(data) for data in buttons] == [effect.session_id]
            continue
        tapped = [callbacks.parse(data, effect.chat_id, 1.0) for data in buttons]
        assert tapped == list(taps(effect, 1.0)), type(effect).__name__
        if tapped:
            with_taps.add(type(effect))
    assert len(with_taps) == 16, sorted(kind.__name__ for kind in with_taps)


@pytest.mark.parametrize("locale", LOCALES)
def test_every_plain_message_renders(screens: Screens, locale: str) -> None:
    effect_templates = {
        "seating",
        "table_room",
        "table_intro",
        "ask_story_card",
        "ask_story_text",
        "table_share",
        "relay",
        "relay_copy",
        "ask_revision",
        "revision_done",
        "member_joined",
        "table_revising",
        "table_settled",
        "dilemma",
        "ask_vote",
        "vote_result",
        "ask_next_round",
        "ask_note",
        "vote_started",
        "table_settles",
        "summary",
        "invite",
        "settings",
        "status",
        "decks",
        "consent",
        "ask_age",
        "ask_organisation",
        "lens_intro",
        "card",
        "paused",
        "piles",
        "top_picker",
        "top",
        "ask_next",
        "moved_on",
        "deadlines",
        "remind",
        "followup_invite",
        "then_and_now",
        "series_summary",
        "dashboard_link",
        "report_caption",
    }
    names = set(screens.renderer.template_names(locale)) - effect_templates
    assert len(names) > 20
    for name in sorted(names):
        screen = screens.screen(fx.Say(1, locale, name, SAY_PARAMS, deck_id=DECK.id))
        check_html(screen.text)
        assert "<b>&" not in screen.text, name


def test_names_and_markup_from_people_are_escaped(screens: Screens) -> None:
    screen = screens.screen(fx.Say(1, "en", "deck_added", {**SAY_PARAMS, "deck_id": "x<i>"}))
    assert "&lt;b&gt;&amp;&#34;Jan&#34; &amp; Piet&lt;/b&gt;" in screen.text
    assert "x&lt;i&gt;" in screen.text


def test_both_languages_have_the_same_templates_and_labels() -> None:
    renderer = Renderer()
    assert set(renderer.locales) == set(LOCALES)
    assert renderer.template_names("nl") == renderer.template_names("en")
    assert renderer.label_keys("nl") == renderer.label_keys("en")
    for locale in LOCALES:
        for band in AGE_BANDS:
            assert renderer.label(locale, f"age_{band}")


def test_dutch_and_english_differ(screens: Screens) -> None:
    nl = screens.screen(fx.AskOrganisation(2, "nl", 3)).text
    en = screens.screen(fx.AskOrganisation(2, "en", 3)).text
    assert nl != en


def test_the_checker_rejects_what_telegram_rejects() -> None:
    for bad in ("<div>x</div>", "<b>x", "<b>x</i>", "&nbsp;", "   "):
        with pytest.raises((ValueError, AssertionError)):
            check_html(bad)


def test_simulated_people_have_marked_names_and_words_in_both_languages() -> None:
    renderer = Renderer()
    for locale, marker in (("en", "(simulated)"), ("nl", "(gesimuleerd)")):
        names = renderer.label(locale, "rehearsal_names").split("|")
        assert len(set(names)) >= MAX_AT_ONCE, locale
        assert renderer.label(locale, "rehearsal_name", name="Anna") == f"Anna {marker}"
        organisations = renderer.label(locale, "rehearsal_organisations").split("|")
        assert len(set(organisations)) == ORGANISATIONS
        for key in ("rehearsal_stories", "rehearsal_notes"):
            variants = renderer.label(locale, key).split("|")
            assert len(set(variants)) == VARIANTS and all(v.strip() for v in variants), key


@pytest.mark.parametrize("locale", LOCALES)
def test_the_settings_list_has_no_stray_blank_line(screens: Screens, locale: str) -> None:
    shown = [e for e in sample_effects(locale) if isinstance(e, fx.ShowSettings)]
    assert shown
    for effect in shown:
        text = screens.screen(effect).text
        assert text.count("\n• ") >= 6 and "\n\n•" not in text, text


def test_numbers_and_lists_are_written_as_each_language_writes_them(screens: Screens) -> None:
    mates = ("Hamid", "Rosa", "Tineke")
    nl = screens.screen(fx.TableIntro(5, "nl", 3, 1, mates, "relay")).text
    en = screens.screen(fx.TableIntro(5, "en", 3, 1, mates, "relay")).text
    assert "met Hamid, Rosa en Tineke." in nl
    assert "with Hamid, Rosa, and Tineke." in en
    moves = ((IDS[5], 1.25, 2, 1, 3), (IDS[6], 2.0, 1, 0, 1))
    for locale, wanted in (
        ("nl", ("1,2 stapels", "2,0 stapels")),
        ("en", ("1.2 piles", "2.0 piles")),
    ):
        summary = fx.ShowSummary(
            1, locale, 3, DECK.id, (), IDS[:3], (), (), 0, 0, (), moves, (), False, (), ()
        )
        text = screens.screen(summary).text
        assert all(number in text for number in wanted), text
        joined = " en " if locale == "nl" else ", and "
        assert joined in text.split("\n")[2], "the values at every table, as a list"


def test_a_lens_with_piles_of_its_own_shows_them(screens: Screens) -> None:
    team = DECKS["team-values"]
    card = fx.ShowCard(2, "en", 3, team.id, 1, TEAM_IDS[0], 1, len(TEAM_IDS))
    labels = [b.text for row in screens.screen(card).buttons for b in row]
    assert labels[:5] == [
        "Strongly present",
        "Clearly present",
        "Somewhat present",
        "Little present",
        "Hardly present",
    ]
    first = fx.ShowCard(2, "nl", 3, team.id, 0, TEAM_IDS[0], 1, len(TEAM_IDS))
    assert screens.screen(first).buttons[0][0].text == "Meest belangrijk"
