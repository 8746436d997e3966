"""How the family screens look: questions of the add-a-child flow and the children list."""

from __future__ import annotations

import uuid

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.i18n import t
from domain.people import family
from domain.people.profile_input import SPORTS
from handlers.people.callbacks import (
    CancelAdding,
    ChildAction,
    ChildPress,
    ChildsMentors,
    ConfirmBirthDate,
    PickSport,
    SkipStep,
    StepBack,
)
from handlers.shared.edit_in_place import edit_or_reply
from handlers.shared.menu_entries import AddChild, BookFor, ChildrenList, ViewAthlete

Rows = list[list[tuple[str, str]]]  # (label, callback data)


def question_markup(
    lang: str | None, *, sports: bool, skip: bool, back: bool
) -> InlineKeyboardMarkup:
    """Buttons under a question: sports to pick, Skip, Back and Cancel."""
    rows: Rows = []
    if sports:
        choices = [(t(f"family.sport_{s}", lang), PickSport(s).pack()) for s in SPORTS]
        rows += [choices[i : i + 2] for i in range(0, len(choices), 2)]
    if skip:
        rows.append([(t("family.button_skip", lang), SkipStep().pack())])
    go_back = [(t("family.button_back", lang), StepBack().pack())] if back else []
    rows.append([*go_back, (t("family.button_cancel", lang), CancelAdding().pack())])
    return markup(rows)


def _on_child(
    key: str, action: ChildAction, child: family.Child, lang: str | None
) -> tuple[str, str]:
    """A button on one child: its label (naming them) and its press."""
    return t(key, lang, name=child.first_name), ChildPress(action, child.athlete_id).pack()


def added_markup(child: family.Child, lang: str | None) -> InlineKeyboardMarkup:
    """Buttons after a child was added: book for them first, the likely next step."""
    book = BookFor(child.athlete_id).pack()
    return markup(
        [
            [(t("family.button_book_for", lang, name=child.first_name), book)],
            [(t("family.button_add_another", lang), AddChild().pack())],
            [(t("family.button_children", lang), ChildrenList().pack())],
        ]
    )


def children_markup(
    children: list[family.Child], lang: str | None, *, acting: uuid.UUID | None = None
) -> InlineKeyboardMarkup:
    """Per child a row to act for them (or stop) and see their profile, one to invite them or a
    guardian, one for mentors; then one to add a child."""
    rows: Rows = []
    for child in children:
        if child.athlete_id == acting:
            act = _on_child("family.button_stop_acting", ChildAction.STOP_ACTING, child, lang)
        else:
            act = _on_child("family.button_act_for", ChildAction.ACT_FOR, child, lang)
        # The profile's own flow (handlers.people.profile) re-checks who may view it.
        profile = (
            t("family.button_profile", lang, name=child.first_name),
            ViewAthlete(child.athlete_id).pack(),
        )
        rows.append([act, profile])
        invite = [_on_child("family.button_invite", ChildAction.INVITE, child, lang)]
        guardian = _on_child("family.button_guardian", ChildAction.GUARDIAN, child, lang)
        mentor = _on_child("family.button_mentor", ChildAction.MENTOR, child, lang)
        # The mentors' own flow (handlers.people.mentors): who mentors the child, videos or not.
        mentors = (
            t("family.button_mentors", lang, name=child.first_name),
            ChildsMentors(child.athlete_id).pack(),
        )
        rows.append([*(invite if not child.has_telegram else []), guardian])
        rows.append([mentor, mentors])
    rows.append([(t("family.button_add_child", lang), AddChild().pack())])
    return markup(rows)


def markup(rows: Rows) -> InlineKeyboardMarkup:
    """An inline keyboard from labels and callback data."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


def confirm_markup(lang: str | None) -> InlineKeyboardMarkup:
    """Yes and No under an echoed date of birth."""
    yes, no = t("onboarding.yes", lang), t("onboarding.no", lang)
    return markup([[(yes, ConfirmBirthDate("yes").pack()), (no, ConfirmBirthDate("no").pack())]])


async def say(
    update: Update, text: str, markup: InlineKeyboardMarkup | None = None, *, edit: bool = True
) -> None:
    """Edit the pressed message in place while a flow runs; otherwise reply."""
    await edit_or_reply(update, text, markup, edit=edit)
