"""The answer to a press that cannot be acted on: forged, stale or forbidden.

Callback data comes back from the client and can be forged, so it only ever names what was
pressed (each capability's `callbacks` module declares what its buttons carry, on
`handlers.shared.callback_data`); handlers re-load the objects it names and ask domain.policy
before acting. A press that does not parse, or names something the presser may not touch, is
answered politely by `refuse` and written to the audit log.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import InlineKeyboardButtonLimit

from bot.i18n import t
from bot.logs import user_hash
from domain.audit import record_refusal

log = logging.getLogger(__name__)
MAX_BYTES: int = InlineKeyboardButtonLimit.MAX_CALLBACK_DATA


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
        user_hash(user.id if user else None),
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
