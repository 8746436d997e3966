"""Parents and children: add a child, list them, act for one, invite a child or a guardian."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from contextlib import suppress

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.app import BotApplication, BotContext, set_chat_menu
from bot.callbacks import refuse
from bot.i18n import t
from domain.errors import DomainError, NotAllowed, NotFound
from domain.people import family, invitations
from domain.people.birth_dates import needs_confirming
from domain.people.family import ChildInputError
from domain.people.invitations import InvitationRefused, TelegramAccount
from domain.people.private_chats import NotAPrivateChat
from domain.people.profile_input import SPORTS
from domain.policy import Actor
from domain.secrets_box import UndecryptableField
from handlers.people import family_render as render
from handlers.people.callbacks import (
    ADDING_STEPS,
    FAMILY_FLOW,
    CancelAdding,
    ChildAction,
    ChildPress,
    ConfirmBirthDate,
    PickSport,
    SkipStep,
    StepBack,
)
from handlers.people.onboarding_steps import long_date
from handlers.shared.acting import ACTING_FOR, child_acted_for
from handlers.shared.callback_data import CallbackData, flow_pattern, parse_any
from handlers.shared.common import cancel_fallback
from handlers.shared.menu_entries import AddChild, ChildrenList

NAME, BIRTH, SPORT, MEDICAL = range(4)
DRAFT = "new_child"  # user_data: the child being added (date of birth only as ciphertext)
QUESTIONS = {NAME: "name", BIRTH: "birth", SPORT: "sport", MEDICAL: "medical"}

ROLE_COMMANDS = {
    "parent": [("children", "family.command_children"), ("addchild", "family.command_addchild")]
}

Step = Callable[[Update, BotContext], Awaitable[int | None]]


def register(application: BotApplication) -> None:
    """Add the family commands, the add-a-child flow, the family buttons and invite links."""
    # The onboarding /start leaves "/start inv-..." to this handler (their filter excludes it).
    invite_link = filters.Regex(r"^/start inv-") & filters.UpdateType.MESSAGE
    application.add_handler(CommandHandler("start", open_invitation, filters=invite_link))
    application.add_handler(add_child_conversation())
    application.add_handler(CommandHandler("children", show_children))
    application.add_handler(
        CallbackQueryHandler(on_family_button, pattern=flow_pattern(FAMILY_FLOW))
    )


def add_child_conversation() -> ConversationHandler[BotContext]:
    """Name, date of birth, sport, medical notes; Back and Cancel at every step."""
    return ConversationHandler(
        entry_points=[
            CallbackQueryHandler(begin, pattern=AddChild.pattern()),
            CommandHandler("addchild", begin),
        ],
        states={
            NAME: [_text(got_name), *_step_buttons(None)],
            BIRTH: [
                _text(got_birth_date),
                _button(ConfirmBirthDate, confirmed_birth_date),
                *_step_buttons(NAME),
            ],
            SPORT: [_text(got_sport), _button(PickSport, chose_sport), *_step_buttons(BIRTH)],
            MEDICAL: [_text(got_medical), _button(SkipStep, skip_medical), *_step_buttons(SPORT)],
        },
        fallbacks=[cancel_fallback()],
        name="add_child",
        persistent=True,
        allow_reentry=True,
    )


def _text(step: Step) -> MessageHandler[BotContext, int | None]:
    return MessageHandler(filters.TEXT & ~filters.COMMAND, step)


def _button(press: type[CallbackData], step: Step) -> CallbackQueryHandler[BotContext, int | None]:
    return CallbackQueryHandler(step, pattern=press.pattern())


def _step_buttons(previous: int | None) -> list[BaseHandler[Update, BotContext, int | None]]:
    async def back(update: Update, context: BotContext) -> int:
        return await _ask(update, context, previous if previous is not None else NAME)

    handlers: list[BaseHandler[Update, BotContext, int | None]] = [
        _button(CancelAdding, cancel),
        MessageHandler(~filters.TEXT & ~filters.COMMAND, not_text),
    ]
    return [_button(StepBack, back), *handlers] if previous is not None else handlers


async def begin(update: Update, context: BotContext) -> int:
    """Start adding a child; refuse politely anyone who is not a parent."""
    if not family.may_manage_children(context.actor):
        await render.say(update, t("family.parents_only", context.lang))
        return ConversationHandler.END
    context.user_data[DRAFT] = {}
    return await _ask(update, context, NAME)


async def got_name(update: Update, context: BotContext) -> int:
    """The child's name."""
    try:
        first, last = family.parse_name(update.effective_message.text)
    except ChildInputError as err:
        return await _ask(update, context, NAME, hint=err.message_key)
    _draft(context).update(first_name=first, last_name=last)
    return await _ask(update, context, BIRTH)


