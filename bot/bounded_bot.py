"""The bot the application talks through: whatever it sends fits Telegram's length limits.

Handlers shorten the user text they quote (`handlers.shared.echo`), but a reply is built from
many pieces, and one piece too long must not turn a polite answer into "message is too long"
and the generic apology. So every call that carries text is checked here, on its way out:
- a message over 4096 UTF-16 units is split (`bot.sending.split_text`), its keyboard on the
  last part, which is the message returned;
- an edit, a caption or a button's answer cannot be split: it is cut at a natural boundary
  and ends with "…" (`bot.sending.shortened`).
Plain text and HTML only: Markdown, or text with explicit entities, goes out unchanged (no
handler sends either; cutting them could break their markup). An album's captions are the
caller's business (`handlers.videos.delivery` fits them).
"""

from __future__ import annotations

import inspect
import logging
from functools import cache
from typing import Any

from telegram import Message
from telegram.constants import CallbackQueryLimit, MessageLimit, ParseMode
from telegram.ext import ExtBot

from bot.sending import TEXT_LIMIT, shortened, split_text, utf16_len

logger = logging.getLogger(__name__)

CAPTION_LIMIT: int = MessageLimit.CAPTION_LENGTH
ANSWER_LIMIT: int = CallbackQueryLimit.ANSWER_CALLBACK_QUERY_TEXT_LENGTH
_CAPTIONED = ("send_animation", "send_audio", "send_document", "send_photo", "send_video")


class BoundedBot(ExtBot[None]):
    """PTB's ExtBot whose messages, edits, captions and button answers never exceed limits."""

    async def send_message(self, *args: Any, **kwargs: Any) -> Message:
        """Send a message; one too long for Telegram goes as several, the keyboard on the last."""
        text = kwargs.get("text")
        if not args and isinstance(text, str) and len(text) * 2 <= TEXT_LIMIT:
            # At most two UTF-16 units a character: it fits whatever it says. Most replies take
            # this way, spared binding the signature.
            return await super().send_message(**kwargs)
        call = _arguments("send_message", args, kwargs)
        parts = _parts(call, "text")
        if len(parts) > 1:
            logger.info("a message too long for Telegram goes in %d parts", len(parts))
        markup = call.pop("reply_markup", None)
        for part in parts[:-1]:
            await super().send_message(**{**call, "text": part})
        return await super().send_message(**{**call, "text": parts[-1], "reply_markup": markup})

    async def edit_message_text(self, *args: Any, **kwargs: Any) -> Message | bool:
        """Edit a message's text, shortened to Telegram's limit if need be."""
        call = _arguments("edit_message_text", args, kwargs)
        return await super().edit_message_text(**_fitted(call, "text", TEXT_LIMIT))

    async def edit_message_caption(self, *args: Any, **kwargs: Any) -> Message | bool:
        """Edit a caption, shortened to Telegram's limit if need be."""
        call = _arguments("edit_message_caption", args, kwargs)
        return await super().edit_message_caption(**_fitted(call, "caption", CAPTION_LIMIT))

    async def answer_callback_query(self, *args: Any, **kwargs: Any) -> bool:
        """Answer a button press, the notice shortened to Telegram's 200 characters."""
        call = _arguments("answer_callback_query", args, kwargs)
        return await super().answer_callback_query(**_fitted(call, "text", ANSWER_LIMIT))

    async def send_animation(self, *args: Any, **kwargs: Any) -> Message:
        """Send an animation, its caption shortened to Telegram's limit if need be."""
        return await super().send_animation(**_captioned("send_animation", args, kwargs))

    async def send_audio(self, *args: Any, **kwargs: Any) -> Message:
        """Send audio, its caption shortened to Telegram's limit if need be."""
        return await super().send_audio(**_captioned("send_audio", args, kwargs))

    async def send_document(self, *args: Any, **kwargs: Any) -> Message:
        """Send a document, its caption shortened to Telegram's limit if need be."""
        return await super().send_document(**_captioned("send_document", args, kwargs))

    async def send_photo(self, *args: Any, **kwargs: Any) -> Message:
        """Send a photo, its caption shortened to Telegram's limit if need be."""
        return await super().send_photo(**_captioned("send_photo", args, kwargs))

    async def send_video(self, *args: Any, **kwargs: Any) -> Message:
        """Send a video, its caption shortened to Telegram's limit if need be."""
        return await super().send_video(**_captioned("send_video", args, kwargs))

    async def send_voice(self, *args: Any, **kwargs: Any) -> Message:
        """Send a voice message, its caption shortened to Telegram's limit if need be."""
        return await super().send_voice(**_captioned("send_voice", args, kwargs))


@cache
def _signature(method: str) -> inspect.Signature:
    return inspect.signature(getattr(ExtBot, method))


def _arguments(method: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    # By name, however the caller passed them (PTB's shortcuts use keywords, our code mixes).
    bound = _signature(method).bind(None, *args, **kwargs)
    return {name: value for name, value in bound.arguments.items() if name != "self"}


def _captioned(method: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
    return _fitted(_arguments(method, args, kwargs), "caption", CAPTION_LIMIT)


def _html(call: dict[str, Any]) -> bool | None:
    """True for HTML, False for plain text, None for what cannot be cut safely."""
    mode = call.get("parse_mode")
    if call.get("entities") or call.get("caption_entities"):
        return None
    if not isinstance(mode, str):  # unset: PTB's DEFAULT_NONE, or None
        return False
    return True if mode == ParseMode.HTML else None


def _parts(call: dict[str, Any], field: str) -> list[str]:
    text, html = call.get(field), _html(call)
    if not isinstance(text, str) or html is None or utf16_len(text) <= TEXT_LIMIT:
        return [text]  # type: ignore[list-item]
    try:
        parts = split_text(text, html=html)
    except ValueError:  # one tag longer than a message: Telegram will say what is wrong
        return [text]
    return parts or [text]


def _fitted(call: dict[str, Any], field: str, limit: int) -> dict[str, Any]:
    text, html = call.get(field), _html(call)
    if isinstance(text, str) and html is not None and utf16_len(text) > limit:
        logger.warning("a %s of %d units was shortened to fit %d", field, utf16_len(text), limit)
        call[field] = shortened(text, limit=limit, html=html)
    return call
