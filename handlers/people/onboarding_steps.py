"""The guided profile's questions: their order, their buttons, and what each answer stores.

Answers collect in a draft kept in the person's `user_data` (persisted to Redis, so a restart
resumes the flow); the sensitive ones are kept encrypted there too. Nothing reaches Postgres
until the last answer, when `domain.people.onboarding.register` saves it all at once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import t
from bot.i18n.formats import month_name, zone_city
from domain.models import Role
from domain.people import onboarding, profile_input
from domain.secrets_box import SecretBox
from handlers.people.callbacks import OnboardingAction, OnboardingPress

ROLE, NAME, PHONE, EMAIL, BIRTH, TIMEZONE, TIMEZONE_TYPED = (
    "role", "name", "phone", "email", "birth", "timezone", "timezone_typed",
)  # fmt: skip
# Follow-up questions of a step: an ambiguous date to confirm, the zones of a bare offset.
BIRTH_CONFIRM, TIMEZONE_PICK = "birth_confirm", "timezone_pick"
FOLLOW_UPS = {BIRTH_CONFIRM: BIRTH, TIMEZONE_TYPED: TIMEZONE, TIMEZONE_PICK: TIMEZONE}
SPORT, POSITION, HEIGHT, WEIGHT, HAND, EMERGENCY, MEDICAL = (
    "sport", "position", "height", "weight", "hand", "emergency", "medical",
)  # fmt: skip
COMMON_STEPS = (ROLE, NAME, PHONE, EMAIL, BIRTH, TIMEZONE)
ATHLETE_STEPS = (SPORT, POSITION, HEIGHT, WEIGHT, HAND, EMERGENCY, MEDICAL)
ALL_STEPS = (*COMMON_STEPS, *FOLLOW_UPS, *ATHLETE_STEPS)
SKIPPABLE = frozenset({EMAIL, POSITION, EMERGENCY, MEDICAL})
DRAFT_KEY = "onboarding"

Draft = dict[str, Any]  # JSON only: it is persisted as the user's user_data


def new_draft(role: str | None) -> Draft:
    """An empty draft; a preset role (admins) skips the role question."""
    first = NAME if role else ROLE
    return {"role": role, "trail": [first]}


def current_step(draft: Draft) -> str:
    """The question being asked now."""
    return str(draft["trail"][-1])


def steps_for(draft: Draft) -> list[str]:
    """The questions this person gets, in order."""
    steps = list(COMMON_STEPS) if draft.get("role") != "admin" else list(COMMON_STEPS[1:])
    return steps + list(ATHLETE_STEPS) if draft.get("role") == Role.ATHLETE else steps


def advance(draft: Draft, to: str | None = None) -> str | None:
    """Move to `to` or the next question; None when every question is answered."""
    if to is None:
        here = current_step(draft)
        here = FOLLOW_UPS.get(here, here)
        order = steps_for(draft)
        position = order.index(here) + 1
        to = order[position] if position < len(order) else None
    if to is not None:
        draft["trail"].append(to)
    return to


def go_back(draft: Draft) -> str:
    """Return to the previous question (answers are kept and asked again later)."""
    if len(draft["trail"]) > 1:
        draft["trail"].pop()
    return current_step(draft)


def _button(
    label: str, action: OnboardingAction, choice: str | None = None
) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=OnboardingPress(action, choice).pack())


def _choices(step: str, draft: Draft, lang: str | None, telegram_name: str) -> list[list[Any]]:
    if step == ROLE:
        roles = [
            _button(t(f"onboarding.role.{r}", lang), OnboardingAction.ROLE, r)
            for r in onboarding.SELF_CHOSEN_ROLES
        ]
        return [roles[i : i + 2] for i in range(0, len(roles), 2)]  # two a row: readable on phones
    if step == NAME and telegram_name:
        return [
            [
                _button(
                    t("onboarding.name.use", lang, name=telegram_name), OnboardingAction.NAME, "tg"
                )
            ]
        ]
    if step == TIMEZONE:
        keep, change = t("onboarding.yes", lang), t("onboarding.timezone.change", lang)
        zone = OnboardingAction.TIMEZONE
        return [[_button(keep, zone, "yes"), _button(change, zone, "change")]]
    if step == BIRTH_CONFIRM:
        born = OnboardingAction.BORN
        return [[_button(t("onboarding.yes", lang), born, "yes"),
                 _button(t("onboarding.no", lang), born, "no")]]  # fmt: skip
    if step == TIMEZONE_PICK:
        zones = draft.get("zone_choices", [])
        picks = [
            _button(zone_city(z, lang), OnboardingAction.ZONE, str(i)) for i, z in enumerate(zones)
        ]
        return [picks[i : i + 2] for i in range(0, len(picks), 2)]
    if step == SPORT:
        buttons = [
            _button(t(f"profile.sport.{s}", lang), OnboardingAction.SPORT, s)
            for s in profile_input.SPORTS
        ]
        return [buttons[:3], buttons[3:]]
    if step == HAND:
        return [
            [
                _button(t(f"profile.hand.{h}", lang), OnboardingAction.HAND, h)
                for h in profile_input.HANDS
            ]
        ]
    if step in SKIPPABLE:
        return [[_button(t("onboarding.skip", lang), OnboardingAction.SKIP)]]
    return []


def keyboard(step: str, draft: Draft, lang: str | None, telegram_name: str) -> InlineKeyboardMarkup:
    """The question's buttons, then Back (except on the first question) and Cancel."""
    rows = _choices(step, draft, lang, telegram_name)
    last = [_button(t("onboarding.cancel", lang), OnboardingAction.CANCEL)]
    if len(draft["trail"]) > 1:
        last.insert(0, _button(t("onboarding.back", lang), OnboardingAction.BACK))
    return InlineKeyboardMarkup([*rows, last])


