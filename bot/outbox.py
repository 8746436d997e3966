"""The bot's side of the notifications outbox: render a notification and send it to Telegram.

What to send and when lives in `domain.notifications`; here a claimed notification becomes a
message in the recipient's language, and Telegram's answer becomes a delivery outcome.

The payload, as whoever queues a notification writes it:
- Every key but those in `PAYLOAD_KEYS` fills in the text `notification.<kind>`. A value under
  a key ending in `_at` that is an aware ISO-8601 time is shown in the recipient's own time
  zone and language ("Tue 1 Dec, 16:00"; see `bot.local_time`).
- Values under keys in `bot.local_time.WORDS` are codes (e.g. `session_type: "group"`) shown
  through their catalogue entry (`session.type.group`) in the recipient's language; a key
  ending in `_clock` shows an instant's local time of day; `{"amount", "currency"}` is money;
  `{"lines": <key>, "items": [...]}` is a list, a line per item worded by that key.
- `buttons`: rows of `{"label": <catalogue key>, "button": <intent>, "params": {...}, ...}`
  (params optional, filling in the label; the other keys are the intent's values, e.g.
  `session_id`), shown as an inline keyboard in the recipient's language. The capability's
  delivery module turns the intent into callback data (`BUTTONS`); a row queued before buttons
  were intents carries its callback data under `data`, used as it is.
- `document`: `{"filename": ..., "content": <the file's text>, "mime": ...}`, sent as a file
  (`domain.booking.calendar_files.ics_document` writes one). A text that fits a caption goes with
  it,
  buttons included; a longer one is sent first, with the buttons, and the file after it.
A payload that breaks these shapes is given up at once: no retry would fix it.
Once a text is sent, a capability may follow it up (`AFTER_SENT`: a payment received refreshes
the coach's session card, `handlers.booking.delivery`); a follow-up that fails is logged and
changes nothing about the notice.

A few kinds are Bot API calls, not texts: an invoice or a Stars refund
(`handlers.payments.delivery`),
a video with its analysis or a coach's feedback (`handlers.videos.delivery`), a program day with
its buttons (`handlers.programs.delivery`), a post in a team's group
(`handlers.clubs.delivery`); their errors count as
its buttons (`handlers.programs.delivery`), a nutrition plan's day, meal or week
(`handlers.nutrition.delivery`); their errors count as
a
message's would.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.constants import MessageLimit
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.warnings import PTBDeprecationWarning

from bot.i18n import t
from bot.local_time import localized
from bot.metrics import count_notices
from bot.sending import send_text, utf16_len
from domain.notifications.outbox import Claimed, Deliver, DeliveryResult, drain
from handlers.booking import delivery as booking_delivery
from handlers.clubs import delivery as clubs_delivery
from handlers.clubs import series_delivery
from handlers.nutrition import delivery as nutrition_delivery
from handlers.payments import delivery as payments_delivery
from handlers.people import delivery as people_delivery
from handlers.programs import delivery as programs_delivery
from handlers.videos import delivery as video_delivery

if TYPE_CHECKING:
    from bot.app import BotContext
    from bot.wiring import Services

log = logging.getLogger(__name__)
SIDE_EFFECTS = {
    **payments_delivery.SIDE_EFFECTS,
    **video_delivery.SIDE_EFFECTS,
    **programs_delivery.SIDE_EFFECTS,
    **clubs_delivery.SIDE_EFFECTS,
    **nutrition_delivery.SIDE_EFFECTS,
}
AFTER_SENT = booking_delivery.AFTER_SENT
BUTTONS = {
    **booking_delivery.BUTTONS,
    **clubs_delivery.BUTTONS,
    **series_delivery.BUTTONS,
    **payments_delivery.BUTTONS,
    **people_delivery.BUTTONS,
    **video_delivery.BUTTONS,
}
BATCH_SIZE = 50
# Bounds one run, so a huge backlog cannot keep a run going past the next one's start.
MAX_BATCHES_PER_RUN = 20
PAYLOAD_KEYS = frozenset({"buttons", "document"})
CAPTION_LIMIT: int = MessageLimit.CAPTION_LENGTH
DEFAULT_MIME = "application/octet-stream"


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file that goes with a notification."""

    filename: str
    content: bytes
    mime: str


@dataclass(frozen=True, slots=True)
class Rendered:
    """A notification ready to send: its text, its buttons, its file."""

    text: str
    keyboard: InlineKeyboardMarkup | None = None
    attachment: Attachment | None = None


def render(notification: Claimed) -> Rendered:
    """The message for a notification; KeyError, ValueError or TypeError for a bad payload."""
    payload, lang = notification.payload, notification.language
    params = {key: value for key, value in payload.items() if key not in PAYLOAD_KEYS}
    params = localized(params, notification.timezone, lang)
    return Rendered(
        text=t(f"notification.{notification.kind}", lang, **params),
        keyboard=_keyboard(payload.get("buttons"), lang),
        attachment=_attachment(payload.get("document")),
    )


def _keyboard(rows: object, lang: str | None) -> InlineKeyboardMarkup | None:
    if rows is None:
        return None
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise ValueError(f"buttons must be a list of rows, not {rows!r}")
    return InlineKeyboardMarkup([[_button(spec, lang) for spec in row] for row in rows])


def _button(spec: object, lang: str | None) -> InlineKeyboardButton:
    if not isinstance(spec, dict):
        raise ValueError(f"a button must be an object, not {spec!r}")
    params = spec.get("params") or {}
    if not isinstance(params, dict):
        raise ValueError(f"button params must be an object, not {params!r}")
    label = t(str(spec.get("label")), lang, **params)
    return InlineKeyboardButton(label, callback_data=_callback_data(spec))


