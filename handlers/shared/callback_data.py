"""Typed callback data: one frozen dataclass per kind of button, packed as `prefix:field:...`.

As aiogram's CallbackData factories do, a flow declares its buttons once (in its capability's
`callbacks` module) and builds and reads them only through these types:

    @dataclass(frozen=True)
    class SessionPress(CallbackData, prefix="ses"):
        action: SessionAction
        session_id: uuid.UUID
        card: Literal["c"] | None = None

A field is a `uuid.UUID` (22 characters, `domain.short_ids`), an `int`, a `str` (non-empty,
without ':'), an `Enum` of strings, a `Literal` of strings or, last only, `X | None`, left out
of the data when None. `pack()` refuses data over Telegram's 64 bytes. Callback data comes back
from the client and can be forged, so `parse()` returns None for anything a button of that type
never carries (wrong prefix, count, type or value); the handler then refuses the press
(`bot.callbacks.refuse`), and re-checks who may touch what the press names before acting.
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
import uuid
from collections.abc import Callable, Iterable
from enum import Enum
from functools import cache
from typing import Any, ClassVar, Self, TypeVar

from bot.callbacks import MAX_BYTES
from domain.short_ids import parse_id, short_id

SEPARATOR = ":"
_INT = re.compile(r"0|-?[1-9][0-9]{0,17}")


@dataclasses.dataclass(frozen=True)
class _Field:
    name: str
    encode: Callable[[Any], str]
    decode: Callable[[str], Any]  # None when the text is not a value of the field
    optional: bool


Press = TypeVar("Press", bound="CallbackData")


class CallbackData:
    """Base of a flow's button types; subclasses are frozen dataclasses with a prefix."""

    prefix: ClassVar[str]

    def __init_subclass__(cls, *, prefix: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not all(prefix.split(SEPARATOR)):
            raise TypeError(f"callback prefix {prefix!r} must be non-empty words joined by ':'")
        cls.prefix = prefix

    def pack(self) -> str:
        """The callback data; ValueError if it would not fit Telegram's 64 bytes."""
        parts = [self.prefix]
        for field in _fields(type(self)):
            value = getattr(self, field.name)
            if value is not None:
                parts.append(field.encode(value))
            elif not field.optional:
                raise ValueError(f"{type(self).__name__}.{field.name} is required")
        data = SEPARATOR.join(parts)
        if len(data.encode()) > MAX_BYTES:
            raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
        return data

    @classmethod
    def parse(cls, data: object) -> Self | None:
        """The button this data names, or None if no button of this type carries it."""
        if not isinstance(data, str) or len(data.encode()) > MAX_BYTES:
            return None
        parts = data.split(SEPARATOR)
        head = cls.prefix.split(SEPARATOR)
        fields = _fields(cls)
        values = parts[len(head) :]
        required = sum(not field.optional for field in fields)
        if parts[: len(head)] != head or not required <= len(values) <= len(fields):
            return None
        decoded = {}
        for field, text in zip(fields, values, strict=False):
            value = field.decode(text) if text else None
            if value is None:
                return None
            decoded[field.name] = value
        return cls(**decoded)

    @classmethod
    def pattern(cls) -> str:
        """The CallbackQueryHandler pattern for this type's presses, malformed ones included (a
        type without fields matches its prefix alone; the flow's catch-all takes the rest)."""
        return rf"^{re.escape(cls.prefix)}" + (":" if _fields(cls) else "$")


@cache
def _fields(cls: type[CallbackData]) -> tuple[_Field, ...]:
    hints = typing.get_type_hints(cls)
    fields = tuple(_field(f.name, hints[f.name]) for f in dataclasses.fields(cls))  # type: ignore[arg-type]
    if any(field.optional for field in fields[:-1]):
        raise TypeError(f"{cls.__name__}: only the last field may be optional")
    return fields


def _field(name: str, hint: Any) -> _Field:
    args = typing.get_args(hint)
    optional = typing.get_origin(hint) in (typing.Union, types.UnionType) and type(None) in args
    if optional:
        (hint,) = [arg for arg in args if arg is not type(None)]
    encode, decode = _codec(hint)
    return _Field(name, encode, decode, optional)


def _codec(hint: Any) -> tuple[Callable[[Any], str], Callable[[str], Any]]:
    if hint is uuid.UUID:
        return _short_id, parse_id
    if hint is int:
        return _number, lambda text: int(text) if _INT.fullmatch(text) else None
    if hint is str:
        return _text, lambda text: text
    if isinstance(hint, type) and issubclass(hint, Enum):
        members = {member.value: member for member in hint}
        return lambda member: _text(hint(member).value), members.get
    if typing.get_origin(hint) is typing.Literal:
        allowed = typing.get_args(hint)
        return lambda value: _text(_one_of(value, allowed)), lambda text: _one_of(text, allowed)
    raise TypeError(f"callback data cannot carry a {hint!r}")


def _short_id(value: object) -> str:
    if not isinstance(value, uuid.UUID):
        raise ValueError(f"not a UUID: {value!r}")
    return short_id(value)


def _number(value: object) -> str:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"not an int: {value!r}")
    return str(value)


def _one_of(value: object, allowed: tuple[object, ...]) -> str | None:
    return value if isinstance(value, str) and value in allowed else None


def _text(value: object) -> str:
    if not isinstance(value, str) or not value or SEPARATOR in value:
        raise ValueError(f"callback text must be non-empty and free of ':', not {value!r}")
    return value


def parse_any(data: object, types: Iterable[type[Press]]) -> Press | None:
    """The first of a flow's button types that `data` parses as, or None for none of them."""
    for kind in types:
        press = kind.parse(data)
        if press is not None:
            return press
    return None


def flow_pattern(flow: str) -> str:
    """The CallbackQueryHandler pattern for every press of a flow (`flow:...`), so that one
    no type of the flow parses still reaches the flow to be refused and audited."""
    return rf"^{re.escape(flow)}:"
