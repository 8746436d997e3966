"""Telegram's message formatting: parse_mode markup to plain text and MessageEntity dicts.

The rules and error texts follow tdlib (td/telegram/MessageEntity.cpp), which the real Bot API
server runs. Like tdlib, the parsers walk UTF-8 bytes, so the byte offsets in error texts match
Telegram's; entity offsets and lengths count UTF-16 code units.
"""

from __future__ import annotations

import html
import ipaddress
import re
import string
from bisect import bisect_left
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

Entity = dict[str, Any]  # one MessageEntity, shaped like the Bot API's JSON


class EntityParseError(Exception):
    """Markup Telegram refuses; str() is tdlib's text, e.g. 'Unexpected end tag at byte offset 3'.

    The Bot API answers with `description`.
    """

    @property
    def description(self) -> str:
        return f"Bad Request: can't parse entities: {self}"


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
    from bot.emulator import markdown  # the Markdown parsers build on this module's pieces

    parsers = {
        "html": parse_html,
        "markdownv2": markdown.parse_markdown_v2,
        "markdown": markdown.parse_markdown,
    }
    if mode not in parsers:
        raise UnsupportedParseMode
    return parsers[mode](text)


def escape_html(text: str) -> str:
    """Text that parse_mode=HTML shows literally."""
    return html.escape(text, quote=False)


def escape_markdown_v2(text: str) -> str:
    """Text that parse_mode=MarkdownV2 shows literally."""
    return re.sub(r"([_*\[\]()~`>#+\-=|{}.!\\])", r"\\\1", text)


# --- pieces the parsers share -------------------------------------------------------------------

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
        if byte & 0xC0 != 0x80:  # first byte of a character; 4-byte ones are surrogate pairs
            self.utf16 += 2 if byte >= 0xF0 else 1
        self.buf.append(byte)

    def add_code_point(self, code: int) -> None:
        self.utf16 += 2 if code > 0xFFFF else 1
        self.buf += chr(code).encode("utf-8", "surrogatepass")

    def text(self, start: int = 0) -> str:
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


def link_fields(url: str) -> dict[str, Any] | None:
    """text_mention for tg://user?id=N, text_link for a URL Telegram accepts, else nothing."""
    user_id = _link_user_id(url)
    if user_id is not None:
        # The Bot API sends the full user; the emulator knows only the id here.
        return {"type": "text_mention", "user": {"id": user_id, "is_bot": False, "first_name": ""}}
    link = checked_link(url)
    return {"type": "text_link", "url": link} if link else None


def tg_url_query(url: str, host: str) -> str | None:
    """The query of tg://<host>?query (scheme and host case-insensitive), else None."""
    lower = ascii_lower(url[: 3 + 2 + len(host) + 1])
    if not lower.startswith("tg:"):
        return None
    lower, url = lower[3:], url[3:]
    if url.startswith("//"):
        lower, url = lower[2:], url[2:]
    if not lower.startswith(host) or (len(url) > len(host) and url[len(host)] not in "/?#"):
        return None
    url = url[len(host) :].removeprefix("/")
    return url[1:].split("#")[0] if url.startswith("?") else None


def url_params(query: str) -> list[tuple[str, str]]:
    return [(key, value) for key, _, value in (p.partition("=") for p in query.split("&"))]


def _link_user_id(url: str) -> int | None:
    query = tg_url_query(ascii_lower(url), "user")
    for key, value in url_params(query) if query is not None else []:
        if key == "id":
            user_id = canonical_int(value)
            return user_id if user_id is not None and 0 < user_id < 2**40 else None
    return None


# --- URLs as LinkManager::check_link and parse_url accept them ----------------------------------

_URL_PART = r"(?:[A-Za-z0-9.\-_!$,~*'();&+=]|%[0-9A-Fa-f]{2}|[^\x00-\x7f])*"
_HOST_PART = re.compile(_URL_PART)
_USERINFO_PART = re.compile(_URL_PART.replace("=]", "=:]"))
_TG_SCHEMES = ("tg:", "ton:", "tonsite:")


