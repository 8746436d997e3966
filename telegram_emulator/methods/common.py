"""Pieces shared by the methods that send or change messages."""

from __future__ import annotations

from typing import Any

from telegram_emulator import errors
from telegram_emulator.errors import bad_request, forbidden
from telegram_emulator.formatting import EntityParseError, UnsupportedParseMode, parse, utf16_len
from telegram_emulator.params import Params
from telegram_emulator.world import BotState, Chat, Json

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
# What the bot may send alongside any message, accepted and (where it matters) honoured.
SEND_OPTIONS = (
    "disable_notification",
    "protect_content",
    "message_thread_id",
    "reply_parameters",
    "business_connection_id",
    "message_effect_id",
    "allow_paid_broadcast",
    "direct_messages_topic_id",
    "suggested_post_parameters",
    "allow_sending_without_reply",
    "reply_to_message_id",
    "reply_markup",
)


def target_chat(bot: BotState, p: Params) -> Chat:
    """The chat a send goes to, refusing as Telegram does when the bot may not write there."""
    chat_id = p.chat_id()
    chat = bot.world.chats.get(chat_id)
    if chat is None:
        raise bad_request(errors.CHAT_NOT_FOUND)
    if chat.person is not None:
        if chat.id in bot.blocked_by:
            raise forbidden(errors.BLOCKED)
        if chat.id not in bot.started_by:
            raise forbidden(errors.CANNOT_INITIATE)
    elif not chat.has_bot(bot.id):
        raise forbidden(errors.NOT_A_MEMBER)
    return chat


def formatted(
    text: str, parse_mode: str | None, entities: Any, *, limit: int, too_long: str
) -> tuple[str, list[Json]]:
    """Parse markup (or take explicit entities) and apply the length limit after parsing."""
    try:
        plain, found = parse(text, parse_mode) if not entities else (text, list(entities))
    except UnsupportedParseMode:
        raise bad_request("unsupported parse_mode") from None
    except EntityParseError as err:
        raise bad_request(f"can't parse entities: {err}") from None
    if utf16_len(plain) > limit:
        raise bad_request(too_long)
    return plain, found


def text_content(p: Params, *, name: str = "text") -> Json:
    """The text and entities of sendMessage/editMessageText."""
    text = p.str(name)
    if not text or not text.strip():
        raise bad_request(errors.TEXT_EMPTY)
    plain, entities = formatted(
        text,
        p.str("parse_mode"),
        p.json("entities"),
        limit=MAX_TEXT,
        too_long=errors.MESSAGE_TOO_LONG,
    )
    if not plain.strip():
        raise bad_request(errors.TEXT_EMPTY)
    content: Json = {"text": plain}
    if entities:
        content["entities"] = entities
    return content


def caption_content(p: Params) -> Json:
    """The caption and caption_entities of a media message."""
    caption = p.str("caption")
    if not caption:
        return {}
    plain, entities = formatted(
        caption,
        p.str("parse_mode"),
        p.json("caption_entities"),
        limit=MAX_CAPTION,
        too_long=errors.CAPTION_TOO_LONG,
    )
    content: Json = {"caption": plain}
    if entities:
        content["caption_entities"] = entities
    return content


def reply_markup(p: Params) -> Json | None:
    """Validate a reply_markup the way Telegram does; return it for storing."""
    markup = p.json("reply_markup")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        _check_inline_keyboard(markup["inline_keyboard"])
    elif "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad_request('field "keyboard" must be an Array')
        markup["keyboard"] = [
            [b if isinstance(b, dict) else {"text": str(b)} for b in row] for row in rows
        ]
    elif not ("remove_keyboard" in markup or "force_reply" in markup):
        raise bad_request("can't parse reply keyboard markup JSON object")
    return markup


def _check_inline_keyboard(rows: Any) -> None:
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise bad_request('field "inline_keyboard" must be an Array')
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not button.get("text"):
                raise bad_request('can\'t find field "text"')
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA:
                raise bad_request(errors.BUTTON_DATA_INVALID)
            kinds = {
                "callback_data",
                "url",
                "pay",
                "switch_inline_query",
                "web_app",
                "login_url",
                "callback_game",
                "copy_text",
                "switch_inline_query_current_chat",
                "switch_inline_query_chosen_chat",
            }
            if not kinds & button.keys():
                raise bad_request("BUTTON_TYPE_INVALID")


def reply_to(bot: BotState, chat: Chat, p: Params) -> Json | None:
    """The message replied to, from reply_parameters (or the older reply_to_message_id)."""
    params = p.json("reply_parameters") or {}
    message_id = params.get("message_id") or p.int("reply_to_message_id")
    if not message_id:
        return None
    original = bot.messages.get((int(params.get("chat_id") or chat.id), int(message_id)))
    if original is None or original.get("_deleted"):
        allow = params.get("allow_sending_without_reply") or p.bool("allow_sending_without_reply")
        if allow:
            return None
        raise bad_request("message to be replied not found")
    # One level only, as on Telegram, and without the emulator's own bookkeeping fields.
    return {k: v for k, v in public(original).items() if k != "reply_to_message"}


async def send(bot: BotState, chat: Chat, content: Json, p: Params | None = None) -> Json:
    """Build, store and show a message from the bot; return it as the Bot API does."""
    message: Json = {
        "message_id": bot.next_message_id(chat.id),
        "from": bot.as_sender(),
        "chat": chat.as_chat(),
        "date": bot.world.now(),
        **content,
    }
    if p is not None:
        markup = reply_markup(p)
        if markup is not None:
            message["_reply_markup"] = markup
            if "inline_keyboard" in markup:
                message["reply_markup"] = markup
        original = reply_to(bot, chat, p)
        if original is not None:
            message["reply_to_message"] = original
        if p.bool("protect_content"):
            message["has_protected_content"] = True
    bot.store_message(message)
    await bot.world.emit("message", chat.id, client_view(message))
    return public(message)


def public(message: Json) -> Json:
    """The message without the emulator's own bookkeeping fields."""
    return {k: v for k, v in message.items() if not k.startswith("_")}


def client_view(message: Json) -> Json:
    """What a Telegram app shows: the message plus any reply keyboard it carries."""
    view = public(message)
    if message.get("_reply_markup") is not None:
        view["client_markup"] = message["_reply_markup"]
    return view


def stored_message(bot: BotState, p: Params, *, missing: str) -> Json:
    """The bot's message named by chat_id + message_id, or Telegram's not-found error."""
    if p.has("inline_message_id"):
        raise bad_request("inline messages are not supported by the emulator")
    chat_id = p.chat_id()
    message = bot.messages.get((chat_id, p.int("message_id", required=True) or 0))
    if message is None or message.get("_deleted"):
        raise bad_request(missing)
    return message
