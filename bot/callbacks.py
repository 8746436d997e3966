"""Callback data for inline buttons: `flow:action:arg...`, at most Telegram's 64 bytes.

Callback data comes back from the client and can be forged, so it only ever names what was
pressed; handlers re-load the objects it names and ask domain.policy before acting. A press
that does not parse, or names something the presser may not touch, is answered politely by
`refuse` and written to the audit log.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from telegram import Update

from bot.i18n import t
from domain.audit import record_refusal
from domain.short_ids import parse_id, short_id

log = logging.getLogger(__name__)
MAX_BYTES = 64
SEPARATOR = ":"


@dataclass(frozen=True)
class Callback:
    """A parsed button press: which flow, which action, which arguments."""

    flow: str
    action: str
    args: tuple[str, ...] = ()

    def uuid_arg(self, index: int) -> uuid.UUID | None:
        """Argument `index` as an id packed by `short_id`, or None if it is not one."""
        if index >= len(self.args):
            return None
        return parse_id(self.args[index])


def pack(flow: str, action: str, *args: str | uuid.UUID | int) -> str:
    """Callback data for a button; ValueError if it would not fit Telegram's 64 bytes."""
    parts = [flow, action, *(short_id(a) if isinstance(a, uuid.UUID) else str(a) for a in args)]
    if any(SEPARATOR in part or not part for part in parts):
        raise ValueError("callback parts must be non-empty and free of ':'")
    data = SEPARATOR.join(parts)
    if len(data.encode()) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
    return data


def unpack(data: str | None, *, flow: str) -> Callback | None:
    """The press, if `data` is well formed and belongs to `flow`; None otherwise."""
    if not data or len(data.encode()) > MAX_BYTES:
        return None
    parts = data.split(SEPARATOR)
    if len(parts) < 2 or parts[0] != flow or not all(parts):
        return None
    return Callback(parts[0], parts[1], tuple(parts[2:]))


def pattern(flow: str) -> str:
    """The CallbackQueryHandler pattern for a flow's buttons."""
    return f"^{flow}{SEPARATOR}"


async def refuse(update: Update, context: object, *, reason: str) -> None:
    """Answer a forged, stale or forbidden press politely and audit it; changes nothing."""
    query = update.callback_query
    lang = getattr(context, "lang", None)
    if query is not None:
        await query.answer(t("common.not_available", lang), show_alert=True)
    user = update.effective_user
    log.warning(
        "refused button %r from %s: %s",
        query.data if query else None,
        user.id if user else None,
        reason,
    )
    services = getattr(context, "services", None)
    if services is not None and user is not None:
        await record_refusal(
            services.uow,
            telegram_user_id=user.id,
            reason=reason,
            data=(query.data or "")[:MAX_BYTES] if query else "",
        )
