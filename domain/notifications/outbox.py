"""Sending the notifications outbox: claim what is due, deliver it, record how it went.

A `drain` sends up to `limit` notifications, each in its own transaction: the next due row is
claimed with FOR UPDATE SKIP LOCKED and stays locked while it is delivered, so a second sender
running at the same time skips it instead of sending it too; it is then marked sent (or failed,
with its next try) and committed before the next one is claimed.

Delivery is at least once, not exactly once, but the window is one message wide: if the
process dies after Telegram accepted a message and before that message's commit, the row is
still unsent and the next drain sends it again. Everything delivered before is already marked,
and everything after was never claimed. The dedup key keeps a notification from being *queued*
twice; nothing on our side can close that last window, since Telegram's sendMessage has no
idempotency key.

A failure is retried with exponential backoff (30 s, 60 s, ... capped at 1 h). After
`MAX_ATTEMPTS` tries, or at once for a failure retrying cannot fix, the row is given up: the
schema has no status column, so a given-up row keeps `sent_at` NULL, has `last_error` starting
with "final:" and `due_at` moved `GIVE_UP_DELAY` (a century) ahead, where no sender reaches it.

Two kinds of waiting are not failures and leave `attempts` as it was, so they can never make a
notification be given up:
- Telegram's "too many requests" (429) names how long to wait: the row is due again exactly
  then, without backoff. Telegram lifts every such limit, so this cannot go on for ever.
- A reminder that can wait (`DEFERRED_IN_QUIET_HOURS`) whose recipient is in their quiet hours
  is not sent: it is due again when those hours end (`domain.people.quiet_hours`). Anything else,
  such
  as a booking someone just made or the last reminder an hour before, goes out at once.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar

from domain.models import Notification, NotificationKind, User, UserStatus
from domain.notifications import queries
from domain.payments.records import STAR_REFUND
from domain.people.quiet_hours import held_until
from domain.uow import Transaction, UnitOfWork

FIRST_RETRY_DELAY = timedelta(seconds=30)
MAX_RETRY_DELAY = timedelta(hours=1)
MAX_ATTEMPTS = 8
GIVE_UP_DELAY = timedelta(days=36525)
FINAL_PREFIX = "final:"
# Rows that are a call made on someone's behalf, not a message to them: a Stars refund is
# owed even to someone who blocked the bot.
NOT_MESSAGES = frozenset({STAR_REFUND})
# Kinds that lose nothing by waiting until morning; see the module docstring.
DEFERRED_IN_QUIET_HOURS = frozenset(
    {
        NotificationKind.REMINDER_24H,
        NotificationKind.SESSION_FOLLOWUP,
        NotificationKind.SESSION_FOLLOWUP_COACH,
        NotificationKind.DIGEST,
        NotificationKind.WEEKLY_SUMMARY,
        # A program day waits for the morning too: the athlete chose its time, not the night.
        NotificationKind.PROGRAM_DAY,
        NotificationKind.PROGRAM_DIGEST,
        # "Will Kim come?" and its reminder are asked hours ahead: the morning is soon enough.
        NotificationKind.RSVP_REQUEST,
        NotificationKind.RSVP_REMINDER,
        # The day's food waits for the morning, a meal's reminder and the week's figures too.
        NotificationKind.NUTRITION_DAY,
        NotificationKind.NUTRITION_MEAL,
        NotificationKind.NUTRITION_WEEK,
        # A place offered from the waitlist: its deadline counts from the end of quiet hours.
        NotificationKind.SEAT_OFFER,
        # A team fee asked for, or reminded of, can wait for the morning too.
        NotificationKind.TEAM_FEE_REQUEST,
        NotificationKind.TEAM_FEE_REMINDER,
    }
)


class Outcome(enum.Enum):
    """What happened to one delivery."""

    SENT = "sent"
    RETRY = "retry"  # a passing failure: try again later
    FINAL = "final"  # retrying cannot help: give the notification up
    BLOCKED = "blocked"  # the recipient blocked the bot: give up and remember it
    DEFERRED = "deferred"  # not sent: held until the recipient's quiet hours end


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    """The outcome of one delivery and, for a failure, why (and how long Telegram asks to wait)."""

    outcome: Outcome
    error: str = ""
    retry_after: timedelta | None = None

    SENT: ClassVar[DeliveryResult]
    RETRY: ClassVar[DeliveryResult]
    FINAL: ClassVar[DeliveryResult]
    BLOCKED: ClassVar[DeliveryResult]

    @classmethod
    def retry(cls, error: str, *, retry_after: timedelta | None = None) -> DeliveryResult:
        """A failure worth trying again; with `retry_after`, exactly that much later."""
        return cls(Outcome.RETRY, error, retry_after)

    @classmethod
    def final(cls, error: str) -> DeliveryResult:
        """A failure no retry will fix."""
        return cls(Outcome.FINAL, error)

    @classmethod
    def blocked(cls, error: str) -> DeliveryResult:
        """The recipient blocked the bot."""
        return cls(Outcome.BLOCKED, error)


DeliveryResult.SENT = DeliveryResult(Outcome.SENT)
DeliveryResult.RETRY = DeliveryResult(Outcome.RETRY, "retry")
DeliveryResult.FINAL = DeliveryResult(Outcome.FINAL, "undeliverable")
DeliveryResult.BLOCKED = DeliveryResult(Outcome.BLOCKED, "recipient blocked the bot")


@dataclass(frozen=True, slots=True)
class Claimed:
    """A due notification, locked by the current drain, with what a sender needs to send it."""

    id: uuid.UUID
    recipient_id: uuid.UUID
    kind: str
    payload: dict[str, Any]
    attempts: int
    chat_id: int | None
    language: str | None
    timezone: str  # the recipient's, for the times in the text


@dataclass
class DrainReport:
    """How many notifications one drain claimed and what became of them."""

    claimed: int = 0
    outcomes: dict[Outcome, int] = field(default_factory=dict)

    def count(self, outcome: Outcome) -> int:
        """How many ended with `outcome`."""
        return self.outcomes.get(outcome, 0)


Deliver = Callable[[Claimed], Awaitable[DeliveryResult]]


@dataclass(frozen=True, slots=True)
class Backlog:
    """Notifications due and not sent yet: how many, and since when the oldest waits."""

    due: int
    oldest_due_at: datetime | None


async def outbox_backlog(uow: UnitOfWork, *, now: datetime) -> Backlog:
    """What the senders have yet to send of what is due (given-up rows are never due)."""
    async with uow as tx:
        due, oldest = await queries.backlog(tx, now)
    return Backlog(due, oldest)


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed try: 30 s doubling, at most 1 h."""
    return min(FIRST_RETRY_DELAY * 2 ** max(attempts - 1, 0), MAX_RETRY_DELAY)


