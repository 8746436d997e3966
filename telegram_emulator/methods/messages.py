"""Sending, editing and deleting text messages; callback answers; chat actions."""

from __future__ import annotations

from telegram_emulator import errors
from telegram_emulator.errors import bad_request
from telegram_emulator.methods import api_method
from telegram_emulator.methods.common import (
    SEND_OPTIONS,
    caption_content,
    client_view,
    public,
    reply_markup,
    send,
    stored_message,
    target_chat,
    text_content,
)
from telegram_emulator.params import Params
from telegram_emulator.world import BotState, Json

CALLBACK_LIFETIME_S = 15 * 60
ACTIONS = {
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
}


def flood_check(bot: BotState, chat_id: int, is_group: bool, count: int = 1) -> None:
    """Count outgoing messages (one, or an album's) against Telegram's flood limits."""
    bot.world.flood.check(bot.id, chat_id, is_group=is_group, count=count)


@api_method(
    "sendMessage",
    "chat_id",
    "text",
    "parse_mode",
    "entities",
    "link_preview_options",
    "disable_web_page_preview",
    *SEND_OPTIONS,
)
async def send_message(bot: BotState, p: Params) -> Json:
    chat = target_chat(bot, p)
    content = text_content(p)
    reply_markup(p)  # refuse a bad keyboard before counting the message
    flood_check(bot, chat.id, chat.person is None)
    return await send(bot, chat, content, p)


ENTITIES_OF = {"text": "entities", "caption": "caption_entities"}


async def _edit(
    bot: BotState, message: Json, changes: Json, p: Params, removed: tuple[str, ...] = ()
) -> Json:
    if (message.get("from") or {}).get("id") != bot.id:
        raise bad_request("message can't be edited")  # bots edit only their own messages
    markup = reply_markup(p)
    if markup is not None and "inline_keyboard" not in markup:
        raise bad_request("inline keyboard expected")
    new_markup = markup if p.has("reply_markup") else None
    same_content = all(message.get(k) == v for k, v in changes.items())
    # New text (or caption) without entities drops the old ones; a markup-only edit keeps them.
    dropped = {ENTITIES_OF[k] for k in changes if k in ENTITIES_OF} - changes.keys()
    dropped = {k for k in (*dropped, *removed) if k in message}
    if same_content and not dropped and new_markup == message.get("reply_markup"):
        raise bad_request(errors.NOT_MODIFIED)
    for key in dropped:
        message.pop(key)
    message.update(changes)
    if new_markup is None:
        message.pop("reply_markup", None)
        if "inline_keyboard" in (message.get("_reply_markup") or {}):
            message.pop("_reply_markup")
    else:
        # What the app shows and lets the person press follows the edit.
        message["reply_markup"] = message["_reply_markup"] = new_markup
    message["edit_date"] = bot.world.now()
    await bot.world.emit("edit", message["chat"]["id"], client_view(message))
    return public(message)


@api_method(
    "editMessageText",
    "chat_id",
    "message_id",
    "inline_message_id",
    "text",
    "parse_mode",
    "entities",
    "link_preview_options",
    "disable_web_page_preview",
    "reply_markup",
    "business_connection_id",
)
async def edit_message_text(bot: BotState, p: Params) -> Json:
    message = stored_message(bot, p, missing=errors.MESSAGE_TO_EDIT_NOT_FOUND)
    if "text" not in message:
        raise bad_request(errors.NO_TEXT_TO_EDIT)
    return await _edit(bot, message, text_content(p), p)


@api_method(
    "editMessageCaption",
    "chat_id",
    "message_id",
    "inline_message_id",
    "caption",
    "parse_mode",
    "caption_entities",
    "show_caption_above_media",
    "reply_markup",
    "business_connection_id",
)
async def edit_message_caption(bot: BotState, p: Params) -> Json:
    message = stored_message(bot, p, missing=errors.MESSAGE_TO_EDIT_NOT_FOUND)
    if "text" in message:
        raise bad_request(errors.NO_CAPTION_TO_EDIT)
    changes = caption_content(p)
    removed = () if changes else ("caption", "caption_entities")
    return await _edit(bot, message, changes, p, removed)


@api_method(
    "editMessageReplyMarkup",
    "chat_id",
    "message_id",
    "inline_message_id",
    "reply_markup",
    "business_connection_id",
)
async def edit_message_reply_markup(bot: BotState, p: Params) -> Json:
    message = stored_message(bot, p, missing=errors.MESSAGE_TO_EDIT_NOT_FOUND)
    return await _edit(bot, message, {}, p)


