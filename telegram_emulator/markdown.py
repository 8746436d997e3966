"""parse_mode=MarkdownV2 and the legacy parse_mode=Markdown, with tdlib's rules and error texts."""

from __future__ import annotations

from dataclasses import dataclass

from telegram_emulator.entities import (
    Entity,
    EntityParseError,
    TextBuilder,
    byte_at,
    canonical_int,
    date_time_format,
    entity,
    placed,
    sort_entities,
)
from telegram_emulator.links import link_fields, tg_url_query, url_params

_BACKSLASH, _NEWLINE, _RETURN, _BACKTICK, _PAREN, _CLOSE_PAREN = b"\\\n\r`()"
_SPACE = frozenset(b" \t\r\n\v\0")
_RESERVED = frozenset(b"_*[]()~`>#+-=|{}.!\n")
_RESERVED_IN_CODE = frozenset(b"`")
_CODE_TYPES = ("Code", "Pre", "PreCode")
# How each open entity ends (Italic is "_" not followed by a second "_").
_END_MARKS = {
    "Bold": b"*",
    "Code": b"`",
    "Pre": b"```",
    "PreCode": b"```",
    "TextUrl": b"]",
    "Underline": b"__",
    "Strikethrough": b"~",
    "Spoiler": b"||",
    "CustomEmoji": b"]",
}
_START_MARKS = {
    b"*": "Bold",
    b"~": "Strikethrough",
    b"[": "TextUrl",
    b"__": "Underline",
    b"_": "Italic",
    b"||": "Spoiler",
    b"![": "CustomEmoji",
}
_BOT_API_TYPES = {
    "Bold": "bold",
    "Italic": "italic",
    "Underline": "underline",
    "Strikethrough": "strikethrough",
    "Spoiler": "spoiler",
    "Code": "code",
    "Pre": "pre",
    "BlockQuote": "blockquote",
    "ExpandableBlockQuote": "expandable_blockquote",
}


def _reserved(char: int) -> EntityParseError:
    return EntityParseError(
        f"Character '{chr(char)}' is reserved and must be escaped with the preceding '\\'"
    )


def _unclosed(kind: str, byte_offset: int) -> EntityParseError:
    return EntityParseError(f"Can't find end of {kind} entity at byte offset {byte_offset}")


def _after_pre_start(data: bytes, i: int) -> tuple[bytes, int]:
    """The language after an opening ``` at data[i:], and where the pre text starts."""
    language_end = i
    while byte_at(data, language_end) not in _SPACE and data[language_end] != _BACKTICK:
        language_end += 1
    language = b""
    if i != language_end and language_end < len(data) and data[language_end] != _BACKTICK:
        language, i = data[i:language_end], language_end
    if byte_at(data, i) in (_NEWLINE, _RETURN):  # one line break after the language is dropped
        pair = byte_at(data, i + 1) in (_NEWLINE, _RETURN) and data[i] != data[i + 1]
        i += 2 if pair else 1
    return language, i


@dataclass
class _Open:
    kind: str  # tdlib's name for the entity type, as the error texts use it
    argument: str
    offset: int  # UTF-16 offset in the plain text
    byte_offset: int  # where the markup starts in the input
    start: int  # byte position in the plain text