def question(step: str, draft: Draft, lang: str | None, box: SecretBox) -> str:
    """The words of a question."""
    if step == TIMEZONE:
        return t("onboarding.timezone.ask", lang, zone=draft.get("timezone_guess", "UTC"))
    if step == BIRTH_CONFIRM:
        born = long_date(box.decrypt_date(draft["born_pending"]), lang)
        return t("onboarding.birth_confirm.ask", lang, date=born)
    if step == TIMEZONE_PICK:
        return t("onboarding.timezone_pick.ask", lang, offset=draft.get("offset", ""))
    return t(f"onboarding.{step}.ask", lang)


Answer = Callable[[Draft, str, SecretBox, date], None]


def _name(draft: Draft, text: str, box: SecretBox, today: date) -> None:
    name = profile_input.parse_name(text)
    draft["first_name"], draft["last_name"] = name.first, name.last


def _email(draft: Draft, text: str, box: SecretBox, today: date) -> None:
    draft["email"] = profile_input.parse_email(text)


def _birth(draft: Draft, text: str, box: SecretBox, today: date) -> None:
    born = profile_input.parse_birth_date(text, today=today)
    onboarding.check_age(draft["role"], born, today)  # NeedsGuardian ends the flow
    if profile_input.needs_confirming(text):  # 03/04/2012: echoed back before it is kept
        draft.update(born_pending=box.encrypt_date(born), jump=BIRTH_CONFIRM)
        return
    draft["born"] = box.encrypt_date(born)


def _timezone(draft: Draft, text: str, box: SecretBox, today: date) -> None:
    try:
        draft["timezone"] = profile_input.parse_timezone(text)
    except profile_input.OffsetNeedsZone as asked:  # "+1": which zone keeps that offset?
        draft.update(zone_choices=list(asked.zones), offset=asked.params["offset"])
        draft["jump"] = TIMEZONE_PICK


def long_date(day: date, lang: str | None) -> str:
    """A date with its month in words, so its order cannot be misread."""
    month = month_name(day.month, lang, width="wide")
    return t("onboarding.birth_confirm.date", lang, day=day.day, month=month, year=day.year)


def _sport(draft: Draft, text: str, box: SecretBox, today: date) -> None:
    draft["sport"] = profile_input.parse_sport(text)


