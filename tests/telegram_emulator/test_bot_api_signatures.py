"""The emulator's methods against PTB's: every parameter PTB can send is one we declare.

When PTB grows a parameter (a new Bot API version), this fails until the emulator reads it.
"""

from __future__ import annotations

import inspect
import re

import aiohttp
import pytest
from telegram import Bot
from telegram.error import BadRequest, InvalidToken

from telegram_emulator import Emulator
from telegram_emulator.methods import Method, load_all

# Transport settings PTB adds to every method; they never reach the Bot API.
PTB_ONLY = {
    "self",
    "read_timeout",
    "write_timeout",
    "connect_timeout",
    "pool_timeout",
    "api_kwargs",
}
REQUIRED = [
    "getMe",
    "logOut",
    "close",
    "getUpdates",
    "setWebhook",
    "deleteWebhook",
    "getWebhookInfo",
    "sendMessage",
    "editMessageText",
    "editMessageCaption",
    "editMessageReplyMarkup",
    "deleteMessage",
    "answerCallbackQuery",
    "sendPhoto",
    "sendDocument",
    "sendVideo",
    "sendAnimation",
    "sendVoice",
    "sendVideoNote",
    "getFile",
    "sendChatAction",
    "sendMediaGroup",
    "copyMessage",
    "forwardMessage",
    "setMyCommands",
    "getMyCommands",
    "deleteMyCommands",
    "setChatMenuButton",
    "sendInvoice",
    "createInvoiceLink",
    "answerPreCheckoutQuery",
    "refundStarPayment",
]
METHODS = sorted(load_all().values(), key=lambda method: method.name)


def snake_case(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def ptb_parameters(method: Method) -> set[str]:
    """What PTB's Bot may send to this method."""
    ptb_method = getattr(Bot, snake_case(method.name), None)
    assert ptb_method is not None, f"PTB has no Bot.{snake_case(method.name)} for {method.name}"
    return set(inspect.signature(ptb_method).parameters) - PTB_ONLY


@pytest.mark.parametrize("method", METHODS, ids=lambda method: method.name)
def test_every_parameter_ptb_can_send_is_declared(method: Method) -> None:
    missing = ptb_parameters(method) - method.params

    assert not missing, f"{method.name} ignores {sorted(missing)}"


@pytest.mark.parametrize("name", REQUIRED)
def test_every_method_the_issue_names_is_implemented(name: str) -> None:
    method = load_all().get(name.lower())

    assert method is not None, f"{name} is not implemented"
    assert method.name == name


def test_methods_are_registered_under_their_lowercase_names() -> None:
    assert all(key == method.name.lower() for key, method in load_all().items())


# --- methods and tokens the server does not know -------------------------------------------------


async def raw_call(emulator: Emulator, path: str) -> tuple[int, dict]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{emulator.url}{path}", json={}) as response,
    ):
        return response.status, await response.json()


async def test_an_unknown_method_is_404_method_not_found_as_telegram_answers(
    emulator: Emulator, bot: Bot
) -> None:
    status, body = await raw_call(emulator, f"/bot{emulator.token}/noSuchMethod")

    assert (status, body) == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found: method not found"},
    )
    with pytest.raises(InvalidToken, match=r"Not Found"):
        await bot._post("noSuchMethod")


async def test_a_real_method_the_emulator_lacks_is_400_and_says_so(
    emulator: Emulator, bot: Bot
) -> None:
    status, body = await raw_call(emulator, f"/bot{emulator.token}/sendPoll")

    assert status == 400 and body["error_code"] == 400
    assert body["description"] == "Bad Request: method sendPoll is not supported by the emulator"
    with pytest.raises(BadRequest, match=r"(?i)sendpoll is not supported"):
        await bot.send_poll(1, "Which day?", ["Mon", "Tue"])


async def test_method_names_are_case_insensitive(emulator: Emulator) -> None:
    status, body = await raw_call(emulator, f"/bot{emulator.token}/GETME")

    assert status == 200 and body["result"]["is_bot"] is True


@pytest.mark.parametrize("token", ["nonsense", "123456:short", "abc:" + "x" * 30])
async def test_a_malformed_token_is_401_unauthorized(emulator: Emulator, token: str) -> None:
    status, body = await raw_call(emulator, f"/bot{token}/getMe")

    assert (status, body) == (401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
    with pytest.raises(InvalidToken, match=r"rejected by the server"):
        async with Bot(token, base_url=emulator.base_url):
            pass


async def test_a_malformed_token_cannot_download_files(emulator: Emulator) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{emulator.url}/file/botnonsense/files/x.bin") as response,
    ):
        assert response.status == 401
        assert (await response.json())["description"] == "Unauthorized"


async def test_malformed_objects_get_a_json_400_not_a_500(emulator) -> None:
    import aiohttp

    url = f"{emulator.base_url}{emulator.token}/setMyCommands"
    async with aiohttp.ClientSession() as http, http.post(url, json={"commands": [1]}) as answer:
        body = await answer.json()
    assert answer.status == 400
    assert body["ok"] is False
    assert body["description"].startswith("Bad Request: ")