class _MarkdownV2Parser:
    def __init__(self, text: str) -> None:
        self.data = text.encode("utf-8", "surrogatepass")
        self.out = TextBuilder()
        self.open: list[_Open] = []
        self.entities: list[Entity] = []
        self.in_blockquote = False
        self.line_start = True  # a ">" here starts a blockquote

    def at(self, i: int) -> int:
        return byte_at(self.data, i)

    def run(self) -> tuple[str, list[Entity]]:
        i = 0
        while i < len(self.data):
            i = self._step(i) + 1
        self._finish_blockquote()
        if self.open:
            raise _unclosed(self.open[-1].kind, self.open[-1].byte_offset)
        return self.out.text(), sort_entities(self.entities)

    def _step(self, i: int) -> int:
        """Consume the markup or character at data[i]; return the last byte position used."""
        c = self.data[i]
        if c == _BACKSLASH and 0 < self.at(i + 1) <= 126:
            self.out.add_byte(self.data[i + 1])
            if self.data[i + 1] != _RETURN:
                self.line_start = self.data[i + 1] == _NEWLINE
            return i + 1
        in_code = bool(self.open) and self.open[-1].kind in _CODE_TYPES
        if c not in (_RESERVED_IN_CODE if in_code else _RESERVED):
            if c & 0xC0 != 0x80 and c != _RETURN:
                self.line_start = False
            self.out.add_byte(c)
            return i
        return self._close(i) if self._ends_entity(i) else self._open_entity(i)

    def _ends_entity(self, i: int) -> bool:
        if not self.open:
            return False
        c = self.data[i]
        if self.in_blockquote and c == _NEWLINE and self.at(i + 1) != ord(">"):
            return True
        kind = self.open[-1].kind
        if kind == "Italic":
            return c == ord("_") and self.at(i + 1) != ord("_")
        return kind in _END_MARKS and self.data.startswith(_END_MARKS[kind], i)

    def _open_entity(self, i: int) -> int:
        c, begin, argument = self.data[i], i, ""
        if c == _NEWLINE:
            self.out.add_byte(c)
            self.line_start = True
            return i
        if c == ord(">"):
            if not self.line_start:
                raise _reserved(c)
            if self.in_blockquote:  # the next line of the same quote
                return i
            self.in_blockquote, kind = True, "BlockQuote"
        elif c == _BACKTICK and self.data.startswith(b"```", i):
            language, i = _after_pre_start(self.data, i + 3)
            kind = "PreCode" if language else "Pre"
            argument = language.decode("utf-8", "surrogatepass")
            i -= 1
        elif c == _BACKTICK:
            kind = "Code"
        else:
            mark = next((m for m in _START_MARKS if self.data.startswith(m, i)), None)
            if mark is None:
                raise _reserved(c)
            kind, i = _START_MARKS[mark], i + len(mark) - 1
        self.open.append(_Open(kind, argument, self.out.utf16, begin, len(self.out.buf)))
        return i

    def _close(self, i: int) -> int:
        top = self.open[-1]
        kind = top.kind
        if self.data[i] == _NEWLINE and kind != "BlockQuote":
            kind = self._close_at_line_end(i)
            top = self.open[-1]
        fields: dict[str, object] | None = {"type": _BOT_API_TYPES.get(kind)}
        if kind in ("Underline", "Spoiler"):
            i += 1
        elif kind in ("Pre", "PreCode"):
            i += 2
            fields = {"type": "pre", "language": top.argument} if top.argument else fields
        elif kind == "TextUrl":
            fields, i = self._text_link(top, i)
        elif kind == "CustomEmoji":
            fields, i = self._custom_emoji(i)
        elif kind in ("BlockQuote", "ExpandableBlockQuote"):
            self.in_blockquote, self.line_start = False, True
            self.out.add_byte(self.data[i])  # the quote keeps its closing line break
        length = self.out.utf16 - top.offset
        if fields is not None and (length or kind in ("BlockQuote", "ExpandableBlockQuote")):
            self.entities.append(placed(fields, top.offset, length))
        self.open.pop()
        return i

    def _close_at_line_end(self, i: int) -> str:
        """A line break ends the blockquote: only a "||" just before it may be open."""
        top = self.open[-1]
        follows_crlf = self.out.buf[-1:] == b"\r"
        marker = top.byte_offset == i - 2 or (top.byte_offset == i - 3 and follows_crlf)
        if top.kind != "Spoiler" or not marker:
            raise _unclosed(top.kind, top.byte_offset)
        self.open.pop()
        if self.open[-1].kind != "BlockQuote":
            raise _unclosed(self.open[-1].kind, self.open[-1].byte_offset)
        return "ExpandableBlockQuote"

    def _url(self, i: int) -> tuple[str, int]:
        """The URL in "(...)" starting at data[i] == "(", with escapes removed; end position."""
        i += 1
        start, url = i, bytearray()
        while i < len(self.data) and self.data[i] != _CLOSE_PAREN:
            if self.data[i] == _BACKSLASH and 0 < self.at(i + 1) <= 126:
                i += 1
            url.append(self.data[i])
            i += 1
        if self.at(i) != _CLOSE_PAREN:
            raise EntityParseError(f"Can't find end of a URL at byte offset {start}")
        return url.decode("utf-8", "surrogatepass"), i

    def _text_link(self, top: _Open, i: int) -> tuple[dict[str, object] | None, int]:
        if self.at(i + 1) != _PAREN:  # [text] alone links to the text itself
            return link_fields(self.out.text(top.start)), i
        url, i = self._url(i + 1)
        return link_fields(url), i

    def _custom_emoji(self, i: int) -> tuple[dict[str, object], int]:
        if self.at(i + 1) != _PAREN:
            raise EntityParseError("The entity must contain a tg://emoji or tg://time URL")
        url, i = self._url(i + 1)
        fields = _emoji_fields(url) or _date_time_fields(url)
        if fields is None:
            raise EntityParseError("Invalid tg://emoji or tg://time URL specified")
        return fields, i

    def _finish_blockquote(self) -> None:
        """A quote still open at the end closes there, expandable if it ends with "||"."""
        if not self.in_blockquote:
            return
        kind = "blockquote"
        if self.open[-1].kind == "Spoiler" and self.open[-1].byte_offset == len(self.data) - 2:
            self.open.pop()
            kind = "expandable_blockquote"
        if self.open[-1].kind == "BlockQuote":
            self.in_blockquote = False
            top = self.open.pop()
            if self.out.utf16 > top.offset:
                self.entities.append(entity(kind, top.offset, self.out.utf16 - top.offset))


