"""The Bot API's error answers, with the wording Telegram really uses."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An answer with ok=false: HTTP status, Telegram's description, optional parameters."""

    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def envelope(self) -> dict[str, Any]:
        """The JSON body Telegram sends with this error."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(detail: str) -> ApiError:
    """400 Bad Request: <detail>."""
    return ApiError(400, f"Bad Request: {detail}")


def forbidden(detail: str) -> ApiError:
    """403 Forbidden: <detail>."""
    return ApiError(403, f"Forbidden: {detail}")


def too_many_requests(retry_after: int) -> ApiError:
    """429 with the wait Telegram asks for, in whole seconds."""
    return ApiError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )


NOT_FOUND = ApiError(404, "Not Found")
# What the Bot API server answers for a method name it does not know.
METHOD_NOT_FOUND = ApiError(404, "Not Found: method not found")
UNAUTHORIZED = ApiError(401, "Unauthorized")
CHAT_NOT_FOUND = "chat not found"
MESSAGE_TOO_LONG = "message is too long"
TEXT_EMPTY = "message text is empty"
CAPTION_TOO_LONG = "message caption is too long"
BUTTON_DATA_INVALID = "BUTTON_DATA_INVALID"
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
MESSAGE_TO_EDIT_NOT_FOUND = "message to edit not found"
MESSAGE_TO_DELETE_NOT_FOUND = "message to delete not found"
NO_TEXT_TO_EDIT = "there is no text in the message to edit"
NO_CAPTION_TO_EDIT = "there is no caption in the message to edit"
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
FILE_TOO_BIG = "file is too big"
WRONG_FILE_ID = "wrong file identifier/HTTP URL specified"
BLOCKED = "bot was blocked by the user"
CANNOT_INITIATE = "bot can't initiate conversation with a user"
NOT_A_MEMBER = "bot is not a member of the group chat"
WEBHOOK_ACTIVE = (
    "can't use getUpdates method while webhook is active; use deleteWebhook to delete the "
    "webhook first"
)
OTHER_GET_UPDATES = (
    "terminated by other getUpdates request; make sure that only one bot instance is running"
)
