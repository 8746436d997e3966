"""The web chat's page and the small JSON API it (and scripts) use to act as a person."""

from __future__ import annotations

import asyncio
import html
import json
from string import Template
from typing import TYPE_CHECKING, Any

from aiohttp import web

from telegram_emulator.client import ClientError
from telegram_emulator.errors import ApiError
from telegram_emulator.formatting import to_html
from telegram_emulator.world import Event, Json, Person

if TYPE_CHECKING:
    from telegram_emulator.server import EmulatorServer

MAX_LONG_POLL_S = 25.0
# Events whose data is a message; the page gets them with the text already rendered.
MESSAGE_EVENTS = ("message", "edit")


def person_json(person: Person) -> dict[str, Any]:
    """A person as the web chat lists them."""
    return {**person.as_user(), "phone_number": person.phone_number}


def with_html(message: Json) -> Json:
    """A copy of a message with `html`: its text or caption rendered from the entities.

    The page shows this instead of re-implementing entity rendering; to_html escapes everything.
    """
    if "text" in message:
        return {**message, "html": to_html(message["text"], message.get("entities") or [])}
    if "caption" in message:
        return {
            **message,
            "html": to_html(message["caption"], message.get("caption_entities") or []),
        }
    return message


def event_json(event: Event) -> dict[str, Any]:
    """An event as the web chat consumes it (message and edit data carry `html`)."""
    data = with_html(event.data) if event.kind in MESSAGE_EVENTS else event.data
    return {"seq": event.seq, "kind": event.kind, "chat_id": event.chat_id, "data": data}


def add_webchat_routes(app: web.Application, server: EmulatorServer) -> None:
    """Serve the page at / and its API under /api."""
    routes = WebChatRoutes(server)
    app.on_shutdown.append(routes.end_long_polls)
    app.router.add_get("/", routes.index)
    app.router.add_static("/static/", server_web_dir(), show_index=False)
    app.router.add_get("/api/state", routes.state)
    app.router.add_post("/api/people", routes.create_person)
    app.router.add_get("/api/people/{id}/transcript", routes.transcript)
    app.router.add_post("/api/people/{id}/send", routes.send)
    app.router.add_post("/api/people/{id}/press", routes.press)
    app.router.add_post("/api/people/{id}/contact", routes.contact)
    app.router.add_post("/api/people/{id}/location", routes.location)
    app.router.add_post("/api/people/{id}/upload", routes.upload)
    app.router.add_post("/api/people/{id}/pay", routes.pay)
    app.router.add_post("/api/people/{id}/block", routes.block)
    app.router.add_get("/api/events", routes.events)
    app.router.add_get("/api/files/{file_id}", routes.file)


def server_web_dir() -> Any:
    from telegram_emulator.server import WEB_DIR

    return WEB_DIR


def _refusal(message: str, status: int = 400) -> web.Response:
    return web.json_response({"ok": False, "description": message}, status=status)


def _json_error(error: type[web.HTTPError], message: str) -> web.HTTPError:
    """An HTTP error the page can read like any refusal: {"ok": false, "description": ...}."""
    return error(
        text=json.dumps({"ok": False, "description": message}), content_type="application/json"
    )


