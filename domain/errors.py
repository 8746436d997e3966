"""Typed domain errors; each carries the message key the chat layer turns into words."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import DBAPIError

from domain.models import LAST_ADMIN_CONSTRAINT, NO_OVERLAP_CONSTRAINT


class DomainError(Exception):
    """A refusal the user should hear about in plain words."""

    message_key = "error.generic"

    def __init__(self, detail: str = "", **params: Any) -> None:
        super().__init__(detail or self.message_key)
        self.detail = detail
        self.params = params


class NotFound(DomainError):
    """The thing asked for does not exist (or the asker may not know it exists)."""

    message_key = "error.not_found"


class NotAllowed(DomainError):
    """The asker's role or relation to the object does not permit the action."""

    message_key = "error.not_allowed"


class InvalidInput(DomainError):
    """The input breaks a rule the user can fix."""

    message_key = "error.invalid_input"


class InvalidAnswer(InvalidInput):
    """An answer the person can fix; `message_key` is the hint to re-ask with."""

    def __init__(self, hint_key: str, **params: object) -> None:
        super().__init__(hint_key, **params)
        self.message_key = hint_key


class AlreadyExists(DomainError):
    """A unique thing was created twice."""

    message_key = "error.already_exists"


class SlotTaken(DomainError):
    """The coach already holds an overlapping session in that time."""

    message_key = "error.slot_taken"


class LastAdmin(DomainError):
    """Removing this admin would leave nobody to run the service (trigger `admins_keep_one`)."""

    message_key = "admin.error.last_admin"


class Contended(DomainError):
    """Another action touched the same rows at the same moment and this one lost; a retry works."""

    message_key = "error.busy"


# Postgres SQLSTATEs we turn into refusals instead of crashes.
EXCLUSION_VIOLATION = "23P01"
UNIQUE_VIOLATION = "23505"
FOREIGN_KEY_VIOLATION = "23503"
CHECK_VIOLATION = "23514"
NOT_NULL_VIOLATION = "23502"
# Concurrency losers: Postgres aborted the transaction to let another one through.
DEADLOCK_DETECTED = "40P01"
SERIALIZATION_FAILURE = "40001"


def sqlstate_of(err: DBAPIError) -> str | None:
    """The SQLSTATE behind a driver error, whichever driver raised it."""
    orig = err.orig
    return getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)


def constraint_of(err: DBAPIError) -> str | None:
    """The violated constraint's name, when the driver reports it."""
    cause = getattr(err.orig, "__cause__", None)
    return getattr(cause, "constraint_name", None) or getattr(err.orig, "constraint_name", None)


def from_integrity_error(err: DBAPIError) -> DomainError | None:
    """Map an integrity violation to its domain error, or None if it is not one we know."""
    return from_violation(sqlstate_of(err), constraint_of(err))


def from_violation(state: str | None, constraint: str | None) -> DomainError | None:
    """The domain error for a SQLSTATE and constraint name from any driver, or None."""
    constraint = constraint or ""
    if state == EXCLUSION_VIOLATION and constraint == NO_OVERLAP_CONSTRAINT:
        return SlotTaken(constraint)
    if state == EXCLUSION_VIOLATION:
        return AlreadyExists(constraint)
    if state == UNIQUE_VIOLATION:
        return AlreadyExists(constraint)
    if state == FOREIGN_KEY_VIOLATION:
        return NotFound(constraint)
    if state == CHECK_VIOLATION and constraint == LAST_ADMIN_CONSTRAINT:
        return LastAdmin(constraint)
    if state in (CHECK_VIOLATION, NOT_NULL_VIOLATION):
        return InvalidInput(constraint)
    if state in (DEADLOCK_DETECTED, SERIALIZATION_FAILURE):
        return Contended(state)
    return None
