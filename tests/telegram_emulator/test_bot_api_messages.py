"""Text messages, keyboards, edits, callback answers and command menus, through PTB's own Bot."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    MenuButtonCommands,
    MenuButtonDefault,
    MenuButtonWebApp,
    Message,
    MessageEntity,
    MessageId,
    MessageOriginUser,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    ReplyParameters,
    Update,
    WebAppInfo,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest

from telegram_emulator import ClientError, EmulatedUser, Emulator


async def take_updates(bot: Bot, *, poll_s: int = 5) -> list[Update]:
    """Long-poll once and confirm what came, as an application's updater does."""
    updates = await bot.get_updates(timeout=poll_s)
    if updates:
        await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)
    return updates


async def confirm_all(bot: Bot) -> None:
    """Acknowledge whatever is pending (the /start that made the person a user, say)."""
    await take_updates(bot, poll_s=0)


def keyboard(*labels: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=label.lower()) for label in labels]]
    )


# --- identity ------------------------------------------------------------------------------------


async def test_get_me_describes_the_bot_as_a_bot(bot: Bot, emulator: Emulator) -> None:
    me = await bot.get_me()

    assert me.is_bot is True
    assert me.id == int(emulator.token.split(":")[0])
    assert me.username == emulator.bot.username
    assert me.can_join_groups is True
    assert me.supports_inline_queries is False


async def test_log_out_and_close_are_acknowledged(bot: Bot) -> None:
    assert await bot.log_out() is True
    assert await bot.close() is True


# --- sendMessage ---------------------------------------------------------------------------------


async def test_sent_message_is_a_ptb_message_in_the_persons_chat(
    bot: Bot, ana: EmulatedUser
) -> None:
    sent = await bot.send_message(ana.id, "Hola, Ana")

    assert isinstance(sent, Message)
    assert sent.text == "Hola, Ana"
    assert sent.chat.id == ana.id and sent.chat.type == "private"
    assert sent.from_user is not None and sent.from_user.is_bot
    seen = await ana.expect("message")
    assert seen["message_id"] == sent.message_id and seen["text"] == "Hola, Ana"


async def test_html_markup_comes_back_as_message_entities(bot: Bot, ana: EmulatedUser) -> None:
    sent = await bot.send_message(
        ana.id,
        'Pay <b>now</b> at <a href="https://example.org/pay">the desk</a>',
        parse_mode=ParseMode.HTML,
    )

    assert sent.text == "Pay now at the desk"
    assert sent.entities == (
        MessageEntity(MessageEntity.BOLD, 4, 3),
        MessageEntity(MessageEntity.TEXT_LINK, 11, 8, url="https://example.org/pay"),
    )


async def test_markdown_v2_markup_comes_back_as_message_entities(
    bot: Bot, ana: EmulatedUser
) -> None:
    sent = await bot.send_message(
        ana.id, r"*Training* at _8\.30_", parse_mode=ParseMode.MARKDOWN_V2
    )

    assert sent.text == "Training at 8.30"
    assert sent.parse_entities() == {
        MessageEntity(MessageEntity.BOLD, 0, 8): "Training",
        MessageEntity(MessageEntity.ITALIC, 12, 4): "8.30",
    }


@pytest.mark.parametrize(
    ("text", "parse_mode"),
    [
        ("<b>unclosed", ParseMode.HTML),
        ("*unclosed", ParseMode.MARKDOWN_V2),
        ("8.30 needs escaping!", ParseMode.MARKDOWN_V2),
    ],
)
async def test_broken_markup_is_refused_with_cant_parse_entities(
    bot: Bot, ana: EmulatedUser, text: str, parse_mode: str
) -> None:
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(ana.id, text, parse_mode=parse_mode)
    assert ana.events("message")[-1].data["text"] == "/start"


async def test_inline_keyboard_comes_back_and_a_press_reaches_the_bot(
    bot: Bot, ana: EmulatedUser
) -> None:
    await confirm_all(bot)
    sent = await bot.send_message(ana.id, "Which day?", reply_markup=keyboard("Monday", "Friday"))
    assert sent.reply_markup == keyboard("Monday", "Friday")

    await ana.press("Friday")

    (update,) = await take_updates(bot)
    query = update.callback_query
    assert query is not None
    assert query.data == "friday"
    assert query.from_user.id == ana.id
    assert query.message is not None and query.message.message_id == sent.message_id


