"""parse_mode=HTML, with tdlib's rules and error texts."""

from __future__ import annotations

import string
from dataclasses import dataclass

from telegram_emulator.entities import (
    Entity,
    EntityParseError,
    TextBuilder,
    byte_at,
    canonical_int,
    date_time_format,
    entity,
    leading,
    placed,
    sort_entities,
)
from telegram_emulator.links import link_fields

_SPACE = frozenset(b" \t\r\n\v\0")  # tdlib's is_space, NUL included
_LT, _GT, _AMP, _SLASH, _EQ, _QUOT, _APOS = b"<>&/=\"'"
_ATTR_NAME_END = _SPACE | frozenset(b"=>/\"'")
_NAME_TOKEN = frozenset((string.ascii_letters + string.digits + ".-").encode())
_NAMED_REFERENCES = {b"lt": "<", b"gt": ">", b"amp": "&", b"quot": '"'}
_PLAIN_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}

_HTML_TAGS = frozenset({*_PLAIN_TAGS, "a", "tg-emoji", "tg-time", "pre", "code", "blockquote"})


def char_reference(data: bytes, pos: int) -> tuple[int, int]:
    """(code point, end) of the character reference at data[pos] == '&', or (0, pos)."""
    end, code = pos + 1, 0
    if byte_at(data, end) == ord("#"):
        base = 16 if byte_at(data, end + 1) == ord("x") else 10
        end += 2 if base == 16 else 1
        digits = leading(r"[0-9a-fA-F]*" if base == 16 else r"[0-9]*", data[end : end + 16])
        code, end = int(digits or "0", base), end + len(digits)
        if code == 0 or code >= 0x10FFFF or end - pos >= 10:
            return 0, pos
    else:
        name = leading(r"[A-Za-z]*", data[end : end + 8]).encode()
        if name not in _NAMED_REFERENCES:  # other named references stay as written
            return 0, pos
        code, end = ord(_NAMED_REFERENCES[name]), end + len(name)
    return code, end + 1 if byte_at(data, end) == ord(";") else end


@dataclass
class _OpenTag:
    name: str
    argument: str
    unix_time: int
    offset: int  # UTF-16 offset in the plain text
    start: int  # byte position in the plain text


