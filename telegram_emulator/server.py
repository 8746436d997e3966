"""The emulator's HTTP server: the Bot API, file downloads, and the web chat with its API.

aiohttp rather than Starlette + uvicorn: it is already a dependency (PTB's webhook extra and our
webhook delivery client), it serves long polling, multipart uploads and static files from one
event loop, and it can be started in-process by tests and by a bot's own run command without
a second server framework.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

from aiohttp import web

from telegram_emulator.client import Client, ClientError
from telegram_emulator.errors import METHOD_NOT_FOUND, NOT_FOUND, UNAUTHORIZED, ApiError
from telegram_emulator.methods import load_all
from telegram_emulator.methods.media import UPLOAD_LIMIT
from telegram_emulator.params import Params, Upload
from telegram_emulator.world import World

log = logging.getLogger(__name__)
TOKEN = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{10,}$")
WEB_DIR = Path(__file__).with_name("web")
# Real Bot API methods this emulator does not implement. They are answered 400 naming the
# method, not with Telegram's 404 for an unknown name: python-telegram-bot reads a 404 as
# InvalidToken, which would send a developer looking for the wrong mistake.
KNOWN_UNSUPPORTED = {
    "sendaudio",
    "sendlocation",
    "sendvenue",
    "sendcontact",
    "sendpoll",
    "senddice",
    "sendsticker",
    "sendpaidmedia",
    "editmessagemedia",
    "editmessagelivelocation",
    "stopmessagelivelocation",
    "stoppoll",
    "getuserprofilephotos",
    "getchat",
    "getchatmember",
    "getchatmembercount",
    "getchatadministrators",
    "leavechat",
    "banchatmember",
    "unbanchatmember",
    "restrictchatmember",
    "promotechatmember",
    "setchatphoto",
    "deletechatphoto",
    "setchattitle",
    "setchatdescription",
    "pinchatmessage",
    "unpinchatmessage",
    "unpinallchatmessages",
    "exportchatinvitelink",
    "createchatinvitelink",
    "answerinlinequery",
    "answershippingquery",
    "setmydescription",
    "getmydescription",
    "setmyname",
    "getmyname",
    "setmyshortdescription",
    "getmyshortdescription",
    "deletemessages",
    "forwardmessages",
    "copymessages",
    "setmessagereaction",
    "getstartransactions",
    "sendgame",
    "setgamescore",
    "getgamehighscores",
    "getuserchatboosts",
    "getbusinessconnection",
    "getforumtopiciconstickers",
    "createforumtopic",
    "setmydefaultadministratorrights",
    "getmydefaultadministratorrights",
}


def ok(result: Any) -> web.Response:
    """Telegram's success envelope."""
    return web.json_response({"ok": True, "result": result})


def failed(error: ApiError) -> web.Response:
    """Telegram's error envelope with the matching HTTP status."""
    return web.json_response(error.envelope(), status=error.code)


async def read_params(request: web.Request) -> Params:
    """Parameters from the query string and a JSON, form or multipart body."""
    values: dict[str, Any] = dict(request.query)
    uploads: dict[str, Upload] = {}
    if request.can_read_body:
        if request.content_type == "application/json":
            body = await request.json()
            if isinstance(body, dict):
                values.update(body)
        else:
            form = await request.post()
            for name, value in form.items():
                if isinstance(value, web.FileField):
                    uploads[name] = Upload(value.file.read(), value.filename, value.content_type)
                else:
                    values[name] = value
    return Params(values, uploads)


class EmulatorServer:
    """Routes for the Bot API, files and the web chat, over one World."""

    def __init__(
        self, world: World, *, primary_token: str | None = None, title: str | None = None
    ) -> None:
        self.world = world
        self.primary_token = primary_token
        self._title = title
        self.methods = load_all()

    @property
    def title(self) -> str:
        """The web chat's page title: as given by the starter, else after the primary bot."""
        if self._title:
            return self._title
        return f"{self.client().bot.first_name} · web chat"

    def app(self) -> web.Application:
        """The aiohttp application."""
        app = web.Application(client_max_size=UPLOAD_LIMIT + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self.bot_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self.download)
        from telegram_emulator.webchat import add_webchat_routes

        add_webchat_routes(app, self)
        return app

    def client(self) -> Client:
        """The primary bot, as its users see it (the web chat talks to this one)."""
        if self.primary_token is None:
            raise ClientError("no bot is attached to this emulator")
        return Client(self.world.bot(self.primary_token))

    async def bot_api(self, request: web.Request) -> web.Response:
        token, name = request.match_info["token"], request.match_info["method"]
        if not TOKEN.match(token):
            return failed(UNAUTHORIZED)
        method = self.methods.get(name.lower())
        if method is None:
            if name.lower() in KNOWN_UNSUPPORTED:
                return failed(
                    ApiError(400, f"Bad Request: method {name} is not supported by the emulator")
                )
            return failed(METHOD_NOT_FOUND)
        try:
            params = await read_params(request)
        except web.HTTPRequestEntityTooLarge:
            return failed(ApiError(413, "Request Entity Too Large"))
        except (json.JSONDecodeError, UnicodeDecodeError):
            return failed(ApiError(400, "Bad Request: can't parse JSON"))
        try:
            return ok(await method.handler(self.world.bot(token), params))
        except ApiError as err:
            log.debug("%s -> %s %s", name, err.code, err.description)
            return failed(err)
        except (TypeError, ValueError, KeyError, AttributeError, IndexError) as err:
            # Objects of the wrong shape (a number where an object belongs, ...): Telegram
            # answers 400, never a bare 500.
            log.info("%s with malformed parameters: %r", name, err)
            return failed(ApiError(400, f"Bad Request: can't parse parameters of {name}"))

    async def download(self, request: web.Request) -> web.StreamResponse:
        if not TOKEN.match(request.match_info["token"]):
            return failed(UNAUTHORIZED)
        stored = self.world.file_paths.get(request.match_info["path"])
        if stored is None:
            return failed(NOT_FOUND)
        return web.FileResponse(
            stored.path, headers={"Content-Type": stored.mime_type or "application/octet-stream"}
        )