async def test_request_contact_button_shares_the_persons_contact_with_the_bot(
    bot: Bot, ana: EmulatedUser
) -> None:
    await confirm_all(bot)
    markup = ReplyKeyboardMarkup(
        [[KeyboardButton("Share my phone", request_contact=True)]], one_time_keyboard=True
    )
    sent = await bot.send_message(ana.id, "We need your phone", reply_markup=markup)
    assert sent.reply_markup is None  # Telegram echoes only inline keyboards
    assert (await ana.expect("message"))["client_markup"]["keyboard"][0][0]["request_contact"]

    await ana.press("Share my phone")

    (update,) = await take_updates(bot)
    assert update.message is not None and update.message.contact is not None
    assert update.message.contact.user_id == ana.id
    assert update.message.contact.first_name == "Ana"
    assert update.message.contact.phone_number.startswith("+")


async def test_reply_keyboard_button_sends_its_label_as_text(bot: Bot, ana: EmulatedUser) -> None:
    await confirm_all(bot)
    await bot.send_message(ana.id, "Sport?", reply_markup=ReplyKeyboardMarkup([["Tennis"]]))

    await ana.press("Tennis")

    (update,) = await take_updates(bot)
    assert update.message is not None and update.message.text == "Tennis"


@pytest.mark.parametrize("markup", [ReplyKeyboardRemove(), ForceReply(input_field_placeholder="…")])
async def test_keyboard_removal_and_force_reply_reach_the_app_not_the_returned_message(
    bot: Bot, ana: EmulatedUser, markup: ReplyKeyboardRemove | ForceReply
) -> None:
    sent = await bot.send_message(ana.id, "Done", reply_markup=markup)

    assert sent.reply_markup is None
    assert (await ana.expect("message"))["client_markup"] == markup.to_dict()


async def test_reply_parameters_make_the_message_a_reply(bot: Bot, ana: EmulatedUser) -> None:
    question = await bot.send_message(ana.id, "Ready?")

    answer = await bot.send_message(
        ana.id, "Go!", reply_parameters=ReplyParameters(question.message_id)
    )

    assert answer.reply_to_message is not None
    assert answer.reply_to_message.message_id == question.message_id
    assert answer.reply_to_message.text == "Ready?"


async def test_replying_to_a_missing_message_is_refused_unless_allowed(
    bot: Bot, ana: EmulatedUser
) -> None:
    with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
        await bot.send_message(ana.id, "Go!", reply_parameters=ReplyParameters(9999))

    sent = await bot.send_message(
        ana.id, "Go!", reply_parameters=ReplyParameters(9999, allow_sending_without_reply=True)
    )
    assert sent.reply_to_message is None


# --- request encodings ---------------------------------------------------------------------------


async def call_send_message(
    emulator: Emulator, http_method: str = "POST", **request: Any
) -> dict[str, Any]:
    """sendMessage straight over HTTP, as a client other than PTB would call it."""
    url = f"{emulator.base_url}{emulator.token}/sendMessage"
    async with (
        aiohttp.ClientSession() as session,
        session.request(http_method, url, **request) as response,
    ):
        assert response.status == 200
        return await response.json()


async def test_a_json_body_is_accepted(emulator: Emulator, ana: EmulatedUser) -> None:
    answer = await call_send_message(
        emulator,
        json={
            "chat_id": ana.id,
            "text": "<i>json</i>",
            "parse_mode": "HTML",
            "reply_markup": {"inline_keyboard": [[{"text": "OK", "callback_data": "ok"}]]},
        },
    )

    assert answer["ok"] is True
    message = Message.de_json(answer["result"], None)
    assert message.text == "json"
    assert message.reply_markup == InlineKeyboardMarkup(
        [[InlineKeyboardButton("OK", callback_data="ok")]]
    )


async def test_a_form_body_is_accepted(emulator: Emulator, ana: EmulatedUser) -> None:
    answer = await call_send_message(
        emulator,
        data={
            "chat_id": str(ana.id),
            "text": "form",
            "reply_markup": json.dumps(
                {"inline_keyboard": [[{"text": "OK", "callback_data": "ok"}]]}
            ),
        },
    )

    assert answer["ok"] is True and answer["result"]["text"] == "form"
    assert answer["result"]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "ok"


async def test_a_multipart_body_is_accepted(emulator: Emulator, ana: EmulatedUser) -> None:
    with aiohttp.MultipartWriter("form-data") as body:
        for name, value in (("chat_id", str(ana.id)), ("text", "multipart")):
            body.append(value).set_content_disposition("form-data", name=name)

    answer = await call_send_message(emulator, data=body)

    assert answer["ok"] is True and answer["result"]["text"] == "multipart"


async def test_a_get_with_a_query_string_is_accepted(emulator: Emulator, ana: EmulatedUser) -> None:
    answer = await call_send_message(emulator, "GET", params={"chat_id": ana.id, "text": "get"})

    assert answer["ok"] is True and answer["result"]["text"] == "get"
    assert (await ana.expect("message"))["text"] == "get"


# --- edits and deletion --------------------------------------------------------------------------


