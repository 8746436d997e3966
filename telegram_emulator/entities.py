"""MessageEntity dicts and the tdlib primitives every parser builds them with.

Like tdlib, the parsers walk UTF-8 bytes, so the byte offsets in error texts match Telegram's;
entity offsets and lengths count UTF-16 code units.
"""

from __future__ import annotations

import re
import string
from typing import Any

Entity = dict[str, Any]  # one MessageEntity, shaped like the Bot API's JSON


class EntityParseError(Exception):
    """Markup Telegram refuses; str() is tdlib's text, e.g. 'Unexpected end tag at byte offset 3'.

    The Bot API answers with `description`.
    """

    @property
    def description(self) -> str:
        return f"Bad Request: can't parse entities: {self}"


# tdlib's tie-break for entities over the same span; a lower number comes first.
_PRIORITY = {
    "bold": 90,
    "italic": 91,
    "underline": 92,
    "strikethrough": 93,
    "spoiler": 94,
    "code": 20,
    "text_link": 49,
    "text_mention": 49,
    "blockquote": 0,
    "expandable_blockquote": 0,
    "custom_emoji": 99,
    "date_time": 30,
}


def entity(kind: str, offset: int, length: int, **fields: Any) -> Entity:
    """An entity of type `kind` over offset..offset+length, with its type-specific fields."""
    return {"type": kind, "offset": offset, "length": length, **fields}


def placed(fields: dict[str, Any], offset: int, length: int) -> Entity:
    """An entity from its type-specific fields (type first, as the Bot API orders them)."""
    return {"type": fields["type"], "offset": offset, "length": length} | fields


def sort_entities(entities: list[Entity]) -> list[Entity]:
    """tdlib's order: by offset, longer first, then by type priority."""

    def priority(e: Entity) -> int:
        if e["type"] == "pre":
            return 10 if e.get("language") else 11
        return _PRIORITY.get(e["type"], 50)

    return sorted(entities, key=lambda e: (e["offset"], -e["length"], priority(e)))


class TextBuilder:
    """The plain text being produced, as UTF-8 bytes, with its length in UTF-16 units."""

    def __init__(self) -> None:
        self.buf = bytearray()
        self.utf16 = 0

    def add_byte(self, byte: int) -> None:
        """Append one byte of UTF-8 copied from the input."""
        if byte & 0xC0 != 0x80:  # first byte of a character; 4-byte ones are surrogate pairs
            self.utf16 += 2 if byte >= 0xF0 else 1
        self.buf.append(byte)

    def add_code_point(self, code: int) -> None:
        """Append a decoded character; lone surrogates pass through, as tdlib lets them."""
        self.utf16 += 2 if code > 0xFFFF else 1
        self.buf += chr(code).encode("utf-8", "surrogatepass")

    def text(self, start: int = 0) -> str:
        """The text produced from byte position `start` on."""
        return self.buf[start:].decode("utf-8", "surrogatepass")


_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def ascii_lower(text: str) -> str:
    """tdlib's to_lower: only ASCII letters change."""
    return text.translate(_ASCII_LOWER)


def byte_at(data: bytes, i: int) -> int:
    """data[i], or 0 past the end, as tdlib reads its NUL-terminated strings."""
    return data[i] if i < len(data) else 0


def canonical_int(value: str, bits: int = 64) -> int | None:
    """tdlib's to_integer_safe: only the integer's own decimal spelling is accepted."""
    if not re.fullmatch(r"-?[0-9]+", value) or str(int(value)) != value:
        return None
    number = int(value)
    return number if -(2 ** (bits - 1)) <= number < 2 ** (bits - 1) else None


def date_time_format(spec: str) -> str:
    """A tg-time format as the Bot API reports it ("r", or w + d/D + t/T)."""
    if spec in ("r", "R"):
        return "r"
    if set(spec) - set("tTdDwW"):
        raise EntityParseError("Invalid date format used")
    week = "w" if set(spec) & {"w", "W"} else ""
    date = "d" if "d" in spec else "D" if "D" in spec else ""
    time = "t" if "t" in spec else "T" if "T" in spec else ""
    return week + date + time


def leading(pattern: str, text: str | bytes) -> str:
    """The longest prefix of `text` matching `pattern` (bytes are read as Latin-1)."""
    if isinstance(text, bytes):
        text = text.decode("latin-1")
    found = re.match(pattern, text)
    return found.group() if found else ""


def utf16_offsets(text: str) -> list[int]:
    """UTF-16 offset of each character index, plus the total at the end."""
    offsets, total = [0], 0
    for char in text:
        total += 2 if ord(char) > 0xFFFF else 1
        offsets.append(total)
    return offsets
