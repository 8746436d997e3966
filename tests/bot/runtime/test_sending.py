import html
import re
from html.parser import HTMLParser

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.app import BotApplication
from bot.errors import RecipientBlocked
from bot.sending import TEXT_LIMIT, send_text, split_text, utf16_len
from tests.bot.runtime.fakes import FakeTelegram

# Letters, an accent, a BMP symbol, emoji outside the BMP (two UTF-16 units), a variation
# selector, and the separators.
_CHARS = st.sampled_from(list("abcxyzé€ 🏃⚽\ufe0f\n"))


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@given(text=st.text(_CHARS, max_size=400), limit=st.integers(min_value=2, max_value=60))
def test_plain_parts_fit_and_together_hold_the_whole_text(text: str, limit: int) -> None:
    parts = split_text(text, limit=limit)

    assert all(0 < utf16_len(part) <= limit for part in parts)
    assert _squash("".join(parts)) == _squash(text)


def test_text_within_the_limit_is_one_part() -> None:
    text = "🏃" * (TEXT_LIMIT // 2)

    assert split_text(text) == [text]


def test_text_is_cut_at_a_paragraph_before_a_line_before_a_space() -> None:
    first = "word " * 300 + "\n" + "word " * 200
    second = ("next paragraph " * 40).strip()

    parts = split_text(first + "\n\n" + second, limit=3000)

    assert parts == [first, second]


def test_a_line_break_is_preferred_to_a_space() -> None:
    text = "a" * 70 + "\n" + "b b b b b b b b b b b b"

    assert split_text(text, limit=90) == ["a" * 70, "b b b b b b b b b b b b"]


def test_an_early_paragraph_break_does_not_leave_a_stub() -> None:
    text = "intro\n\n" + "word " * 40

    parts = split_text(text, limit=100)

    assert len(parts[0]) > 50


def test_a_word_longer_than_the_limit_is_cut_hard() -> None:
    assert split_text("x" * 25, limit=10) == ["x" * 10, "x" * 10, "x" * 5]


def test_whitespace_only_text_gives_no_parts() -> None:
    assert split_text(" \n\n ") == []


class _Balance(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, f"unbalanced </{tag}>"
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


class _Depth(HTMLParser):
    """The most units a part must spend on tags alone: the costliest chain of nested tags."""

    def __init__(self) -> None:
        super().__init__()
        self.chain: list[int] = []
        self.worst = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        opened = len(self.get_starttag_text() or "") + len(f"</{tag}>")
        self.chain.append((self.chain[-1] if self.chain else 0) + opened)
        self.worst = max(self.worst, self.chain[-1])

    def handle_endtag(self, tag: str) -> None:
        self.chain.pop()


def _tag_cost(markup: str) -> int:
    parser = _Depth()
    parser.feed(markup)
    return parser.worst


def _visible(markup: str) -> str:
    parser = _Balance()
    parser.feed(markup)
    parser.close()
    assert parser.open == [], f"unclosed {parser.open}"
    return "".join(parser.text)


_WORDS = st.text(_CHARS, max_size=30).map(html.escape)


def _wrapped(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    tags = st.sampled_from(["<b>{}</b>", "<i>{}</i>", '<a href="https://x.io/?a=1&amp;b=2">{}</a>'])
    return st.builds(lambda tag, body: tag.format(body), tags, inner)


_HTML = st.recursive(
    _WORDS, lambda inner: _wrapped(st.lists(inner, max_size=4).map("".join)), max_leaves=12
)


@settings(max_examples=200)
@given(markup=_HTML, limit=st.integers(min_value=90, max_value=200))
def test_html_parts_fit_are_balanced_and_keep_the_visible_text(markup: str, limit: int) -> None:
    assume(_tag_cost(markup) + 2 <= limit)  # else not even one character fits: see below

    parts = split_text(markup, limit=limit, html=True)

    assert all(utf16_len(part) <= limit for part in parts)
    assert _squash("".join(_visible(part) for part in parts)) == _squash(_visible(markup))


def test_markup_nested_deeper_than_a_part_can_hold_is_refused() -> None:
    link = '<a href="https://example.org/a/long/path">'
    markup = f"<b>{link}x y z</a></b>" + " word" * 40

    with pytest.raises(ValueError, match="cannot fit"):
        split_text(markup, limit=len(link) + 10, html=True)


def test_html_formatting_is_closed_and_reopened_across_a_cut() -> None:
    markup = '<b>bold <a href="https://x.io">' + "link " * 30 + "</a></b> tail"

    parts = split_text(markup, limit=100, html=True)

    assert len(parts) >= 2
    assert parts[0].endswith("</a></b>")
    assert parts[1].startswith('<b><a href="https://x.io">')


def test_an_html_entity_is_never_cut() -> None:
    markup = "&amp;" * 30

    parts = split_text(markup, limit=12, html=True)

    assert all(re.fullmatch(r"(&amp;)+", part) for part in parts)
    assert "".join(parts) == markup


async def test_the_keyboard_goes_on_the_last_part_only(
    app: BotApplication, telegram: FakeTelegram
) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Book", callback_data="book")]])
    text = ("line of the schedule\n" * 400).strip()

    sent = await send_text(app.bot, 77, text, reply_markup=keyboard, disable_notification=True)

    calls = telegram.of("sendMessage")
    assert len(sent) == len(calls) >= 2
    with_keyboard = [("reply_markup" in call.params) for call in calls]
    assert with_keyboard == [False] * (len(calls) - 1) + [True]
    assert all(call.params["disable_notification"] is True for call in calls)
    assert all(utf16_len(call.params["text"]) <= TEXT_LIMIT for call in calls)


async def test_markdown_is_refused_rather_than_cut_wrongly(app: BotApplication) -> None:
    with pytest.raises(ValueError, match="MarkdownV2"):
        await send_text(app.bot, 77, "*bold*", parse_mode="MarkdownV2")


async def test_a_blocked_recipient_is_reported_with_its_chat(
    app: BotApplication, telegram: FakeTelegram
) -> None:
    telegram.refuse["sendMessage"] = (403, "Forbidden: bot was blocked by the user")

    with pytest.raises(RecipientBlocked) as raised:
        await send_text(app.bot, 77, "hello")

    assert raised.value.chat_id == 77
