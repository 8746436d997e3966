"""/programs for coaches: their programs, a new one step by step, its content week by week in
compact text, a copied week, a preview as athletes see it, materials, publish and unpublish.
Anyone else sent /programs gets the catalogue."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

from telegram import Message, Update
from telegram.error import TelegramError
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
)
from telegram.ext import filters as f

from bot.app import BotApplication, BotContext
from bot.callbacks import refuse
from bot.i18n import t
from bot.telegram_files import telegram_file_chunks
from domain.errors import DomainError
from domain.policy import Actor
from domain.programs import authoring, details, materials
from domain.programs.program_text import ProgramTextError
from domain.videos.files import download_limit
from handlers.programs import render
from handlers.programs.callbacks import (
    AUTHOR_FLOW,
    NEW_FLOW,
    AuthorHome,
    AuthorNew,
    NewAction,
    NewPress,
    ProgramAction,
    ProgramPress,
    WeekAction,
    WeekPress,
)
from handlers.programs.catalogue import show_sports
from handlers.shared.acting import refusal_text
from handlers.shared.callback_data import flow_pattern, parse_any
from handlers.shared.common import cancel_fallback
from handlers.shared.edit_in_place import edit_or_reply, edit_pressed

log = logging.getLogger(__name__)
END = ConversationHandler.END
_PROGRAMS = [("programs", "programs.command")]
ROLE_COMMANDS = {"athlete": _PROGRAMS, "parent": _PROGRAMS, "coach": _PROGRAMS}
IDLE, TITLE, SPORT, LEVEL, WEEKS, SKILLS, DESCRIPTION, PRICE, WEEK_TEXT, MATERIAL = range(10)
NEW = "program_new"  # user_data: the new program's answers so far (JSON)
CURRENT = "program_current"  # user_data: {"id": program, "week": n, "copy_from": n}
_PRIVATE = f.ChatType.PRIVATE & f.UpdateType.MESSAGE
_TEXT = _PRIVATE & f.TEXT & ~f.COMMAND
_FILE = _PRIVATE & (f.Document.ALL | f.PHOTO | f.VIDEO)
_AUTHOR_PRESSES = (AuthorHome, AuthorNew, ProgramPress, WeekPress)
Step = Callable[[Update, BotContext], Awaitable[int]]


def register(application: BotApplication) -> None:
    """Add the /programs conversation."""
    author_press = CallbackQueryHandler(on_author_press, pattern=flow_pattern(AUTHOR_FLOW))
    application.add_handler(
        ConversationHandler(
            entry_points=[CommandHandler("programs", start, filters=_PRIVATE), author_press],
            states={state: _handlers_of(state, author_press) for state in range(10)},
            fallbacks=[cancel_fallback()],
            name="programs_authoring",
            persistent=True,
            allow_reentry=True,
        )
    )


def _handlers_of(state: int, author_press: BaseHandler[Update, BotContext, int]) -> list[Any]:
    handlers: list[Any] = [
        author_press,
        CallbackQueryHandler(on_new_press, pattern=flow_pattern(NEW_FLOW)),
    ]
    if state in _ANSWERS:
        handlers.append(MessageHandler(_TEXT, _answering(state, _ANSWERS[state])))
    if state == MATERIAL:
        handlers.append(MessageHandler(_FILE, material_received))
    if state != IDLE:
        handlers.append(MessageHandler(_PRIVATE & ~f.COMMAND, _hint(state)))
    return handlers


async def start(update: Update, context: BotContext) -> int:
    """/programs: a coach's own programs; the catalogue for everyone else."""
    actor = context.actor
    if actor is None or actor.coach_id is None:
        await show_sports(update, context)
        return END
    return await _home(update, context, actor)


async def _home(update: Update, context: BotContext, actor: Actor) -> int:
    programs = await authoring.author_programs(context.uow, actor=actor)
    text, markup = render.author_home(programs, context.lang)
    await edit_or_reply(update, text, markup)
    return IDLE


# Buttons on a coach's programs.


async def on_author_press(update: Update, context: BotContext) -> int:
    """Any button on the coach's programs: re-check the presser, then do what it names."""
    press = parse_any(update.callback_query.data, _AUTHOR_PRESSES)
    actor = context.actor
    if press is None or actor is None:
        await refuse(update, context, reason="programs button: malformed or not signed up")
        return IDLE
    try:
        if isinstance(press, AuthorHome):
            return await _home(update, context, actor)
        if isinstance(press, AuthorNew):
            return await _new(update, context, actor)
        if isinstance(press, ProgramPress):
            return await _PROGRAM_STEPS[press.action](update, context, actor, press.program_id)
        return await _WEEK_STEPS[press.action](update, context, actor, press)
    except DomainError as err:
        log.info("programs button refused for %s: %s", actor.user_id, err.detail or err.message_key)
        await update.callback_query.answer(refusal_text(err, context), show_alert=True)
        return IDLE


