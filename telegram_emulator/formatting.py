"""Telegram's message formatting: parse_mode markup to plain text and MessageEntity dicts.

The rules and error texts follow tdlib (td/telegram/MessageEntity.cpp), which the real Bot API
server runs. The pieces live in their own modules: entities (shared model and primitives), links,
html_markup, markdown, autodetect and render_html; this module is the front door and re-exports
them so callers import from one place.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from telegram_emulator.autodetect import detect_entities
from telegram_emulator.entities import (
    Entity,
    EntityParseError,
    TextBuilder,
    ascii_lower,
    byte_at,
    canonical_int,
    date_time_format,
    entity,
    placed,
    sort_entities,
)
from telegram_emulator.html_markup import char_reference, parse_html
from telegram_emulator.links import checked_link, link_fields, tg_url_query, url_params
from telegram_emulator.markdown import parse_markdown, parse_markdown_v2
from telegram_emulator.render_html import to_html

__all__ = [
    "Entity",
    "EntityParseError",
    "TextBuilder",
    "UnsupportedParseMode",
    "ascii_lower",
    "byte_at",
    "canonical_int",
    "char_reference",
    "checked_link",
    "date_time_format",
    "detect_entities",
    "entity",
    "escape_html",
    "escape_markdown_v2",
    "link_fields",
    "parse",
    "parse_html",
    "placed",
    "sort_entities",
    "tg_url_query",
    "to_html",
    "url_params",
    "utf16_len",
]

_PARSERS: dict[str, Callable[[str], tuple[str, list[Entity]]]] = {
    "html": parse_html,
    "markdownv2": parse_markdown_v2,
    "markdown": parse_markdown,
}


class UnsupportedParseMode(EntityParseError):
    """A parse_mode other than HTML, MarkdownV2 or Markdown."""

    def __init__(self) -> None:
        super().__init__("Unsupported parse_mode")

    @property
    def description(self) -> str:
        return "Bad Request: unsupported parse_mode"


def utf16_len(text: str) -> int:
    """The length Telegram counts: UTF-16 code units."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def parse(text: str, parse_mode: str | None) -> tuple[str, list[Entity]]:
    """Plain text and entities of `text` under `parse_mode`, or Telegram's EntityParseError."""
    mode = (parse_mode or "").lower()
    # The Bot API looks at parse_mode only for non-empty text, and "none" means no parsing.
    if not text or mode in ("", "none"):
        return text, []
    if mode not in _PARSERS:
        raise UnsupportedParseMode
    return _PARSERS[mode](text)


def escape_html(text: str) -> str:
    """Text that parse_mode=HTML shows literally."""
    return html.escape(text, quote=False)


def escape_markdown_v2(text: str) -> str:
    """Text that parse_mode=MarkdownV2 shows literally."""
    return re.sub(r"([_*\[\]()~`>#+\-=|{}.!\\])", r"\\\1", text)
