"""The web chat in a real browser: a person chats with a small PTB bot through the page."""

from __future__ import annotations

import html
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Locator, Page, async_playwright, expect
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    KeyboardButton,
    LabeledPrice,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatAction
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from telegram_emulator import Emulator
from telegram_emulator.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.factories import tiny_png
from tests.telegram_emulator.media_files import MediaFiles

STEP_TIMEOUT_MS = 5000

# On a developer's machine without chromium the browser tests skip; CI (.ci/run installs it)
# never skips them.
pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists() and not os.environ.get("CI"),
    reason=f"Debian's Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)",
)


async def welcome(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    ping = InlineKeyboardMarkup([[InlineKeyboardButton("Ping", callback_data="ping")]])
    name = html.escape(update.effective_user.first_name)
    await update.message.reply_html(f"Welcome, <b>{name}</b>!", reply_markup=ping)


async def pong(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.callback_query.answer()
    await update.callback_query.edit_message_text("Pong")


async def praise_photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.message.reply_text("Nice photo")


@pytest.fixture
async def test_bot(emulator: Emulator) -> AsyncIterator[Application]:
    """A tiny bot polling the emulator in this event loop."""
    app = (
        Application.builder()
        .token(emulator.token)
        .base_url(emulator.base_url)
        .base_file_url(emulator.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", welcome))
    app.add_handler(CallbackQueryHandler(pong, pattern="^ping$"))
    app.add_handler(MessageHandler(filters.PHOTO, praise_photo))
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0.0, timeout=1)
        yield app
        await app.updater.stop()
        await app.stop()


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


@pytest.fixture
async def page(emulator: Emulator, browser: Browser) -> AsyncIterator[Page]:
    """A fresh tab (own localStorage) on the web chat."""
    context = await browser.new_context(viewport={"width": 900, "height": 700})
    page = await context.new_page()
    page.set_default_timeout(STEP_TIMEOUT_MS)
    await page.goto(emulator.url)
    yield page
    await context.close()


async def create_person(page: Page, first_name: str) -> None:
    await page.get_by_label("First name").fill(first_name)
    await page.get_by_role("button", name="Create person").click()
    await expect(page.locator("#me-name")).to_have_text(first_name)


async def send(page: Page, text: str) -> None:
    await page.get_by_label("Message", exact=True).fill(text)
    await page.get_by_label("Message", exact=True).press("Enter")


async def test_person_chats_with_the_bot_through_the_page(
    emulator: Emulator, test_bot: Application, page: Page
) -> None:
    await create_person(page, "Bea")

    await send(page, "/start")
    bot_messages = page.locator(".message.incoming")
    await expect(bot_messages.locator("b")).to_have_text("Bea")
    await expect(bot_messages.first).to_contain_text("Welcome, Bea!")

    await page.get_by_role("button", name="Ping").click()
    await expect(bot_messages).to_have_count(1)  # edited in place, not a new message
    await expect(bot_messages.first.locator(".text")).to_have_text("Pong")
    await expect(page.get_by_role("button", name="Ping")).to_have_count(0)

    await page.locator("#file-input").set_input_files(
        files=[{"name": "dot.png", "mimeType": "image/png", "buffer": tiny_png(24, 16)}]
    )
    photo = page.locator(".message.outgoing img")
    await expect(photo).to_be_visible()
    await expect(photo).to_have_js_property("naturalWidth", 24)  # loaded from /api/files
    await expect(bot_messages.last).to_contain_text("Nice photo")


async def test_the_page_remembers_the_chosen_person_after_a_reload(
    emulator: Emulator, test_bot: Application, page: Page
) -> None:
    await create_person(page, "Cai")
    await send(page, "/start")
    await expect(page.locator(".message.incoming b")).to_have_text("Cai")

    await page.reload()

    await expect(page.locator("#me-name")).to_have_text("Cai")
    await expect(page.locator(".message.incoming b")).to_have_text("Cai")
    await expect(page.get_by_role("button", name="Cai")).to_have_attribute("aria-current", "true")


async def test_block_toggle_blocks_the_bot_for_this_person(emulator: Emulator, page: Page) -> None:
    await create_person(page, "Dan")

    await page.get_by_role("button", name="Block bot").click()

    await expect(page.get_by_role("button", name="Unblock bot")).to_have_attribute(
        "aria-pressed", "true"
    )
    dan = next(p for p in emulator.world.people.values() if p.first_name == "Dan")
    assert dan.id in emulator.bot.blocked_by


async def test_an_api_refusal_shows_a_polite_toast(emulator: Emulator, page: Page) -> None:
    await create_person(page, "Eve")

    await page.locator("#file-input").set_input_files(
        files=[{"name": "broken.png", "mimeType": "image/png", "buffer": b"not a picture"}]
    )

    await expect(page.locator(".toast.error")).to_contain_text("Couldn't upload broken.png")
    await expect(page.locator(".message")).to_have_count(0)


async def bot_receives(bot: Bot, kind: str) -> Update:
    """The next update of a kind for a bot driven by hand; all fetched updates are confirmed."""
    for _ in range(5):
        updates = await bot.get_updates(timeout=2)
        if updates:
            await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)
        wanted = [u for u in updates if getattr(u, kind) is not None]
        if wanted:
            return wanted[0]
    raise AssertionError(f"the bot got no {kind}")


async def started_chat(page: Page, bot: Bot) -> int:
    """Create a person on the page who has sent /start; their id (= chat id)."""
    await create_person(page, "Fay")
    await send(page, "/start")
    return (await bot_receives(bot, "message")).effective_user.id


async def test_a_person_replies_to_a_bot_message_and_the_bot_gets_reply_to_message(
    emulator: Emulator, bot: Bot, page: Page
) -> None:
    chat_id = await started_chat(page, bot)
    question = await bot.send_message(chat_id, "Which day suits you?\nMonday or Friday")
    await bot.send_message(chat_id, "(take your time)")
    asked = page.locator(f'[data-message-id="{question.message_id}"]')
    await expect(asked).to_contain_text("Monday or Friday")

    await asked.hover()
    await asked.get_by_role("button", name="Reply").click()
    replying = page.locator("#replying")
    await expect(replying).to_contain_text("Replying to Test Bot")
    await expect(replying).to_contain_text("Which day suits you?")
    await send(page, "Friday, please")

    update = await bot_receives(bot, "message")
    assert update.message.text == "Friday, please"
    assert update.message.reply_to_message is not None
    assert update.message.reply_to_message.message_id == question.message_id
    await expect(replying).to_be_hidden()  # the next message is no reply unless asked again
    mine = page.locator(".message.outgoing").last
    await expect(mine.locator(".quote-name")).to_have_text("Test Bot")
    await expect(mine.locator(".quote-text")).to_have_text("Which day suits you?")


async def test_a_reply_can_be_cancelled_before_sending(
    emulator: Emulator, bot: Bot, page: Page
) -> None:
    chat_id = await started_chat(page, bot)
    tip = await bot.send_message(chat_id, "Tip of the day")
    await page.locator(f'[data-message-id="{tip.message_id}"] .bubble').dblclick()
    await expect(page.locator("#replying")).to_be_visible()

    await page.get_by_role("button", name="Cancel the reply").click()
    await send(page, "Thanks")

    update = await bot_receives(bot, "message")
    assert (update.message.text, update.message.reply_to_message) == ("Thanks", None)


async def test_the_bots_reply_shows_the_first_line_of_the_persons_message(
    emulator: Emulator, bot: Bot, page: Page
) -> None:
    chat_id = await started_chat(page, bot)
    await send(page, "Squats today\n5 sets of 5 at 80 kg")
    mine = await bot_receives(bot, "message")

    await bot.send_message(
        chat_id, "Logged!", reply_parameters=ReplyParameters(mine.message.message_id)
    )

    answer = page.locator(".message.incoming").last
    await expect(answer.locator(".quote-name")).to_have_text("Fay")
    await expect(answer.locator(".quote-text")).to_have_text("Squats today")
    await expect(answer.locator(".text")).to_have_text("Logged!")


async def test_reply_keyboard_shares_the_contact_until_the_bot_removes_it(
    emulator: Emulator, bot: Bot, page: Page
) -> None:
    chat_id = await started_chat(page, bot)
    share = KeyboardButton("Share my phone", request_contact=True)
    await bot.send_message(chat_id, "May we call you?", reply_markup=ReplyKeyboardMarkup([[share]]))

    await page.get_by_role("button", name="Share my phone").click()

    await expect(page.locator(".message.outgoing .contact")).to_contain_text("Fay")
    await bot.send_message(chat_id, "Thanks!", reply_markup=ReplyKeyboardRemove())
    await expect(page.get_by_role("group", name="Reply keyboard")).to_be_hidden()


async def test_the_attach_menu_sends_another_persons_contact_card(
    emulator: Emulator, bot: Bot, page: Page
) -> None:
    await create_person(page, "Gil")
    gil = next(p for p in emulator.world.people.values() if p.first_name == "Gil")
    await started_chat(page, bot)

    await page.get_by_role("button", name="Attach a file or a contact").click()
    await page.get_by_role("menuitem", name="👤 Contact").click()
    await page.get_by_role("menuitem", name="👤 Gil").click()

    contact = (await bot_receives(bot, "message")).message.contact
    assert (contact.user_id, contact.first_name) == (gil.id, "Gil")
    await expect(page.locator(".message.outgoing .contact")).to_contain_text("Gil")
    await expect(page.get_by_role("menu", name="Attach")).to_be_hidden()


async def test_typing_alerts_and_stars_invoices_show_as_in_telegram(
    emulator: Emulator, bot: Bot, page: Page
) -> None:
    chat_id = await started_chat(page, bot)

    await bot.send_chat_action(chat_id, ChatAction.TYPING)
    await expect(page.locator("#bot-status")).to_have_text("typing…")

    await bot.send_invoice(
        chat_id,
        "Sprint drills",
        "One session with Coach Lee",
        "session-1",
        "XTR",
        [LabeledPrice("Session", 5)],
    )
    await expect(page.locator(".invoice-amount")).to_have_text("⭐ 5")
    await page.get_by_role("button", name="Pay ⭐ 5").click()
    checkout = (await bot_receives(bot, "pre_checkout_query")).pre_checkout_query
    await bot.answer_pre_checkout_query(checkout.id, ok=True)
    await expect(page.locator(".service")).to_have_text("You paid ⭐ 5")

    ping = InlineKeyboardMarkup([[InlineKeyboardButton("Check", callback_data="check")]])
    await bot.send_message(chat_id, "Slots", reply_markup=ping)
    await page.get_by_role("button", name="Check").click()
    query = (await bot_receives(bot, "callback_query")).callback_query
    await bot.answer_callback_query(query.id, "That slot is taken", show_alert=True)
    await expect(page.get_by_role("alertdialog")).to_contain_text("That slot is taken")
    await page.get_by_role("button", name="OK").click()
    await expect(page.get_by_role("alertdialog")).to_be_hidden()


async def test_the_page_says_when_telegrams_limits_are_off(emulator: Emulator, page: Page) -> None:
    # The fixture's emulator runs with limits off; the page must not hide that.
    await expect(page.locator("#limits-off")).to_be_visible()


async def test_the_page_shows_the_bot_name_and_title_its_starter_gave(browser: Browser) -> None:
    async with Emulator(limits=False, bot_name="Weather Bot", title="Try the Weather Bot") as named:
        context = await browser.new_context()
        page = await context.new_page()
        await page.goto(named.url)

        await expect(page.locator("#bot-name")).to_have_text("Weather Bot")
        await expect(page.locator("#bot-status")).to_contain_text(f"@{named.bot.username}")
        await expect(page).to_have_title("Try the Weather Bot")
        await context.close()


async def loaded_duration(media_element: Locator) -> float:
    """The duration the browser read from the file, once its metadata has loaded."""
    return await media_element.evaluate(
        """(node) => new Promise((done) => {
            if (node.readyState >= 1) done(node.duration);
            else node.addEventListener("loadedmetadata", () => done(node.duration));
        })"""
    )


async def test_voice_video_messages_and_gifs_show_as_in_telegram(
    emulator: Emulator, bot: Bot, page: Page, media: MediaFiles
) -> None:
    chat_id = await started_chat(page, bot)

    await bot.send_voice(chat_id, media.voice.read_bytes())
    await bot.send_video_note(chat_id, media.round_clip.read_bytes())
    await bot.send_animation(chat_id, InputFile(media.gif.read_bytes(), filename="cheer.gif"))
    await bot.send_animation(chat_id, InputFile(media.clip.read_bytes(), filename="loop.mp4"))

    voice = page.get_by_label("Voice message, 0:04")
    await expect(voice).to_have_js_property("controls", True)
    assert round(await loaded_duration(voice)) == 4
    note = page.get_by_role("button", name="Video message, 0:03. Play or pause")
    await expect(note).to_have_css("border-radius", "50%")
    assert round(await loaded_duration(note)) == 3
    await expect(page.get_by_role("img", name="GIF")).to_have_js_property("naturalWidth", 64)
    clip = page.locator("video.animation")
    await expect(clip).to_have_js_property("muted", True)
    await expect(clip).to_have_js_property("loop", True)
    await expect(clip).to_have_js_property("autoplay", True)
    # An animation also carries `document`; the page shows it once, as the animation.
    await expect(page.locator(".message.incoming .document")).to_have_count(0)