async def _open(update: Update, context: BotContext, actor: Actor, program_id: uuid.UUID) -> int:
    view = await authoring.program_for_author(context.uow, actor=actor, program_id=program_id)
    context.user_data[CURRENT] = {"id": str(view.id)}
    await edit_or_reply(update, *render.program_card(view, context.lang))
    return IDLE


async def _pick_week_to_write(
    update: Update, context: BotContext, actor: Actor, program_id: uuid.UUID
) -> int:
    view = await authoring.program_for_author(context.uow, actor=actor, program_id=program_id)
    markup = render.weeks_markup(view, WeekAction.WRITE, context.lang)
    await edit_or_reply(update, t("programs.write.pick_week", context.lang), markup)
    return IDLE


async def _pick_week_to_copy(
    update: Update, context: BotContext, actor: Actor, program_id: uuid.UUID
) -> int:
    view = await authoring.program_for_author(context.uow, actor=actor, program_id=program_id)
    if not view.draft.weeks:
        await update.callback_query.answer(
            t("programs.copy.nothing", context.lang), show_alert=True
        )
        return IDLE
    markup = render.weeks_markup(view, WeekAction.COPY_FROM, context.lang, only_written=True)
    await edit_or_reply(update, t("programs.copy.pick_source", context.lang), markup)
    return IDLE


async def _materials(
    update: Update, context: BotContext, actor: Actor, program_id: uuid.UUID
) -> int:
    view = await authoring.program_for_author(context.uow, actor=actor, program_id=program_id)
    files = await materials.materials_of(context.uow, actor=actor, program_id=program_id)
    context.user_data[CURRENT] = {"id": str(view.id)}
    await edit_or_reply(update, *render.materials_prompt(view, files, context.lang))
    return MATERIAL


async def _publish(update: Update, context: BotContext, actor: Actor, program_id: uuid.UUID) -> int:
    view = await authoring.publish(context.uow, actor=actor, program_id=program_id)
    await update.callback_query.answer(t("programs.published", context.lang, version=view.version))
    await edit_pressed(update.callback_query, *render.program_card(view, context.lang))
    return IDLE


async def _unpublish(
    update: Update, context: BotContext, actor: Actor, program_id: uuid.UUID
) -> int:
    view = await authoring.unpublish(context.uow, actor=actor, program_id=program_id)
    await update.callback_query.answer(t("programs.unpublished", context.lang))
    await edit_pressed(update.callback_query, *render.program_card(view, context.lang))
    return IDLE


async def _write_week(update: Update, context: BotContext, actor: Actor, press: WeekPress) -> int:
    view = await authoring.program_for_author(context.uow, actor=actor, program_id=press.program_id)
    if not 1 <= press.week <= view.weeks:
        raise authoring.WeekOutOfProgram(weeks=view.weeks)
    context.user_data[CURRENT] = {"id": str(view.id), "week": press.week}
    await edit_or_reply(update, *render.write_prompt(view, press.week, context.lang))
    return WEEK_TEXT


async def _copy_from(update: Update, context: BotContext, actor: Actor, press: WeekPress) -> int:
    view = await authoring.program_for_author(context.uow, actor=actor, program_id=press.program_id)
    context.user_data[CURRENT] = {"id": str(view.id), "copy_from": press.week}
    markup = render.weeks_markup(view, WeekAction.COPY_TO, context.lang)
    await edit_or_reply(
        update, t("programs.copy.pick_target", context.lang, week=press.week), markup
    )
    return IDLE


async def _copy_to(update: Update, context: BotContext, actor: Actor, press: WeekPress) -> int:
    current = context.user_data.get(CURRENT) or {}
    source = current.get("copy_from")
    if current.get("id") != str(press.program_id) or not isinstance(source, int):
        await update.callback_query.answer(t("common.stale_button", context.lang))
        return IDLE
    view = await authoring.copy_week(
        context.uow, actor=actor, program_id=press.program_id, source=source, target=press.week
    )
    await update.callback_query.answer(
        t("programs.copy.done", context.lang, source=source, target=press.week)
    )
    await edit_pressed(update.callback_query, *render.program_card(view, context.lang))
    return IDLE


async def _preview(update: Update, context: BotContext, actor: Actor, press: WeekPress) -> int:
    view = await authoring.program_for_author(context.uow, actor=actor, program_id=press.program_id)
    if not 1 <= press.week <= view.weeks:
        raise authoring.WeekOutOfProgram(weeks=view.weeks)
    await edit_or_reply(update, *render.preview(view, press.week, context.lang))
    return IDLE


