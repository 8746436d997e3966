"""Each role's main menu: the buttons into the flows other modules own.

The callback data are those modules' entry points (fam:*, bk:*, ses:*, coach:*, admin:*,
mnt:*, profile:*), so this module only has to know their names, not their handlers.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.callbacks import pack
from bot.i18n import t

# (i18n key of the label, flow, action), per role; the first entry is the "next step".
BOOKING = [("onboarding.menu.book", "bk", "start"), ("onboarding.menu.sessions", "ses", "list")]
ROLE_ACTIONS: dict[str, list[tuple[str, str, str]]] = {
    "athlete": BOOKING,
    "parent": [
        ("onboarding.menu.add_child", "fam", "add"),
        *BOOKING,
        ("onboarding.menu.children", "fam", "list"),
    ],
    "coach": [
        ("onboarding.menu.coach_setup", "coach", "setup"),
        ("onboarding.menu.sessions", "ses", "list"),
    ],
    "mentor": [("onboarding.menu.mentor_ask", "mnt", "ask")],
    "admin": [("onboarding.menu.admin_pending", "admin", "pending")],
}
EVERYONE = [("onboarding.menu.profile", "profile", "show")]
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
        [
            [InlineKeyboardButton(t(key, lang), callback_data=pack(flow, action))]
            for key, flow, action in actions
        ]
    )


def welcome_back(first_name: str, lang: str | None) -> str:
    """The greeting of a known user's /start."""
    return t("onboarding.menu.welcome_back", lang, name=first_name)


def signed_up(role: str, first_name: str, lang: str | None) -> str:
    """The last words of the guided profile, pointing at the role's next step."""
    return t(NEXT_STEP_TEXT.get(role, "onboarding.done.athlete"), lang, name=first_name)