async def drain(uow: UnitOfWork, *, now: datetime, limit: int, deliver: Deliver) -> DrainReport:
    """Deliver up to `limit` due notifications, one transaction (claim, send, mark) each."""
    report = DrainReport()
    for _ in range(limit):
        # An exception from `deliver` leaves this one uncommitted: it is sent again later, and
        # those already done stay done (at least once, see the module docstring).
        async with uow as tx:
            claimed = await queries.claim_due(tx, now, limit=1)
            if not claimed:
                break
            notification = claimed[0]
            recipient = await tx.users.get(notification.recipient_id)
            outcome = await _handle(tx, notification, recipient, deliver, now)
            await tx.commit()
        report.claimed += 1
        report.outcomes[outcome] = report.count(outcome) + 1
    return report


async def _handle(
    tx: Transaction, notification: Notification, recipient: User, deliver: Deliver, now: datetime
) -> Outcome:
    if recipient.status == UserStatus.BLOCKED and notification.kind not in NOT_MESSAGES:
        # Known unreachable (maybe by an earlier notification of this very drain).
        result = DeliveryResult.final("recipient blocked the bot")
    elif (until := _quiet_until(notification, recipient, now)) is not None:
        notification.due_at = until
        return Outcome.DEFERRED
    else:
        result = await deliver(_claimed(notification, recipient))
    await _record(tx, notification, recipient, result, now)
    return result.outcome


def _quiet_until(notification: Notification, recipient: User, now: datetime) -> datetime | None:
    if notification.kind not in DEFERRED_IN_QUIET_HOURS:
        return None
    return held_until(now, recipient.timezone, recipient.quiet_from, recipient.quiet_until)


def _claimed(notification: Notification, recipient: User) -> Claimed:
    return Claimed(
        id=notification.id,
        recipient_id=notification.recipient_id,
        kind=notification.kind,
        payload=dict(notification.payload),
        attempts=notification.attempts,
        # A private chat's id is the person's id; the stored chat id wins when known.
        chat_id=recipient.telegram_chat_id or recipient.telegram_user_id,
        language=recipient.language_code,
        timezone=recipient.timezone,
    )


async def _record(
    tx: Transaction,
    notification: Notification,
    recipient: User,
    result: DeliveryResult,
    now: datetime,
) -> None:
    if result.outcome is Outcome.SENT:
        await queries.mark_sent(tx, notification.id, now)
        return
    if result.outcome is Outcome.RETRY and result.retry_after is not None:
        # Telegram asked us to slow down: no fault of this notification, so not an attempt.
        notification.due_at = now + result.retry_after
        notification.last_error = result.error[:2000]
        return
    # Same transaction as the claim, so the mark and the given-up row commit together. A
    # suspension outranks it: blocking the bot must not lift one.
    if result.outcome is Outcome.BLOCKED and recipient.status != UserStatus.SUSPENDED:
        recipient.status = UserStatus.BLOCKED
    attempts = notification.attempts + 1
    if result.outcome is Outcome.RETRY and attempts < MAX_ATTEMPTS:
        await queries.mark_failed(tx, notification.id, result.error, now + retry_delay(attempts))
        return
    error = f"{FINAL_PREFIX} {result.error}"
    await queries.mark_failed(tx, notification.id, error, now + GIVE_UP_DELAY)