async def _body(request: web.Request) -> Json:
    """The request's JSON object, or a polite 400."""
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise _json_error(web.HTTPBadRequest, "the request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise _json_error(web.HTTPBadRequest, "the request body must be a JSON object")
    return body


def _message_id(body: Json) -> int:
    try:
        return int(body["message_id"])
    except (KeyError, TypeError, ValueError):
        raise _json_error(web.HTTPBadRequest, "message_id is required") from None


def _reply_to(value: Any) -> int | None:
    """The optional `reply_to_message_id` of a send or an upload (None: not a reply)."""
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise _json_error(
            web.HTTPBadRequest, "reply_to_message_id must be a message's number"
        ) from None


class WebChatRoutes:
    """Handlers of the web chat API; each acts as one person through the Client."""

    def __init__(self, server: EmulatorServer) -> None:
        self.server = server
        self.world = server.world
        self._long_polls: set[asyncio.Future[list[Event]]] = set()
        self._closing = False

    async def end_long_polls(self, app: web.Application) -> None:
        """Answer waiting pages at once on shutdown, instead of holding it up to their timeout."""
        self._closing = True
        for poll in self._long_polls:
            poll.cancel()

    def _person(self, request: web.Request) -> Person:
        try:
            return self.world.people[int(request.match_info["id"])]
        except (KeyError, ValueError):
            raise _json_error(web.HTTPNotFound, "no such person") from None

    async def index(self, request: web.Request) -> web.Response:
        # The names are in the page itself, so it reads right before (or without) its script.
        name = self.server.client().bot.first_name
        page = Template((server_web_dir() / "index.html").read_text(encoding="utf-8"))
        text = page.substitute(
            title=html.escape(self.server.title),
            bot_name=html.escape(name),
            bot_initial=html.escape(name[:1].upper()),
        )
        return web.Response(text=text, content_type="text/html")

    async def state(self, request: web.Request) -> web.Response:
        client = self.server.client()
        return web.json_response(
            {
                "title": self.server.title,
                "bot": client.bot.as_user(),
                "people": [
                    {**person_json(p), "blocked": p.id in client.bot.blocked_by}
                    for p in self.world.people.values()
                ],
                "limits": self.world.flood.enabled,
                "last_seq": self.world.events[-1].seq if self.world.events else 0,
            }
        )

    async def create_person(self, request: web.Request) -> web.Response:
        body = await _body(request)
        first_name = str(body.get("first_name") or "").strip()[:64]
        if not first_name:
            return _refusal("first_name is required")
        person = self.world.add_person(
            first_name,
            last_name=(body.get("last_name") or None),
            username=(body.get("username") or None),
            language_code=(body.get("language_code") or "en"),
        )
        return web.json_response(person_json(person))

    async def transcript(self, request: web.Request) -> web.Response:
        person = self._person(request)
        messages = self.server.client().transcript(person.id)
        return web.json_response([with_html(m) for m in messages])

    async def _act(self, coro: Any) -> web.Response:
        try:
            result = await coro
        except ClientError as err:
            return _refusal(str(err))
        except ApiError as err:
            return _refusal(err.description, err.code)
        return web.json_response({"ok": True, "result": _jsonable(result)})

    async def send(self, request: web.Request) -> web.Response:
        person, body = self._person(request), await _body(request)
        text, reply_to = str(body.get("text", "")), _reply_to(body.get("reply_to_message_id"))
        return await self._act(self.server.client().send_text(person, text, reply_to=reply_to))

    async def press(self, request: web.Request) -> web.Response:
        person, body = self._person(request), await _body(request)
        return await self._act(
            self.server.client().press(person, _message_id(body), str(body.get("label", "")))
        )

    async def contact(self, request: web.Request) -> web.Response:
        """One's own number (a request_contact button), or with `person_id` another's card (📎)."""
        person, client = self._person(request), self.server.client()
        body = await _body(request) if request.can_read_body else {}
        if body.get("person_id") is None:
            return await self._act(client.share_contact(person))
        return await self._act(client.send_contact(person, self._card_of(body["person_id"])))

    def _card_of(self, person_id: Any) -> Person:
        try:
            return self.world.people[int(person_id)]
        except (TypeError, ValueError):
            raise _json_error(web.HTTPBadRequest, "person_id must be a person's id") from None
        except KeyError:
            raise _json_error(web.HTTPNotFound, "no such person") from None

    async def location(self, request: web.Request) -> web.Response:
        body = await _body(request)
        try:
            latitude, longitude = float(body["latitude"]), float(body["longitude"])
        except (KeyError, TypeError, ValueError):
            return _refusal("latitude and longitude are required")
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            return _refusal("that point is not on Earth")
        client = self.server.client()
        return await self._act(client.share_location(self._person(request), latitude, longitude))

    async def upload(self, request: web.Request) -> web.Response:
        form = await request.post()
        upload = form.get("file")
        if not isinstance(upload, web.FileField):
            return _refusal("choose a file to upload")
        caption = form.get("caption")
        return await self._act(
            self.server.client().send_file(
                self._person(request),
                upload.file.read(),
                filename=upload.filename,
                mime_type=upload.content_type,
                caption=str(caption) if caption else None,
                reply_to=_reply_to(form.get("reply_to_message_id")),
            )
        )

    async def pay(self, request: web.Request) -> web.Response:
        person, body = self._person(request), await _body(request)
        return await self._act(self.server.client().pay(person, _message_id(body)))

    async def block(self, request: web.Request) -> web.Response:
        client, person = self.server.client(), self._person(request)
        body = await _body(request)
        blocked = bool(body.get("blocked", True))
        (client.block if blocked else client.unblock)(person)
        return web.json_response({"ok": True, "blocked": blocked})

    async def events(self, request: web.Request) -> web.Response:
        try:
            after = int(request.query.get("after", "0"))
            timeout = min(float(request.query.get("timeout", "20")), MAX_LONG_POLL_S)
        except ValueError:
            return _refusal("after and timeout must be numbers")
        ready = [e for e in self.world.events if e.seq > after]
        if ready:  # World.wait_events(after, 0) would time out before looking
            return web.json_response({"events": [event_json(e) for e in ready]})
        poll = asyncio.ensure_future(self.world.wait_events(after, timeout))
        self._long_polls.add(poll)
        try:
            events = await poll
        except asyncio.CancelledError:
            if not self._closing or asyncio.current_task().cancelling():  # type: ignore[union-attr]
                raise
            events = []
        finally:
            self._long_polls.discard(poll)
        return web.json_response({"events": [event_json(e) for e in events]})

    async def file(self, request: web.Request) -> web.StreamResponse:
        stored = self.world.files.get(request.match_info["file_id"])
        if stored is None:
            raise _json_error(web.HTTPNotFound, "no such file")
        return web.FileResponse(
            stored.path, headers={"Content-Type": stored.mime_type or "application/octet-stream"}
        )


def _jsonable(result: Any) -> Any:
    if hasattr(result, "__dataclass_fields__"):
        return {name: getattr(result, name) for name in result.__dataclass_fields__}
    return result
