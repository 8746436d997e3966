"""The coach profile flow's questions: the text and buttons of each step."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import t
from domain.coaching.profile import CURRENCY_BUTTONS
from domain.coaching.specializations import CATALOGUE
from domain.coaching.verification import CoachReview
from handlers.coaching.callbacks import CoachAction, CoachPress
from handlers.coaching.review_card import profile_summary, rate_text, specialization_names

SPECIALIZATIONS, EXPERIENCE, RATE, CURRENCY, BIO, DOCUMENTS, CONFIRM = range(7)
# Where Back goes from each step; the first step has no Back.
PREVIOUS = {
    EXPERIENCE: SPECIALIZATIONS,
    RATE: EXPERIENCE,
    CURRENCY: RATE,
    BIO: RATE,
    DOCUMENTS: BIO,
    CONFIRM: DOCUMENTS,
}
Draft = dict[str, Any]  # kept in user_data, so JSON only


def draft_from(review: CoachReview | None) -> Draft:
    """The answers so far: a saved profile's, or none."""
    if review is None:
        return {"specs": [], "documents": []}
    return {
        "specs": review.specializations,
        "years": review.years_experience,
        "amount": str(review.hourly_rate) if review.hourly_rate is not None else None,
        "currency": review.currency,
        "bio": review.bio,
        "documents": [document["name"] for document in review.documents],
    }


def prompt(step: int, draft: Draft, lang: str | None) -> tuple[str, InlineKeyboardMarkup]:
    """The question of a step and its buttons."""
    text = _TEXTS[step](draft, lang)
    rows = _ROWS.get(step, lambda draft, lang: [])(draft, lang)
    navigation = [_button(t("coach.button.cancel", lang), CoachAction.CANCEL)]
    if step in PREVIOUS:
        navigation.insert(0, _button(t("coach.button.back", lang), CoachAction.BACK))
    return text, InlineKeyboardMarkup([*rows, navigation])


def _button(label: str, action: CoachAction, choice: str | None = None) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=CoachPress(action, choice).pack())


def _specialization_rows(draft: Draft, lang: str | None) -> list[list[InlineKeyboardButton]]:
    buttons = []
    for spec in CATALOGUE:
        mark = "✓ " if spec.id in draft["specs"] else ""
        buttons.append(
            _button(mark + t(spec.message_key, lang), CoachAction.SPECIALIZATION, spec.id)
        )
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    return [*rows, [_button(t("coach.button.done", lang), CoachAction.DONE)]]


def _currency_rows(draft: Draft, lang: str | None) -> list[list[InlineKeyboardButton]]:
    return [[_button(code, CoachAction.CURRENCY, code) for code in CURRENCY_BUTTONS]]


def _document_rows(draft: Draft, lang: str | None) -> list[list[InlineKeyboardButton]]:
    return [[_button(t("coach.button.done", lang), CoachAction.DONE)]] if draft["documents"] else []


def _confirm_rows(draft: Draft, lang: str | None) -> list[list[InlineKeyboardButton]]:
    return [[_button(t("coach.button.submit", lang), CoachAction.SUBMIT)]]


def _summary(draft: Draft, lang: str | None) -> str:
    amount = Decimal(draft["amount"]) if draft.get("amount") else None
    return profile_summary(
        lang,
        specializations=draft["specs"],
        years=draft.get("years"),
        rate=rate_text(amount, draft.get("currency"), lang),
        bio=draft.get("bio"),
        documents=draft["documents"],
    )


_TEXTS = {
    SPECIALIZATIONS: lambda draft, lang: t(
        "coach.ask.specializations",
        lang,
        chosen=specialization_names(draft["specs"], lang),
    ),
    EXPERIENCE: lambda draft, lang: t("coach.ask.experience", lang),
    RATE: lambda draft, lang: t("coach.ask.rate", lang),
    CURRENCY: lambda draft, lang: t("coach.ask.currency", lang, amount=draft.get("amount")),
    BIO: lambda draft, lang: t("coach.ask.bio", lang),
    DOCUMENTS: lambda draft, lang: t("coach.ask.documents", lang, count=len(draft["documents"])),
    CONFIRM: lambda draft, lang: t("coach.confirm", lang, summary=_summary(draft, lang)),
}
_ROWS = {
    SPECIALIZATIONS: _specialization_rows,
    CURRENCY: _currency_rows,
    DOCUMENTS: _document_rows,
    CONFIRM: _confirm_rows,
}
