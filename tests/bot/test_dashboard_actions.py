"""The dashboard's actions as the facilitator's events (``bot.webapp.dashboard.action_event``),
and the name the report is asked under, as Telegram signs it in ``initData``."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.sandbox.web_app import sign_init_data
from bot.webapp.board import BadAction
from bot.webapp.dashboard import action_event
from bot.webapp.init_data import secret_key, verify
from conversations import events as ev

GROUP, FENNA, AT = -100123, 42, 1_700_000_000.0


def event(body: Any) -> ev.Event:
    return action_event(body, GROUP, FENNA, AT, False, "Fenna Facilitator")


@pytest.mark.parametrize(("names", "words"), [(False, ()), (True, ("names",))])
def test_the_report_button_asks_for_the_report_in_private(
    names: bool, words: tuple[str, ...]
) -> None:
    assert event({"action": "report", "names": names}) == ev.ReportRequested(
        AT,
        GROUP,
        FENNA,
        is_facilitator=True,
        words=words,
        anonymous=False,
        in_private=True,
        facilitator_name="Fenna Facilitator",
    )


@pytest.mark.parametrize(
    "body",
    [{"action": "report"}, *({"action": "report", "names": n} for n in (None, 0, 1, "true", []))],
)
def test_names_must_be_true_or_false(body: dict[str, Any]) -> None:
    with pytest.raises(BadAction):
        event(body)


def test_the_other_actions_are_the_commands_events() -> None:
    proposed = event({"action": "propose"})
    assert isinstance(proposed, ev.TablesRequested) and proposed.group_chat_id == GROUP
    moved = event({"action": "move", "user": 7, "table": 2})
    assert isinstance(moved, ev.MoveRequested)
    assert (moved.person_id, moved.table_number, moved.quiet) == (7, 2, True)
    assert isinstance(event({"action": "seat"}), ev.SeatingConfirmed)
    for body in ([], {"action": "move", "user": "7", "table": 2}, {"action": "export"}):
        with pytest.raises(BadAction):
            event(body)


@pytest.mark.parametrize(
    ("user", "full_name"),
    [
        ({"id": 42, "first_name": "Fenna", "last_name": "Facilitator"}, "Fenna Facilitator"),
        ({"id": 42, "first_name": "Fenna"}, "Fenna"),
    ],
)
def test_the_report_names_who_signed_the_request(user: dict[str, Any], full_name: str) -> None:
    token = "123456:Dashboard-actions-token"
    fields = [("auth_date", str(int(AT))), ("user", json.dumps(user))]
    person = verify(sign_init_data(fields, token), secret_key(token), 60, AT)
    assert person.full_name == full_name
