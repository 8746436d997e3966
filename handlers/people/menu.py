"""Each role's main menu: the buttons into the flows other modules own.

The callback data are those flows' entry points (`handlers.shared.menu_entries`), so this
module only has to know their names, not their handlers.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import t
from handlers.shared.callback_data import CallbackData
from handlers.shared.menu_entries import (
    AddChild,
    AskToMentor,
    ChildrenList,
    CoachSetup,
    PendingCoaches,
    SessionList,
    ShowProfile,
    StartBooking,
)

# (i18n key of the label, the flow's entry), per role; the first entry is the "next step".
Entry = tuple[str, CallbackData]
BOOKING: list[Entry] = [
    ("onboarding.menu.book", StartBooking()),
    ("onboarding.menu.sessions", SessionList()),
]
ROLE_ACTIONS: dict[str, list[Entry]] = {
    "athlete": BOOKING,
    "parent": [
        ("onboarding.menu.add_child", AddChild()),
        *BOOKING,
        ("onboarding.menu.children", ChildrenList()),
    ],
    "coach": [
        ("onboarding.menu.coach_setup", CoachSetup()),
        ("onboarding.menu.sessions", SessionList()),
    ],
    "mentor": [("onboarding.menu.mentor_ask", AskToMentor())],
    "admin": [("onboarding.menu.admin_pending", PendingCoaches())],
}
EVERYONE: list[Entry] = [("onboarding.menu.profile", ShowProfile())]
# What the end of sign-up points to next, by role.
NEXT_STEP_TEXT = {
    "parent": "onboarding.done.parent",
    "coach": "onboarding.done.coach",
    "mentor": "onboarding.done.mentor",
    "admin": "onboarding.done.admin",
}


def main_menu(role: str, lang: str | None) -> InlineKeyboardMarkup:
    """One button per row: the role's actions first, then everyone's."""
    actions = [*ROLE_ACTIONS.get(role, []), *EVERYONE]
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(t(key, lang), callback_data=entry.pack())] for key, entry in actions]
    )


def welcome_back(first_name: str, lang: str | None) -> str:
    """The greeting of a known user's /start."""
    return t("onboarding.menu.welcome_back", lang, name=first_name)


def signed_up(role: str, first_name: str, lang: str | None) -> str:
    """The last words of the guided profile, pointing at the role's next step."""
    return t(NEXT_STEP_TEXT.get(role, "onboarding.done.athlete"), lang, name=first_name)
