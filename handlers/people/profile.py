"""/profile: show a profile (sensitive fields only where policy allows) and edit one field.

Buttons: `profile:show` (own), `profile:view:<athlete>` (an athlete one may view, e.g. a
parent's child), `profile:edit:<user>:<field>`, then `profile:set:<value>` / `profile:cancel`
inside the edit. Ids in buttons are re-checked by `domain.people.onboarding` on every press.
"""

from __future__ import annotations

from datetime import UTC, datetime

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler
from telegram.ext import filters as f

from bot.app import BotApplication, BotContext
from bot.callbacks import refuse
from bot.i18n import t
from domain.errors import DomainError, NotAllowed, NotFound
from domain.people import onboarding, profile_input
from domain.people.profile_fields import ProfileField, fields_for
from domain.people.profile_view import ProfileView
from domain.short_ids import parse_id, short_id
from handlers.people.callbacks import (
    PROFILE_FLOW,
    CancelEdit,
    EditField,
    RetypeBirthDate,
    SetChoice,
)
from handlers.people.onboarding_steps import long_date
from handlers.shared.acting import refusal_text
from handlers.shared.callback_data import flow_pattern
from handlers.shared.common import cancel_fallback
from handlers.shared.menu_entries import ShowProfile, ViewAthlete

# /profile appears in the menu once signed up (set_chat_menu after onboarding); before that
# it only points to /start.
ROLE_COMMANDS = {
    role: [("profile", "profile.command")]
    for role in ("athlete", "parent", "coach", "mentor", "admin")
}
EDITING = "editing"
EDIT_KEY = "profile_edit"
END = ConversationHandler.END
_NEW_MESSAGE = f.UpdateType.MESSAGE


def register(application: BotApplication) -> None:
    """Add /profile, the profile buttons and the one-field edit."""
    application.add_handler(CommandHandler("profile", show, filters=_NEW_MESSAGE))
    application.add_handler(CallbackQueryHandler(show, pattern=ShowProfile.pattern()))
    application.add_handler(CallbackQueryHandler(view_athlete, pattern=ViewAthlete.pattern()))
    application.add_handler(
        ConversationHandler(
            entry_points=[CallbackQueryHandler(ask_field, pattern=EditField.pattern())],
            states={
                EDITING: [
                    CallbackQueryHandler(save_choice, pattern=SetChoice.pattern()),
                    CallbackQueryHandler(cancel, pattern=CancelEdit.pattern()),
                    CallbackQueryHandler(retype, pattern=RetypeBirthDate.pattern()),
                    MessageHandler(_NEW_MESSAGE & f.CONTACT, save_contact),
                    MessageHandler(_NEW_MESSAGE & f.LOCATION, save_location),
                    MessageHandler(_NEW_MESSAGE & f.TEXT & ~f.COMMAND, save_text),
                    MessageHandler(_NEW_MESSAGE & ~f.TEXT & ~f.COMMAND, not_text),
                ]
            },
            fallbacks=[CommandHandler("cancel", cancel), cancel_fallback()],
            name="profile_edit",
            persistent=True,
            per_user=True,
            allow_reentry=True,
        )
    )
    # Anything else of this flow is a button from an edit that has ended.
    application.add_handler(CallbackQueryHandler(expired, pattern=flow_pattern(PROFILE_FLOW)))


async def show(update: Update, context: BotContext) -> None:
    """The asker's own profile with a button per field."""
    await _show(update, context, athlete_id=None)


async def view_athlete(update: Update, context: BotContext) -> None:
    """An athlete's profile, if the asker may view it (a parent their child, say)."""
    press = ViewAthlete.parse(update.callback_query.data if update.callback_query else None)
    if press is None:
        await refuse(update, context, reason="unreadable athlete id")
        return
    await _show(update, context, athlete_id=press.athlete_id)


async def _show(update: Update, context: BotContext, *, athlete_id: object) -> None:
    person = update.effective_user
    assert person is not None
    try:
        view = await onboarding.viewed_profile(
            context.uow, telegram_user_id=person.id, box=context.services.secrets,
            athlete_id=athlete_id,  # type: ignore[arg-type]
        )  # fmt: skip
    except NotFound:
        if athlete_id is None:
            return await _reply(update, t("profile.not_signed_up", context.lang))
        return await refuse(update, context, reason="profile not found")
    except NotAllowed:
        return await refuse(update, context, reason="profile not viewable")
    if update.callback_query is not None:
        await update.callback_query.answer()
    await _reply(update, render(view, context.lang), _edit_buttons(view, context))


