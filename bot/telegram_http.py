"""The bot's HTTP client for the Bot API, on aiohttp instead of PTB's default httpx.

Profiling the runtime showed httpx's stack (httpx, httpcore, anyio, h11) taking about a fifth
of the bot's CPU per update; aiohttp (already our web server and webhook client) does the same
requests for a fraction of that. Semantics follow PTB's HTTPXRequest: same timeouts, same
exceptions (TimedOut, NetworkError), form-encoded parameters, multipart for uploads.
"""

from __future__ import annotations

import time

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.metrics import api_method, api_result, record_api_call


class AiohttpRequest(BaseRequest):
    """A PTB request backend with one pooled aiohttp session."""

    def __init__(
        self,
        *,
        connection_pool_size: int = 16,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        """Default read timeout, which PTB adds to getUpdates' long-poll timeout."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the connection pool."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size)
            self._session = aiohttp.ClientSession(connector=connector)

    async def shutdown(self) -> None:
        """Close the connection pool."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one Bot API request; PTB parses the answer."""
        if self._session is None or self._session.closed:
            # Like HTTPXRequest, usable before initialize(): the pool opens on first use.
            await self.initialize()
        assert self._session is not None
        files = request_data.multipart_data if request_data else None
        timeout = aiohttp.ClientTimeout(
            total=None,
            # aiohttp's `connect` covers waiting for a pooled connection, as PTB's pool timeout.
            connect=_value(pool_timeout, self._pool_timeout),
            sock_connect=_value(connect_timeout, self._connect_timeout),
            sock_read=_value(read_timeout, self._read_timeout),
        )
        body: aiohttp.FormData | dict[str, str] | None = None
        if request_data is not None:
            body = _multipart(request_data) if files else request_data.json_parameters
        began, result = time.perf_counter(), "network_error"
        try:
            async with self._session.request(
                method,
                url,
                data=body,
                timeout=timeout,
                headers={"User-Agent": self.USER_AGENT},
            ) as response:
                result = api_result(response.status)
                return response.status, await response.read()
        except TimeoutError as err:
            result = "timeout"
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err
        finally:
            record_api_call(api_method(method, url), result, time.perf_counter() - began)


def _value(given: ODVInput[float], default: float | None) -> float | None:
    return default if isinstance(given, DefaultValue) else given  # type: ignore[return-value]


def _multipart(request_data: RequestData) -> aiohttp.FormData:
    form = aiohttp.FormData(quote_fields=False)
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mime_type) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename or name, content_type=mime_type)
    return form
