"""The team notices' buttons and the team's group posts.

- `team_message` (a coach's message, to each family member on Telegram) carries two intents,
  `team_seen` and `team_reply`, packed here (`BUTTONS`, looked up by `bot.outbox`).
- `team_group_post` (payload: `team_id`, and `message_id` or `players`) is sent to the group
  the team has when it goes out (`domain.clubs.teams.groups.group_post`), in the language of
  the head coach it is addressed to; a team without a group, or a group that removed the bot,
  gives the row up: the head coach's own chat is never involved, so nothing marks them blocked.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from telegram import Bot
from telegram.error import BadRequest, Forbidden

from bot.i18n import t
from bot.sending import send_text
from bot.wiring import Services
from domain.clubs.teams.groups import group_post
from domain.models import NotificationKind
from domain.notifications.outbox import Claimed, DeliveryResult
from handlers.clubs.callbacks import TeamReply, TeamSeen
from handlers.clubs.pack_callbacks import FeePay

log = logging.getLogger(__name__)
ButtonData = Callable[[Mapping[str, Any]], str]
SideEffect = Callable[[Bot, Services, Claimed], Awaitable[DeliveryResult]]


async def send_group_post(bot: Bot, services: Services, notification: Claimed) -> DeliveryResult:
    """Post in the team's group: the coach's words, or how many are on the roster now."""
    post = await group_post(services.uow, payload=notification.payload)
    if post is None:
        return DeliveryResult.final("the team has no group now")
    lang = notification.language
    if post.body is not None:
        text = t("teams.group.post", lang, team=post.team_name, body=post.body)
    else:
        text = t("teams.group.roster_grew", lang, team=post.team_name, players=post.players)
    try:
        await send_text(bot, post.chat_id, text)
    except (Forbidden, BadRequest) as err:  # the bot was removed, or the group is gone
        log.info("team group post %s not sent: %s", notification.id, err.message)
        return DeliveryResult.final(err.message)
    return DeliveryResult.SENT


SIDE_EFFECTS: dict[str, SideEffect] = {NotificationKind.TEAM_GROUP_POST: send_group_post}
BUTTONS: dict[str, ButtonData] = {
    "team_seen": lambda spec: TeamSeen(uuid.UUID(str(spec["message_id"]))).pack(),
    "team_reply": lambda spec: TeamReply(uuid.UUID(str(spec["message_id"]))).pack(),
    "fee.pay": lambda spec: FeePay(uuid.UUID(str(spec["due_id"]))).pack(),
}
