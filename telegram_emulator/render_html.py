"""Text and entities rendered as HTML for the web chat."""

from __future__ import annotations

import html
import re
from bisect import bisect_left
from itertools import pairwise

from telegram_emulator.entities import Entity, sort_entities, utf16_offsets

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
    units = utf16_offsets(text)
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
