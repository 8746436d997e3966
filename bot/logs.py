"""Logging: lines for people (LOG_FORMAT=text, the default) or one JSON object per line.

A JSON line has `time` (UTC, ISO 8601), `level`, `logger` and `message`, and, when written
while an update is processed, its `update_id`, `user` (a keyed hash of the Telegram user id,
the same in every process with the same DATA_ENCRYPTION_KEY, so one person's lines can be
followed without naming them) and `handler`; the line that closes an update (DEBUG) adds
`duration_ms`. Tracebacks go inside the object (`exc_info`), never on lines of their own.

Quiet by default: at INFO the bot writes what an operator acts on, not a line per update or
per job run. Log lines never carry names, phone numbers or what people typed; a person is the
hash above (`user_hash`), or the internal id of a row.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import sys
import threading
from types import TracebackType

from pythonjsonlogger.json import JsonFormatter

from bot.update_scope import current

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
JSON_FIELDS = "%(levelname)s %(name)s %(message)s"
JSON_NAMES = {"levelname": "level", "name": "logger"}
# Libraries that log routine work at INFO: APScheduler a line per job run (every 5 s), Alembic
# its plugins on every migrate, httpx every request URL (Bot API URLs contain the token).
CHATTY_LOGGERS = ("apscheduler", "alembic", "httpx")
# Libraries whose DEBUG lines carry what people wrote and who they are (PTB logs every Bot API
# call with its parameters and every update it fetches): never below INFO.
PERSONAL_LOGGERS = ("telegram",)

_user_key = hashlib.sha256(b"sportscenter-log-user:unset").digest()


def user_hash(telegram_user_id: int | str | None) -> str | None:
    """A short keyed hash that stands for a Telegram user in logs."""
    if telegram_user_id is None:
        return None
    digest = hmac.new(_user_key, str(telegram_user_id).encode(), hashlib.sha256)
    return digest.hexdigest()[:12]


class UpdateContext(logging.Filter):
    """Adds the current update's id, user hash and handler to each record written for it."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Annotate `record`; never drops one."""
        scope = current()
        if scope is not None:
            record.update_id = scope.update_id
            record.user = user_hash(scope.user_id)
            record.handler = scope.handler
        return True


def configure_logging(level: str, *, fmt: str = "text", user_key: bytes | None = None) -> None:
    """A line per event worth an operator's attention; the libraries' routine only at DEBUG."""
    global _user_key
    if user_key is not None:
        # Derived, not the key itself: a log hash must never help anyone with the data key.
        _user_key = hashlib.sha256(b"sportscenter-log-user:" + user_key).digest()
    handler = logging.StreamHandler()
    if fmt == "json":
        handler.setFormatter(JsonFormatter(JSON_FIELDS, rename_fields=JSON_NAMES, timestamp="time"))
        # Python's warnings and uncaught exceptions would otherwise print plain lines.
        logging.captureWarnings(True)
        sys.excepthook = _log_uncaught
        threading.excepthook = _log_uncaught_in_thread
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    handler.addFilter(UpdateContext())
    logging.basicConfig(level=level, handlers=[handler])
    quiet = logging.DEBUG if level == "DEBUG" else logging.WARNING
    for name in CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(quiet)
    for name in PERSONAL_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.INFO, logging.getLevelName(level)))


def _log_uncaught(
    kind: type[BaseException], error: BaseException, traceback: TracebackType | None
) -> None:
    logging.getLogger("sportscenter").critical("uncaught", exc_info=(kind, error, traceback))


def _log_uncaught_in_thread(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is not None:
        _log_uncaught(args.exc_type, args.exc_value, args.exc_traceback)
