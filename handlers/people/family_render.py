"""How the family screens look: questions of the add-a-child flow and the children list."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.callbacks import pack
from bot.i18n import t
from domain.people import family
from domain.people.profile_input import SPORTS
from handlers.shared.edit_in_place import edit_or_reply

FLOW = "fam"
Rows = list[list[tuple[str, str]]]  # (label, callback data)


def question_markup(
    lang: str | None, *, sports: bool, skip: bool, back: bool
) -> InlineKeyboardMarkup:
    """Buttons under a question: sports to pick, Skip, Back and Cancel."""
    rows: Rows = []
    if sports:
        choices = [(t(f"family.sport_{s}", lang), pack(FLOW, "sport", s)) for s in SPORTS]
        rows += [choices[i : i + 2] for i in range(0, len(choices), 2)]
    if skip:
        rows.append([(t("family.button_skip", lang), pack(FLOW, "skip"))])
    go_back = [(t("family.button_back", lang), pack(FLOW, "back"))] if back else []
    rows.append([*go_back, (t("family.button_cancel", lang), pack(FLOW, "cancel"))])
    return markup(rows)


def added_markup(lang: str | None) -> InlineKeyboardMarkup:
    """Buttons after a child was added."""
    return markup(
        [
            [(t("family.button_add_another", lang), pack(FLOW, "add"))],
            [(t("family.button_children", lang), pack(FLOW, "list"))],
        ]
    )


def children_markup(children: list[family.Child], lang: str | None) -> InlineKeyboardMarkup:
    """One row to act for each child, one to invite them or a guardian, one to add a child."""
    rows: Rows = []
    for child in children:
        name, athlete_id = child.first_name, child.athlete_id
        rows.append([(t("family.button_act_for", lang, name=name), pack(FLOW, "act", athlete_id))])
        invite = [(t("family.button_invite", lang, name=name), pack(FLOW, "inv", athlete_id))]
        guardian = (t("family.button_guardian", lang, name=name), pack(FLOW, "grd", athlete_id))
        mentor = (t("family.button_mentor", lang, name=name), pack(FLOW, "mnt", athlete_id))
        rows.append([*(invite if not child.has_telegram else []), guardian])
        rows.append([mentor])
    rows.append([(t("family.button_add_child", lang), pack(FLOW, "add"))])
    return markup(rows)


def markup(rows: Rows) -> InlineKeyboardMarkup:
    """An inline keyboard from labels and callback data."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


def confirm_markup(lang: str | None) -> InlineKeyboardMarkup:
    """Yes and No under an echoed date of birth."""
    yes, no = t("onboarding.yes", lang), t("onboarding.no", lang)
    return markup([[(yes, pack(FLOW, "born", "yes")), (no, pack(FLOW, "born", "no"))]])


async def say(
    update: Update, text: str, markup: InlineKeyboardMarkup | None = None, *, edit: bool = True
) -> None:
    """Edit the pressed message in place while a flow runs; otherwise reply."""
    await edit_or_reply(update, text, markup, edit=edit)