async def got_birth_date(update: Update, context: BotContext) -> int:
    """The date of birth, kept encrypted even in the flow's saved state."""
    text = update.effective_message.text
    try:
        born = family.parse_birth_date(text)
    except ChildInputError as err:
        return await _ask(update, context, BIRTH, hint=err.message_key)
    if needs_confirming(text):  # 03/04/2014: echoed back with its month in words first
        _draft(context)["born_pending"] = context.services.secrets.encrypt_date(born)
        words = long_date(born, context.lang)
        question = t("onboarding.birth_confirm.ask", context.lang, date=words)
        await render.say(update, question, render.confirm_markup(context.lang))
        return BIRTH
    _draft(context)["born"] = context.services.secrets.encrypt_date(born)
    return await _ask(update, context, SPORT)


async def confirmed_birth_date(update: Update, context: BotContext) -> int:
    """Yes or No to an echoed date of birth."""
    press = ConfirmBirthDate.parse(update.callback_query.data)
    pending = _draft(context).pop("born_pending", None)
    if press is None or pending is None:
        await refuse(update, context, reason="birth date confirmation without a date")
        return BIRTH
    if press.answer == "no":
        return await _ask(update, context, BIRTH, hint="family.hint_date_order")
    _draft(context)["born"] = pending
    return await _ask(update, context, SPORT)


async def got_sport(update: Update, context: BotContext) -> int:
    """A sport typed freely."""
    try:
        _draft(context)["sport"] = family.parse_sport(update.effective_message.text)
    except ChildInputError as err:
        return await _ask(update, context, SPORT, hint=err.message_key)
    return await _ask(update, context, MEDICAL)


async def chose_sport(update: Update, context: BotContext) -> int | None:
    """A sport from the buttons."""
    press = PickSport.parse(update.callback_query.data)
    if press is None or press.sport not in SPORTS:
        await refuse(update, context, reason="unknown sport")
        return None
    _draft(context)["sport"] = press.sport
    return await _ask(update, context, MEDICAL)


async def got_medical(update: Update, context: BotContext) -> int:
    """Medical notes, then the child is added."""
    try:
        notes = family.parse_medical_notes(update.effective_message.text)
    except ChildInputError as err:
        return await _ask(update, context, MEDICAL, hint=err.message_key)
    return await _finish(update, context, notes)


async def skip_medical(update: Update, context: BotContext) -> int:
    """No medical notes, then the child is added."""
    return await _finish(update, context, None)


async def _finish(update: Update, context: BotContext, notes: str | None) -> int:
    draft, box = context.user_data.pop(DRAFT, {}), context.services.secrets
    actor = context.actor
    try:
        child = family.ChildInput(
            first_name=draft["first_name"],
            last_name=draft["last_name"],
            date_of_birth=box.decrypt_date(draft["born"]),
            sport=draft["sport"],
            medical_notes=notes,
        )
        if actor is None:
            raise NotAllowed("not signed up")
        added = await family.add_child(context.uow, actor=actor, child=child, box=box)
    except (DomainError, KeyError, ValueError, UndecryptableField) as err:
        # A draft lost or outdated (a birthday passed mid-flow, a key rotated) starts over.
        key = err.message_key if isinstance(err, DomainError) else "family.flow_lost"
        await render.say(update, t(key, context.lang))
        return ConversationHandler.END
    text = t("family.child_added", context.lang, name=added.first_name)
    await render.say(update, text, render.added_markup(added, context.lang))
    return ConversationHandler.END


async def cancel(update: Update, context: BotContext) -> int:
    """The Cancel button: forget the draft."""
    context.user_data.pop(DRAFT, None)
    await render.say(update, t("common.cancelled", context.lang))
    return ConversationHandler.END


async def not_text(update: Update, context: BotContext) -> None:
    """A sticker, photo or voice message where an answer was expected."""
    await render.say(update, t("family.hint_text", context.lang))


async def show_children(update: Update, context: BotContext) -> None:
    """/children and the "My children" button: each child with what can be done for them."""
    actor = context.actor
    if actor is None:
        await render.say(update, t("family.parents_only", context.lang))
        return
    children = await family.children_of(context.uow, actor=actor)
    lang = context.lang
    acting = child_acted_for(context)
    lines = [t("family.child_line", lang, name=c.first_name, sport=c.sport) for c in children]
    lines += [
        t("family.acting_now", lang, name=c.first_name) for c in children if c.athlete_id == acting
    ]
    text = t("family.children", lang, children="\n".join(lines)) if children else None
    await render.say(
        update,
        text or t("family.no_children", lang),
        render.children_markup(children, lang, acting=acting),
    )