@dataclass(frozen=True)
class _Url:
    https: bool
    userinfo: str
    host: str
    is_ipv6: bool
    port: int  # as written, 0 if none
    path: str  # from the first "/", "?" or "#", always starting with "/"

    def __str__(self) -> str:
        userinfo = f"{self.userinfo}@" if self.userinfo else ""
        port = f":{self.port}" if self.port else ""
        return f"{'https' if self.https else 'http'}://{userinfo}{self.host}{port}{self.path}"


def checked_link(link: str) -> str | None:
    """The URL a text_link gets (e.g. example.com -> http://example.com/), or None if invalid."""
    scheme = next((s for s in _TG_SCHEMES if ascii_lower(link[: len(s)]) == s), None)
    rest = link[len(scheme) :] if scheme else link
    if scheme and rest.startswith("//"):
        rest = rest[2:]
    url = _parse_url(rest)
    if url is None:
        return None
    if scheme is None:
        return str(url) if "." in url.host or url.is_ipv6 else None
    if (
        ascii_lower(rest).startswith("http://")
        or url.https
        or url.userinfo
        or url.port
        or url.is_ipv6
    ):
        return None
    extra = "." if scheme == "tonsite:" else ""
    if not all((c.isascii() and c.isalnum()) or c in "-_" + extra for c in url.host):
        return None
    path = url.path[1:] if url.path.startswith("/?") else url.path
    return f"{scheme[:-1]}://{url.host}{path}"


def _parse_url(url: str) -> _Url | None:
    protocol = _leading(r"[^:/?#@\[\]]*", url)
    https = False
    if url.startswith("://", len(protocol)):
        if ascii_lower(protocol) not in ("http", "https"):
            return None
        https, url = ascii_lower(protocol) == "https", url[len(protocol) + 3 :]
    host_end = next((i for i, c in enumerate(url) if c in "/?#"), len(url))
    userinfo_host, port = url[:host_end], 0
    colon = max(userinfo_host.rfind(c) for c in ":]@")
    if colon >= 1 and userinfo_host[colon] == ":":
        port = canonical_int(re.sub(r"^0+(?=.)", "", userinfo_host[colon + 1 :]), 32) or -1
        userinfo_host = userinfo_host[:colon]
    userinfo, _, host = userinfo_host.rpartition("@")
    is_ipv6 = host.startswith("[") and host.endswith("]")
    if not 0 <= port <= 65535 or not host or host == "." or (is_ipv6 and not _is_ipv6(host)):
        return None
    host = ascii_lower(host)
    if not is_ipv6 and not (_HOST_PART.fullmatch(host) and _USERINFO_PART.fullmatch(userinfo)):
        return None
    path = url[host_end:].rstrip(" \t\r\n\v\0") or "/"
    path = ("" if path.startswith("/") else "/") + re.sub(
        r"[\x00-\x20]", lambda m: f"%{ord(m.group()):02X}", path
    )
    return _Url(https, userinfo, host, is_ipv6, port, path)


def _is_ipv6(host: str) -> bool:
    try:
        ipaddress.IPv6Address(host[1:-1])
    except ValueError:
        return False
    return re.fullmatch(r"\[[0-9a-fA-F:.]*\]", host) is not None


# --- HTML ---------------------------------------------------------------------------------------

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
        digits = _leading(r"[0-9a-fA-F]*" if base == 16 else r"[0-9]*", data[end : end + 16])
        code, end = int(digits or "0", base), end + len(digits)
        if code == 0 or code >= 0x10FFFF or end - pos >= 10:
            return 0, pos
    else:
        name = _leading(r"[A-Za-z]*", data[end : end + 8]).encode()
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
        digits = _leading(r"-?[0-9]*", value)
        tag.unix_time = int(digits) if digits not in ("", "-") and abs(int(digits)) < 2**31 else 0


def _leading(pattern: str, text: str | bytes) -> str:
    """The longest prefix of `text` matching `pattern` (bytes are read as Latin-1)."""
    if isinstance(text, bytes):
        text = text.decode("latin-1")
    found = re.match(pattern, text)
    return found.group() if found else ""


