"""Sending long text: split under Telegram's 4096-unit limit, keyboard on the last part.

Telegram counts a message's length in UTF-16 code units (an emoji outside the BMP is two), so
that is what the limit is measured in here. Parts are cut at the last paragraph break, else line
break, else space in the second half of the part; only a single word longer than the remaining
budget is cut mid-word. The separator at a cut is dropped (Telegram trims it anyway).

HTML (`parse_mode="HTML"`): a cut never falls inside a tag or an entity (`&amp;`). Tags open at
a cut are closed at the end of the part and reopened, with their attributes, at the start of the
next, so every part is valid HTML on its own and keeps its formatting. The limit is applied to
the raw markup, tags included: stricter than Telegram (which counts only the visible text) but
never too long, and independent of how any server counts. Markdown is refused: its entities
cannot be cut safely by a simple scanner, and handlers render HTML.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from telegram import Bot, Message
from telegram.constants import MessageLimit, ParseMode
from telegram.error import Forbidden

from bot.errors import RecipientBlocked

TEXT_LIMIT: int = MessageLimit.MAX_TEXT_LENGTH

# A tag (opening, closing or self-closing) or a character entity; anything else is text.
_MARKUP = re.compile(
    r"<(?P<close>/)?(?P<name>[A-Za-z][\w-]*)\b[^<>]*?(?P<void>/)?>"
    r"|&(?:#\d+|#[xX][0-9A-Fa-f]+|\w+);"
)
# Priorities of the places a part may end at.
_SPACE, _LINE, _PARAGRAPH = 1, 2, 3


def utf16_len(text: str) -> int:
    """Length of `text` as Telegram counts it, in UTF-16 code units."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


@dataclass(frozen=True, slots=True)
class _Atom:
    """A piece that is never cut: one character, one tag or one entity."""

    text: str
    size: int
    opens: str = ""  # tag name, for an opening tag
    closes: str = ""  # tag name, for a closing tag


@dataclass(frozen=True, slots=True)
class _Open:
    """One open tag, with the size of every closing tag needed at this depth."""

    tag: _Atom
    closing_size: int


@dataclass(frozen=True, slots=True)
class _Cut:
    """A place the current part may end: before atom `end`, the next one resuming at `resume`."""

    end: int
    resume: int
    size: int
    stack: tuple[_Open, ...]
    priority: int


def split_text(text: str, *, limit: int = TEXT_LIMIT, html: bool = False) -> list[str]:
    """Cut `text` into parts of at most `limit` UTF-16 units at the most natural boundaries."""
    if not html and utf16_len(text) <= limit:
        # Nearly every message: one part as it is (splitting walks it a character at a time).
        return [text] if text.strip() else []
    atoms = list(_atoms(text, html))
    parts: list[str] = []
    start = 0  # first atom of the current part
    stack: tuple[_Open, ...] = ()
    prefix = ""  # tags reopened at the start of the current part
    size = 0
    cuts: list[_Cut] = []
    i = 0
    while i < len(atoms):
        atom = atoms[i]
        after = _apply(stack, atom)
        if size + atom.size + _closing_size(after) <= limit:
            stack, size, i = after, size + atom.size, i + 1
            if cut := _cut_after(atoms, i - 1, start, size, stack):
                cuts.append(cut)
            continue
        cut = _best(cuts, limit) or _Cut(i, i, size, stack, 0)
        if cut.end == start:
            raise ValueError(f"a piece of {atom.size} units cannot fit in a part of {limit}")
        parts.append(prefix + _joined(atoms, start, cut.end) + _closing(cut.stack))
        stack, start, i, cuts = cut.stack, cut.resume, cut.resume, []
        prefix = "".join(open_.tag.text for open_ in stack)
        size = utf16_len(prefix)
    parts.append(prefix + _joined(atoms, start, len(atoms)) + _closing(stack))
    # A part of nothing but separators and tags would be refused by Telegram as empty.
    return [part for part in parts if _visible(part, html).strip()]


def shortened(text: str, *, limit: int = TEXT_LIMIT, html: bool = False) -> str:
    """`text` cut to at most `limit` UTF-16 units at a natural boundary, "…" where it was cut."""
    if utf16_len(text) <= limit:
        return text
    parts = split_text(text, limit=limit - 1, html=html)
    return f"{parts[0]}…" if parts else text


