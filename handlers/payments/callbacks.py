"""The payments capability's callback data (`handlers.shared.callback_data`).

💳 Pay on a payment prompt is `pay:again:<session short id>`, the format of prompts already sent.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from handlers.shared.callback_data import CallbackData


@dataclass(frozen=True)
class PayAgain(CallbackData, prefix="pay:again"):
    """💳 Pay under a prompt: the session's invoice again, as it stands now."""

    session_id: uuid.UUID