async def on_family_button(update: Update, context: BotContext) -> None:
    """A family button outside the add-a-child flow; every press is checked again."""
    data = update.callback_query.data
    if parse_any(data, ADDING_STEPS) is not None:
        await update.callback_query.answer(t("family.step_expired", context.lang))
        return
    if ChildrenList.parse(data) is not None:
        await show_children(update, context)
        return
    press = ChildPress.parse(data)
    actor = context.actor
    if press is None or actor is None:
        await refuse(update, context, reason="malformed or unknown family button")
        return
    try:
        await _PER_CHILD[press.action](update, context, actor, press.athlete_id)
    except (NotAllowed, NotFound) as err:
        await refuse(update, context, reason=f"{press.action}: {err.detail}")
    except DomainError as err:
        await update.callback_query.answer(t(err.message_key, context.lang), show_alert=True)


async def act_for(update: Update, context: BotContext, actor: Actor, athlete_id: uuid.UUID) -> None:
    """Switch to acting for a child in every later flow, until changed."""
    child = await family.choose_child(context.uow, actor=actor, athlete_id=athlete_id)
    context.user_data[ACTING_FOR] = str(child.athlete_id)
    await update.callback_query.answer()
    await render.say(
        update, t("family.acting_for", context.lang, name=child.first_name), edit=False
    )


async def stop_acting(
    update: Update, context: BotContext, actor: Actor, athlete_id: uuid.UUID
) -> None:
    """Stop acting for a child: the flows ask whom again."""
    child = await family.choose_child(context.uow, actor=actor, athlete_id=athlete_id)
    if context.user_data.get(ACTING_FOR) != str(child.athlete_id):
        # An older listing's button: the parent has switched to another child since; keep that.
        text = t("family.not_acting_for", context.lang, name=child.first_name)
        await update.callback_query.answer(text, show_alert=True)
        return
    context.user_data.pop(ACTING_FOR, None)
    await update.callback_query.answer()
    await render.say(
        update, t("family.stopped_acting", context.lang, name=child.first_name), edit=False
    )


def _inviter(kind: str) -> Callable[[Update, BotContext, Actor, uuid.UUID], Awaitable[None]]:
    async def invite(
        update: Update, context: BotContext, actor: Actor, athlete_id: uuid.UUID
    ) -> None:
        created = await invitations.create_invitation(
            context.uow, actor=actor, athlete_id=athlete_id, kind=kind
        )
        link = invitations.deep_link(context.bot.username, created.token)
        hours = int(invitations.INVITATION_TTL.total_seconds() // 3600)
        text = t(
            f"family.invite_{kind}", context.lang, name=created.child_name, link=link, hours=hours
        )
        await update.callback_query.answer()
        await render.say(update, text, edit=False)

    return invite


_PER_CHILD = {
    ChildAction.ACT_FOR: act_for,
    ChildAction.STOP_ACTING: stop_acting,
    ChildAction.INVITE: _inviter("child"),
    ChildAction.GUARDIAN: _inviter("guardian"),
    ChildAction.MENTOR: _inviter("mentor"),
}


async def open_invitation(update: Update, context: BotContext) -> None:
    """`/start inv-<token>`: link this Telegram account as the child or as a guardian."""
    user, chat = update.effective_user, update.effective_chat
    token = update.effective_message.text.split(maxsplit=1)[1].removeprefix("inv-")
    account = TelegramAccount(user.id, chat.id, user.first_name, user.last_name, user.language_code)
    try:
        accepted = await invitations.accept_invitation(
            context.uow, token=token, telegram_user=account
        )
    except (InvitationRefused, NotAPrivateChat) as refusal:
        await render.say(update, t(refusal.message_key, context.lang))
        return
    await render.say(
        update, t(f"family.welcome_{accepted.kind}", context.lang, name=accepted.child_name)
    )
    await set_chat_menu(context.application, chat.id, accepted.role, context.lang)
    if accepted.inviter is not None:
        lang = accepted.inviter.language_code
        notice = t(
            f"family.notice_{accepted.kind}",
            lang,
            name=accepted.opener_name,
            child=accepted.child_name,
        )
        # The link worked; an inviter who blocked the bot just misses the notice.
        with suppress(TelegramError):
            await context.bot.send_message(accepted.inviter.chat_id, notice)


def _draft(context: BotContext) -> dict[str, str]:
    return context.user_data.setdefault(DRAFT, {})


async def _ask(update: Update, context: BotContext, step: int, hint: str | None = None) -> int:
    lang = context.lang
    question = t(f"family.ask_{QUESTIONS[step]}", lang, name=_draft(context).get("first_name", ""))
    text = f"{t(hint, lang)}\n\n{question}" if hint else question
    keyboard = render.question_markup(
        lang, sports=step == SPORT, skip=step == MEDICAL, back=step != NAME
    )
    await render.say(update, text, keyboard)
    return step