async def test_edited_text_is_returned_and_seen_by_the_person(bot: Bot, ana: EmulatedUser) -> None:
    sent = await bot.send_message(ana.id, "Booking…")

    edited = await bot.edit_message_text(
        "Booked <b>Monday</b>",
        chat_id=ana.id,
        message_id=sent.message_id,
        parse_mode=ParseMode.HTML,
    )

    assert isinstance(edited, Message)
    assert edited.text == "Booked Monday"
    assert edited.entities == (MessageEntity(MessageEntity.BOLD, 7, 6),)
    assert edited.edit_date is not None
    await ana.expect("message")
    seen = await ana.expect("edit")
    assert seen["message_id"] == sent.message_id and seen["text"] == "Booked Monday"


async def test_editing_text_without_markup_drops_the_inline_keyboard(
    bot: Bot, ana: EmulatedUser
) -> None:
    sent = await bot.send_message(ana.id, "Pick", reply_markup=keyboard("Yes"))

    edited = await bot.edit_message_text("Picked", chat_id=ana.id, message_id=sent.message_id)

    assert edited.reply_markup is None
    with pytest.raises(ClientError, match=r"no button labelled 'Yes'"):
        await ana.press("Yes", {"message_id": sent.message_id})


async def test_new_buttons_from_edit_reply_markup_can_be_pressed(
    bot: Bot, ana: EmulatedUser
) -> None:
    await confirm_all(bot)
    sent = await bot.send_message(ana.id, "Pick a day", reply_markup=keyboard("Monday"))

    edited = await bot.edit_message_reply_markup(
        ana.id, sent.message_id, reply_markup=keyboard("Tuesday")
    )

    assert edited.reply_markup == keyboard("Tuesday")
    await ana.expect("message")
    assert (await ana.expect("edit"))["client_markup"] == keyboard("Tuesday").to_dict()
    await ana.press("Tuesday")
    (update,) = await take_updates(bot)
    assert update.callback_query is not None and update.callback_query.data == "tuesday"
    with pytest.raises(ClientError, match=r"no button labelled 'Monday'"):
        await ana.press("Monday", {"message_id": sent.message_id})


async def test_same_buttons_on_a_formatted_message_are_not_modified(
    bot: Bot, ana: EmulatedUser
) -> None:
    sent = await bot.send_message(
        ana.id, "<b>Pick</b>", parse_mode=ParseMode.HTML, reply_markup=keyboard("Yes")
    )

    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_reply_markup(ana.id, sent.message_id, reply_markup=keyboard("Yes"))
    assert ana.events("edit") == []


async def test_the_bot_cannot_edit_the_persons_message(bot: Bot, ana: EmulatedUser) -> None:
    start = ana.events("message")[-1].data

    with pytest.raises(BadRequest, match=r"(?i)^message can't be edited$"):
        await bot.edit_message_text("edited", chat_id=ana.id, message_id=start["message_id"])
    assert ana.messages()[0]["text"] == "/start"
    assert ana.events("edit") == []


async def test_editing_a_missing_message_is_refused(bot: Bot, ana: EmulatedUser) -> None:
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=ana.id, message_id=9999)


async def test_deleted_message_leaves_the_chat_and_cannot_be_deleted_twice(
    bot: Bot, ana: EmulatedUser
) -> None:
    sent = await bot.send_message(ana.id, "Oops")

    assert await bot.delete_message(ana.id, sent.message_id) is True

    assert [m["text"] for m in ana.messages()] == ["/start"]
    assert ana.events("delete")[-1].data == {"message_id": sent.message_id}
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(ana.id, sent.message_id)


# --- callback answers, chat actions --------------------------------------------------------------


async def test_callback_answer_text_and_alert_are_shown_to_the_person(
    bot: Bot, ana: EmulatedUser
) -> None:
    await confirm_all(bot)
    await bot.send_message(ana.id, "Cancel?", reply_markup=keyboard("Cancel"))
    await ana.press("Cancel")
    (update,) = await take_updates(bot)
    assert update.callback_query is not None

    assert await update.callback_query.answer("Too late to cancel", show_alert=True) is True

    (answer,) = ana.events("callback_answer")
    assert answer.data["text"] == "Too late to cancel"
    assert answer.data["show_alert"] is True
    assert answer.data["callback_query_id"] == update.callback_query.id


async def test_a_callback_query_is_answered_only_once(bot: Bot, ana: EmulatedUser) -> None:
    await confirm_all(bot)
    await bot.send_message(ana.id, "Go?", reply_markup=keyboard("Go"))
    await ana.press("Go")
    (update,) = await take_updates(bot)
    assert update.callback_query is not None
    await bot.answer_callback_query(update.callback_query.id)

    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(update.callback_query.id)