class _HtmlParser:
    def __init__(self, text: str) -> None:
        self.data = text.encode("utf-8", "surrogatepass")
        self.out = TextBuilder()
        self.open: list[_OpenTag] = []
        self.entities: list[Entity] = []

    def at(self, i: int) -> int:
        return byte_at(self.data, i)

    def run(self) -> tuple[str, list[Entity]]:
        i, decoded_surrogate = 0, False
        while i < len(self.data):
            c = self.data[i]
            code, end = char_reference(self.data, i) if c == _AMP else (0, i)
            if code:
                decoded_surrogate |= 0xD800 <= code <= 0xDFFF
                self.out.add_code_point(code)
                i = end
            elif c != _LT:
                self.out.add_byte(c)
                i += 1
            else:
                i = self._end_tag(i) if self.at(i + 1) == _SLASH else self._start_tag(i)
        if self.open:
            raise EntityParseError(
                f'Can\'t find end tag corresponding to start tag "{self.open[-1].name}"'
            )
        if decoded_surrogate and not _is_valid_utf8(bytes(self.out.buf)):
            raise EntityParseError(
                "Text contains invalid Unicode characters after decoding HTML entities, "
                "check for unmatched surrogate code units"
            )
        for found in self.entities:
            if found["type"] == "code":
                found.pop("language", None)
        return self.out.text(), sort_entities(self.entities)

    def _name(self, start: int, end: int) -> str:
        return self.data[start:end].lower().decode("utf-8", "replace")

    def _skip_spaces(self, i: int) -> int:
        while self.at(i) != 0 and self.at(i) in _SPACE:
            i += 1
        return i

    def _start_tag(self, begin: int) -> int:
        i = begin + 1
        while self.at(i) not in _SPACE and self.at(i) != _GT:
            i += 1
        if self.at(i) == 0:
            raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
        name = self._name(begin + 1, i)
        if name not in _HTML_TAGS:
            raise EntityParseError(f'Unsupported start tag "{name}" at byte offset {begin}')
        tag = _OpenTag(name, "", 0, self.out.utf16, len(self.out.buf))
        i = self._attributes(tag, begin, i)
        if name == "span" and tag.argument != "spoiler":
            raise EntityParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {begin}'
            )
        self.open.append(tag)
        return i + 1

    def _attributes(self, tag: _OpenTag, begin: int, i: int) -> int:
        while self.at(i) != _GT:
            i = self._skip_spaces(i)
            if self.at(i) == _GT:
                break
            name_start = i
            while self.at(i) not in _ATTR_NAME_END:
                i += 1
            attribute = self.data[name_start:i]
            if not attribute:
                raise EntityParseError(
                    f'Empty attribute name in the tag "{tag.name}" at byte offset {begin}'
                )
            i = self._skip_spaces(i)
            if self.at(i) != _EQ:
                if self.at(i) == 0:
                    raise _unclosed_start_tag(tag.name, begin)
                if (tag.name, attribute) == ("blockquote", b"expandable"):
                    tag.argument = "1"
                continue
            i = self._skip_spaces(i + 1)
            if self.at(i) == 0:
                raise _unclosed_start_tag(tag.name, begin)
            value, i = self._attribute_value(i)
            if self.at(i) == 0:
                raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
            _apply_attribute(tag, attribute, value)
        return i

    def _attribute_value(self, i: int) -> tuple[str, int]:
        quote = self.at(i)
        if quote not in (_QUOT, _APOS):  # a name token: letters, digits, "." and "-"
            start = i
            while self.at(i) in _NAME_TOKEN:
                i += 1
            if self.at(i) not in _SPACE and self.at(i) != _GT:
                raise EntityParseError(f"Unexpected end of name token at byte offset {start}")
            return self._name(start, i), i
        value, i = bytearray(), i + 1
        while self.at(i) not in (quote, 0):
            code, end = char_reference(self.data, i) if self.at(i) == _AMP else (0, i)
            if code:
                value += chr(code).encode("utf-8", "surrogatepass")
                i = end
            else:
                value.append(self.at(i))
                i += 1
        return value.decode("utf-8", "surrogatepass"), i + 1 if self.at(i) == quote else i

    def _end_tag(self, begin: int) -> int:
        if not self.open:
            raise EntityParseError(f"Unexpected end tag at byte offset {begin}")
        i = begin + 2
        while self.at(i) not in _SPACE and self.at(i) != _GT:
            i += 1
        name = self._name(begin + 2, i)
        i = self._skip_spaces(i)
        if self.at(i) != _GT:
            raise EntityParseError(f"Unclosed end tag at byte offset {begin}")
        tag = self.open.pop()
        if name and name != tag.name:
            raise EntityParseError(
                f"Unmatched end tag at byte offset {begin}, "
                f'expected "</{tag.name}>", found "</{name}>"'
            )
        if self.out.utf16 > tag.offset:
            self._add_entity(tag, tag.offset, self.out.utf16 - tag.offset)
        return i + 1

    def _add_entity(self, tag: _OpenTag, offset: int, length: int) -> None:
        if tag.name in ("pre", "code"):
            self._add_code(tag, offset, length)
        elif tag.name == "a":
            fields = link_fields(tag.argument or self.out.text(tag.start))
            if fields:
                self.entities.append(placed(fields, offset, length))
        elif (found := _tag_entity(tag, offset, length)) is not None:
            self.entities.append(found)

    def _add_code(self, tag: _OpenTag, offset: int, length: int) -> None:
        """<pre> and <code class="language-x"> around the same text make one pre with a language."""
        last = self.entities[-1] if self.entities else {}
        same_span = (last.get("offset"), last.get("length")) == (offset, length)
        code_with_language = same_span and last["type"] == "code" and last["language"]
        plain_pre = same_span and last["type"] == "pre" and "language" not in last
        if tag.name == "pre" and code_with_language:
            last["type"] = "pre"
        elif tag.name == "code" and plain_pre and tag.argument:
            last["language"] = tag.argument
        else:
            extra = {"language": tag.argument} if tag.name == "code" else {}
            self.entities.append(entity(tag.name, offset, length, **extra))


def _tag_entity(tag: _OpenTag, offset: int, length: int) -> Entity | None:
    if tag.name in _PLAIN_TAGS:
        return entity(_PLAIN_TAGS[tag.name], offset, length)
    if tag.name == "blockquote":
        return entity("expandable_blockquote" if tag.argument else "blockquote", offset, length)
    if tag.name == "tg-emoji":
        emoji_id = canonical_int(tag.argument)
        if not emoji_id:
            raise EntityParseError("Invalid custom emoji identifier specified")
        return entity("custom_emoji", offset, length, custom_emoji_id=str(emoji_id))
    spec = date_time_format(tag.argument)  # <tg-time>
    if tag.unix_time <= 0:
        return None
    return entity("date_time", offset, length, unix_time=tag.unix_time, date_time_format=spec)


def _unclosed_start_tag(name: str, begin: int) -> EntityParseError:
    return EntityParseError(f'Unclosed start tag "{name}" at byte offset {begin}')


def _apply_attribute(tag: _OpenTag, attribute: bytes, value: str) -> None:
    name = tag.name
    if (name, attribute) in (("a", b"href"), ("tg-emoji", b"emoji-id"), ("tg-time", b"format")):
        tag.argument = value
    elif (name, attribute) == ("code", b"class") and value.startswith("language-"):
        tag.argument = value.removeprefix("language-")
    elif (name, attribute) == ("span", b"class") and value.startswith("tg-"):
        tag.argument = value.removeprefix("tg-")
    elif (name, attribute) == ("blockquote", b"expandable"):
        tag.argument = "1"
    elif (name, attribute) == ("tg-time", b"unix"):
        digits = leading(r"-?[0-9]*", value)
        tag.unix_time = int(digits) if digits not in ("", "-") and abs(int(digits)) < 2**31 else 0


def _is_valid_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def parse_html(text: str) -> tuple[str, list[Entity]]:
    """parse_mode=HTML."""
    return _HtmlParser(text).run()
