"""The entities Telegram finds in any text, markup or not: commands, mentions, hashtags, URLs."""

from __future__ import annotations

import re

from telegram_emulator.entities import Entity, entity, leading, utf16_offsets

_MENTION = re.compile(r"(?<!\w)@([A-Za-z0-9_]+)")
_SHORT_USERNAMES = frozenset({"gif", "nft", "pic", "ufc", "vid"})
_BOT_COMMAND = re.compile(r"(?<![\w/<>])/([A-Za-z0-9_]+)(@[A-Za-z0-9_]*)?")
_HASHTAG = re.compile(r"(?<![\w\u00b7\u200c])#([\w\u00b7\u200c]+)")
_TLDS = "com|org|net|io|me|ru|ua|by|kz|de|uk|fr|es|it|nl|eu|info|app|dev|co|tv|gg|ai|us|ca|au"
_URL = re.compile(
    r"(?<![\w@./:-])(?:https?://[^\s<>\"]+"
    rf"|(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+(?:{_TLDS})(?![\w-])(?:[/?#:][^\s<>\"]*)?)",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}(?![\w-])")
_Span = tuple[int, int, str]  # start and end (character indices) and the entity type


def detect_entities(text: str) -> list[Entity]:
    """The entities Telegram adds to any message: commands, mentions, hashtags, URLs, e-mails."""
    spans = [*_mentions(text), *_bot_commands(text), *_hashtags(text), *_urls_and_emails(text)]
    kept: list[_Span] = []
    for span in sorted(spans, key=lambda s: (s[0], s[0] - s[1])):
        if not kept or span[0] >= kept[-1][1]:  # the first of intersecting entities wins
            kept.append(span)
    units = utf16_offsets(text)
    return [entity(kind, units[start], units[end] - units[start]) for start, end, kind in kept]


def _mentions(text: str) -> list[_Span]:
    spans = []
    for found in _MENTION.finditer(text):
        name, end = found.group(1), found.end()
        if not 2 <= len(name) <= 32 or (end < len(text) and _is_word(text[end])):
            continue
        if len(name) >= 4 or name.lower() in _SHORT_USERNAMES:
            spans.append((found.start(), end, "mention"))
    return spans


def _bot_commands(text: str) -> list[_Span]:
    spans = []
    for found in _BOT_COMMAND.finditer(text):
        command, username, end = found.group(1), found.group(2), found.end()
        if len(command) > 64 or (username is not None and not 4 <= len(username) <= 33):
            continue
        if end == len(text) or not (_is_word(text[end]) or text[end] in "/<>"):
            spans.append((found.start(), end, "bot_command"))
    return spans


def _hashtags(text: str) -> list[_Span]:
    spans = []
    for found in _HASHTAG.finditer(text):
        body, end = found.group(1), found.end()
        tag_end = found.start(1) + min(len(body), 256)
        username = leading(r"@[A-Za-z0-9_]{0,32}", text[end:])
        if len(body) <= 256 and len(username) >= 4:
            end = tag_end = end + len(username)
        if text.startswith("#", end) or not any(c.isalpha() for c in body[:256]):
            continue
        spans.append((found.start(), tag_end, "hashtag"))
    return spans


def _urls_and_emails(text: str) -> list[_Span]:
    spans = [(m.start(), m.end(), "email") for m in _EMAIL.finditer(text)]
    for found in _URL.finditer(text):
        url = found.group()
        while url[-1] in ".,:;!?'\"" or (url[-1] == ")" and url.count("(") < url.count(")")):
            url = url[:-1]
        spans.append((found.start(), found.start() + len(url), "url"))
    return spans


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"