def _position(draft: Draft, text: str, box: SecretBox, today: date) -> None:
    draft["position"] = profile_input.parse_position(text)


def _height(draft: Draft, text: str, box: SecretBox, today: date) -> None:
    height = profile_input.parse_height(text)
    draft["height_cm"] = int(height.value)
    draft["imperial_height"] = height.imperial


def _weight(draft: Draft, text: str, box: SecretBox, today: date) -> None:
    weight = profile_input.parse_weight(text)
    draft["weight_kg"] = str(weight.value)
    draft["imperial_weight"] = weight.imperial


def take_hand(draft: Draft, text: str, box: SecretBox, today: date) -> None:
    draft["hand"] = profile_input.parse_hand(text)


def _emergency(draft: Draft, text: str, box: SecretBox, today: date) -> None:
    contact = profile_input.parse_emergency_contact(text)
    draft["emergency_name"] = box.encrypt(contact.name)
    draft["emergency_phone"] = box.encrypt(contact.phone)


def _medical(draft: Draft, text: str, box: SecretBox, today: date) -> None:
    draft["medical"] = box.encrypt(profile_input.parse_medical_notes(text))


TYPED_ANSWERS: dict[str, Answer] = {
    NAME: _name,
    EMAIL: _email,
    BIRTH: _birth,
    TIMEZONE: _timezone,  # a city typed straight away is as good as pressing "Change"
    TIMEZONE_TYPED: _timezone,
    TIMEZONE_PICK: _timezone,
    SPORT: _sport,
    POSITION: _position,
    HEIGHT: _height,
    WEIGHT: _weight,
    EMERGENCY: _emergency,
    MEDICAL: _medical,
}
# Buttons that answer a question: (step, action) → the values they may carry.
CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    (SPORT, OnboardingAction.SPORT): profile_input.SPORTS,
    (HAND, OnboardingAction.HAND): profile_input.HANDS,
}
SKIPPED_FIELDS = {
    EMAIL: ("email",),
    POSITION: ("position",),
    EMERGENCY: ("emergency_name", "emergency_phone"),
    MEDICAL: ("medical",),
}


def skip(draft: Draft, step: str) -> None:
    """Leave an optional answer empty."""
    for key in SKIPPED_FIELDS[step]:
        draft.pop(key, None)


def registration(
    draft: Draft,
    *,
    telegram_user_id: int,
    chat_id: int,
    language_code: str | None,
    box: SecretBox,
    username: str | None = None,
) -> onboarding.Registration:
    """The finished draft as a Registration, sensitive answers decrypted for the domain call."""
    imperial = draft.get("imperial_height") or draft.get("imperial_weight")
    return onboarding.Registration(
        telegram_user_id=telegram_user_id,
        chat_id=chat_id,
        language_code=language_code,
        role=draft["role"],
        name=profile_input.PersonName(draft["first_name"], draft.get("last_name", "")),
        phone=draft["phone"],
        email=draft.get("email"),
        born=box.decrypt_date(draft["born"]),
        timezone=draft.get("timezone") or draft.get("timezone_guess", "UTC"),
        units="imperial" if imperial else "metric",
        athlete=_athlete_answers(draft, box) if draft["role"] == Role.ATHLETE else None,
        username=username,
    )


def _athlete_answers(draft: Draft, box: SecretBox) -> onboarding.AthleteAnswers:
    emergency = None
    if draft.get("emergency_name"):
        emergency = profile_input.EmergencyContact(
            box.decrypt(draft["emergency_name"]), box.decrypt(draft["emergency_phone"])
        )
    weight = draft.get("weight_kg")
    return onboarding.AthleteAnswers(
        sport=draft["sport"],
        position=draft.get("position"),
        height_cm=draft.get("height_cm"),
        weight_kg=Decimal(weight) if weight else None,
        dominant_hand=draft.get("hand"),
        emergency=emergency,
        medical_notes=box.decrypt(draft["medical"]) if draft.get("medical") else None,
    )