@api_method("deleteMessage", "chat_id", "message_id")
async def delete_message(bot: BotState, p: Params) -> bool:
    message = stored_message(bot, p, missing=errors.MESSAGE_TO_DELETE_NOT_FOUND)
    if message["date"] < bot.world.now() - 48 * 3600:
        raise bad_request("message can't be deleted for everyone")
    message["_deleted"] = True
    await bot.world.emit("delete", message["chat"]["id"], {"message_id": message["message_id"]})
    return True


@api_method("answerCallbackQuery", "callback_query_id", "text", "show_alert", "url", "cache_time")
async def answer_callback_query(bot: BotState, p: Params) -> bool:
    query = bot.callback_queries.get(p.str("callback_query_id", required=True) or "")
    too_old = query is None or bot.world.clock() - query.created > CALLBACK_LIFETIME_S
    if query is None or too_old or query.answered:
        raise bad_request(errors.QUERY_TOO_OLD)
    text = p.str("text") or ""
    if len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    query.answered = True
    query.answer = {
        "callback_query_id": query.id,
        "text": text,
        "show_alert": p.bool("show_alert"),
        "url": p.str("url"),
    }
    await bot.world.emit(
        "callback_answer", query.chat_id, {**query.answer, "message_id": query.message_id}
    )
    return True


@api_method("sendChatAction", "chat_id", "action", "message_thread_id", "business_connection_id")
async def send_chat_action(bot: BotState, p: Params) -> bool:
    chat = target_chat(bot, p)
    action = p.str("action", required=True)
    if action not in ACTIONS:
        raise bad_request("wrong parameter action in request")
    await bot.world.emit("chat_action", chat.id, {"action": action})
    return True


COPY_OPTIONS = (
    "disable_notification",
    "protect_content",
    "message_thread_id",
    "video_start_timestamp",
    "direct_messages_topic_id",
    "suggested_post_parameters",
    "message_effect_id",
    "allow_paid_broadcast",
)


def _source(bot: BotState, p: Params, *, action: str) -> Json:
    from_chat_id = p.int("from_chat_id", required=True) or 0
    if from_chat_id not in bot.world.chats:
        raise bad_request(errors.CHAT_NOT_FOUND)
    source = bot.messages.get((from_chat_id, p.int("message_id") or 0))
    if source is None or source.get("_deleted"):
        raise bad_request(f"message to {action} not found")
    if source.get("has_protected_content"):
        raise bad_request(f"message can't be {'copied' if action == 'copy' else 'forwarded'}")
    return source


CONTENT_KEYS = (
    "text",
    "entities",
    "photo",
    "video",
    "animation",
    "document",
    "voice",
    "video_note",
    "caption",
    "caption_entities",
    "contact",
)


@api_method(
    "copyMessage",
    "chat_id",
    "from_chat_id",
    "message_id",
    "caption",
    "parse_mode",
    "caption_entities",
    "show_caption_above_media",
    "reply_markup",
    "reply_parameters",
    "allow_sending_without_reply",
    "reply_to_message_id",
    *COPY_OPTIONS,
)
async def copy_message(bot: BotState, p: Params) -> Json:
    chat = target_chat(bot, p)
    source = _source(bot, p, action="copy")
    content = {k: source[k] for k in CONTENT_KEYS if k in source}
    if not content or "invoice" in source:
        raise bad_request("message can't be copied")  # service messages and invoices
    # Sending caption, even empty, replaces the caption; texts and round videos have none.
    if p.raw("caption") is not None and not {"text", "video_note"} & content.keys():
        content.pop("caption", None)
        content.pop("caption_entities", None)
        content.update(caption_content(p))
    flood_check(bot, chat.id, chat.person is None)
    sent = await send(bot, chat, content, p)
    return {"message_id": sent["message_id"]}


@api_method("forwardMessage", "chat_id", "from_chat_id", "message_id", *COPY_OPTIONS)
async def forward_message(bot: BotState, p: Params) -> Json:
    chat = target_chat(bot, p)
    source = _source(bot, p, action="forward")
    content = {k: source[k] for k in (*CONTENT_KEYS, "invoice") if k in source}
    if not content:
        raise bad_request("message can't be forwarded")  # service messages
    sender = source.get("from") or {}
    content["forward_origin"] = (
        {"type": "user", "date": source["date"], "sender_user": sender}
        if sender
        else {"type": "hidden_user", "date": source["date"], "sender_user_name": "?"}
    )
    flood_check(bot, chat.id, chat.person is None)
    return await send(bot, chat, content)
