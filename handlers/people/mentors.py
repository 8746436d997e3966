"""Mentors: /mentor asks a family to follow their child; the guardian's Approve/Decline buttons
and, from /children, each child's mentors with their videos on or off.

The mentor shares the contact of the athlete's parent (📎 → Contact), or of the athlete; the
reply is the same whoever it is, so a contact tells a stranger nothing about a family. The
guardian's buttons (`handlers.people.callbacks`: the answer to a request, a child's mentors,
one mentor's videos) are checked again by the domain: a forged or someone else's press is
refused and changes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.app import BotApplication, BotContext
from bot.callbacks import refuse
from bot.i18n import t
from domain.errors import DomainError, NotAllowed, NotFound
from domain.people import mentor_videos, mentors
from domain.people.mentor_videos import ChildsMentor
from domain.policy import Actor
from handlers.people.callbacks import (
    MENTOR_FLOW,
    ApproveMentor,
    ChildsMentors,
    DeclineMentor,
    MentorApproval,
    MentorVideos,
    VideoSwitch,
)
from handlers.people.family_render import say
from handlers.shared.callback_data import CallbackData, flow_pattern, parse_any
from handlers.shared.common import cancel_fallback
from handlers.shared.echo import echo
from handlers.shared.menu_entries import AskToMentor

CONTACT = 0
ROLE_COMMANDS = {"mentor": [("mentor", "mentor.command_mentor")]}


def register(application: BotApplication) -> None:
    """Add /mentor (and the menu's button) and the guardian's answer buttons."""
    application.add_handler(ask_conversation())
    application.add_handler(CallbackQueryHandler(on_button, pattern=flow_pattern(MENTOR_FLOW)))


def ask_conversation() -> ConversationHandler[BotContext]:
    """/mentor: ask for the parent's contact, then send the request."""
    return ConversationHandler(
        entry_points=[
            CommandHandler("mentor", begin),
            CallbackQueryHandler(begin, pattern=AskToMentor.pattern()),
        ],
        states={
            CONTACT: [
                MessageHandler(filters.CONTACT, got_contact),
                # Not a reply: a mentor who left this question open still gives feedback by
                # replying to a video they were sent (handlers.videos.feedback).
                MessageHandler(filters.TEXT & ~filters.COMMAND & ~filters.REPLY, not_a_contact),
            ]
        },
        fallbacks=[cancel_fallback()],
        name="mentor_ask",
        persistent=True,
        allow_reentry=True,
    )


async def begin(update: Update, context: BotContext) -> int:
    """Explain how to name the family; only mentors may ask."""
    if update.callback_query is not None:
        await update.callback_query.answer()
    if not mentors.may_ask_to_mentor(context.actor):
        await say(update, t("mentor.mentors_only", context.lang), edit=False)
        return ConversationHandler.END
    await say(update, t("mentor.ask", context.lang), edit=False)
    return CONTACT


async def got_contact(update: Update, context: BotContext) -> int:
    """A shared contact: the request goes to that family's guardian, if there is one."""
    contact, actor = update.effective_message.contact, context.actor
    if contact is None or contact.user_id is None or actor is None:
        await say(update, t("mentor.contact_without_telegram", context.lang), edit=False)
        return CONTACT
    try:
        await mentors.ask_to_mentor(
            context.uow,
            actor=actor,
            contact_telegram_id=contact.user_id,
            now=datetime.now(UTC),
        )
    except DomainError as err:
        await say(update, t(err.message_key, context.lang), edit=False)
        return ConversationHandler.END
    name = echo(contact.first_name)  # the sender's client wrote it: shown short
    await say(update, t("mentor.asked", context.lang, name=name), edit=False)
    return ConversationHandler.END


async def not_a_contact(update: Update, context: BotContext) -> int:
    """Typed text, a photo...: say again how to share a contact."""
    await say(update, t("mentor.ask", context.lang), edit=False)
    return CONTACT


async def on_button(update: Update, context: BotContext) -> None:
    """A guardian's press: answering a request, or a child's mentors and their videos."""
    press = parse_any(update.callback_query.data, _BUTTONS)
    actor = context.actor
    if press is None or actor is None:
        await refuse(update, context, reason="mentor button: malformed or not signed up")
        return
    try:
        await _BUTTONS[type(press)](update, context, actor, press)
    except (NotAllowed, NotFound) as err:
        await refuse(update, context, reason=f"mentor {press.prefix}: {err.detail}")
    except DomainError as err:
        await update.callback_query.answer(t(err.message_key, context.lang), show_alert=True)


async def show_mentors(
    update: Update, context: BotContext, actor: Actor, press: ChildsMentors | MentorVideos
) -> None:
    """A child's mentors, after turning one mentor's videos on or off if that was pressed."""
    if isinstance(press, MentorVideos):
        name, found = await mentor_videos.set_video_consent(
            context.uow,
            actor=actor,
            athlete_id=press.athlete_id,
            mentor_user_id=press.mentor_id,
            allowed=press.switch == VideoSwitch.ON,
        )
    else:
        name, found = await mentor_videos.mentors_of_child(
            context.uow, actor=actor, athlete_id=press.athlete_id
        )
    lang = context.lang
    text = t("mentor.list", lang, name=name) if found else t("mentor.list_empty", lang, name=name)
    await say(update, text, _mentors_markup(press.athlete_id, found, lang))


def _mentors_markup(
    athlete_id: uuid.UUID, found: list[ChildsMentor], lang: str | None
) -> InlineKeyboardMarkup | None:
    """A button per mentor: their name and whether videos go to them; a press turns it over."""
    rows = [
        [
            InlineKeyboardButton(
                t("mentor.button.videos_on" if m.videos else "mentor.button.videos_off", lang,
                  mentor=m.name),
                callback_data=MentorVideos(
                    athlete_id, m.user_id, VideoSwitch.OFF if m.videos else VideoSwitch.ON
                ).pack(),
            )
        ]
        for m in found
    ]  # fmt: skip
    return InlineKeyboardMarkup(rows) if rows else None


async def answer(
    update: Update, context: BotContext, actor: Actor, press: ApproveMentor | DeclineMentor
) -> None:
    """A guardian's Approve (with or without videos) or Decline; checked again by the domain."""
    approve = press if isinstance(press, ApproveMentor) else None  # None: declined
    outcome = await mentors.answer_request(
        context.uow,
        actor=actor,
        request_id=press.request_id,
        athlete_id=approve.athlete_id if approve else None,
        videos=approve is not None and approve.approval == MentorApproval.WITH_VIDEOS,
        now=datetime.now(UTC),
    )
    await say(update, _answer_text(outcome, context.lang))  # answers the press, edits the notice


_BUTTONS: dict[type[CallbackData], Callable[..., Awaitable[None]]] = {
    ApproveMentor: answer,
    DeclineMentor: answer,
    ChildsMentors: show_mentors,
    MentorVideos: show_mentors,
}


def _answer_text(answer: mentors.MentorAnswer, lang: str | None) -> str:
    if answer.outcome == mentors.APPROVED and answer.athlete_name:
        key = "mentor.approved_videos" if answer.videos else "mentor.approved"
        return t(key, lang, mentor=answer.mentor_name, name=answer.athlete_name)
    if answer.outcome == mentors.DECLINED and not answer.athlete_name:
        return t("mentor.declined", lang, mentor=answer.mentor_name)
    return t("mentor.answered_before", lang, mentor=answer.mentor_name)