def _is_valid_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def parse_html(text: str) -> tuple[str, list[Entity]]:
    """parse_mode=HTML."""
    return _HtmlParser(text).run()


# --- entities Telegram finds in any text --------------------------------------------------------

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
    units = _utf16_offsets(text)
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
        username = _leading(r"@[A-Za-z0-9_]{0,32}", text[end:])
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


def _utf16_offsets(text: str) -> list[int]:
    """UTF-16 offset of each character index, plus the total at the end."""
    offsets, total = [0], 0
    for char in text:
        total += 2 if ord(char) > 0xFFFF else 1
        offsets.append(total)
    return offsets


# --- rendering for the web chat -----------------------------------------------------------------

_SIMPLE_HTML = {
    "bold": "b",
    "italic": "i",
    "underline": "u",
    "strikethrough": "s",
    "code": "code",
    "blockquote": "blockquote",
    "expandable_blockquote": "blockquote",
}
_Placed = tuple[int, int, Entity]  # an entity's start and end as character indices
_SAFE_HREF = re.compile(r"(?:https?|tg)://[^\s\x00-\x1f\x7f]*", re.IGNORECASE)


def to_html(text: str, entities: list[Entity]) -> str:
    """Plain text + entities as escaped HTML, entities nested properly; newlines stay as is."""
    units = _utf16_offsets(text)
    spans: list[_Placed] = []
    for found in sort_entities([e for e in entities if _is_placed(e)]):
        start = bisect_left(units, found["offset"])
        end = min(bisect_left(units, found["offset"] + found["length"]), len(text))
        if start < end:
            spans.append((start, end, found))
    cuts = sorted({0, len(text), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    parts: list[str] = []
    open_spans: list[_Placed] = []
    for here, following in pairwise(cuts):
        _close_ending(here, open_spans, parts, text)
        for span in (s for s in spans if s[0] == here):
            parts.append(_tags(span[2], text[span[0] : span[1]])[0])
            open_spans.append(span)
        parts.append(html.escape(text[here:following]))
    _close_ending(len(text), open_spans, parts, text)
    return "".join(parts)


def _is_placed(found: Entity) -> bool:
    offset, length = found.get("offset"), found.get("length")
    placeable = isinstance(offset, int) and isinstance(length, int) and offset >= 0 and length > 0
    return placeable and isinstance(found.get("type"), str)


def _close_ending(here: int, open_spans: list[_Placed], parts: list[str], text: str) -> None:
    """Close the spans ending here; spans opened inside them are closed and reopened."""
    ending = [i for i, span in enumerate(open_spans) if span[1] <= here]
    if not ending:
        return
    inner = open_spans[ending[0] :]
    del open_spans[ending[0] :]
    parts.extend(_tags(span[2], text[span[0] : span[1]])[1] for span in reversed(inner))
    for span in inner:
        if span[1] > here:
            parts.append(_tags(span[2], text[span[0] : span[1]])[0])
            open_spans.append(span)


def _tags(found: Entity, covered: str) -> tuple[str, str]:
    kind = found.get("type")
    if kind in _SIMPLE_HTML:
        return f"<{_SIMPLE_HTML[kind]}>", f"</{_SIMPLE_HTML[kind]}>"
    if kind == "spoiler":
        return '<span class="spoiler">', "</span>"
    if kind == "pre":
        language = html.escape(str(found.get("language") or ""))
        if language:
            return f'<pre><code class="language-{language}">', "</code></pre>"
        return "<pre>", "</pre>"
    href = str(found.get("url", "")) if kind == "text_link" else covered if kind == "url" else ""
    if kind == "url" and "://" not in href:
        href = f"http://{href}"
    if href and _SAFE_HREF.fullmatch(href):
        attributes = 'rel="noopener noreferrer" target="_blank"'
        return f'<a href="{html.escape(href)}" {attributes}>', "</a>"
    return "", ""
