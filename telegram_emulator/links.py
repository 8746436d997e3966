"""Links in markup: the URLs tdlib's LinkManager accepts for text_link, and tg:// links."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any

from telegram_emulator.entities import ascii_lower, canonical_int, leading

# --- what a link in markup becomes, and tg:// links ---------------------------------------------


def link_fields(url: str) -> dict[str, Any] | None:
    """text_mention for tg://user?id=N, text_link for a URL Telegram accepts, else nothing."""
    user_id = _link_user_id(url)
    if user_id is not None:
        # The Bot API sends the full user; the emulator knows only the id here.
        return {"type": "text_mention", "user": {"id": user_id, "is_bot": False, "first_name": ""}}
    link = checked_link(url)
    return {"type": "text_link", "url": link} if link else None


def tg_url_query(url: str, host: str) -> str | None:
    """The query of tg://<host>?query (scheme and host case-insensitive), else None."""
    lower = ascii_lower(url[: 3 + 2 + len(host) + 1])
    if not lower.startswith("tg:"):
        return None
    lower, url = lower[3:], url[3:]
    if url.startswith("//"):
        lower, url = lower[2:], url[2:]
    if not lower.startswith(host) or (len(url) > len(host) and url[len(host)] not in "/?#"):
        return None
    url = url[len(host) :].removeprefix("/")
    return url[1:].split("#")[0] if url.startswith("?") else None


def url_params(query: str) -> list[tuple[str, str]]:
    """The key=value pairs of a URL query, in order; a pair without "=" has an empty value."""
    return [(key, value) for key, _, value in (p.partition("=") for p in query.split("&"))]


def _link_user_id(url: str) -> int | None:
    query = tg_url_query(ascii_lower(url), "user")
    for key, value in url_params(query) if query is not None else []:
        if key == "id":
            user_id = canonical_int(value)
            return user_id if user_id is not None and 0 < user_id < 2**40 else None
    return None


# --- URLs as LinkManager::check_link and parse_url accept them ----------------------------------

_URL_PART = r"(?:[A-Za-z0-9.\-_!$,~*'();&+=]|%[0-9A-Fa-f]{2}|[^\x00-\x7f])*"
_HOST_PART = re.compile(_URL_PART)
_USERINFO_PART = re.compile(_URL_PART.replace("=]", "=:]"))
_TG_SCHEMES = ("tg:", "ton:", "tonsite:")


@dataclass(frozen=True)
class _Url:
    https: bool
    userinfo: str
    host: str
    is_ipv6: bool
    port: int  # as written, 0 if none
    path: str  # from the first "/", "?" or "#", always starting with "/"

    def __str__(self) -> str:
        userinfo = f"{self.userinfo}@" if self.userinfo else ""
        port = f":{self.port}" if self.port else ""
        return f"{'https' if self.https else 'http'}://{userinfo}{self.host}{port}{self.path}"


def checked_link(link: str) -> str | None:
    """The URL a text_link gets (e.g. example.com -> http://example.com/), or None if invalid."""
    scheme = next((s for s in _TG_SCHEMES if ascii_lower(link[: len(s)]) == s), None)
    rest = link[len(scheme) :] if scheme else link
    if scheme and rest.startswith("//"):
        rest = rest[2:]
    url = _parse_url(rest)
    if url is None:
        return None
    if scheme is None:
        return str(url) if "." in url.host or url.is_ipv6 else None
    if (
        ascii_lower(rest).startswith("http://")
        or url.https
        or url.userinfo
        or url.port
        or url.is_ipv6
    ):
        return None
    extra = "." if scheme == "tonsite:" else ""
    if not all((c.isascii() and c.isalnum()) or c in "-_" + extra for c in url.host):
        return None
    path = url.path[1:] if url.path.startswith("/?") else url.path
    return f"{scheme[:-1]}://{url.host}{path}"


def _parse_url(url: str) -> _Url | None:
    protocol = leading(r"[^:/?#@\[\]]*", url)
    https = False
    if url.startswith("://", len(protocol)):
        if ascii_lower(protocol) not in ("http", "https"):
            return None
        https, url = ascii_lower(protocol) == "https", url[len(protocol) + 3 :]
    host_end = next((i for i, c in enumerate(url) if c in "/?#"), len(url))
    userinfo_host, port = url[:host_end], 0
    colon = max(userinfo_host.rfind(c) for c in ":]@")
    if colon >= 1 and userinfo_host[colon] == ":":
        port = canonical_int(re.sub(r"^0+(?=.)", "", userinfo_host[colon + 1 :]), 32) or -1
        userinfo_host = userinfo_host[:colon]
    userinfo, _, host = userinfo_host.rpartition("@")
    is_ipv6 = host.startswith("[") and host.endswith("]")
    if not 0 <= port <= 65535 or not host or host == "." or (is_ipv6 and not _is_ipv6(host)):
        return None
    host = ascii_lower(host)
    if not is_ipv6 and not (_HOST_PART.fullmatch(host) and _USERINFO_PART.fullmatch(userinfo)):
        return None
    path = url[host_end:].rstrip(" \t\r\n\v\0") or "/"
    path = ("" if path.startswith("/") else "/") + re.sub(
        r"[\x00-\x20]", lambda m: f"%{ord(m.group()):02X}", path
    )
    return _Url(https, userinfo, host, is_ipv6, port, path)


def _is_ipv6(host: str) -> bool:
    try:
        ipaddress.IPv6Address(host[1:-1])
    except ValueError:
        return False
    return re.fullmatch(r"\[[0-9a-fA-F:.]*\]", host) is not None
