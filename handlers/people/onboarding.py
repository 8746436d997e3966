"""/start: a known user gets their role's menu; a new one the guided profile, one question a step.

States are the questions of `handlers.people.onboarding_steps`; the conversation is persistent
(Redis)
and per user, so a restart mid-way asks the same question again. `/start inv-<token>` is the
families module's deep link and `/start team-<code>` a team's, so this /start leaves them alone.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

from telegram import KeyboardButton, Message, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler
from telegram.ext import filters as f

from bot.app import BotApplication, BotContext, set_chat_menu
from bot.callbacks import refuse
from bot.i18n import t
from domain.errors import AlreadyExists, DomainError, NotAllowed
from domain.people import onboarding, profile_input
from handlers.people import menu
from handlers.people import onboarding_steps as steps
from handlers.people.callbacks import ONBOARDING_FLOW, OnboardingAction, OnboardingPress
from handlers.shared.acting import refusal_text
from handlers.shared.callback_data import flow_pattern
from handlers.shared.common import cancel_fallback, menu_role

COMMANDS: list[tuple[str, str]] = []
END = ConversationHandler.END
# A deep link with an invitation belongs to the families module (handlers/people/family.py);
# a team's links (team-, teamcoach-) to handlers/clubs/team_join.py.
_LINKS = r"^/start(@\w+)?\s+(inv-|team-|teamcoach-)"
_PLAIN_START = f.UpdateType.MESSAGE & f.ChatType.PRIVATE & ~f.Regex(_LINKS)
_NEW_MESSAGE = f.UpdateType.MESSAGE


def register(application: BotApplication) -> None:
    """Add /start and the guided profile, and the answer for its stale buttons."""
    answers = [
        CallbackQueryHandler(on_button, pattern=flow_pattern(ONBOARDING_FLOW)),
        MessageHandler(_NEW_MESSAGE & f.CONTACT, on_contact),
        MessageHandler(_NEW_MESSAGE & f.LOCATION, on_location),
        MessageHandler(_NEW_MESSAGE & f.TEXT & ~f.COMMAND, on_text),
        MessageHandler(_NEW_MESSAGE & ~f.TEXT & ~f.CONTACT, on_other),
    ]
    application.add_handler(
        ConversationHandler(
            entry_points=[CommandHandler("start", begin, filters=_PLAIN_START)],
            states={step: answers for step in steps.ALL_STEPS},
            fallbacks=[CommandHandler("cancel", cancel), cancel_fallback()],
            name="onboarding",
            persistent=True,
            per_user=True,
            allow_reentry=True,  # /start in the middle starts over
        )
    )
    application.add_handler(CallbackQueryHandler(expired, pattern=flow_pattern(ONBOARDING_FLOW)))


async def begin(update: Update, context: BotContext) -> str | int:
    """Show a known user their menu; greet a new one and ask the first question."""
    person, chat = update.effective_user, update.effective_chat
    assert person is not None and chat is not None
    known = await onboarding.touch(
        context.uow, telegram_user_id=person.id, chat_id=chat.id,
        language_code=person.language_code, now=datetime.now(UTC), username=person.username,
    )  # fmt: skip
    if known is not None:
        await set_chat_menu(context.application, chat.id, menu_role(context.actor), context.lang)
        await _send(update, menu.welcome_back(known.first_name, context.lang),
                    menu.main_menu(known.role, context.lang))  # fmt: skip
        return END
    draft = steps.new_draft(onboarding.preset_role(person.id, context.services.admin_telegram_ids))
    draft["timezone_guess"] = profile_input.guess_timezone(
        person.language_code, context.application.settings.default_timezone
    )
    context.user_data[steps.DRAFT_KEY] = draft
    greeting = t("onboarding.greeting", context.lang, name=person.first_name)
    return await _ask(update, context, draft, intro=greeting)


async def on_button(update: Update, context: BotContext) -> str | int:
    """A button of the current question: a choice, Skip, Back or Cancel."""
    query, draft = update.callback_query, _draft(context)
    press = OnboardingPress.parse(query.data if query else None)
    if press is None or draft is None:
        await refuse(update, context, reason="unreadable onboarding button")
        return steps.current_step(draft) if draft else END
    if press.action == OnboardingAction.CANCEL:
        return await cancel(update, context)
    step = steps.current_step(draft)
    said_no = (step, press.action, press.choice) == (
        steps.BIRTH_CONFIRM,
        OnboardingAction.BORN,
        "no",
    )
    if press.action == OnboardingAction.BACK or said_no:
        steps.go_back(draft)
        draft.pop("born_pending", None)
        hint = t("onboarding.birth_confirm.other", context.lang) if said_no else ""
        return await _ask(update, context, draft, hint=hint)
    try:
        to = _take_button(draft, step, press, update, context)
    except profile_input.InvalidAnswer as err:
        return await _ask(update, context, draft, hint=_hint(err, context))
    if to is None:
        await refuse(update, context, reason=f"button {press.action} pressed at step {step}")
        return step
    return await _next(update, context, draft, to=to or None)


def _take_button(
    draft: steps.Draft, step: str, press: OnboardingPress, update: Update, context: BotContext
) -> str | None:
    """Store a pressed choice: "" to go on, a step to jump to, None if it fits no question."""
    action, arg = press.action, press.choice or ""
    box, today = context.services.secrets, datetime.now(UTC).date()
    person = update.effective_user
    if (step, action) == (steps.ROLE, OnboardingAction.ROLE) and person is not None:
        try:  # the domain decides the role: "admin" is never a choice
            draft["role"] = onboarding.role_for(person.id, arg, context.services.admin_telegram_ids)
        except NotAllowed:
            return None
    elif (step, action, arg) == (steps.NAME, OnboardingAction.NAME, "tg"):
        steps.TYPED_ANSWERS[steps.NAME](draft, _telegram_name(update), box, today)
    elif (step, action, arg) == (steps.TIMEZONE, OnboardingAction.TIMEZONE, "change"):
        return steps.TIMEZONE_TYPED
    elif (step, action, arg) == (steps.TIMEZONE, OnboardingAction.TIMEZONE, "yes"):
        draft["timezone"] = draft.get("timezone_guess", "UTC")
    elif (step, action, arg) == (steps.BIRTH_CONFIRM, OnboardingAction.BORN, "yes"):
        draft["born"] = draft.pop("born_pending")
    elif (step, action) == (steps.TIMEZONE_PICK, OnboardingAction.ZONE):
        return _picked_zone(draft, arg)
    elif (step, action) in steps.CHOICES and arg in steps.CHOICES[step, action]:
        steps.TYPED_ANSWERS.get(step, steps.take_hand)(draft, arg, box, today)
    elif action == OnboardingAction.SKIP and step in steps.SKIPPABLE:
        steps.skip(draft, step)
    else:
        return None
    return ""


def _picked_zone(draft: steps.Draft, index: str) -> str | None:
    zones = draft.get("zone_choices", [])
    if not index.isdecimal() or int(index) >= len(zones):
        return None  # a press no offered list carried
    draft["timezone"] = zones[int(index)]
    return ""


async def on_text(update: Update, context: BotContext) -> str | int:
    """A typed answer: validated, stored in the draft, then the next question."""
    draft, message = _draft(context), update.effective_message
    if draft is None or message is None or message.text is None:
        return END
    step, text = steps.current_step(draft), message.text
    # Back and Cancel of a reply keyboard arrive as text; elsewhere they are answers like any.
    if step == steps.PHONE or (step in _REPLY_KEYBOARDS and _is_keyboard_word(text, context)):
        return await _keyboard_text(update, context, draft, text)
    answer = steps.TYPED_ANSWERS.get(step)
    if answer is None:
        return await _ask(update, context, draft, hint=t("onboarding.hint.buttons", context.lang))
    try:
        answer(draft, text, context.services.secrets, datetime.now(UTC).date())
        if step == steps.EMAIL:
            await onboarding.check_email_free(context.uow, draft["email"])
    except onboarding.NeedsGuardian as err:
        return await _stop(update, context, refusal_text(err, context))
    except profile_input.InvalidAnswer as err:
        draft.pop("email", None) if step == steps.EMAIL else None
        return await _ask(update, context, draft, hint=_hint(err, context))
    return await _next(update, context, draft, to=draft.pop("jump", None))


def _is_keyboard_word(text: str, context: BotContext) -> bool:
    return text in (t("onboarding.back", context.lang), t("onboarding.cancel", context.lang))


async def _keyboard_text(
    update: Update, context: BotContext, draft: steps.Draft, text: str
) -> str | int:
    # The phone and typed time zone questions have a reply keyboard, whose Back and Cancel
    # arrive as text.
    if text == t("onboarding.back", context.lang):
        steps.go_back(draft)
        return await _ask(update, context, draft)
    if text == t("onboarding.cancel", context.lang):
        return await cancel(update, context)
    return await _ask(update, context, draft, hint=t("onboarding.phone.use_button", context.lang))


async def on_contact(update: Update, context: BotContext) -> str | int:
    """A shared contact: only the person's own, and only when their phone is asked."""
    draft, message, person = _draft(context), update.effective_message, update.effective_user
    if draft is None or message is None or message.contact is None or person is None:
        return END
    if steps.current_step(draft) != steps.PHONE:
        return await _ask(update, context, draft, hint=t("onboarding.hint.text", context.lang))
    if message.contact.user_id != person.id:
        return await _ask(
            update, context, draft, hint=t("onboarding.phone.not_yours", context.lang)
        )
    try:
        draft["phone"] = profile_input.phone_from_contact(message.contact.phone_number)
    except profile_input.InvalidAnswer as err:
        return await _ask(update, context, draft, hint=_hint(err, context))
    return await _next(update, context, draft)