async def ask_field(update: Update, context: BotContext) -> str | int:
    """Ask for a new value of the pressed field, if the presser may edit that profile."""
    query, person = update.callback_query, update.effective_user
    assert query is not None and person is not None
    press = EditField.parse(query.data)
    if press is None:
        await refuse(update, context, reason="unreadable profile field")
        return END
    user_id, field = press.user_id, press.field
    try:
        await onboarding.check_may_edit(
            context.uow, telegram_user_id=person.id, user_id=user_id,
        )  # fmt: skip
    except (NotAllowed, NotFound):
        await refuse(update, context, reason=f"edit {field.value} of a profile not theirs")
        return END
    context.user_data[EDIT_KEY] = {"user": short_id(user_id), "field": field.value}
    await query.answer()
    await _ask(update, context, field)
    return EDITING


async def save_text(update: Update, context: BotContext) -> str | int:
    """A typed new value; a birth date that reads two ways is echoed back first."""
    message = update.effective_message
    text = message.text if message and message.text else ""
    editing = context.user_data.get(EDIT_KEY) or {}
    if editing.get("field") == ProfileField.BIRTH_DATE and profile_input.needs_confirming(text):
        return await _confirm_birth_date(update, context, text)
    return await _save(update, context, text)


async def _confirm_birth_date(update: Update, context: BotContext, text: str) -> str:
    try:
        born = profile_input.parse_birth_date(text, today=datetime.now(UTC).date())
    except profile_input.InvalidAnswer as err:
        await _reply(update, refusal_text(err, context))
        return EDITING
    lang = context.lang
    question = t("onboarding.birth_confirm.ask", lang, date=long_date(born, lang))
    # Yes sets the date written one way only; the check on saving is the same as for typing.
    no = InlineKeyboardButton(t("onboarding.no", lang), callback_data=RetypeBirthDate().pack())
    buttons = [_button(t("onboarding.yes", lang), born.isoformat()), no]
    await _reply(update, question, InlineKeyboardMarkup([buttons]))
    return EDITING


async def retype(update: Update, context: BotContext) -> str:
    """No to an echoed birth date: ask for it in a form that reads one way."""
    await update.callback_query.answer()  # type: ignore[union-attr]
    await _reply(update, t("onboarding.birth_confirm.other", context.lang))
    return EDITING


async def save_choice(update: Update, context: BotContext) -> str | int:
    """A pressed choice (dominant hand)."""
    press = SetChoice.parse(update.callback_query.data if update.callback_query else None)
    if press is None:
        await refuse(update, context, reason="unreadable profile choice")
        return EDITING
    await update.callback_query.answer()  # type: ignore[union-attr]
    return await _save(update, context, press.value)


async def save_contact(update: Update, context: BotContext) -> str | int:
    """A shared contact: the person's own number only."""
    message, person = update.effective_message, update.effective_user
    contact = message.contact if message else None
    if contact is None or person is None or contact.user_id != person.id:
        await _reply(update, t("onboarding.phone.not_yours", context.lang))
        return EDITING
    return await _save(update, context, profile_input.phone_from_contact(contact.phone_number))


async def save_location(update: Update, context: BotContext) -> str | int:
    """A shared location while the time zone is edited: its zone, looked up offline."""
    message, editing = update.effective_message, context.user_data.get(EDIT_KEY) or {}
    where = message.location if message else None
    if where is None or editing.get("field") != ProfileField.TIMEZONE:
        await _reply(update, t("onboarding.hint.text", context.lang))
        return EDITING
    zone = profile_input.zone_at(latitude=where.latitude, longitude=where.longitude)
    if zone is None:
        await _reply(update, t("profile.hint.timezone", context.lang))
        return EDITING
    return await _save(update, context, zone)


async def _save(update: Update, context: BotContext, answer: str) -> str | int:
    editing = context.user_data.get(EDIT_KEY) or {}
    user_id, field = parse_id(str(editing.get("user", ""))), _field(str(editing.get("field")))
    person = update.effective_user
    if user_id is None or field is None or person is None:
        return END
    try:
        view = await onboarding.update_field(
            context.uow, telegram_user_id=person.id, user_id=user_id, field=field,
            answer=answer, box=context.services.secrets,
            today=datetime.now(UTC).date(),
        )  # fmt: skip
    except profile_input.InvalidAnswer as err:
        await _reply(update, refusal_text(err, context))
        return EDITING
    except DomainError as err:
        await _reply(update, refusal_text(err, context), ReplyKeyboardRemove())
        return END
    context.user_data.pop(EDIT_KEY, None)
    text = f"{t('profile.saved', context.lang)}\n\n{render(view, context.lang)}"
    await _reply(update, text, _edit_buttons(view, context))
    return END


async def not_text(update: Update, context: BotContext) -> str:
    """A sticker or photo where a value was expected."""
    await _reply(update, t("onboarding.hint.text", context.lang))
    return EDITING


async def cancel(update: Update, context: BotContext) -> int:
    """Leave the edit; nothing changes."""
    context.user_data.pop(EDIT_KEY, None)
    if update.callback_query is not None:
        await update.callback_query.answer()
        await update.callback_query.edit_message_text(t("profile.cancelled", context.lang))
        return END
    await _reply(update, t("profile.cancelled", context.lang), ReplyKeyboardRemove())
    return END