async def send_text(
    bot: Bot,
    chat_id: int | str,
    text: str,
    *,
    parse_mode: str | None = None,
    reply_markup: Any = None,
    **kwargs: Any,
) -> list[Message]:
    """Send `text` in as many messages as it needs; `reply_markup` goes on the last one."""
    if parse_mode is not None and parse_mode != ParseMode.HTML:
        raise ValueError(f"send_text splits plain text or HTML only, not {parse_mode}")
    parts = split_text(text, html=parse_mode == ParseMode.HTML)
    if not parts:
        raise ValueError("refusing to send an empty message")
    sent: list[Message] = []
    for number, part in enumerate(parts, start=1):
        markup = reply_markup if number == len(parts) else None
        try:
            message = await bot.send_message(
                chat_id, part, parse_mode=parse_mode, reply_markup=markup, **kwargs
            )
        except Forbidden as err:
            # The error handler marks the person unreachable; it needs to know which chat.
            raise RecipientBlocked(chat_id, err.message) from err
        sent.append(message)
    return sent


def _atoms(text: str, html: bool) -> Iterator[_Atom]:
    position = 0
    markup = _MARKUP.finditer(text) if html else iter(())
    for match in markup:
        yield from _characters(text[position : match.start()])
        name = (match.group("name") or "").lower()
        if match.group("close"):
            yield _Atom(match.group(), len(match.group()), closes=name)
        elif name and not match.group("void"):
            yield _Atom(match.group(), utf16_len(match.group()), opens=name)
        else:
            yield _Atom(match.group(), utf16_len(match.group()))
        position = match.end()
    yield from _characters(text[position:])


def _characters(text: str) -> Iterator[_Atom]:
    for ch in text:
        yield _Atom(ch, 2 if ord(ch) > 0xFFFF else 1)


def _apply(stack: tuple[_Open, ...], atom: _Atom) -> tuple[_Open, ...]:
    if atom.opens:
        below = stack[-1].closing_size if stack else 0
        return (*stack, _Open(atom, below + len(atom.opens) + 3))
    if atom.closes:
        # Close up to the matching tag; a stray closing tag (bad markup) changes nothing.
        for depth in range(len(stack) - 1, -1, -1):
            if stack[depth].tag.opens == atom.closes:
                return stack[:depth]
    return stack


def _closing_size(stack: tuple[_Open, ...]) -> int:
    return stack[-1].closing_size if stack else 0


def _closing(stack: tuple[_Open, ...]) -> str:
    return "".join(f"</{open_.tag.opens}>" for open_ in reversed(stack))


def _cut_after(
    atoms: list[_Atom], index: int, start: int, size: int, stack: tuple[_Open, ...]
) -> _Cut | None:
    text = atoms[index].text
    if text == " ":
        cut = _Cut(index, index + 1, size - 1, stack, _SPACE)
    elif text != "\n":
        return None
    elif index > start and atoms[index - 1].text == "\n":
        cut = _Cut(index - 1, index + 1, size - 2, stack, _PARAGRAPH)
    else:
        cut = _Cut(index, index + 1, size - 1, stack, _LINE)
    # Ending a part before it has anything in it would not move the text forward.
    return cut if cut.end > start else None


def _best(cuts: list[_Cut], limit: int) -> _Cut | None:
    fitting = [cut for cut in cuts if cut.size + _closing_size(cut.stack) <= limit]
    # A boundary early in the part would leave a stub, so the better kind of boundary only
    # wins when it keeps at least half the part; otherwise the latest boundary does.
    late = [cut for cut in fitting if cut.size >= limit // 2]
    if late:
        return max(late, key=lambda cut: (cut.priority, cut.end))
    return max(fitting, key=lambda cut: cut.end, default=None)


def _joined(atoms: list[_Atom], start: int, end: int) -> str:
    return "".join(atom.text for atom in atoms[start:end])


def _visible(part: str, html: bool) -> str:
    return _MARKUP.sub(lambda m: "" if m.group().startswith("<") else "x", part) if html else part