def _emoji_fields(url: str) -> dict[str, object] | None:
    query = tg_url_query(url, "emoji")
    for key, value in url_params(query) if query is not None else []:
        if key == "id":
            emoji_id = canonical_int(value)
            return {"type": "custom_emoji", "custom_emoji_id": str(emoji_id)} if emoji_id else None
    return None


def _date_time_fields(url: str) -> dict[str, object] | None:
    query = tg_url_query(url, "time")
    unix_time, spec = 0, ""
    for key, value in url_params(query) if query is not None else []:
        if key == "unix":
            unix_time = canonical_int(value, 32) or 0
            if unix_time <= 0:
                return None
        elif key == "format":
            spec = value
    try:
        spec = date_time_format(spec)
    except EntityParseError:
        return None
    if not unix_time:
        return None
    return {"type": "date_time", "unix_time": unix_time, "date_time_format": spec}


def parse_markdown_v2(text: str) -> tuple[str, list[Entity]]:
    """parse_mode=MarkdownV2."""
    return _MarkdownV2Parser(text).run()


def parse_markdown(text: str) -> tuple[str, list[Entity]]:
    """The legacy parse_mode=Markdown: *bold*, _italic_, `code`, ```pre```, [text](url)."""
    data = text.encode("utf-8", "surrogatepass")
    out, entities, i = TextBuilder(), [], 0
    while i < len(data):
        c = data[i]
        if c == _BACKSLASH and byte_at(data, i + 1) in b"_*`[":
            out.add_byte(data[i + 1])
            i += 2
        elif c not in b"_*`[":
            out.add_byte(c)
            i += 1
        else:
            i = _legacy_entity(data, i, out, entities) + 1
    return out.text(), entities


def _legacy_entity(data: bytes, begin: int, out: TextBuilder, entities: list[Entity]) -> int:
    """Consume one legacy Markdown entity starting at data[begin]; return its last position."""
    c = data[begin]
    end_mark, i, language = ord("]") if c == ord("[") else c, begin + 1, b""
    is_pre = data.startswith(b"```", begin)
    if is_pre:
        language, i = _after_pre_start(data, begin + 3)
    offset, start = out.utf16, len(out.buf)
    while i < len(data) and (data[i] != end_mark or (is_pre and not data.startswith(b"``", i + 1))):
        out.add_byte(data[i])
        i += 1
    if i == len(data):
        raise EntityParseError(f"Can't find end of the entity starting at byte offset {begin}")
    fields: dict[str, object] | None = {"type": {ord("_"): "italic", ord("*"): "bold"}.get(c)}
    if c == ord("["):
        url = out.text(start)
        if byte_at(data, i + 1) == _PAREN:
            url_end = data.find(b")", i + 2)
            url_end = len(data) if url_end < 0 else url_end
            url, i = data[i + 2 : url_end].decode("utf-8", "surrogatepass"), url_end
        fields = link_fields(url)
    elif c == _BACKTICK:
        fields = {"type": "pre" if is_pre else "code"}
        if language:
            fields["language"] = language.decode("utf-8", "surrogatepass")
    if fields is not None and out.utf16 != offset:
        entities.append(placed(fields, offset, out.utf16 - offset))
    return i + 2 if is_pre else i