async def expired(update: Update, context: BotContext) -> None:
    """A button of an edit that has ended."""
    if update.callback_query is not None:
        await update.callback_query.answer(t("profile.expired", context.lang), show_alert=True)


def render(view: ProfileView, lang: str | None) -> str:
    """A profile as text; sensitive lines only when the view carries them."""
    empty = t("profile.empty", lang)
    lines = [
        t("profile.title", lang, name=_full_name(view), role=t(f"profile.role.{view.role}", lang))
    ]
    for field, value in _values(view, lang):
        label = t(f"profile.field.{field.value}", lang)
        lines.append(t("profile.line", lang, label=label, value=value or empty))
    if not view.sensitive_shown:
        lines.append(t("profile.sensitive_hidden", lang))
    return "\n".join(lines)


def _values(view: ProfileView, lang: str | None) -> list[tuple[ProfileField, str | None]]:
    values: dict[ProfileField, str | None] = {
        ProfileField.NAME: _full_name(view),
        ProfileField.PHONE: view.phone,
        ProfileField.EMAIL: view.email,
        ProfileField.BIRTH_DATE: view.born.isoformat() if view.born else None,
        ProfileField.TIMEZONE: view.timezone,
    }
    if view.athlete_id is not None:
        values |= _athlete_values(view, lang)
    sensitive = {ProfileField.BIRTH_DATE, ProfileField.EMERGENCY, ProfileField.MEDICAL}
    return [(k, v) for k, v in values.items() if view.sensitive_shown or k not in sensitive]


def _athlete_values(view: ProfileView, lang: str | None) -> dict[ProfileField, str | None]:
    height = weight = hand = None
    if view.height_cm:
        height = profile_input.format_height(view.height_cm, view.units)
    if view.weight_kg:
        weight = profile_input.format_weight(view.weight_kg, view.units)
    if view.dominant_hand:
        hand = t(f"profile.hand.{view.dominant_hand}", lang)
    emergency = " ".join(filter(None, (view.emergency_name, view.emergency_phone)))
    return {
        ProfileField.SPORT: view.sport,
        ProfileField.POSITION: view.position,
        ProfileField.HEIGHT: height,
        ProfileField.WEIGHT: weight,
        ProfileField.HAND: hand,
        ProfileField.EMERGENCY: emergency,
        ProfileField.MEDICAL: view.medical_notes,
    }


def _edit_buttons(view: ProfileView, context: BotContext) -> InlineKeyboardMarkup | None:
    if not view.editable:
        return None
    fields = fields_for(view.athlete_id is not None)
    buttons = [
        InlineKeyboardButton(
            t("profile.edit", context.lang, field=t(f"profile.field.{field.value}", context.lang)),
            callback_data=EditField(view.user_id, field).pack(),
        )
        for field in fields
    ]
    return InlineKeyboardMarkup([buttons[i : i + 2] for i in range(0, len(buttons), 2)])


async def _ask(update: Update, context: BotContext, field: ProfileField) -> None:
    lang = context.lang
    label = t(f"profile.field.{field.value}", lang)
    cancel_row = [
        InlineKeyboardButton(t("onboarding.cancel", lang), callback_data=CancelEdit().pack())
    ]
    if field is ProfileField.PHONE:
        share = KeyboardButton(t("onboarding.phone.share", lang), request_contact=True)
        markup = ReplyKeyboardMarkup([[share]], resize_keyboard=True, one_time_keyboard=True)
        return await _reply(update, t("profile.ask_phone", lang), markup)
    if field is ProfileField.TIMEZONE:
        share = KeyboardButton(t("onboarding.timezone.share", lang), request_location=True)
        markup = ReplyKeyboardMarkup([[share]], resize_keyboard=True, one_time_keyboard=True)
        return await _reply(update, t("profile.ask_timezone", lang), markup)
    rows = []
    if field is ProfileField.HAND:
        rows.append([_button(t(f"profile.hand.{h}", lang), h) for h in profile_input.HANDS])
    query = update.callback_query
    text = t("profile.ask", lang, field=label)
    if query is not None:
        await query.edit_message_text(text, reply_markup=InlineKeyboardMarkup([*rows, cancel_row]))


def _button(label: str, value: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=SetChoice(value).pack())


async def _reply(update: Update, text: str, markup: object = None) -> None:
    chat = update.effective_chat
    if chat is not None:
        await chat.send_message(text, reply_markup=markup)  # type: ignore[arg-type]


def _field(value: str) -> ProfileField | None:
    try:
        return ProfileField(value)
    except ValueError:
        return None


def _full_name(view: ProfileView) -> str:
    return f"{view.first_name} {view.last_name}".strip()
