"""The privacy capability's buttons, under `prv:`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from handlers.shared.callback_data import CallbackData


@dataclass(frozen=True)
class ErasureAnswer(CallbackData, prefix="prv:erase"):
    """The answer to /deleteme's question: erase after the grace, or keep the account."""

    answer: Literal["yes", "no"]
