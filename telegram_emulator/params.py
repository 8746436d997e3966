"""Reading a Bot API call's parameters the way Telegram does: lenient types, strict meaning."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from telegram_emulator.errors import bad_request


@dataclass
class Upload:
    """A file sent in a multipart body."""

    data: bytes
    filename: str | None
    content_type: str | None


class Params:
    """One call's parameters, from a JSON body, a query string or a form/multipart body."""

    def __init__(self, values: dict[str, Any], uploads: dict[str, Upload] | None = None) -> None:
        self.values = values
        self.uploads = uploads or {}

    def has(self, name: str) -> bool:
        """Whether the parameter was sent with a non-empty value."""
        return self.values.get(name) not in (None, "") or name in self.uploads

    def raw(self, name: str) -> Any:
        """The value as sent, or None."""
        return self.values.get(name)

    def str(self, name: str, *, required: bool = False) -> str | None:
        """A string parameter."""
        value = self.values.get(name)
        if value is None or value == "":
            if required:
                raise bad_request(f"{name} is empty")
            return None
        return value if isinstance(value, str) else json.dumps(value)

    def int(self, name: str, *, required: bool = False) -> int | None:
        """An integer parameter (form bodies send digits as text)."""
        value = self.values.get(name)
        if value is None or value == "":
            if required:
                raise bad_request(f"{name} is empty")
            return None
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f'field "{name}" must be an Integer') from None

    def bool(self, name: str) -> bool:
        """A boolean parameter; absent means False."""
        value = self.values.get(name)
        if isinstance(value, str):
            return value.lower() in ("true", "1")
        return bool(value)

    def json(self, name: str) -> Any:
        """A JSON-serialised object parameter (forms send objects as JSON text)."""
        value = self.values.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {name} JSON object") from None
        return value

    def chat_id(self) -> int:
        """chat_id as an int; @channelusername is not supported offline."""
        value = self.values.get("chat_id")
        if value in (None, ""):
            raise bad_request("chat_id is empty")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request("chat not found") from None