async def on_location(update: Update, context: BotContext) -> str | int:
    """A shared location where the time zone is asked: its zone, looked up offline."""
    draft, message = _draft(context), update.effective_message
    if draft is None or message is None or message.location is None:
        return END
    step = steps.current_step(draft)
    if steps.FOLLOW_UPS.get(step, step) != steps.TIMEZONE:
        return await _ask(update, context, draft, hint=t("onboarding.hint.text", context.lang))
    where = message.location
    zone = profile_input.zone_at(latitude=where.latitude, longitude=where.longitude)
    if zone is None:
        return await _ask(update, context, draft, hint=t("profile.hint.timezone", context.lang))
    draft["timezone"] = zone
    return await _next(update, context, draft)


async def on_other(update: Update, context: BotContext) -> str | int:
    """A sticker, photo, voice message... where an answer was expected: a hint, not an error."""
    draft = _draft(context)
    if draft is None:
        return END
    key = "onboarding.phone.use_button" if steps.current_step(draft) == steps.PHONE else None
    return await _ask(update, context, draft, hint=t(key or "onboarding.hint.text", context.lang))


async def cancel(update: Update, context: BotContext) -> int:
    """End the flow (Cancel button, the keyboard's Cancel or /cancel); nothing is saved."""
    context.user_data.pop(steps.DRAFT_KEY, None)
    text = t("onboarding.cancelled", context.lang)
    query = update.callback_query
    if query is not None:
        await query.answer()
        await _edit_or_send(update, context, text, None)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(text, reply_markup=ReplyKeyboardRemove())
    return END


