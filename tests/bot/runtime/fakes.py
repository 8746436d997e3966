"""Telegram, faked: a recording Bot API and builders of the updates Telegram would send."""

from __future__ import annotations

import itertools
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from telegram import Bot, Update
from telegram.request import BaseRequest, RequestData

from bot.app import BotApplication

BOT_ID = 7000001
TOKEN = f"{BOT_ID}:TEST-token-for-the-runtime-tests"
USER_ID = 4242

# make_app(*, with_services=None, request=None, before_initialize=None) -> initialized app
AppFactory = Callable[..., Awaitable[BotApplication]]


@dataclass
class Call:
    """One Bot API call the bot made."""

    method: str
    params: dict[str, Any]


class FakeTelegram(BaseRequest):
    """Answers Bot API calls from memory and records them; `refuse` makes a method fail."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.refuse: dict[str, tuple[int, str]] = {}
        self._message_ids = itertools.count(1000)

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = None,
        write_timeout: object = None,
        connect_timeout: object = None,
        pool_timeout: object = None,
    ) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        self.calls.append(Call(name, params))
        if refusal := self.refuse.get(name):
            code, description = refusal
            body = {"ok": False, "error_code": code, "description": description}
            return code, json.dumps(body).encode()
        return 200, json.dumps({"ok": True, "result": self._result(name, params)}).encode()

    def _result(self, name: str, params: dict[str, Any]) -> object:
        if name == "getMe":
            return {
                "id": BOT_ID,
                "is_bot": True,
                "first_name": "SportsCenter",
                "username": "sc_bot",
            }
        if name == "sendMessage":
            return {**self._message(params), "text": params["text"]}
        if name in ("sendPhoto", "sendDocument"):
            return {**self._message(params), "caption": params.get("caption")}
        return True

    def _message(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "message_id": next(self._message_ids),
            "date": 1_700_000_000,
            "chat": {"id": params["chat_id"], "type": "private"},
        }

    def of(self, method: str) -> list[Call]:
        """The calls of one method, in order."""
        return [call for call in self.calls if call.method == method]

    def texts(self, chat_id: int | None = None) -> list[str]:
        """The texts of every message sent (to `chat_id`, if given)."""
        return [
            call.params["text"]
            for call in self.of("sendMessage")
            if chat_id is None or call.params["chat_id"] == chat_id
        ]


_update_ids = itertools.count(1)


def _user(user_id: int, language: str | None) -> dict[str, Any]:
    user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": "Ann"}
    if language:
        user["language_code"] = language
    return user


def message_update(
    bot: Bot,
    text: str | None = "hello",
    *,
    user_id: int = USER_ID,
    language: str | None = "en",
    update_id: int | None = None,
    photo: bool = False,
    chat: dict[str, Any] | None = None,
) -> Update:
    """An update carrying a message from `user_id` (a command if text starts with /), in their
    private chat unless `chat` is given."""
    message: dict[str, Any] = {
        "message_id": next(_update_ids),
        "date": 1_700_000_000,
        "chat": chat or {"id": user_id, "type": "private", "first_name": "Ann"},
        "from": _user(user_id, language),
    }
    if photo:
        message["photo"] = [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]
    elif text is not None:
        message["text"] = text
        if text.startswith("/"):
            length = len(text.split()[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    data = {"update_id": update_id or next(_update_ids), "message": message}
    return Update.de_json(data, bot)


def callback_update(
    bot: Bot,
    data: str = "press",
    *,
    user_id: int = USER_ID,
    language: str | None = "en",
    update_id: int | None = None,
) -> Update:
    """An update carrying a button press in the private chat with `user_id`."""
    query = {
        "id": f"q{next(_update_ids)}",
        "from": _user(user_id, language),
        "chat_instance": "ci",
        "data": data,
        "message": {
            "message_id": 1,
            "date": 1_700_000_000,
            "chat": {"id": user_id, "type": "private", "first_name": "Ann"},
            "text": "pick one",
        },
    }
    return Update.de_json(
        {"update_id": update_id or next(_update_ids), "callback_query": query}, bot
    )
