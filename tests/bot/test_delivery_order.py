"""Which of a chat's due screens delivery sends, and how urgently (``bot.telegram.delivery``):
a run of screens that replace each other is coalesced into the last one; plain messages in
a row can go as one; whatever is queued before a screen someone waits for is as urgent as
that screen."""

from __future__ import annotations

from bot.plenary_pictures.specs import TableTally
from bot.store import OutboxRow
from bot.telegram.delivery import coalesce, fold, urgencies, urgency_of
from bot.telegram.flood_limits import Urgency
from bot.telegram.screens import MESSAGE_LIMIT, Button, Screen

CHAT = 4242
SLOT = "main:1"


def row(number: int, steps_done: int = 0) -> OutboxRow:
    return OutboxRow(number, CHAT, "ShowCard", "{}", 0, 0.0, steps_done)


def card(text: str, fresh: bool = False, slot: str | None = SLOT) -> Screen:
    return Screen(CHAT, text, slot=slot, fresh=fresh)


def texts(pending: list[tuple[OutboxRow, Screen]]) -> list[str]:
    return [screen.text for _, screen in pending]


def test_only_the_last_of_several_edits_of_a_screen_is_sent() -> None:
    pending = [(row(1), card("card 3")), (row(2), card("card 4")), (row(3), card("card 5"))]
    kept, replaced = coalesce(pending)
    assert texts(kept) == ["card 5"]
    assert [r.id for r in replaced] == [1, 2]


def test_a_screen_that_was_to_be_a_new_message_makes_its_replacement_one() -> None:
    kept, replaced = coalesce([(row(1), card("top", fresh=True)), (row(2), card("top, moved"))])
    assert [(screen.text, screen.fresh) for _, screen in kept] == [("top, moved", True)]
    assert [r.id for r in replaced] == [1]


def test_a_new_message_keeps_the_screen_before_it_in_the_chat() -> None:
    pending = [(row(1), card("your top four")), (row(2), card("thank you", fresh=True))]
    kept, replaced = coalesce(pending)
    assert texts(kept) == ["your top four", "thank you"]
    assert replaced == []


def test_screens_of_other_slots_or_with_a_message_between_are_all_sent() -> None:
    pending = [
        (row(1), card("card 3")),
        (row(2), card("a story from your table", slot=None)),
        (row(3), card("card 4")),
        (row(4), card("next step?", slot="pace:1")),
        (row(5), card("card 5")),
    ]
    kept, replaced = coalesce(pending)
    assert texts(kept) == [s.text for _, s in pending]
    assert replaced == []


def test_a_screen_partly_sent_before_a_crash_is_finished_not_replaced() -> None:
    kept, replaced = coalesce([(row(1, steps_done=1), card("card 3")), (row(2), card("card 4"))])
    assert texts(kept) == ["card 3", "card 4"]
    assert replaced == []


def test_a_screen_with_a_picture_is_sent_even_when_replaced() -> None:
    picture = TableTally("What each table chose", "Outcomes", (), "Values", (), None)
    with_photo = Screen(CHAT, "summary", slot=SLOT, pictures=(picture,))
    kept, _ = coalesce([(row(1), with_photo), (row(2), card("next"))])
    assert texts(kept) == ["summary", "next"]


def test_a_group_post_goes_first_then_the_screen_someone_waits_for() -> None:
    assert urgency_of(Screen(-100, "seating")) is Urgency.PLENARY
    assert urgency_of(card("card 3")) is Urgency.AWAITED
    assert urgency_of(card("a story from your table", slot=None)) is Urgency.LATER
    assert Urgency.PLENARY < Urgency.AWAITED < Urgency.LATER


def test_what_is_queued_before_an_awaited_screen_is_as_urgent_as_that_screen() -> None:
    screens = [
        card("a story from your table", slot=None),
        card("the second lens begins", slot=None),
        card("card 1"),
        card("a reminder", slot=None),
    ]
    assert urgencies(screens) == [
        Urgency.AWAITED,
        Urgency.AWAITED,
        Urgency.AWAITED,
        Urgency.LATER,
    ]


def note(text: str, room: tuple[int, int] | None = None) -> Screen:
    return Screen(CHAT, text, room=room)


def test_plain_messages_in_a_row_go_as_one() -> None:
    pending = [(row(1), note("Ann's top four")), (row(2), note("Bo's")), (row(3), note("Cas's"))]
    screen, riders = fold(pending, 0)
    assert screen.text == "Ann's top four\n\nBo's\n\nCas's"
    assert [r.id for r in riders] == [2, 3]


def test_a_fold_stops_at_a_screen_with_buttons_another_topic_or_a_full_message() -> None:
    with_buttons = Screen(CHAT, "vote", buttons=((Button("yes", data="v:1"),),))
    assert fold([(row(1), note("a")), (row(2), with_buttons), (row(3), note("b"))], 0)[1] == []
    in_rooms = [(row(1), note("a", room=(1, 1))), (row(2), note("b", room=(1, 2)))]
    assert fold(in_rooms, 0)[1] == []
    long = "x" * (MESSAGE_LIMIT - 10)
    screen, riders = fold([(row(1), note(long)), (row(2), note("more than fits"))], 0)
    assert (screen.text, riders) == (long, [])


def test_a_screen_in_a_slot_or_partly_sent_carries_nothing() -> None:
    assert fold([(row(1), card("card 3")), (row(2), note("a story"))], 0)[1] == []
    assert fold([(row(1, steps_done=1), note("a")), (row(2), note("b"))], 0)[1] == []
    assert fold([(row(1), note("a")), (row(2, steps_done=1), note("b"))], 0)[1] == []