_PROGRAM_STEPS = {
    ProgramAction.OPEN: _open,
    ProgramAction.WRITE: _pick_week_to_write,
    ProgramAction.COPY: _pick_week_to_copy,
    ProgramAction.MATERIALS: _materials,
    ProgramAction.PUBLISH: _publish,
    ProgramAction.UNPUBLISH: _unpublish,
}
_WEEK_STEPS = {
    WeekAction.WRITE: _write_week,
    WeekAction.COPY_FROM: _copy_from,
    WeekAction.COPY_TO: _copy_to,
    WeekAction.PREVIEW: _preview,
}


# Writing a week.


async def week_text(update: Update, context: BotContext) -> int:
    """The lines of a week (or of several, each with its W): saved whole, or not at all."""
    actor, current = context.actor, context.user_data.get(CURRENT) or {}
    if actor is None or "id" not in current:
        return END
    try:
        view, weeks = await authoring.write_weeks(
            context.uow,
            actor=actor,
            program_id=uuid.UUID(current["id"]),
            text=update.effective_message.text,
            week=current.get("week"),
        )
    except ProgramTextError as err:
        log.info("program text refused for %s: %s", actor.user_id, err.detail)
        await update.effective_message.reply_text(_problems_text(err, context.lang))
        return WEEK_TEXT
    saved = t("programs.write.saved", context.lang, weeks=", ".join(map(str, weeks)))
    text, markup = render.program_card(view, context.lang)
    await update.effective_message.reply_text(f"{saved}\n\n{text}", reply_markup=markup)
    return IDLE


def _problems_text(err: ProgramTextError, lang: str | None) -> str:
    lines = [t("programs.text.nothing_saved", lang)]
    for problem in err.problems:
        reason = t(problem.key, lang, **problem.params)
        lines.append(t("programs.text.line", lang, line=problem.line, reason=reason))
    return "\n".join(lines)


# Materials.


async def material_received(update: Update, context: BotContext) -> int:
    """A PDF, picture or video for the program: checked by its bytes, stored, listed."""
    actor, current = context.actor, context.user_data.get(CURRENT) or {}
    message = update.effective_message
    if actor is None or "id" not in current:
        return END
    file_id, name, size = _upload_of(message)
    program_id = uuid.UUID(current["id"])
    try:
        local = context.services.telegram_local_mode
        materials.check_size(size, fetchable=download_limit(local_mode=local))
        material = await materials.attach(
            context.uow,
            context.services.storage,
            actor=actor,
            program_id=program_id,
            filename=name,
            declared_size=size,
            source=telegram_file_chunks(context.bot, file_id),
            telegram_file_id=file_id,
        )
    except DomainError as err:
        log.info("material refused for %s: %s", actor.user_id, err.message_key)
        await message.reply_text(refusal_text(err, context))
        return MATERIAL
    except TelegramError as err:
        log.warning("material from %s could not be fetched: %r", actor.user_id, err)
        await message.reply_text(t("programs.error.material_fetch", context.lang))
        return MATERIAL
    await message.reply_text(t("programs.materials.added", context.lang, title=material.title))
    view = await authoring.program_for_author(context.uow, actor=actor, program_id=program_id)
    files = await materials.materials_of(context.uow, actor=actor, program_id=program_id)
    text, markup = render.materials_prompt(view, files, context.lang)
    await message.reply_text(text, reply_markup=markup)
    return MATERIAL


def _upload_of(message: Message) -> tuple[str, str, int | None]:
    if message.document is not None:
        doc = message.document
        return doc.file_id, doc.file_name or "document", doc.file_size
    if message.video is not None:
        video = message.video
        return video.file_id, video.file_name or "video.mp4", video.file_size
    photo = message.photo[-1]  # the largest size
    return photo.file_id, "photo.jpg", photo.file_size


# A new program, question by question.


async def _new(update: Update, context: BotContext, actor: Actor) -> int:
    if actor.coach_id is None:
        raise authoring.NotAnAuthor("no coach profile")
    context.user_data[NEW] = {}
    await edit_or_reply(
        update, t("programs.ask.title", context.lang), render.cancel_markup(context.lang)
    )
    return TITLE


async def on_new_press(update: Update, context: BotContext) -> int:
    """A button of the new-program questions: a sport, a level, Free or Cancel."""
    press = NewPress.parse(update.callback_query.data)
    answers = context.user_data.get(NEW)
    if press is None or answers is None:
        await refuse(update, context, reason="new program button: malformed or stale")
        return IDLE
    if press.action == NewAction.CANCEL:
        context.user_data.pop(NEW, None)
        await edit_or_reply(update, t("programs.cancelled", context.lang), None)
        return END
    try:
        if press.action == NewAction.SPORT:
            return await _sport(update, context, details.parse_sport(press.choice or ""))
        if press.action == NewAction.LEVEL:
            return await _level(update, context, details.parse_difficulty(press.choice or ""))
        return await _price(update, context, None, None)
    except DomainError as err:
        await refuse(update, context, reason=f"new program button: {err.message_key}")
        return IDLE