def _callback_data(spec: dict[str, object]) -> str:
    if isinstance(spec.get("data"), str):  # queued before buttons were intents
        return str(spec["data"])
    build = BUTTONS.get(str(spec.get("button")))
    if build is None:
        raise ValueError(f"a button needs a label key and a known intent, not {spec!r}")
    return build(spec)


def _attachment(document: object) -> Attachment | None:
    if document is None:
        return None
    if not isinstance(document, dict):
        raise ValueError(f"a document must be an object, not {document!r}")
    filename, content = document.get("filename"), document.get("content")
    if not isinstance(filename, str) or not filename or not isinstance(content, str):
        raise ValueError("a document needs a filename and its content as text")
    mime = document.get("mime")
    return Attachment(
        filename, content.encode("utf-8"), mime if isinstance(mime, str) else DEFAULT_MIME
    )


def telegram_deliverer(bot: Bot, services: Services | None = None) -> Deliver:
    """A `deliver` for `domain.notifications.drain` that sends through `bot`.

    Without `services` it sends texts only; a side-effect kind (an invoice) is left for a
    sender that has them.
    """

    async def deliver(notification: Claimed) -> DeliveryResult:
        side_effect = SIDE_EFFECTS.get(notification.kind)
        if side_effect is not None:
            if services is None:
                return DeliveryResult.retry(f"this sender cannot deliver {notification.kind}")
            return await _side_effect(bot, services, notification)
        if notification.chat_id is None:
            return DeliveryResult.final("recipient has no Telegram chat")
        try:
            message = render(notification)
        except (KeyError, ValueError, IndexError, TypeError) as err:
            _log_bad_payload(notification, err)
            return DeliveryResult.final(f"cannot render: {err!r}")
        result = await _outcome(_send_message(bot, notification.chat_id, message))
        if result == DeliveryResult.SENT and services is not None:
            await _follow_up(bot, services, notification)
        return result

    return deliver


async def _follow_up(bot: Bot, services: Services, notification: Claimed) -> None:
    follow_up = AFTER_SENT.get(notification.kind)
    if follow_up is None:
        return
    try:
        await follow_up(bot, services, notification)
    # The notice is out: whatever goes wrong here must not make it a retry, sent twice.
    except Exception:
        log.warning("follow-up of notification %s failed", notification.id, exc_info=True)


async def _side_effect(bot: Bot, services: Services, notification: Claimed) -> DeliveryResult:
    try:
        return await _outcome(SIDE_EFFECTS[notification.kind](bot, services, notification))
    except (KeyError, TypeError) as err:  # a payload missing what the call needs
        _log_bad_payload(notification, err)
        return DeliveryResult.final(f"bad payload: {err!r}")


def _log_bad_payload(notification: Claimed, err: Exception) -> None:
    log.error(
        "notification %s (%s) cannot be delivered: %r", notification.id, notification.kind, err
    )


async def _outcome(sending: Awaitable[DeliveryResult | None]) -> DeliveryResult:
    """What Telegram's answer to a send (or any Bot API call) means for the notification."""
    try:
        result = await sending
    except Forbidden as err:  # bot.errors.RecipientBlocked included
        return DeliveryResult.blocked(err.message)
    except BadRequest as err:  # a NetworkError in PTB, but no retry fixes it
        return DeliveryResult.final(err.message)
    except RetryAfter as err:
        return DeliveryResult.retry(err.message, retry_after=_retry_after(err))
    except TelegramError as err:  # NetworkError and TimedOut included
        return DeliveryResult.retry(err.message)
    except ValueError as err:  # send_text refuses an empty text; a payload id may not parse
        log.error("a notification cannot be sent: %r", err)
        return DeliveryResult.final(str(err))
    return result or DeliveryResult.SENT


async def _send_message(bot: Bot, chat_id: int, message: Rendered) -> None:
    if message.attachment is None:
        await send_text(bot, chat_id, message.text, reply_markup=message.keyboard)
        return
    file = InputFile(message.attachment.content, filename=message.attachment.filename)
    file.mimetype = message.attachment.mime
    if utf16_len(message.text) <= CAPTION_LIMIT:
        await bot.send_document(chat_id, file, caption=message.text, reply_markup=message.keyboard)
        return
    # If the file then fails, a retry sends the text again: at least once, as everywhere here.
    await send_text(bot, chat_id, message.text, reply_markup=message.keyboard)
    await bot.send_document(chat_id, file)


def _retry_after(err: RetryAfter) -> timedelta:
    with warnings.catch_warnings():
        # An int in seconds until PTB_TIMEDELTA becomes PTB's default; either is fine here.
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        wait = err.retry_after
    return wait if isinstance(wait, timedelta) else timedelta(seconds=wait)


async def send_due_notifications(context: BotContext, now: datetime | None = None) -> None:
    """Job: send what is due, batch after batch, until nothing is left (bounded per run).

    `now` is the real time unless a test freezes it.
    """
    deliver = telegram_deliverer(context.bot, context.services)
    for _ in range(MAX_BATCHES_PER_RUN):
        try:
            report = await drain(
                context.services.uow,
                now=now or datetime.now(UTC),
                limit=BATCH_SIZE,
                deliver=deliver,
            )
        # asyncpg's connection errors (Postgres down) are OSErrors SQLAlchemy does not wrap.
        except (SQLAlchemyError, OSError):
            # Nothing of the batch was committed; the next run sends it again.
            log.exception("could not send due notifications")
            return
        count_notices({outcome.value: count for outcome, count in report.outcomes.items()})
        if report.claimed < BATCH_SIZE:
            return
