"""Errors of the sandbox.

Owns the two exception types of the package:

    SandboxError            a test or driver asked the simulated world for something impossible
                            (tap a button that does not exist, act in a chat one is not part of)
    ApiError                the answer a Bot API method gives instead of a result, in Telegram's
                            shape (error_code, "Bad Request: ..." description, parameters)

Must not: know about HTTP or aiohttp; the server turns an ApiError into a response.
"""

from __future__ import annotations

from typing import Any


class SandboxError(Exception):
    """A driver asked the simulated world for something that cannot happen."""


class ApiError(Exception):
    """A Bot API error answer: HTTP status == error_code, description as Telegram words it."""

    def __init__(
        self, error_code: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    def to_api(self) -> dict[str, Any]:
        """The JSON body Telegram sends for this error."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(detail: str) -> ApiError:
    """A 400 error with Telegram's "Bad Request: " prefix."""
    return ApiError(400, f"Bad Request: {detail}")


def forbidden(detail: str) -> ApiError:
    """A 403 error with Telegram's "Forbidden: " prefix."""
    return ApiError(403, f"Forbidden: {detail}")


def too_many_requests(retry_after: int) -> ApiError:
    """A 429 error carrying ``parameters.retry_after`` as Telegram does."""
    return ApiError(
        429,
        f"Too Many Requests: retry after {retry_after}",
        {"retry_after": retry_after},
    )
