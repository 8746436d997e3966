"""A flow's choices as user_data keeps them between presses: JSON values only.

Persistence outlives a deploy, so a saved flow may no longer fit the class that reads it back;
such a flow is dropped (the person starts again) rather than resumed half-understood.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Self


class SavedChoices:
    """Base of a flow's dataclass of choices: read from and written to user_data."""

    @classmethod
    def from_json(cls, data: object) -> Self | None:
        """The choices saved in user_data, or None if there are none (or they no longer fit)."""
        if not isinstance(data, dict):
            return None
        try:
            return cls(**data)
        except TypeError:
            return None

    def to_json(self) -> dict[str, Any]:
        """What goes into user_data."""
        return asdict(self)