async def expired(update: Update, context: BotContext) -> None:
    """A button of a guided profile that has ended."""
    if update.callback_query is not None:
        await update.callback_query.answer(t("onboarding.expired", context.lang), show_alert=True)


async def _next(
    update: Update, context: BotContext, draft: steps.Draft, *, to: str | None = None
) -> str | int:
    step = steps.advance(draft, to)
    if step is None:
        return await _finish(update, context, draft)
    return await _ask(update, context, draft)


async def _finish(update: Update, context: BotContext, draft: steps.Draft) -> str | int:
    person, chat = update.effective_user, update.effective_chat
    assert person is not None and chat is not None
    box = context.services.secrets
    registration = steps.registration(
        draft, telegram_user_id=person.id, chat_id=chat.id,
        language_code=person.language_code, box=box, username=person.username,
    )  # fmt: skip
    try:
        user = await onboarding.register(
            context.uow, registration=registration, box=box,
            admin_telegram_ids=context.services.admin_telegram_ids, now=datetime.now(UTC),
        )  # fmt: skip
    except onboarding.EmailTaken as err:
        steps.advance(draft, steps.EMAIL)
        return await _ask(update, context, draft, hint=_hint(err, context))
    except (AlreadyExists, DomainError) as err:
        return await _stop(update, context, refusal_text(err, context))
    context.user_data.pop(steps.DRAFT_KEY, None)
    if update.callback_query is not None:
        await update.callback_query.answer()
    if draft.pop("reply_keyboard", False):  # the last answer came from a reply keyboard
        await _send(update, t("onboarding.noted", context.lang), ReplyKeyboardRemove())
    await set_chat_menu(context.application, chat.id, user.role, context.lang)
    text = menu.signed_up(user.role, user.first_name, context.lang)
    await _edit_or_send(update, context, text, menu.main_menu(user.role, context.lang), draft)
    return END