async def title(update: Update, context: BotContext) -> int:
    """The title; then the sport."""
    _answers(context)["title"] = details.parse_title(update.effective_message.text)
    await update.effective_message.reply_text(
        t("programs.ask.sport", context.lang), reply_markup=render.sport_choices(context.lang)
    )
    return SPORT


async def sport_typed(update: Update, context: BotContext) -> int:
    """A sport typed instead of pressed."""
    return await _sport(update, context, details.parse_sport(update.effective_message.text))


async def _sport(update: Update, context: BotContext, sport: str) -> int:
    _answers(context)["sport"] = sport
    await edit_or_reply(
        update, t("programs.ask.level", context.lang), render.level_choices(context.lang)
    )
    return LEVEL


async def _level(update: Update, context: BotContext, level: details.Difficulty) -> int:
    _answers(context)["level"] = level.value
    text = t("programs.ask.weeks", context.lang, most=52)
    await edit_or_reply(update, text, render.cancel_markup(context.lang))
    return WEEKS


async def level_typed(update: Update, context: BotContext) -> int:
    """A level typed instead of pressed."""
    return await _level(update, context, details.parse_difficulty(update.effective_message.text))


async def weeks(update: Update, context: BotContext) -> int:
    """How many weeks; then the skills."""
    _answers(context)["weeks"] = details.parse_weeks(update.effective_message.text)
    await update.effective_message.reply_text(
        t("programs.ask.skills", context.lang), reply_markup=render.cancel_markup(context.lang)
    )
    return SKILLS


async def skills(update: Update, context: BotContext) -> int:
    """The target skills; then the description."""
    _answers(context)["skills"] = details.parse_skills(update.effective_message.text)
    await update.effective_message.reply_text(
        t("programs.ask.description", context.lang), reply_markup=render.cancel_markup(context.lang)
    )
    return DESCRIPTION


async def description(update: Update, context: BotContext) -> int:
    """The description; then the price."""
    _answers(context)["description"] = details.parse_description(update.effective_message.text)
    await update.effective_message.reply_text(
        t("programs.ask.price", context.lang),
        reply_markup=render.cancel_markup(context.lang, free=True),
    )
    return PRICE


async def price(update: Update, context: BotContext) -> int:
    """The price (or free): with it the program is saved as a draft."""
    amount, currency = details.parse_price(update.effective_message.text)
    return await _price(update, context, amount, currency)


async def _price(
    update: Update, context: BotContext, amount: Decimal | None, currency: str | None
) -> int:
    answers, actor = _answers(context), context.actor
    if actor is None or not {"title", "sport", "level", "weeks", "skills", "description"} <= set(
        answers
    ):
        context.user_data.pop(NEW, None)
        await edit_or_reply(update, t("common.stale_button", context.lang), None)
        return END
    view = await authoring.start_program(
        context.uow,
        actor=actor,
        details=details.ProgramDetails(
            title=answers["title"],
            sport=answers["sport"],
            difficulty=details.Difficulty(answers["level"]),
            weeks=answers["weeks"],
            skills=answers["skills"],
            description=answers["description"],
            price=amount,
            currency=currency,
        ),
    )
    context.user_data.pop(NEW, None)
    context.user_data[CURRENT] = {"id": str(view.id)}
    text, markup = render.program_card(view, context.lang)
    created = t("programs.created", context.lang)
    await edit_or_reply(update, f"{created}\n\n{text}", markup)
    return IDLE


def _answers(context: BotContext) -> dict[str, Any]:
    return context.user_data.setdefault(NEW, {})


def _answering(state: int, step: Step) -> Step:
    """Answer a refused answer with its hint and ask the same question again."""

    async def answering(update: Update, context: BotContext) -> int:
        try:
            return await step(update, context)
        except DomainError as err:
            log.info("program answer refused at step %s: %s", state, err.message_key)
            await update.effective_message.reply_text(refusal_text(err, context))
            return state

    return answering


def _hint(state: int) -> Step:
    async def hint(update: Update, context: BotContext) -> int:
        key = "programs.hint.file" if state == MATERIAL else "programs.hint.text"
        await update.effective_message.reply_text(t(key, context.lang))
        return state

    return hint


_ANSWERS: dict[int, Step] = {
    TITLE: title,
    SPORT: sport_typed,
    LEVEL: level_typed,
    WEEKS: weeks,
    SKILLS: skills,
    DESCRIPTION: description,
    PRICE: price,
    WEEK_TEXT: week_text,
}
