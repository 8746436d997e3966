"""The safety net under every reply: nothing the bot sends exceeds Telegram's length limits."""

from __future__ import annotations

from html.parser import HTMLParser

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.app import BotApplication
from bot.bounded_bot import ANSWER_LIMIT, CAPTION_LIMIT
from bot.sending import TEXT_LIMIT, utf16_len
from tests.bot.runtime.fakes import FakeTelegram

KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("Undo", callback_data="undo")]])
# Words and emoji (two UTF-16 units each), longer than any limit.
LONG = "squat 120kg 🏋️ " * 700


class _Balance(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open.pop() == tag


def _balanced(markup: str) -> bool:
    parser = _Balance()
    parser.feed(markup)
    return parser.open == []


async def test_a_message_too_long_goes_in_parts_the_keyboard_on_the_last(
    app: BotApplication, telegram: FakeTelegram
) -> None:
    sent = await app.bot.send_message(77, LONG, reply_markup=KEYBOARD)

    calls = telegram.of("sendMessage")
    assert len(calls) >= 3
    assert all(utf16_len(call.params["text"]) <= TEXT_LIMIT for call in calls)
    assert ["reply_markup" in call.params for call in calls] == [False] * (len(calls) - 1) + [True]
    # Nothing lost but the separators at the cuts.
    assert " ".join(call.params["text"] for call in calls).split() == LONG.split()
    assert sent.text == calls[-1].params["text"]


async def test_a_message_within_the_limit_goes_as_it_is(
    app: BotApplication, telegram: FakeTelegram
) -> None:
    await app.bot.send_message(chat_id=77, text="short", reply_markup=KEYBOARD)

    [call] = telegram.of("sendMessage")
    assert call.params["text"] == "short" and "reply_markup" in call.params


async def test_an_edit_too_long_is_shortened_with_an_ellipsis(
    app: BotApplication, telegram: FakeTelegram
) -> None:
    await app.bot.edit_message_text(LONG, chat_id=77, message_id=5, reply_markup=KEYBOARD)

    [call] = telegram.of("editMessageText")
    text = call.params["text"]
    assert utf16_len(text) <= TEXT_LIMIT and text.endswith("…")
    assert LONG.startswith(text.removesuffix("…"))
    assert "reply_markup" in call.params


async def test_an_html_edit_is_shortened_into_valid_markup(
    app: BotApplication, telegram: FakeTelegram
) -> None:
    markup = "<b>Notes:</b> " + "<i>long &amp; careful</i> " * 400

    await app.bot.edit_message_text(markup, chat_id=77, message_id=5, parse_mode="HTML")

    text = telegram.of("editMessageText")[0].params["text"]
    assert utf16_len(text) <= TEXT_LIMIT and text.endswith("…")
    assert _balanced(text) and "&amp" not in text.rsplit("&amp;", 1)[-1]


async def test_a_caption_too_long_is_shortened(app: BotApplication, telegram: FakeTelegram) -> None:
    await app.bot.send_photo(77, "a-file-id", caption=LONG)
    await app.bot.edit_message_caption(chat_id=77, message_id=5, caption=LONG)

    captions = [call.params["caption"] for call in telegram.calls if "caption" in call.params]
    assert len(captions) == 2
    assert all(utf16_len(c) <= CAPTION_LIMIT and c.endswith("…") for c in captions)


async def test_a_button_answer_too_long_is_shortened(
    app: BotApplication, telegram: FakeTelegram
) -> None:
    await app.bot.answer_callback_query("q1", LONG, show_alert=True)

    [call] = telegram.of("answerCallbackQuery")
    assert utf16_len(call.params["text"]) <= ANSWER_LIMIT and call.params["text"].endswith("…")
    assert call.params["show_alert"] is True


async def test_markdown_is_left_to_telegram_rather_than_cut_wrongly(
    app: BotApplication, telegram: FakeTelegram
) -> None:
    await app.bot.edit_message_text(LONG, chat_id=77, message_id=5, parse_mode="MarkdownV2")

    assert telegram.of("editMessageText")[0].params["text"] == LONG