async def _ask(
    update: Update, context: BotContext, draft: steps.Draft, *, hint: str = "", intro: str = ""
) -> str:
    """Ask the current question, in place of the last one when a button was pressed."""
    step, lang = steps.current_step(draft), context.lang
    asked = steps.question(step, draft, lang, context.services.secrets)
    text = "\n\n".join(part for part in (intro, hint, asked) if part)
    if update.callback_query is not None:
        await update.callback_query.answer()
    if step in _REPLY_KEYBOARDS:
        await _retire(update, context, draft)
        message = await _send(update, text, _REPLY_KEYBOARDS[step](lang))
        draft.update(msg=message.message_id if message else None, reply_keyboard=True)
        return step
    if draft.pop("reply_keyboard", False):
        await _send(update, t("onboarding.noted", lang), ReplyKeyboardRemove())
    markup = steps.keyboard(step, draft, lang, _telegram_name(update))
    await _edit_or_send(update, context, text, markup, draft)
    return step


async def _edit_or_send(
    update: Update, context: BotContext, text: str, markup: object, draft: steps.Draft | None = None
) -> None:
    query = update.callback_query
    message_id = query.message.message_id if query and query.message else None
    if draft is not None and message_id is not None and message_id == draft.get("msg"):
        try:
            await query.edit_message_text(text, reply_markup=markup)  # type: ignore[union-attr,arg-type]
        except BadRequest as err:  # the same question again, word for word
            if "not modified" not in str(err):
                raise
        return
    if draft is not None:
        await _retire(update, context, draft)
    message = await _send(update, text, markup)
    if draft is not None and message is not None:
        draft["msg"] = message.message_id


async def _retire(update: Update, context: BotContext, draft: steps.Draft) -> None:
    # Only the current question keeps its buttons, so an old one cannot answer a new step.
    old, chat = draft.pop("msg", None), update.effective_chat
    if old is None or draft.get("reply_keyboard") or chat is None:
        return
    with contextlib.suppress(TelegramError):  # already gone or unchanged: nothing to retire
        await context.bot.edit_message_reply_markup(chat.id, old, reply_markup=None)


async def _send(update: Update, text: str, markup: object) -> Message | None:
    chat = update.effective_chat
    if chat is None:
        return None
    return await chat.send_message(text, reply_markup=markup)  # type: ignore[arg-type]


async def _stop(update: Update, context: BotContext, text: str) -> int:
    draft = context.user_data.pop(steps.DRAFT_KEY, None) or {}
    await _edit_or_send(update, context, text, ReplyKeyboardRemove(), None)
    await _retire(update, context, draft)
    return END


def _contact_keyboard(lang: str | None) -> ReplyKeyboardMarkup:
    share = KeyboardButton(t("onboarding.phone.share", lang), request_contact=True)
    back, cancel_ = t("onboarding.back", lang), t("onboarding.cancel", lang)
    return ReplyKeyboardMarkup([[share], [back, cancel_]], resize_keyboard=True)


def _location_keyboard(lang: str | None) -> ReplyKeyboardMarkup:
    share = KeyboardButton(t("onboarding.timezone.share", lang), request_location=True)
    back, cancel_ = t("onboarding.back", lang), t("onboarding.cancel", lang)
    return ReplyKeyboardMarkup([[share], [back, cancel_]], resize_keyboard=True)


_REPLY_KEYBOARDS = {steps.PHONE: _contact_keyboard, steps.TIMEZONE_TYPED: _location_keyboard}


def _draft(context: BotContext) -> steps.Draft | None:
    draft = context.user_data.get(steps.DRAFT_KEY) if context.user_data is not None else None
    return draft if isinstance(draft, dict) and draft.get("trail") else None


def _telegram_name(update: Update) -> str:
    user = update.effective_user
    return " ".join(filter(None, (user.first_name, user.last_name))) if user else ""


def _hint(err: DomainError, context: BotContext) -> str:
    return refusal_text(err, context)
