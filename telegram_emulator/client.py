"""What a person does in a Telegram app: type, reply, press buttons, share, upload, pay."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass

from telegram_emulator.file_objects import KINDS, describe
from telegram_emulator.formatting import detect_entities
from telegram_emulator.media_info import looks_like_video
from telegram_emulator.methods.common import client_view, public
from telegram_emulator.methods.media import resolve_file
from telegram_emulator.params import Upload
from telegram_emulator.world import BotState, Chat, Json, Person

PRE_CHECKOUT_TIMEOUT_S = 10.0


class ClientError(Exception):
    """The person tried something the app would not let them do."""


@dataclass
class PaymentOutcome:
    """How a checkout ended: paid, refused by the bot, or the bot did not answer."""

    ok: bool
    error: str | None = None
    charge_id: str | None = None


class Client:
    """One bot as seen from the people who chat with it."""

    def __init__(self, bot: BotState) -> None:
        self.bot = bot
        self.world = bot.world

    def chat_of(self, person: Person, chat: Chat | None = None) -> Chat:
        """The chat an action happens in (the private chat unless a group is given)."""
        return chat or self.world.chats[person.id]

    async def _post(
        self, person: Person, chat: Chat, content: Json, *, reply_to: int | None = None
    ) -> Json:
        replied = {} if reply_to is None else {"reply_to_message": self._replied(chat, reply_to)}
        message: Json = {
            "message_id": self.bot.next_message_id(chat.id),
            "from": person.as_user(),
            "chat": chat.as_chat(),
            "date": self.world.now(),
            **replied,
            **content,
        }
        if chat.person is not None:
            # Writing to a bot (re)starts it, which also lifts a block.
            self.bot.start_chat(person.id)
        self.bot.store_message(message)
        await self.world.emit("message", chat.id, public(message))
        if chat.person is not None or (chat.has_bot(self.bot.id) and self._bot_may_read(message)):
            await self.bot.push_update("message", public(message))
        return message

    async def add_bot(self, person: Person, chat: Chat) -> Json:
        """Add the bot to a group: the bot gets `my_chat_member` (left → member) and the
        group's service message naming it among `new_chat_members`, as on Telegram."""
        if chat.person is not None or person.id not in chat.member_ids:
            raise ClientError("only a member of a group can add a bot to it")
        if chat.has_bot(self.bot.id):
            raise ClientError("the bot is in this group already")
        chat.bot_ids = (chat.bot_ids or set()) | {self.bot.id}
        self.world.changed()
        await self._member_changed(person, chat, old="left", new="member")
        message: Json = {
            "message_id": self.bot.next_message_id(chat.id),
            "from": person.as_user(),
            "chat": chat.as_chat(),
            "date": self.world.now(),
            "new_chat_members": [self.bot.as_sender()],
        }
        self.bot.store_message(message)
        await self.world.emit("message", chat.id, public(message))
        await self.bot.push_update("message", public(message))
        return message

    async def remove_bot(self, person: Person, chat: Chat) -> None:
        """Remove the bot from a group: it gets `my_chat_member` (member → left) and may no
        longer write there."""
        if not chat.has_bot(self.bot.id) or chat.person is not None:
            raise ClientError("the bot is not in this group")
        if chat.bot_ids is None:  # a group every bot was in: all but this one stay
            chat.bot_ids = {bot.id for bot in self.world.bots.values()}
        chat.bot_ids.discard(self.bot.id)
        self.world.changed()
        await self._member_changed(person, chat, old="member", new="left")

    async def _member_changed(self, person: Person, chat: Chat, *, old: str, new: str) -> None:
        bot_user = self.bot.as_sender()
        await self.bot.push_update(
            "my_chat_member",
            {
                "chat": chat.as_chat(),
                "from": person.as_user(),
                "date": self.world.now(),
                "old_chat_member": {"user": bot_user, "status": old},
                "new_chat_member": {"user": bot_user, "status": new},
            },
        )

    def _replied(self, chat: Chat, message_id: int) -> Json:
        original = self.bot.messages.get((chat.id, message_id))
        if original is None or original.get("_deleted"):
            raise ClientError("the message to reply to is not in this chat")
        # Telegram nests one level only: the replied-to message comes without its own reply.
        return {k: v for k, v in public(original).items() if k != "reply_to_message"}

    def _bot_may_read(self, message: Json) -> bool:
        # Privacy mode (Telegram's default, and getMe's can_read_all_group_messages=false):
        # in groups a bot gets commands, mentions of it, and replies to its own messages.
        text = str(message.get("text") or message.get("caption") or "")
        replied = message.get("reply_to_message") or {}
        return (
            text.startswith("/")
            or f"@{self.bot.username}".lower() in text.lower()
            or (replied.get("from") or {}).get("id") == self.bot.id
        )

    async def send_text(
        self, person: Person, text: str, chat: Chat | None = None, *, reply_to: int | None = None
    ) -> Json:
        """Type and send a text message, optionally as a reply to a message of the chat."""
        if not text.strip():
            raise ClientError("empty message")
        content: Json = {"text": text}
        entities = detect_entities(text)
        if entities:
            content["entities"] = entities
        return await self._post(person, self.chat_of(person, chat), content, reply_to=reply_to)

    async def share_contact(self, person: Person, phone_number: str | None = None) -> Json:
        """Share one's own phone number, as the request_contact button does."""
        person.phone_number = phone_number or person.phone_number or _made_up_number(person)
        self.world.changed()
        return await self._post(person, self.chat_of(person), {"contact": _contact_card(person)})

    async def share_location(self, person: Person, latitude: float, longitude: float) -> Json:
        """Share a point on the map, as the request_location button does."""
        location = {"latitude": latitude, "longitude": longitude}
        return await self._post(person, self.chat_of(person), {"location": location})

    async def send_contact(self, person: Person, contact_of: Person) -> Json:
        """Send someone else's contact card (📎 → Contact); it carries their id on Telegram."""
        contact = _contact_card(contact_of)
        return await self._post(person, self.chat_of(person), {"contact": contact})

    async def send_file(
        self,
        person: Person,
        data: bytes,
        *,
        filename: str,
        mime_type: str | None = None,
        caption: str | None = None,
        as_kind: str | None = None,
        reply_to: int | None = None,
    ) -> Json:
        """Upload a file as one of file_objects.KINDS; the kind follows the bytes unless given."""
        kind = as_kind or self._kind_of(data, mime_type)
        if kind not in KINDS:
            raise ClientError(f"a file can't be sent as {kind!r}")
        if caption and kind == "video_note":
            raise ClientError("a video message can't have a caption")
        stored = resolve_file(self.world, Upload(data, filename, mime_type), default_name=filename)
        content = await describe(kind, stored)
        if caption:
            content["caption"] = caption
            entities = detect_entities(caption)
            if entities:
                content["caption_entities"] = entities
        return await self._post(person, self.chat_of(person), content, reply_to=reply_to)

    @staticmethod
    def _kind_of(data: bytes, mime_type: str | None) -> str:
        # Telegram apps send a GIF as an animation, not as a still photo.
        if mime_type == "image/gif" or data[:6] in (b"GIF87a", b"GIF89a"):
            return "animation"
        if (mime_type or "").startswith("image/") or data[:4] in (
            b"\x89PNG",
            b"\xff\xd8\xff\xe0",
            b"\xff\xd8\xff\xe1",
        ):
            return "photo"
        if (mime_type or "").startswith("video/") or looks_like_video(data):
            return "video"
        return "document"

    async def press(
        self, person: Person, message_id: int, label: str, chat: Chat | None = None
    ) -> Json:
        """Press a button of a message by its label: inline buttons call back, reply ones type."""
        target = self.chat_of(person, chat)
        message = self.bot.messages.get((target.id, message_id))
        if message is None or message.get("_deleted"):
            raise ClientError("message not found")
        markup = message.get("_reply_markup") or {}
        for row in markup.get("inline_keyboard", []):
            for button in row:
                if button.get("text") == label:
                    return await self._press_inline(person, target, message, button)
        for row in markup.get("keyboard", []):
            for button in row:
                if button.get("text") == label:
                    if button.get("request_contact"):
                        return await self.share_contact(person)
                    return await self.send_text(person, label, chat)
        raise ClientError(f"no button labelled {label!r}")

    async def _press_inline(self, person: Person, chat: Chat, message: Json, button: Json) -> Json:
        if "callback_data" not in button:
            raise ClientError("this button does not call back to the bot")
        query_id = str(secrets.randbits(63))
        from telegram_emulator.world import CallbackQuery

        self.bot.callback_queries[query_id] = CallbackQuery(
            query_id, chat.id, message["message_id"], self.world.clock()
        )
        query = {
            "id": query_id,
            "from": person.as_user(),
            "message": public(message),
            "chat_instance": str(chat.id),
            "data": button["callback_data"],
        }
        await self.bot.push_update("callback_query", query)
        return query

    async def pay(
        self, person: Person, message_id: int, *, timeout: float = PRE_CHECKOUT_TIMEOUT_S
    ) -> PaymentOutcome:
        """Pay an invoice: pre-checkout to the bot, then the successful_payment message."""
        chat = self.chat_of(person)
        message = self.bot.messages.get((chat.id, message_id))
        if message is None or "_terms" not in message:
            raise ClientError("that message is not an invoice")
        terms = message["_terms"]
        query_id = str(secrets.randbits(63))
        answer: asyncio.Future[Json] = asyncio.get_running_loop().create_future()
        self.bot.pre_checkouts[query_id] = answer
        await self.bot.push_update(
            "pre_checkout_query",
            {
                "id": query_id,
                "from": person.as_user(),
                "currency": terms["currency"],
                "total_amount": terms["total_amount"],
                "invoice_payload": terms["payload"],
            },
        )
        try:
            result = await asyncio.wait_for(answer, timeout)
        except TimeoutError:
            outcome = PaymentOutcome(False, "The bot did not confirm the order in time.")
            await self.world.emit("payment_failed", chat.id, {"error": outcome.error})
            return outcome
        finally:
            self.bot.pre_checkouts.pop(query_id, None)
        if not result["ok"]:
            await self.world.emit("payment_failed", chat.id, {"error": result["error_message"]})
            return PaymentOutcome(False, result["error_message"])
        charge_id = f"stxEMU{secrets.token_hex(12)}"
        payment = {
            "currency": terms["currency"],
            "total_amount": terms["total_amount"],
            "invoice_payload": terms["payload"],
            "telegram_payment_charge_id": charge_id,
            "provider_payment_charge_id": ""
            if terms["currency"] == "XTR"
            else f"pi_emu_{secrets.token_hex(8)}",
        }
        self.bot.record_charge(charge_id, {**payment, "user_id": person.id})
        await self._post(person, chat, {"successful_payment": payment})
        return PaymentOutcome(True, charge_id=charge_id)

    def block(self, person: Person) -> None:
        """Block the bot: its messages to this person now fail with 403."""
        self.bot.set_blocked(person.id, True)

    def unblock(self, person: Person) -> None:
        """Unblock the bot."""
        self.bot.set_blocked(person.id, False)

    def transcript(self, chat_id: int) -> list[Json]:
        """Every message of a chat, oldest first, as the app shows them."""
        return [
            client_view(m)
            for (cid, _), m in sorted(self.bot.messages.items())
            if cid == chat_id and not m.get("_deleted")
        ]


def _made_up_number(person: Person) -> str:
    return f"+1555{person.id % 10**7:07d}"


def _contact_card(person: Person) -> Json:
    """A Bot API Contact for a person (last_name only when they have one, as Telegram omits it)."""
    contact: Json = {
        "phone_number": person.phone_number or _made_up_number(person),
        "first_name": person.first_name,
        "user_id": person.id,
    }
    if person.last_name:
        contact["last_name"] = person.last_name
    return contact
