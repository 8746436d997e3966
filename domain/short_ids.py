"""UUIDs in 22 characters (url-safe base64), so two fit in one 64-byte button."""

from __future__ import annotations

import base64
import uuid


def short_id(value: uuid.UUID) -> str:
    """A UUID in 22 characters."""
    return base64.urlsafe_b64encode(value.bytes).decode().rstrip("=")


def parse_id(text: str) -> uuid.UUID | None:
    """The UUID packed by `short_id`, or None for anything else."""
    if len(text) != 22:
        return None
    try:
        return uuid.UUID(bytes=base64.urlsafe_b64decode(text + "=="))
    except (ValueError, TypeError):
        return None