async def test_chat_action_is_shown_to_the_person(bot: Bot, ana: EmulatedUser) -> None:
    assert await bot.send_chat_action(ana.id, "typing") is True

    assert ana.events("chat_action")[-1].data == {"action": "typing"}
    with pytest.raises(BadRequest, match=r"(?i)wrong parameter action"):
        await bot.send_chat_action(ana.id, "dancing")


# --- copy and forward ----------------------------------------------------------------------------


async def test_copy_returns_a_message_id_and_repeats_the_content(
    bot: Bot, ana: EmulatedUser
) -> None:
    original = await bot.send_message(ana.id, "<b>Plan</b>", parse_mode=ParseMode.HTML)

    copied = await bot.copy_message(ana.id, ana.id, original.message_id)

    assert isinstance(copied, MessageId)
    assert copied.message_id != original.message_id
    await ana.expect("message")
    seen = await ana.expect("message")
    assert seen["message_id"] == copied.message_id
    assert seen["text"] == "Plan" and seen["entities"] == [MessageEntity("bold", 0, 4).to_dict()]
    assert "forward_origin" not in seen


async def test_forward_names_the_original_sender(bot: Bot, ana: EmulatedUser) -> None:
    start = ana.events("message")[-1].data

    forwarded = await bot.forward_message(ana.id, ana.id, start["message_id"])

    assert forwarded.text == "/start"
    assert isinstance(forwarded.forward_origin, MessageOriginUser)
    assert forwarded.forward_origin.sender_user.id == ana.id


async def test_copying_a_missing_message_is_refused(bot: Bot, ana: EmulatedUser) -> None:
    with pytest.raises(BadRequest, match=r"(?i)message to copy not found"):
        await bot.copy_message(ana.id, ana.id, 9999)


# --- command menus -------------------------------------------------------------------------------


async def test_commands_are_kept_per_scope_and_language(bot: Bot, ana: EmulatedUser) -> None:
    everyone = [BotCommand("start", "Start"), BotCommand("help", "Help")]
    private = [BotCommand("book", "Book a session")]
    spanish = [BotCommand("reservar", "Reservar una sesión")]
    only_ana = [BotCommand("coach", "Coach tools")]

    assert await bot.set_my_commands(everyone) is True
    assert await bot.set_my_commands(private, scope=BotCommandScopeAllPrivateChats())
    assert await bot.set_my_commands(
        spanish, scope=BotCommandScopeAllPrivateChats(), language_code="es"
    )
    assert await bot.set_my_commands(only_ana, scope=BotCommandScopeChat(ana.id))

    assert await bot.get_my_commands() == tuple(everyone)
    assert await bot.get_my_commands(scope=BotCommandScopeDefault()) == tuple(everyone)
    assert await bot.get_my_commands(scope=BotCommandScopeAllPrivateChats()) == tuple(private)
    assert await bot.get_my_commands(
        scope=BotCommandScopeAllPrivateChats(), language_code="es"
    ) == tuple(spanish)
    assert await bot.get_my_commands(scope=BotCommandScopeChat(ana.id)) == tuple(only_ana)


async def test_deleted_commands_are_gone_only_in_their_scope(bot: Bot) -> None:
    await bot.set_my_commands([BotCommand("start", "Start")])
    await bot.set_my_commands([BotCommand("book", "Book")], scope=BotCommandScopeAllPrivateChats())

    assert await bot.delete_my_commands(scope=BotCommandScopeAllPrivateChats()) is True

    assert await bot.get_my_commands(scope=BotCommandScopeAllPrivateChats()) == ()
    assert await bot.get_my_commands() == (BotCommand("start", "Start"),)


@pytest.mark.parametrize("name", ["Start", "with space", "x" * 33])
async def test_invalid_command_names_are_refused(bot: Bot, name: str) -> None:
    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await bot.set_my_commands([BotCommand(name, "Something")])


async def test_menu_button_is_kept_per_chat_with_a_default(bot: Bot, ana: EmulatedUser) -> None:
    assert isinstance(await bot.get_chat_menu_button(), MenuButtonCommands)
    web_app = MenuButtonWebApp("Open", WebAppInfo("https://example.org/app"))

    assert await bot.set_chat_menu_button(chat_id=ana.id, menu_button=web_app) is True
    assert await bot.set_chat_menu_button(menu_button=MenuButtonDefault()) is True

    assert await bot.get_chat_menu_button(ana.id) == web_app
    assert isinstance(await bot.get_chat_menu_button(), MenuButtonDefault)


async def test_a_shared_location_reaches_the_bot_as_a_location_message(
    bot: Bot, ana: EmulatedUser
) -> None:
    await confirm_all(bot)

    await ana.share_location(37.39, -5.98)

    (update,) = await take_updates(bot)
    assert update.message is not None and update.message.location is not None
    assert (update.message.location.latitude, update.message.location.longitude) == (37.39, -5.98)
