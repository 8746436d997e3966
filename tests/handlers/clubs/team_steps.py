"""Steps of a team's life in the chat: the coach creates it and opens its page; its links."""

from __future__ import annotations

import re

from telegram_emulator.driver import EmulatedUser

FAMILY_LINK = re.compile(r"start=team-([\w-]+)")
COACH_LINK = re.compile(r"start=teamcoach-([\w-]+)")


def labels(person: EmulatedUser) -> list[str]:
    """The buttons of the newest message in the chat that has any."""
    for message in reversed(person.messages()):
        markup = message.get("reply_markup") or {}
        if markup.get("inline_keyboard"):
            return [b["text"] for row in markup["inline_keyboard"] for b in row]
    return []


async def create_team_in_chat(cora: EmulatedUser, season: str | None = None) -> str:
    """Cora creates U12 Tigers from /teams (two bad seasons refused), for the suggested season
    or the typed `season`; the created message."""
    await cora.send("/teams")
    await cora.expect_reply(contains="no teams yet")
    await cora.press("➕ New team")
    await cora.expect_reply(contains="The team's name?")
    await cora.send("U12 Tigers")
    await cora.expect_reply(contains="Which sport?")
    await cora.send("tennis")
    await cora.expect_reply(contains="The age group?")
    await cora.press("U12")
    await cora.expect_reply(contains="The season?")
    await cora.send("2026-09-01 - 2026-06-30")
    await cora.expect_reply(contains="ends before it starts")
    await cora.send("2026-09-01 - 2029-06-30")
    await cora.expect_reply(contains="2 years at most")
    if season is not None:
        await cora.send(season)
    else:
        await cora.press(next(label for label in labels(cora) if label.startswith("Season:")))
    created = await cora.expect_reply(contains="U12 Tigers is created")
    return created["text"]


async def open_team(cora: EmulatedUser) -> None:
    """The coach opens the team's page from /teams."""
    await cora.send("/teams")
    await cora.expect_reply(contains="Your teams")
    await cora.press("U12 Tigers · U12")
    await cora.expect_reply(contains="🏅 U12 Tigers")
